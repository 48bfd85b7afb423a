"""The profile index (chainbrain.analytics.profile_index) against the database reads it stands in for,
and its life in the web application (chainbrain.web.profiles).

Equality is checked on every enterprise of two datasets, on DuckDB and PostgreSQL: the tiny demo
province (578 enterprises with reports, segments, designations, supply links) and the hand-made
profile facts of tests/test_profile.py (several revisions per key, NULLs, booleans, dates).
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import handmade
import web_fixture as W
from chainbrain.analytics import profile
from chainbrain.analytics.profile_index import ProfileIndex, _narrow, _table
from chainbrain.demo import build_demo
from chainbrain.web import create_app, profiles
from chainbrain.web.policy import resolve_enterprise
from chainbrain.web.views.enterprises import profile_cache
from test_profile import load_profile_facts

YI = handmade.YI


def _rows(parts: dict) -> dict:
    """Each part's rows as a sorted list of their items (row order is not part of the contract)."""
    return {p: sorted(repr(sorted(r.items())) for r in rows) for p, rows in parts.items()}


def _ids(store) -> list[int]:
    with store.engine.connect() as conn:
        ids = [int(r[0]) for r in conn.execute(sa.text(
            "SELECT id FROM enterprise UNION SELECT supplier_id FROM supply_link "
            "UNION SELECT buyer_id FROM supply_link ORDER BY 1"))]
    return ids + [max(ids) + 1, -5]                                  # unknown ids too


def _check_equal(store, index: ProfileIndex | None = None) -> int:
    index = index or ProfileIndex.build(store)
    names = profile.catalog_names(store)
    checked = 0
    for e in _ids(store):
        assert _rows(index.fetch(e)) == _rows(profile.fetch(store, e)), e
        sql = profile._query(store, "SELECT * FROM enterprise WHERE id = :e", e=e)
        row = index.enterprise(e)
        assert (row is None) == (not sql), e
        if sql:
            assert row == sql[0] and list(row) == list(sql[0]), e             # same values, types and columns
        assert profile.enterprise_profile(store, e, names, index) == profile.enterprise_profile(store, e, names)
        checked += 1
    with store.engine.connect() as conn:
        usccs = [r[0] for r in conn.execute(sa.text("SELECT uscc FROM enterprise WHERE uscc IS NOT NULL"))]
    keys = usccs + [u.lower() for u in usccs[:20]] + [str(i) for i in _ids(store)[:20]] + ["NOPE", "0" * 18, "12"]
    for k in keys:
        assert index.resolve(k) == resolve_enterprise(store, k), k
    return checked


def test_index_equals_database_on_demo(store_any):
    build_demo(store_any, scale="tiny", seed=2023)
    with store_any.engine.connect() as conn:
        n = conn.execute(sa.text("SELECT COUNT(*) FROM monthly_report")).scalar()
        links = conn.execute(sa.text("SELECT COUNT(*) FROM supply_link")).scalar()
    assert n > 1000 and links > 100
    assert _check_equal(store_any) > 500
    index = ProfileIndex.build(store_any)
    assert index.rows == ProfileIndex.rows_to_read(store_any) + links               # links kept by both ends


def test_index_equals_database_on_hand_facts(store_any):
    load_profile_facts(store_any)
    _check_equal(store_any)
    index = ProfileIndex.build(store_any)
    f = index.fetch(1)
    assert sorted((r["year"], r["above_scale"], r["revision"]) for r in f["scale"]) == [
        (2024, True, 1), (2025, False, 1), (2025, True, 2)]
    supplies = sorted((r["buyer_id"], r["uscc"], r["name"]) for r in f["supplies"])
    assert [(b, n) for b, _, n in supplies] == [(3, handmade.ENTERPRISES[2][1]), (6, handmade.ENTERPRISES[5][1])]
    d = profile.enterprise_profile(store_any, 1, index=index)
    assert d["monthly"][-1]["revenue_ytd"] == pytest.approx(125 * YI) and d["monthly"][-1]["yoy"] == pytest.approx(0.25)
    assert profile.enterprise_profile(store_any, 99, index=index) is None


def test_narrow_keeps_values():
    t = pa.table({"year": pa.array([2024, None, 2025], pa.int64()), "big": pa.array([1, 2**40, 3], pa.int64()),
                  "neg": pa.array([-200, 5, 0], pa.int64()), "x": pa.array([1.5, None, 2.0])})
    n = _narrow(t)
    assert [f.type for f in n.schema] == [pa.int16(), pa.int64(), pa.int16(), pa.float64()]
    assert n.to_pylist() == t.to_pylist()


# ---------------------------------------------------------------- in the web application
def _client(app, name):
    c = TestClient(app)
    assert c.post("/api/login", json={"username": name, "password": W.password(name)}).status_code == 200
    return c


def _answers(app) -> dict:
    """Every enterprise's JSON profile for every signed-in role (status and body), uncached."""
    profile_cache(app.state.web).clear()
    out = {}
    for name in W.USERS:
        c = _client(app, name)
        for i, u in W.USCC.items():
            for key in (u, u.lower(), str(i)):
                r = c.get(f"/api/enterprises/{key}")
                out[name, key] = (r.status_code, r.json() if r.status_code == 200 else None)
    return out


