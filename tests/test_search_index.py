"""The enterprise search index (chainbrain.analytics.search_index) and its life in the web application.

- an index read after a change, reusing the previous one's initials, equals an index read from
  nothing (DuckDB and PostgreSQL): a new firm is found, a removed one is not, a renamed one is
  found by its new name and initials only; only new names are spelled;
- its matching equals the former tuple-by-tuple scan (the rule of web/search.py before #20);
- a search never waits for a whole rebuild: it answers from the previous index, says so, and that
  answer is not cached; the next search after the rebuild is exact.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from fastapi.testclient import TestClient

import handmade
import web_fixture as W
from chainbrain.analytics import search_index as SI
from chainbrain.analytics.search_index import Kept, NameIndex
from chainbrain.catalog.uscc import make
from chainbrain.web import create_app

NEW_USCC = make("360102", 88001)
QUERIES = ["手工样例", "公司", "铜", "sgyl", "gs", "s", "zzz", "9136", "新锐", "xrkj", NEW_USCC, NEW_USCC.lower(),
           "南昌新锐", "手工样例电路板公司"]


def _scan(rows, q: str) -> list[int]:
    """The former matching (web/search.py before #20), kept as the rule's plain-loop specification."""
    from chainbrain.analytics.search_index import reference_match

    return reference_match(rows, q)


def _change(conn) -> None:
    """What an import and a correction leave: a new firm, a renamed one, a removed one."""
    conn.execute(sa.text("INSERT INTO enterprise (id, uscc, name, province_code, region_code, batch_id) "
                         "VALUES (7001, :u, '南昌新锐科技有限公司', '360000', '360102', 1)"), {"u": NEW_USCC})
    conn.execute(sa.text("UPDATE enterprise SET name = '赣江新材料有限公司' WHERE id = 2"))
    conn.execute(sa.text("DELETE FROM enterprise WHERE id = 4"))


def test_an_updated_index_equals_a_full_read(store_any):
    handmade.load(store_any)
    with store_any.engine.connect() as conn:
        before = NameIndex.read(conn, version=1)
    assert {r[0] for r in before.rows()} >= {1, 2, 3, 4, 5, 6}
    with store_any.begin() as conn:
        _change(conn)
    spelled = []
    with store_any.engine.connect() as conn:
        after = NameIndex.read(conn, version=2, previous=before,
                               spell=lambda n: spelled.append(n) or SI.initials(n))
        full = NameIndex.read(conn, version=2)
    assert after.rows() == full.rows()
    assert sorted(spelled) == sorted(["南昌新锐科技有限公司", "赣江新材料有限公司"])   # the known names are reused
    assert after.match(NEW_USCC) == [7001] and after.match("xrkj") == [7001] and 7001 in after.match("新锐")
    assert 2 in after.match("gjxcl") and 2 not in after.match("手工样例电路板") and 2 not in after.match("sgyldlb")
    assert all(4 not in after.match(q) for q in ("手工样例退出铜企", "sgyltctq", "铜"))
    assert 4 in before.match("手工样例退出铜企")
    for q in QUERIES:
        assert after.match(q) == _scan(full.rows(), q), q
    with store_any.engine.connect() as conn:                    # the cold path: no initials, else the same
        for q in ("手工样例", "公司", "铜", "新锐", NEW_USCC, NEW_USCC.lower(), NEW_USCC[:8], "南昌新锐", "zzz"):
            assert SI.database_match(conn, q) == after.match(q), q
    assert after.spelled_as([7001, 4, 1]) == {7001: ("南昌新锐科技有限公司", SI.initials("南昌新锐科技有限公司")),
                                             1: ("手工样例手机整机公司", SI.initials("手工样例手机整机公司"))}


def test_a_search_answers_from_the_previous_index_while_the_next_is_read(store_any):
    """The rebuild is held: the search returns within its wait with the previous index (not fresh);
    once the rebuild is done the index is fresh. A first read (no index) is waited for."""
    handmade.load(store_any)
    kept, gate = Kept(wait=0.2, cold_wait=30), threading.Event()
    gate.set()

    def connect():
        gate.wait(30)
        return store_any.engine.connect()

    index, fresh = kept.get(connect, 1)
    assert fresh and index.version == 1
    with store_any.begin() as conn:
        _change(conn)
    gate.clear()
    t0 = time.perf_counter()
    index, fresh = kept.get(connect, 2)
    assert time.perf_counter() - t0 < 5 and not fresh and index.version == 1 and 7001 not in index.match("新锐")
    gate.set()
    assert kept.build(connect, 2).version == 2
    index, fresh = kept.get(connect, 2)
    assert fresh and index.match("新锐") == [7001] and kept.builds == 2


def test_the_web_search_marks_and_does_not_keep_answers_of_the_previous_index(tmp_path, monkeypatch):
    app = create_app(W.build(tmp_path / "s.duckdb", tasks=False))
    c = TestClient(app)
    r = c.post("/api/login", json={"username": "admin", "password": W.password("admin")})
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    first = c.get("/api/search", params={"q": "新锐"}).json()
    assert first["enterprises"] == [] and "search_index" not in first
    st = app.state.web
    gate, read = threading.Event(), NameIndex.read

    def held(*a, **kw):
        gate.wait(30)
        return read(*a, **kw)

    monkeypatch.setattr(NameIndex, "read", held)
    with st.store.begin() as conn:
        _change(conn)
    st.invalidate()
    for path in ("/api/search", "/search"):
        r = c.get(path, params={"q": "新锐"})
        assert r.status_code == 200
    stale = c.get("/api/search", params={"q": "新锐"}).json()
    assert stale["search_index"] == "previous" and stale["enterprises"] == []
    gone = c.get("/api/search", params={"q": "手工样例退出"}).json()   # found in the previous index, gone now
    assert gone["enterprises"] == []
    gate.set()
    st.search_index.kept.build(lambda: st.store.engine.connect(), st.versions.current())
    now = c.get("/api/search", params={"q": "新锐"}).json()
    assert "search_index" not in now and [e["id"] for e in now["enterprises"]] == [7001]
    assert now["enterprises"][0]["initials"] == SI.initials("南昌新锐科技有限公司")


def test_the_profile_index_is_read_on_duckdb_only(db_any):
    """On PostgreSQL a profile is answered by its indexes (p95 3.9 ms at the demo province) and the index
    took 12 s of Python to read after every import: it is not read there; the profile is the same."""
    from chainbrain.web import profiles

    app = create_app(W.build(db_any, tasks=False))
    st = app.state.web
    summary = profiles.build(st)
    assert (summary["index"] is not None) == (st.store.kind == "duckdb"), summary
    assert (profiles.current(st) is not None) == (st.store.kind == "duckdb")
    c = TestClient(app)
    r = c.post("/api/login", json={"username": "admin", "password": W.password("admin")})
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    d = c.get(f"/api/enterprises/{W.USCC[1]}").json()
    assert d["enterprise"]["uscc"] == W.USCC[1] and d["monthly"]


def test_before_the_first_read_names_and_uscc_come_from_the_database(tmp_path, monkeypatch):
    """No index yet (here its read fails): the search matches names and USCCs in the database, says
    ``building``, is not cached, and does not retry the failed read on every search."""
    app = create_app(W.build(tmp_path / "c.duckdb", tasks=False))
    c = TestClient(app)
    r = c.post("/api/login", json={"username": "admin", "password": W.password("admin")})
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    reads = []

    def broken(*a, **kw):
        reads.append(1)
        raise RuntimeError("read failed")

    monkeypatch.setattr(NameIndex, "read", broken)
    by_name = c.get("/api/search", params={"q": "手工样例电路板"}).json()
    assert by_name["search_index"] == "building" and [e["id"] for e in by_name["enterprises"]] == [2]
    by_uscc = c.get("/api/search", params={"q": W.USCC[3].lower()}).json()
    assert [e["id"] for e in by_uscc["enterprises"]] == [3]
    prefix = c.get("/api/search", params={"q": W.USCC[3][:10]}).json()
    assert prefix["enterprises"] and prefix["enterprises"][0]["id"] in W.USCC
    assert len(reads) == 1                                        # not retried at once
    monkeypatch.undo()
    st = app.state.web
    st.search_index.kept._failed_at = float("-inf")
    st.search_index.kept.build(lambda: st.store.engine.connect(), st.versions.current())
    now = c.get("/api/search", params={"q": "手工样例电路板"}).json()
    assert "search_index" not in now and [e["id"] for e in now["enterprises"]] == [2]
