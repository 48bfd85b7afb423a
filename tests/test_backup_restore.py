"""Restore drill (issue #20): ``chainbrain db backup`` → ``db restore`` → verify, on DuckDB (also while
the server's store is open and written to) and on PostgreSQL (the throwaway server)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import web_fixture as W
from chainbrain.cli import app as cli
from chainbrain.store import audit as A
from chainbrain.store import open_store
from chainbrain.store.backup import manifest

runner = CliRunner()


def _ok(r):
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_duckdb_drill_with_the_store_open(tmp_path):
    """The backup is taken from a store that stays open (as a running server's), in one snapshot;
    the restored copy has every table's rows and checksum; a changed row is found by verify."""
    from chainbrain.store.backup import backup

    db = W.build(tmp_path / "src.duckdb", tasks=False)
    store = open_store(db)
    A.append(store, "admin", "login", "user:admin")
    man = backup(store, tmp_path / "b.tar")                       # the store stays open (server-like)
    A.append(store, "admin", "logout", "user:admin")               # written after the snapshot: not in it
    assert man["tables"]["enterprise"]["rows"] == 6
    with store.engine.connect() as conn:
        assert manifest(conn)["tables"]["audit_log"]["rows"] == man["tables"]["audit_log"]["rows"] + 1
    store.close()
    res = _ok(runner.invoke(cli, ["db", "restore", "--db", str(tmp_path / "r.duckdb"), "--from", str(tmp_path / "b.tar")]))
    assert res["ok"] and res["differences"] == [] and res["tables"] == len(man["tables"])
    restored = open_store(str(tmp_path / "r.duckdb"))
    assert A.verify(restored).ok                                  # the audit chain came across whole
    with restored.engine.begin() as conn:
        conn.execute(sa.text("UPDATE enterprise SET name = name || 'x' WHERE id = 1"))
    restored.close()
    r = runner.invoke(cli, ["db", "verify", "--db", str(tmp_path / "r.duckdb"), "--from", str(tmp_path / "b.tar")])
    assert r.exit_code == 1 and "enterprise: same row count, different content" in r.output
    # refusals: one line, no traceback
    for args in (["db", "restore", "--db", str(tmp_path / "r.duckdb"), "--from", str(tmp_path / "b.tar")],
                 ["db", "backup", "--db", db, "--out", str(tmp_path / "b.tar")],
                 ["db", "restore", "--db", str(tmp_path / "n.duckdb"), "--from", str(tmp_path / "none.tar")]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 2 and "Traceback" not in r.output and "(" in r.output, r.output


@pytest.mark.postgres
def test_postgres_drill(tmp_path, pg_server):
    src = pg_server.create_database("cb_backup_src")
    W.build(src, tasks=False)
    with open_store(src) as store:                                 # the audit chain on PostgreSQL too
        for i in range(3):
            A.append(store, "admin", "login", f"user:u{i}", client="127.0.0.1")
        A.append_soon(store, "admin", "profile_read", "enterprise:x")
        assert A.verify(store).ok and A.verify(store).entries >= 4
    out = tmp_path / "pg.dump"
    b = _ok(runner.invoke(cli, ["db", "backup", "--db", src, "--out", str(out)]))
    assert b["tables"] > 50 and out.exists() and (tmp_path / "pg.dump.manifest.json").exists()
    cut = tmp_path / "cut.dump"                                   # a dump cut short: refused before pg_restore
    cut.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    (tmp_path / "cut.dump.manifest.json").write_bytes((tmp_path / "pg.dump.manifest.json").read_bytes())
    r = runner.invoke(cli, ["db", "verify", "--db", src, "--from", str(cut)])
    assert r.exit_code == 2 and "truncated or damaged" in r.output and "不完整" in r.output, r.output
    dst = pg_server.create_database("cb_backup_dst")
    res = _ok(runner.invoke(cli, ["db", "restore", "--db", dst, "--from", str(out)]))
    assert res["ok"] and res["rows"] == b["rows"]
    with open_store(dst) as store:
        assert A.verify(store).ok
    r = runner.invoke(cli, ["db", "restore", "--db", dst, "--from", str(out)])           # not empty now
    assert r.exit_code == 2 and "not empty" in r.output
    with open_store(dst) as store, store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM supply_link"))
    r = runner.invoke(cli, ["db", "verify", "--db", dst, "--from", str(out)])
    assert r.exit_code == 1 and "supply_link" in r.output