def test_web_answers_same_with_index_and_follow_the_data(tmp_path):
    app = create_app(W.build(tmp_path / "web.duckdb"), public_aggregates=True)
    st = app.state.web
    with TestClient(app):
        before = _answers(app)                                    # warm-up off under pytest: no index
        assert profiles.holder(st).index is None
        summary = profiles.build(st)
        assert summary["index"] and summary["rows"] > 0
        assert profiles.current(st) is not None
        after = _answers(app)
        assert after == before
        profiles_seen = sum(len(W.SEES[n]) for n in W.USERS if W.USERS[n][0] != "unit")   # a unit: no profiles
        assert sum(s == 200 for s, _ in after.values()) == 3 * profiles_seen
        assert W.NAME[2] not in json.dumps(after["dh_county", W.USCC[1]], ensure_ascii=False)   # partner out of scope

        # A correction that leaves the data version alone is not seen through the index (a snapshot) …
        admin = _client(app, "admin")
        url = f"/api/enterprises/{W.USCC[1]}"
        old = admin.get(url).json()["monthly"][-1]["revenue_ytd"]
        with st.lock, st.store.begin() as conn:
            conn.execute(sa.text("UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1 WHERE enterprise_id = 1"))
        profile_cache(st).clear()
        assert admin.get(url).json()["monthly"][-1]["revenue_ytd"] == old
        # … once the application knows the data changed, the page reads the database at once and the index
        # is rebuilt in the background.
        st.invalidate()
        assert admin.get(url).json()["monthly"][-1]["revenue_ytd"] == pytest.approx(old + 1)
        h = profiles.holder(st)
        h.wait()
        assert h.builds == 2 and profiles.current(st) is not None
        profile_cache(st).clear()
        assert admin.get(url).json()["monthly"][-1]["revenue_ytd"] == pytest.approx(old + 1)
        assert _client(app, "dh_county").get(f"/api/enterprises/{W.USCC[3]}").status_code == 404


def test_no_index_over_the_row_limit_or_without_cache(tmp_path, monkeypatch):
    app = create_app(W.build(tmp_path / "web.duckdb"), public_aggregates=True)
    st = app.state.web
    with TestClient(app):
        monkeypatch.setattr(profiles, "MAX_ROWS", 3)
        s = profiles.build(st)
        assert s["index"] is None and s["rows"] > 3 and profiles.current(st) is None
        monkeypatch.setattr(profiles, "MAX_ROWS", 10**9)
        st.cache.enabled = False
        assert profiles.build(st)["index"] is None and profiles.current(st) is None
        assert profiles.holder(st)._thread is None                        # disabled: no rebuild either


def _reimport_first_enterprise(store, tmp_path, extra: int) -> None:
    """Import the first enterprise's registry row with ``extra`` more employees (a counted correction)."""
    import csv

    from chainbrain.ingest.load import import_file

    with store.engine.connect() as c:
        row = list(c.execute(sa.text(
            "SELECT uscc, name, region_code, industry_code, CAST(founded_on AS VARCHAR), employees, main_products "
            "FROM enterprise WHERE uscc IS NOT NULL AND region_code IS NOT NULL ORDER BY id LIMIT 1")).one())
    row = ["" if v is None else v for v in row]
    row[5] = str(int(float(row[5] or 0)) + extra)
    f = tmp_path / f"registry-{extra}.csv"
    with open(f, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员",
                                    "主要产品"], row])
    assert import_file(store, "enterprises", f).status == "loaded"


def test_a_rebuild_reads_only_the_tables_that_changed(duck_store, tmp_path):
    """After a registry correction the rebuilt index reads the enterprise table again (and the firm's
    segments, which the import maps again) and reuses the other parts; after a change of the monthly reports it reads those again and reuses the rest — and each
    rebuilt index equals the database on every enterprise (the fingerprints are the data key's, at the
    rebuild's own snapshot: ``content.tables_at``)."""
    store = duck_store
    build_demo(store, scale="tiny", seed=2023)
    first = ProfileIndex.build(store)
    assert {"enterprise", "monthly_report", "supply_link"} <= set(first.marks)
    same = ProfileIndex.build(store, previous=first)                  # nothing changed: nothing read again
    assert same._ent is first._ent and all(same._parts[p] is first._parts[p] for p in first._parts)

    _reimport_first_enterprise(store, tmp_path, 7)
    registry = ProfileIndex.build(store, previous=first)
    assert registry._ent is not first._ent
    changed = {t for t in first.marks if first.marks[t] != registry.marks[t]}    # (and the firm's segments, re-mapped)
    assert "enterprise" in changed and not changed & {"monthly_report", "annual_report", "supply_link"}, changed
    assert all((registry._parts[p] is first._parts[p]) == (_table(p) not in changed) for p in first._parts)
    assert _check_equal(store, registry) > 500

    with store.engine.begin() as c:                                   # a correction of reports (counted: rows go)
        c.execute(sa.text("DELETE FROM monthly_report WHERE enterprise_id = (SELECT min(enterprise_id) "
                          "FROM monthly_report)"))
    reports = ProfileIndex.build(store, previous=registry)
    assert reports._ent is registry._ent and reports._parts["monthly"] is not registry._parts["monthly"]
    assert all(reports._parts[p] is registry._parts[p] for p in first._parts if p != "monthly")
    assert _check_equal(store, reports) > 500
