"""Issue #20 — disclosure by search, the hash-chained audit log (what is logged, the page, the export,
``chainbrain audit verify|prune``) over the hand-made fixture (tests/web_fixture.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import web_fixture as W
from chainbrain.catalog.uscc import make
from chainbrain.cli import app as cli
from chainbrain.store import audit as A
from chainbrain.store import audit_imports as AI
from chainbrain.store import open_store
from chainbrain.store.migrate import upgrade
from chainbrain.web import create_app

runner = CliRunner()
UNKNOWN = make("360402", 9999)                   # a valid USCC that no enterprise has


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(W.build(tmp_path_factory.mktemp("audit") / "audit.duckdb", tasks=False),
                      public_aggregates=True)


def login(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def entries(app, **filters):
    return login(app, "admin").get("/api/audit", params={"limit": 500, **filters}).json()["entries"]


@pytest.mark.parametrize("viewer", ["dh_county", "viewer", None])
def test_search_out_of_scope_uscc_answers_like_an_unknown_one(app, viewer):
    """E3 exists but lies outside these viewers' scopes: same status and body as an unknown USCC
    (the query echo aside), on the JSON twin and on the page; timing of the same order."""
    c = login(app, viewer)
    assert 3 not in W.SEES[viewer]

    def ask(q, path="/api/search"):
        t0 = time.perf_counter()
        r = c.get(path, params={"q": q})
        return r, time.perf_counter() - t0

    for path in ("/api/search", "/search"):
        (known, _), (unknown, _) = ask(W.USCC[3], path), ask(UNKNOWN, path)
        assert known.status_code == unknown.status_code == 200
        assert known.text.replace(W.USCC[3], "Q") == unknown.text.replace(UNKNOWN, "Q"), path
    assert "enterprises_withheld" not in known.text
    # timing: medians of repeated (uncached: new query each time) asks stay within a few milliseconds
    tk = sorted(ask(W.USCC[3][:-1] + str(i % 10))[1] for i in range(7))[3]
    tu = sorted(ask(UNKNOWN[:-1] + str(i % 10))[1] for i in range(7))[3]
    assert abs(tk - tu) < 0.05, (tk, tu)


def test_profile_reads_refusals_and_csrf_failures_are_audited(app):
    county = login(app, "dh_county")
    assert county.get(f"/api/enterprises/{W.USCC[1]}").status_code == 200
    assert county.get(f"/enterprises/{W.USCC[1]}").status_code == 200
    for _ in range(2):                                   # the second refusal comes from the cache: audited too
        assert county.get(f"/api/enterprises/{W.USCC[3]}").status_code == 404
    assert county.get("/api/audit").status_code == 403  # a role refusal
    bad = TestClient(app)
    bad.cookies = county.cookies
    assert bad.post("/api/logout").status_code == 403   # no CSRF token
    reads = entries(app, action="profile_read", actor="dh_county")
    assert {(e["object"], json.loads(e["detail"])["format"]) for e in reads} == {
        (f"enterprise:{W.USCC[1]}", "json"), (f"enterprise:{W.USCC[1]}", "html")}
    refused = entries(app, action="scope_refused", object=W.USCC[3])
    assert len(refused) == 2 and all(e["actor"] == "dh_county" for e in refused)
    assert entries(app, action="role_refused", actor="dh_county")[0]["object"] == "path:/api/audit"
    assert entries(app, action="csrf_failed", actor="dh_county")


def test_import_is_audited_upload_to_end_by_the_confirming_user(app):
    admin = login(app, "admin")
    body = ("统一社会信用代码,企业名称,行政区划代码,行业代码,成立日期,从业人员,主要产品\n"
            f"{make('360102', 8801)},审计导入测试甲公司,360102,3985,2010-03-01,120,电子铜箔\n")
    job = admin.post("/api/imports", data={"kind": "enterprises"},
                     files={"file": ("原始名称.csv", body.encode(), "text/csv")}).json()
    assert job["status"] == "valid", job
    admin.post(f"/api/imports/{job['id']}/confirm")
    for _ in range(100):
        if admin.get(f"/api/imports/{job['id']}").json()["status"] != "importing":
            break
        time.sleep(0.05)
    log = [e for e in entries(app, object="原始名称.csv") if json.loads(e["detail"]).get("job") == job["id"]]
    assert [e["action"] for e in reversed(log)] == ["import_upload", "import_validate", "import_start", "import_end"]
    assert all(e["actor"] == "admin" and e["object"] == "import:原始名称.csv" for e in log)
    assert json.loads(log[0]["detail"])["status"] == "done"


def test_dead_import_is_closed_at_restart(tmp_path):
    db = str(tmp_path / "dead.duckdb")
    store = open_store(db)
    upgrade(store)
    A.append(store, "admin", "import_start", "import:x.csv", job="j1", kind="enterprises", file="x.csv",
             host=AI.process_mark()["host"], pid=2 ** 22 + 12345)          # no such process
    A.append(store, "admin", "import_start", "import:y.csv", job="j2", **AI.process_mark())   # this one: alive
    assert AI.close_dead_imports(store) == ["j1"]
    assert AI.close_dead_imports(store) == []                             # closed once
    assert A.verify(store).ok
    store.close()


def test_audit_page_filters_and_pages(app):
    admin = login(app, "admin")
    for i in range(7):
        admin.get(f"/api/enterprises/{W.USCC[2]}")
    one = admin.get("/api/audit", params={"action": "profile_read", "object": W.USCC[2], "limit": 3}).json()
    assert one["total"] >= 7 and len(one["entries"]) == 3 and one["next"] and not one["prev"]
    two = admin.get(one["next"]).json()
    assert two["offset"] == 3 and {e["id"] for e in two["entries"]}.isdisjoint(e["id"] for e in one["entries"])
    today = dt.date.today()
    assert admin.get("/api/audit", params={"until": (today - dt.timedelta(days=1)).isoformat()}).json()["total"] == 0
    assert admin.get("/api/audit", params={"since": today.isoformat(), "actor": "admin"}).json()["total"] > 0
    bad = admin.get("/api/audit", params={"since": "yesterday"})
    assert bad.status_code == 400 and "(" in bad.json()["detail"]
    assert admin.get("/api/audit", params={"limit": 0}).status_code == 400
    page = admin.get("/audit", params={"action": "profile_read", "limit": 2})
    assert page.status_code == 200 and 'data-testid="audit-next"' in page.text
    xlsx = admin.get("/api/audit", params={"format": "xlsx", "limit": 1})       # Excel: the whole list
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert ws.max_row > 3


def test_export_verifies_and_tampering_is_named(app, tmp_path):
    admin = login(app, "admin")
    js = admin.get("/api/audit/export", params={"format": "json"})
    (tmp_path / "a.json").write_bytes(js.content)
    r = runner.invoke(cli, ["audit", "verify", "--file", str(tmp_path / "a.json")])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["head"] == js.json()["head"]
    text = admin.get("/api/audit/export", params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    assert runner.invoke(cli, ["audit", "verify", "--file", str(tmp_path / "a.csv")]).exit_code == 0
    victim = rows[len(rows) // 2]
    (tmp_path / "b.csv").write_text(text.replace(victim["row_hash"] + "\n", victim["row_hash"] + "\n", 1)
                                    .replace(f"\n{victim['id']},{victim['logged_at']},{victim['actor']},",
                                             f"\n{victim['id']},{victim['logged_at']},mallory,", 1), encoding="utf-8")
    r = runner.invoke(cli, ["audit", "verify", "--file", str(tmp_path / "b.csv")])
    assert r.exit_code == 1 and f"entry {victim['id']}" in r.output and "Traceback" not in r.output
    filtered = admin.get("/api/audit/export", params={"format": "json", "action": "profile_read"})
    assert filtered.json()["filtered"] is True
    (tmp_path / "f.json").write_bytes(filtered.content)
    assert runner.invoke(cli, ["audit", "verify", "--file", str(tmp_path / "f.json")]).exit_code == 0


def test_store_chain_tamper_delete_and_prune(tmp_path):
    db = str(tmp_path / "chain.duckdb")
    store = open_store(db)
    upgrade(store)
    for i in range(6):
        A.append(store, f"u{i}", "login", f"user:u{i}", client="127.0.0.1")
    old = dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=40)
    with store.engine.begin() as conn:                 # the first four are 40 days old: rehash them as such
        rows = A.entries(conn, A.Filters(), newest_first=False)
        for r in rows[:4]:
            r["logged_at"] = old
        for rid, prev, h in A.chain_rows(rows):
            conn.execute(sa.text("UPDATE audit_log SET logged_at = :t, prev_hash = :p, row_hash = :h WHERE id = :i"),
                         {"t": next(r["logged_at"] for r in rows if r["id"] == rid), "p": prev, "h": h, "i": rid})
    store.close()
    assert runner.invoke(cli, ["audit", "verify", "--db", db]).exit_code == 0
    r = runner.invoke(cli, ["audit", "prune", "--db", db, "--older-than", "30"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"deleted": 3, "anchor_id": 4, "cutoff": json.loads(r.output)["cutoff"]}
    r = runner.invoke(cli, ["audit", "verify", "--db", db])
    assert r.exit_code == 0 and json.loads(r.output)["entries"] == 4, r.output     # anchor 4, 5, 6, prune entry
    store = open_store(db)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE id = 5"))
    store.close()
    r = runner.invoke(cli, ["audit", "verify", "--db", db])
    assert r.exit_code == 1 and "entry 6" in r.output
    assert runner.invoke(cli, ["audit", "prune", "--db", db, "--older-than", "0"]).exit_code == 2


def test_command_line_import_is_audited(tmp_path):
    from chainbrain.store.admin import init_store

    db = str(tmp_path / "cli.duckdb")
    with open_store(db) as store:
        init_store(store)
    f = tmp_path / "企业名录.csv"
    f.write_text("统一社会信用代码,企业名称,行政区划代码,行业代码,成立日期,从业人员,主要产品\n"
                 f"{make('360102', 8802)},命令行导入测试公司,360102,3985,2010-03-01,120,电子铜箔\n", encoding="utf-8")
    r = runner.invoke(cli, ["import", "enterprises", str(f), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    with open_store(db) as store:
        with store.engine.connect() as conn:
            log = A.entries(conn, A.Filters(object="企业名录.csv"), newest_first=False)
        assert A.verify(store).ok
    assert [e["action"] for e in log] == ["import_start", "import_end"]
    assert all(e["actor"].startswith("cli:") for e in log) and json.loads(log[1]["detail"])["status"] == "loaded"


def test_a_reader_waits_for_the_batch_the_background_writer_is_writing(tmp_path, monkeypatch):
    """``flush`` before a read of the log also waits for the batch the writer thread took off the
    queue and has not committed yet (the audit page once read 0 of 7 queued profile reads)."""
    import threading

    store = open_store(str(tmp_path / "race.duckdb"))
    upgrade(store)
    try:
        taken, real = threading.Event(), A._write

        def slow_write(tx, rows):              # the writer thread between taking its batch and committing
            taken.set()
            time.sleep(0.5)
            return real(tx, rows)

        monkeypatch.setattr(A, "_write", slow_write)
        A.append_soon(store, "viewer", "profile_read", "enterprise:X", path="/api/enterprises/X")
        writer = A._writers[store]
        writer.wake.set()                      # its next batch now
        assert taken.wait(10) and not writer.items
        A.flush(store)                         # what the audit page does before it reads
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE action = 'profile_read'")).scalar() == 1
    finally:
        store.close()
