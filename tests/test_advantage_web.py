"""``/api/focus/{region}`` (the focus page's JSON twin): shape, errors, Excel, disclosure of small cells."""

from __future__ import annotations

import contextlib

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from chainbrain.web import create_app
from chainbrain.web.users import add_user
from test_advantage_recommend import _fill


def _one_small_cell(store, region: str, segment: str, eid: int = 99_999):
    """One enterprise with a large revenue in (region, segment): RCA ≥ 1 from a single enterprise."""
    with store.begin() as conn:
        store.bulk_insert(conn, "enterprise", pa.table({
            "id": [eid], "uscc": pa.array([None], pa.string()), "name": ["独家样例企业"], "province_code": ["360000"],
            "region_code": [region], "industry_code": ["3922"], "is_industrial": [True], "is_demo": [False],
            "batch_id": [1], "revision": [1]}))
        store.bulk_insert(conn, "enterprise_attr", pa.table({
            "enterprise_id": [eid], "attr": ["region_code"], "attr_value": [region],
            "valid_from": pa.array([None], pa.date32()), "valid_to": pa.array([None], pa.date32()),
            "batch_id": [1], "revision": [1]}))
        store.bulk_insert(conn, "enterprise_segment", pa.table({
            "enterprise_id": [eid], "segment_code": [segment], "method": ["manual"], "confidence": [1.0],
            "valid_from": pa.array([None], pa.date32()), "valid_to": pa.array([None], pa.date32()),
            "batch_id": [1], "revision": [1]}))
        store.bulk_insert(conn, "annual_report", pa.table({
            "enterprise_id": [eid], "year": [2025], "revenue": pa.array([5e10], pa.float64()), "employees": [10],
            "batch_id": [1], "revision": [1]}))


@contextlib.contextmanager
def _client(app):
    c = TestClient(app)                 # no lifespan: the module's app (and its store) stays open
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    db = str(tmp_path_factory.mktemp("focusapi") / "f.duckdb")
    store = open_store(db)
    try:
        init_store(store)
        rows, two_seg = _fill(store)
        region = sorted(rows.region.unique())[0]
        have = set(rows[rows.region == region].segment) | {two_seg[1]}
        seg = next(s for s in sorted(rows.segment.unique()) if s not in have)
        _one_small_cell(store, region, seg)
        add_user(store, "admin", "pw-admin-12345", "province_admin")
    finally:
        store.close()
    a = create_app(db, public_aggregates=True)
    a.state.focus_case = (region, seg)
    return a


def test_focus_api_shape_and_errors(app):
    region, _ = app.state.focus_case
    with _client(app) as c:
        d = c.get(f"/api/focus/{region}").json()
        assert d["region"]["code"] == region and d["level"] == "county" and d["year"] == 2025
        assert d["strategy"] == "balanced" and d["attack"] and d["breakthrough"]
        for it in d["attack"] + d["breakthrough"]:
            assert {"segment", "name", "score", "evidence"} <= it.keys()
        kinds = {p["segment"]: p["kind"] for p in d["points"]}
        assert all(kinds[it["segment"]] == "attack" for it in d["attack"])
        assert all(kinds[it["segment"]] == "breakthrough" for it in d["breakthrough"])
        assert [tb["id"] for tb in d["tables"]] == ["attack", "breakthrough", "points", "crowded", "targets"]
        assert "/api/focus/{region}" in c.get("/openapi.json").json()["paths"]
        r = c.get(f"/api/focus/{region}", params={"format": "xlsx", "table": "breakthrough"})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        assert c.get("/api/focus/360000").status_code == 400
        assert c.get(f"/api/focus/{region}", params={"strategy": "moonshot"}).status_code == 400
        assert c.get("/api/focus/999999").status_code == 400
        far = c.get(f"/api/focus/{region}", params={"strategy": "long_jumps", "top": 3}).json()
        assert far["strategy"] == "long_jumps" and len(far["breakthrough"]) <= 3
        assert c.get(f"/focus/{region}", params={"lang": "en"}).status_code == 200


def test_focus_small_cell_withheld_from_public_shown_to_admin(app):
    region, seg = app.state.focus_case
    with _client(app) as c:
        d = c.get(f"/api/focus/{region}", params={"top": 100}).json()
        item = next(it for it in d["attack"] if it["segment"] == seg)
        ev = item["evidence"]
        assert ev["enterprises"] == 1 and ev["mcp"] == 1
        assert ev["revenue_yuan"] is None and ev["rca"] is None and ev["share_of_province"] is None
        row = next(r for r in d["tables"][0]["rows"] if r["segment"] == seg)
        assert set(row["suppressed"]) == {"revenue_yuan", "share_of_province", "rca"}
        assert "独家样例企业" not in c.get(f"/focus/{region}").text
        r = c.post("/api/login", json={"username": "admin", "password": "pw-admin-12345"})
        assert r.status_code == 200
        ev = next(it for it in c.get(f"/api/focus/{region}", params={"top": 100}).json()["attack"]
                  if it["segment"] == seg)["evidence"]
        assert ev["revenue_yuan"] == pytest.approx(5e10) and ev["rca"] > 1


def test_focus_row_total_minus_shown_cells_gives_no_single_enterprise(app):
    """Complementary suppression (issue #12): the region's row total is public in effect (a shown
    RCA gives it back), so with the 1-firm cell the only one withheld, row total − Σ shown revenues
    would be that firm's revenue. The public pattern withholds another cell of the row too, and the
    withheld cells of the row hold ≥ 3 enterprises together; the administrator sees every cell."""
    region, seg = app.state.focus_case
    with _client(app) as c:
        d = c.get(f"/api/focus/{region}", params={"top": 100}).json()
        items = [it for it in d["attack"] + d["breakthrough"] if it["evidence"]["enterprises"]]
        gone = [it for it in items if it["evidence"]["revenue_yuan"] is None]
        assert seg in {it["segment"] for it in gone}
        assert len(gone) >= 2
        assert sum(it["evidence"]["enterprises"] for it in gone) >= 3
        for it in gone:
            assert {"revenue_yuan", "share_of_province", "rca"} <= set(it["evidence"]["suppressed_fields"])
        shown = [it for it in items if it["evidence"]["revenue_yuan"] is not None]
        assert shown and all(it["evidence"]["rca"] is not None for it in shown)
        r = c.post("/api/login", json={"username": "admin", "password": "pw-admin-12345"})
        assert r.status_code == 200
        d = c.get(f"/api/focus/{region}", params={"top": 100}).json()
        assert all(it["evidence"]["revenue_yuan"] is not None for it in d["attack"] + d["breakthrough"]
                   if it["evidence"]["enterprises"])
