"""PostgreSQL in operation: whole connection URLs on every connection, PG* variables, statement
timeout, no password printed, credential files private, and a server that survives a database
restart (issue #23)."""

from __future__ import annotations

import json
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
    assert pg_connect_args("postgresql://h/x")["options"] == "-c statement_timeout=2500 -c work_mem=64MB -c jit=off"
    monkeypatch.setenv("CHAINBRAIN_WORK_MEM_MB", "256")
    assert "-c work_mem=256MB" in pg_connect_args("postgresql://h/x")["options"]
    monkeypatch.setenv("CHAINBRAIN_WORK_MEM_MB", "0")
    with pytest.raises(ValueError, match="取值无效"):
        pg_connect_args("postgresql://h/x")
    monkeypatch.delenv("CHAINBRAIN_WORK_MEM_MB")
    assert "options" not in pg_connect_args("postgresql://h/x?options=-c%20work_mem%3D64MB")
    monkeypatch.setenv("CHAINBRAIN_STATEMENT_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="取值无效"):
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
    assert [name for name, _, _ in steps] == ["a", "b"] and final.upper().startswith("SELECT")
    assert [m for _, _, m in steps] == [False, False]         # plain reads of one source stay CTEs
    grouped = ("WITH a AS (SELECT g % 10 AS k, COUNT(*) AS n FROM generate_series(1, 1000) AS g GROUP BY 1), "
               "b AS (SELECT k FROM a WHERE n > 0), c AS (SELECT DISTINCT k FROM b) "
               "SELECT COUNT(*) FROM a JOIN c USING (k)")
    assert [m for _, _, m in split(grouped)[0]] == [True, False, True]
    union = ("WITH a AS (SELECT g % 3 AS k FROM generate_series(1, 30) AS g), b AS (SELECT DISTINCT k FROM a) "
             "SELECT k FROM b UNION ALL SELECT k + 10 FROM b")
    assert [name for name, _, _ in split(union)[0]] == ["a", "b"]               # a UNION's steps too
    assert split("SELECT 1") is None and split("WITH a AS (SELECT 1) SELECT * FROM a") is None
    url = own_pg.create_database("plans")
    with open_store(url) as store:
        con = store.ibis().con
        assert con.cursor_factory is PlannedCursor
        with psycopg.connect(libpq(url), autocommit=True) as plain:
            want = plain.execute(sql).fetchall()
        assert con.execute(sql).fetchall() == want                      # same rows, step by step
        with psycopg.connect(libpq(url), autocommit=True) as plain:
            want_g = plain.execute(grouped).fetchall()
        assert con.execute(grouped).fetchall() == want_g == [(10,)]     # materialized and inline steps mixed
        assert sorted(con.execute(union).fetchall()) == [(0,), (1,), (2,), (10,), (11,), (12,)]
        with con.transaction():                                         # inside an open transaction too
            assert con.cursor().execute(sql).fetchall() == want
        left = con.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'")
        assert left.fetchone()[0] == 0                                  # nothing left behind


def libpq(url: str) -> str:
    from chainbrain.store.engine import libpq_url

    return libpq_url(url)


# ---------------------------------------------------------------- configuration and serving
def test_settings_file_then_environment(tmp_path, monkeypatch):
    from chainbrain.config import ConfigError, load_settings

    for k in list(os.environ):
        if k.startswith("CHAINBRAIN_") or k == "PGAPPNAME":
            monkeypatch.delenv(k)
    f = tmp_path / "chainbrain.toml"
    f.write_text('[store]\nurl = "postgresql://cb:pw@db/cb"\nstatement_timeout_s = 30\npool_size = 2\n'
                 '[server]\nworkers = 3\ntrusted_proxies = ["10.0.0.1", "10.0.0.2"]\n'
                 '[logging]\naccess_log = "json"\n', encoding="utf-8")
    monkeypatch.setenv("CHAINBRAIN_CONFIG", str(f))
    s = load_settings()
    assert (s.db, s.statement_timeout_s, s.pool_size, s.workers, s.trusted_proxies, s.access_log) == \
        ("postgresql://cb:pw@db/cb", 30.0, 2, 3, ("10.0.0.1", "10.0.0.2"), "json")
    assert statement_timeout_ms() == 30_000
    monkeypatch.setenv("CHAINBRAIN_WORKERS", "2")                      # the environment wins
    monkeypatch.setenv("CHAINBRAIN_DB", "x.duckdb")
    assert (load_settings().workers, load_settings().db) == (2, "x.duckdb")
    monkeypatch.setenv("CHAINBRAIN_WORKERS", "0")
    with pytest.raises(ConfigError, match="CHAINBRAIN_WORKERS.*取值无效"):
        load_settings()
    monkeypatch.delenv("CHAINBRAIN_WORKERS")
    f.write_text("[server]\nwokers = 2\n")
    with pytest.raises(ConfigError, match=r"unknown setting \[server\] wokers \(未知配置项\)"):
        load_settings()
    f.write_text("[server\n")
    with pytest.raises(ConfigError, match="不是有效的 TOML"):
        load_settings()
    f.write_text('[logging]\naccess_log = "xml"\n')
    with pytest.raises(ConfigError, match="plain, json, off"):
        load_settings()


def test_broken_configuration_is_one_line(tmp_path):
    import subprocess
    import sys

    f = tmp_path / "bad.toml"
    f.write_text("[store]\npool_size = -1\n")
    env = {**os.environ, "CHAINBRAIN_CONFIG": str(f)}
    env.pop("CHAINBRAIN_DB", None)
    r = subprocess.run([sys.executable, "-m", "chainbrain", "db", "stats"], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "pool_size" in r.stderr and "取值无效" in r.stderr


def test_workers_need_postgres(tmp_path):
    res = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "x.duckdb"), "--workers", "2"])
    assert res.exit_code == 2 and "PostgreSQL" in res.output


