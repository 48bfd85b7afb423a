"""PostgreSQL in operation: whole connection URLs on every connection, PG* variables, statement
timeout, no password printed, credential files private, and a server that survives a database
restart (issue #23)."""

from __future__ import annotations

import os
import stat

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import web_fixture as W
from pgserver import PGServer
from chainbrain.cli import app as cli_app
from chainbrain.cli.demo import write_private
from chainbrain.store import open_store
from chainbrain.store.engine import pg_connect_args, redact, statement_timeout_ms
from chainbrain.web import create_app


@pytest.fixture(scope="module")
def own_pg():
    """A server of this module's own: the tests stop and restart it."""
    srv = PGServer().start()
    yield srv
    srv.stop()


def _setting(store, name: str) -> tuple[str, str]:
    """(ORM connection's value, analytics connection's value) of a session setting."""
    with store.engine.connect() as conn:
        orm = conn.execute(sa.text(f"SHOW {name}")).scalar()
    ana = store.ibis().con.execute(f"SHOW {name}").fetchone()[0]
    return orm, ana


def test_redact_masks_passwords_only():
    assert redact("postgresql://cb:s3cr%40t@db.example:5433/cb?sslmode=require") == \
        "postgresql://cb:***@db.example:5433/cb?sslmode=require"
    assert redact("postgres://cb:pw@h/x") == "postgresql://cb:***@h/x"
    assert redact("postgresql://cb@h/x") == "postgresql://cb@h/x"          # nothing to hide
    assert redact("data/demo.duckdb") == "data/demo.duckdb"


def test_statement_timeout_setting(monkeypatch):
    monkeypatch.delenv("CHAINBRAIN_STATEMENT_TIMEOUT", raising=False)
    assert statement_timeout_ms() == 300_000
    monkeypatch.setenv("CHAINBRAIN_STATEMENT_TIMEOUT", "2.5")
    assert statement_timeout_ms() == 2500
    assert pg_connect_args("postgresql://h/x")["options"] == "-c statement_timeout=2500"
    assert "options" not in pg_connect_args("postgresql://h/x?options=-c%20work_mem%3D64MB")
    monkeypatch.setenv("CHAINBRAIN_STATEMENT_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="语句超时"):
        statement_timeout_ms()


def test_every_connection_honours_the_whole_url(own_pg, monkeypatch):
    monkeypatch.delenv("PGAPPNAME", raising=False)
    url = own_pg.create_database("urls")
    with open_store(url) as store:                                    # default name
        assert _setting(store, "application_name") == ("chainbrain", "chainbrain")
    with open_store(url + "?application_name=cb-test&sslmode=disable") as store:
        assert _setting(store, "application_name") == ("cb-test", "cb-test")
    # a Unix-socket host= (no TCP at all): both connections go through the socket
    sock = f"postgresql://postgres@/urls?host={own_pg.socket_dir}&port={own_pg.port}"
    with open_store(sock) as store:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT inet_server_addr()")).scalar() is None
        assert store.ibis().con.execute("SELECT inet_server_addr()").fetchone()[0] is None
    # sslmode=require reaches the analytics connection too: this server has no TLS, so both refuse
    with open_store(url + "?sslmode=require") as store:
        with pytest.raises(sa.exc.OperationalError):
            store.engine.connect().close()
        with pytest.raises(psycopg.OperationalError):
            store.ibis()


def test_pg_environment_fills_what_the_url_leaves_out(own_pg, monkeypatch):
    own_pg.create_database("envdb")
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(own_pg.port))
    monkeypatch.setenv("PGUSER", "postgres")
    monkeypatch.setenv("PGAPPNAME", "from-env")
    with open_store("postgresql:///envdb") as store:
        assert _setting(store, "application_name") == ("from-env", "from-env")
        assert store.ibis().con.execute("SELECT current_database()").fetchone()[0] == "envdb"


def test_statement_timeout_cancels_long_queries(own_pg, monkeypatch):
    url = own_pg.create_database("slow")
    monkeypatch.setenv("CHAINBRAIN_STATEMENT_TIMEOUT", "0.3")
    with open_store(url) as store:
        with pytest.raises(sa.exc.OperationalError) as orm:
            with store.engine.connect() as conn:
                conn.execute(sa.text("SELECT pg_sleep(3)"))
        assert isinstance(orm.value.orig, psycopg.errors.QueryCanceled)
        with pytest.raises(psycopg.errors.QueryCanceled):
            store.ibis().con.execute("SELECT pg_sleep(3)")
        assert store.ping() is None                                   # the connections stay usable


def test_server_survives_a_database_restart(own_pg, tmp_path):
    url = W.build(own_pg.create_database("web"))
    app = create_app(url, public_aggregates=True)
    with TestClient(app, raise_server_exceptions=False) as c:
        app.state.web.warmed.wait(120)
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/kpi", params={"period": "2025-06"}).status_code == 200
        own_pg.restart()
        # uncached requests (new parameters) need both connections: they are replaced
        r = c.get("/api/kpi", params={"period": "2025-03"})
        assert r.status_code == 200, r.text
        assert c.get("/api/cockpit", params={"period": "2025-03", "region": "360100"}).status_code == 200
        assert c.get("/api/health").json()["status"] == "ok"
        own_pg.halt()
        try:
            h = c.get("/api/health")
            assert h.status_code == 503 and h.json()["status"] == "unavailable" and h.json()["reason"]
            assert c.get("/api/live").status_code == 200
            r = c.get("/api/kpi", params={"period": "2024-06"})
            assert r.status_code == 503, r.text
            assert "数据库" in r.json()["detail"] and "database" in r.json()["detail"]
        finally:
            own_pg.start_again()
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/kpi", params={"period": "2024-06"}).status_code == 200


def test_no_command_prints_a_password(own_pg):
    url = own_pg.create_database("secret").replace("postgres@", "postgres:hunter2@")   # trust: unused
    res = CliRunner().invoke(cli_app, ["db", "init", "--db", url])
    assert res.exit_code == 0, res.output
    assert "hunter2" not in res.output and "postgres:***@" in res.output


def test_credential_files_are_private(tmp_path):
    path = tmp_path / "x.credentials.txt"
    path.write_text("old")
    os.chmod(path, 0o644)
    write_private(path, "admin\tpw\tadmin\t-\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "admin\tpw\tadmin\t-\n"


def test_with_steps_run_as_analyzed_temporary_tables(own_pg):
    from chainbrain.store.pgplan import PlannedCursor, split

    sql = ("WITH a AS (SELECT g AS x FROM generate_series(1, 1000) AS g), "
           "b AS (SELECT x, x % 7 AS k FROM a WHERE x > 10) SELECT k, COUNT(*) AS n, SUM(x) AS s FROM b "
           "GROUP BY k ORDER BY k")
    steps, final = split(sql)
    assert [name for name, _ in steps] == ["a", "b"] and final.upper().startswith("SELECT")
    assert split("SELECT 1") is None and split("WITH a AS (SELECT 1) SELECT * FROM a") is None
    url = own_pg.create_database("plans")
    with open_store(url) as store:
        con = store.ibis().con
        assert con.cursor_factory is PlannedCursor
        with psycopg.connect(libpq(url), autocommit=True) as plain:
            want = plain.execute(sql).fetchall()
        assert con.execute(sql).fetchall() == want                      # same rows, step by step
        with con.transaction():                                         # inside an open transaction too
            assert con.cursor().execute(sql).fetchall() == want
        left = con.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'")
        assert left.fetchone()[0] == 0                                  # nothing left behind


def libpq(url: str) -> str:
    from chainbrain.store.engine import libpq_url

    return libpq_url(url)
