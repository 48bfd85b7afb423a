"""The enterprise list behind a figure (analytics/enterprise_list.py) on DuckDB and PostgreSQL.

Expected values are worked out by hand from tests/handmade.py (2025-06, 亿元):
comparable sample of the province = E1 125/100, E2 40/50, E3 200/180, E6 10/8
(E5 is new: no prior; E4 exited: below scale now), Σ prior = 338, so
contribution_pp(E1) = 25/338 × 100 = 7.3964…, E2 = −10/338 × 100, E3 = 20/338 × 100,
E6 = 2/338 × 100, summing to (375/338 − 1) × 100 = the KPI's comparable growth.
Chain EI: E1, E2 (prior 150) and E5: E1 = 25/150 × 100 = 16.67, E2 = −10/150 × 100 = −6.67.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

import handmade
from chainbrain.analytics import enterprise_list as EL
from chainbrain.analytics.kpi import kpi

YI = handmade.YI


@pytest.fixture
def hand(store_any):
    handmade.load(store_any)
    with store_any.begin() as conn:
        store_any.bulk_insert(conn, "designation", pa.table({
            "enterprise_id": [1, 1], "kind": ["chain_master", "little_giant"], "level": ["provincial", "national"],
            "chain_code": ["EI", None], "valid_from": [dt.date(2023, 1, 1), dt.date(2025, 7, 1)],
            "valid_to": pa.array([None, None], pa.date32()), "batch_id": [1, 1], "revision": [1, 1]}))
    return store_any


def _by_id(items):
    return {r["enterprise_id"]: r for r in items}


def test_province_figures_and_contributions_add_up(hand):
    frame, s = EL.scope_frame(hand, "2025-06")
    assert s["comparable_base_yuan"] == 338 * YI and s["comparable_current_yuan"] == 375 * YI
    assert (s["comparable_count"], s["count"]) == (4, 5)
    out = EL.listing(hand, frame, "2025-06", scale="all", limit=None)
    assert out["total"] == 6
    r = _by_id(out["items"])
    assert r[1]["revenue_ytd_yuan"] == 125 * YI                    # revision 2 counts
    assert r[1]["contribution_pp"] == pytest.approx(25 / 338 * 100, rel=1e-12)
    assert r[2]["contribution_pp"] == pytest.approx(-10 / 338 * 100, rel=1e-12)
    assert r[2]["yoy_comparable"] == pytest.approx(40 / 50 - 1, rel=1e-12)     # prior: its own 2024 report
    assert r[3]["yoy_comparable"] == pytest.approx(200 / 180 - 1, rel=1e-12)   # prior: the reported 上年同期
    assert r[6]["change_yuan"] == pytest.approx(2 * YI)
    assert r[5]["contribution_pp"] is None and r[5]["yoy_comparable"] is None     # new firm: outside C
    assert r[4]["above_scale"] is False and r[4]["revenue_ytd_yuan"] is None
    assert r[4]["sample_status"] == "unreported" and r[1]["sample_status"] == "above"   # no sample list loaded
    assert r[1]["industry_name"] == "通信终端设备制造" and r[1]["county_name"] == "东湖区"
    assert r[1]["city_name"] == "南昌市"
    assert r[1]["designations"] == ["省级链主企业"]       # the 小巨人 title starts after the period end
    total_pp = sum(x["contribution_pp"] for x in out["items"] if x["contribution_pp"] is not None)
    assert total_pp == pytest.approx((375 / 338 - 1) * 100, rel=1e-12)
    assert total_pp == pytest.approx(kpi(hand, "2025-06")["yoy_comparable"] * 100, rel=1e-12)


def test_chain_scope_and_its_base(hand):
    frame, s = EL.scope_frame(hand, "2025-06", chain="EI")
    out = EL.listing(hand, frame, "2025-06", sort="-contribution_pp")
    assert [x["enterprise_id"] for x in out["items"]] == [1, 2, 5]      # nulls last
    assert out["items"][0]["contribution_pp"] == pytest.approx(25 / 150 * 100, rel=1e-12)
    assert out["items"][1]["contribution_pp"] == pytest.approx(-10 / 150 * 100, rel=1e-12)
    pp = sum(x["contribution_pp"] or 0 for x in out["items"])
    assert pp == pytest.approx(kpi(hand, "2025-06", chain="EI")["yoy_comparable"] * 100, rel=1e-12)
    assert pp == pytest.approx(10.0, rel=1e-12)                       # 165 / 150 − 1
    # ascending: the largest fall first, nulls still last
    asc = EL.listing(hand, frame, "2025-06", sort="contribution_pp")
    assert [x["enterprise_id"] for x in asc["items"]] == [2, 1, 5]


def test_region_segment_cluster_and_scale(hand):
    frame, _ = EL.scope_frame(hand, "2025-06", region="360402")
    assert EL.listing(hand, frame, "2025-06")["total"] == 1                      # above: E3
    below = EL.listing(hand, frame, "2025-06", scale="below")
    assert [x["enterprise_id"] for x in below["items"]] == [4]
    assert EL.listing(hand, frame, "2025-06", scale="all")["total"] == 2
    city, s = EL.scope_frame(hand, "2025-06", region="360100", chain="EI")
    assert sorted(city["enterprise_id"]) == [1, 2, 5] and s["comparable_base_yuan"] == 150 * YI
    seg, _ = EL.scope_frame(hand, "2025-06", segment="EI-D1")
    assert sorted(seg["enterprise_id"]) == [1, 5]
    cl, s = EL.scope_frame(hand, "2025-06", cluster="CL-CU")
    assert sorted(cl["enterprise_id"]) == [3, 4] and s["comparable_base_yuan"] == 180 * YI
    man, s = EL.scope_frame(hand, "2025-06", scope="manufacturing")
    assert 6 not in set(man["enterprise_id"]) and s["comparable_base_yuan"] == 330 * YI


def test_visibility_sort_and_paging(hand):
    frame, _ = EL.scope_frame(hand, "2025-06")
    seen = EL.listing(hand, frame, "2025-06", visible={1, 5, 4})
    assert [x["enterprise_id"] for x in seen["items"]] == [1, 5] and seen["total"] == 2
    full = EL.listing(hand, frame, "2025-06", sort="-revenue_ytd_yuan", limit=None)
    assert [x["enterprise_id"] for x in full["items"]] == [3, 1, 2, 5, 6]
    page = EL.listing(hand, frame, "2025-06", sort="-revenue_ytd_yuan", limit=2, offset=2)
    assert [x["enterprise_id"] for x in page["items"]] == [2, 5] and page["total"] == 5
    assert EL.listing(hand, frame, "2025-06", limit=2, offset=4)["items"][0]["enterprise_id"] == 6
    assert EL.listing(hand, frame, "2025-06", limit=2, offset=5)["items"] == []
    by_name = EL.listing(hand, frame, "2025-06", sort="name", limit=None)
    assert [x["name"] for x in by_name["items"]] == sorted(x["name"] for x in full["items"])
    with pytest.raises(ValueError):
        EL.listing(hand, frame, "2025-06", sort="-revenue")
    with pytest.raises(ValueError):
        EL.listing(hand, frame, "2025-06", scale="big")


def test_below_scale_status_from_the_years_sample_list(hand):
    with hand.begin() as conn:
        hand.bulk_insert(conn, "enterprise_scale", pa.table({
            "enterprise_id": [4, 4], "year": [2025, 2025], "above_scale": [True, False], "batch_id": [1, 2],
            "revision": [1, 2]}))                              # revision 2 (below scale) counts
    frame, _ = EL.scope_frame(hand, "2025-06", region="360402")
    assert dict(zip(frame["enterprise_id"], frame["sample_status"])) == {3: "above", 4: "below"}


def test_web_reads_on_both_engines(hand):
    """The web layer's own SQL (parameter checks, two-word search) runs on DuckDB and PostgreSQL."""
    from chainbrain.web import drill, search_words
    from chainbrain.web.model import BadRequest
    from chainbrain.web.users import User

    c = drill.check(hand, {"period": "2025-06", "region": "360100", "county": "360102", "segment": "EI-D1",
                           "cluster": "CL-EI", "scale": "all", "sort": "name", "limit": "10", "offset": "0"})
    assert (c["region"], c["segment"], c["cluster"], c["limit"]) == ("360102", "EI-D1", "CL-EI", 10)
    with pytest.raises(BadRequest):
        drill.check(hand, {"segment": "NOPE"})
    admin = User(id=1, username="a", role="province_admin")
    w = search_words.read(hand, ["南昌", "电子信息"], admin)
    assert sorted(e["id"] for e in w["enterprises"]) == [1, 2, 5]
    assert w["lists"][0]["href"] == "/enterprises?region=360100&chain=EI"
    w = search_words.read(hand, ["九江", "铜冶炼"], admin)
    assert sorted(e["id"] for e in w["enterprises"]) == [3, 4]