def test_several_workers_serve_and_stop_on_sigterm(own_pg, tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    url = W.build(own_pg.create_database("workers"))
    secret = url.replace("postgres@", "postgres:hunter2@")           # trust auth: the password is unused
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = tmp_path / "chainbrain.toml"
    cfg.write_text('[server]\npublic_aggregates = true\n[logging]\naccess_log = "json"\n')
    env = {**os.environ, "CHAINBRAIN_WEB_WARMUP": "off"}
    env.pop("PYTEST_CURRENT_TEST", None)
    out = tmp_path / "serve.log"
    with open(out, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "chainbrain", "serve", "--db", secret, "--port", str(port),
                                 "--workers", "2", "--config", str(cfg)], env=env, stdout=log, stderr=log,
                                start_new_session=True)
    try:
        deadline, status = time.time() + 90, None
        while time.time() < deadline and status != 200:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5).status
            except OSError:
                time.sleep(0.5)
        assert status == 200, out.read_text()
        for _ in range(6):
            assert urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kpi?period=2025-06", timeout=60).status == 200
        children = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "spawn_main"], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) == 2                                       # two worker processes
        with psycopg.connect(libpq(url), autocommit=True) as con:        # serving from the database
            n = con.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chainbrain' "
                            "AND datname = 'workers'").fetchone()[0]
        assert n >= 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        left = b"?"
        for _ in range(50):                                             # workers (and their tracker) gone
            left = subprocess.run(["pgrep", "-a", "-g", str(proc.pid)], capture_output=True).stdout
            if not left:
                break
            time.sleep(0.2)
        assert left == b""
    finally:
        if proc.poll() is None or subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True).stdout:
            os.killpg(proc.pid, signal.SIGKILL)
    text = out.read_text()
    assert "hunter2" not in text and "postgres:***@" in text
    access = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(a["path"].startswith("/api/kpi") and a["status"] == 200 for a in access)


def test_imports_leave_fresh_statistics(own_pg, tmp_path):
    """After an import PostgreSQL knows the new row counts (ANALYZE), so the next plans are not made
    from an empty table's statistics; a small import into a known table leaves them to autovacuum
    (``Store.analyze``'s threshold, at its boundary)."""
    from test_ingest_core import ENT_HEAD, ENTS, write_csv

    from chainbrain.ingest.load import import_file
    from chainbrain.store.admin import init_store

    url = own_pg.create_database("stats")
    with open_store(url) as store:
        init_store(store)
        res = import_file(store, "enterprises", write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS]))
        assert res.status == "loaded"
        with store.engine.connect() as conn:
            analyzed = conn.execute(sa.text("SELECT last_analyze IS NOT NULL, n_live_tup FROM pg_stat_user_tables "
                                            "WHERE relname = 'enterprise'")).one()
            tuples = conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'enterprise'")).scalar()
        assert analyzed[0] and tuples == len(ENTS)

        # a small import into a table the planner knows is left to autovacuum: at least 50 + 10 % of the
        # table's row estimate (autovacuum's threshold) refreshes the statistics at once, one row fewer does not
        def stamp():
            with store.engine.connect() as conn:
                return conn.execute(sa.text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'enterprise'")
                                    ).scalar()
        with store.begin() as conn:                     # a table the planner believes holds 1,000 rows
            conn.execute(sa.text("UPDATE pg_class SET reltuples = 1000 WHERE relname = 'enterprise'"))
        before = stamp()
        assert store.analyze("enterprise", 149) is False and stamp() == before
        assert store.analyze("enterprise", 150) is True
        assert store.analyze("monthly_report", 1) is True                 # analyzed when empty: any row
        before = stamp()
        edited = [list(r) for r in ENTS[:1]]
        edited[0][5] = "121"
        res = import_file(store, "enterprises", write_csv(tmp_path / "e2.csv", [ENT_HEAD, *edited]))
        assert res.status == "loaded" and res.updated == 1 and stamp() == before          # a correction: no ANALYZE


def test_default_views_recomputed_after_an_import(tmp_path, monkeypatch):
    """An import the server did not make (the command line) moves the data version: the warm-up
    computes the default views again in the background, so the next visitor gets them from the cache."""
    import time

    from test_ingest_core import ENT_HEAD, ENTS, write_csv

    from chainbrain.ingest.load import import_file
    from chainbrain.web import state as web_state

    monkeypatch.setenv("CHAINBRAIN_WEB_WARMUP", "essential")
    monkeypatch.setattr(web_state, "REWARM_S", 0.2)
    app = create_app(W.build(tmp_path / "rewarm.duckdb"), public_aggregates=True)
    with TestClient(app) as c:
        st = app.state.web
        assert st.warmed.wait(120) and st.warm_passes == 1
        res = import_file(st.store, "enterprises", write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS]))
        assert res.status == "loaded"
        deadline = time.time() + 60
        while st.warm_passes < 2 and time.time() < deadline:
            time.sleep(0.1)
        assert st.warm_passes == 2
        misses = st.cache.misses
        assert c.get("/api/cockpit").status_code == 200
        assert st.cache.misses == misses                 # computed before the visitor came


def _hold_lock(url: str, table: str = "industry"):
    """A session holding an exclusive lock on ``table``: analytics reading it wait (the KPI reads the
    industry table; the data-version check does not)."""
    con = psycopg.connect(libpq(url))
    con.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return con


def _waiting(url: str) -> int:
    with psycopg.connect(libpq(url), autocommit=True) as con:
        return con.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chainbrain' "
                           "AND wait_event_type = 'Lock'").fetchone()[0]


def test_statement_timeout_answers_504(own_pg, monkeypatch):
    url = W.build(own_pg.create_database("timeout_web"))
    monkeypatch.setenv("CHAINBRAIN_STATEMENT_TIMEOUT", "1")
    app = create_app(url, public_aggregates=True)
    with TestClient(app, raise_server_exceptions=False) as c:
        holder = _hold_lock(url)
        try:
            r = c.get("/api/kpi", params={"period": "2025-06"})
        finally:
            holder.close()
        assert r.status_code == 504 and "超时" in r.json()["detail"] and "timeout" in r.json()["detail"]
        assert c.get("/api/kpi", params={"period": "2025-06"}).status_code == 200     # works again


def test_abandoned_request_cancels_its_query(own_pg, tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    url = W.build(own_pg.create_database("abandon"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CHAINBRAIN_WEB_WARMUP": "off"}
    env.pop("PYTEST_CURRENT_TEST", None)
    proc = subprocess.Popen([sys.executable, "-m", "chainbrain", "serve", "--db", url, "--port", str(port),
                             "--public-aggregates"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        holder = _hold_lock(url)
        try:
            with pytest.raises(OSError):                       # the client gives up after 2 s
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kpi?period=2025-06", timeout=2)
            deadline, waiting = time.time() + 15, _waiting(url)
            while waiting and time.time() < deadline:
                time.sleep(0.2)
                waiting = _waiting(url)
            assert waiting == 0                                 # its query was cancelled, lock still held
        finally:
            holder.close()
        r = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kpi?period=2025-06", timeout=60)
        assert r.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
