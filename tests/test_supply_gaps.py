"""Gaps (缺链/弱链/断链 risk) on the hand-made network of ``attract_data.py``, DuckDB and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from attract_data import load
from chainbrain.analytics.supply_gaps import COLUMNS, EXTRA, Thresholds, classify, gaps, records, thresholds
from test_monitor_data import engine_store, spark  # noqa: F401

A = pytest.approx


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def gstore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=load)
    yield view
    store.close()


def rows(store, chain, region=None, **limits):
    df = gaps(store, 2024, chain, region, limits=thresholds(**limits) if limits else None)
    assert list(df.columns) == COLUMNS + EXTRA
    json.dumps(records(df))
    return {r["segment_code"]: r for r in records(df)}


def test_province_missing_weak_broken(gstore):
    got = rows(gstore, "NF")
    u1 = got["NF-U1"]                          # only P3 (a partner in Hubei) makes it: 缺链
    assert (u1["status"], u1["firms"], u1["province_firms"]) == ("missing", 0, 0)
    assert u1["local_rate"] == 0.0 and u1["top_supplier_share"] == 1.0 and u1["purchases_yuan"] == 600_000.0
    assert u1["reasons"][0].startswith("no producer in 江西省") and "本地配套率 0.0%" in u1["reasons"][-1]
    m1 = got["NF-M1"]
    assert (m1["status"], m1["firms"], m1["single_supplier"]) == ("ok", 2, False)
    assert m1["local_rate"] == 1.0 and m1["top_supplier_share"] == A(50 / 80) and m1["suppliers"] == 2
    assert m1["revenue_yuan"] == A(2_900_000.0) and m1["lq"] is None     # no national reference stored
    assert m1["density"] == A(1.0) and m1["density_region"] == "360400" and m1["feasibility"] == "near"
    ei = got["EI-U1"]                            # an also-chain segment of NF; top supplier P1 120 of 140
    assert ei["status"] == "broken_risk" and ei["top_supplier_share"] == A(6 / 7)
    assert ei["local_rate"] == A(1 / 7)
    assert "85.7% > 80.0%" in ei["reasons"][0] and "本地配套率 14.3%" in ei["reasons"][1]
    assert all(r["basis"] == "observed" for r in got.values())


def test_city_lq_and_single_producer(gstore):
    got = rows(gstore, "NF", "360100")
    m1 = got["NF-M1"]
    assert m1["firms"] == 1 and m1["single_supplier"] is True and m1["province_firms"] == 2
    assert m1["lq"] == A(125100 / 345100) and m1["revenue_yuan"] == A(900_000.0)
    assert m1["status"] == "weak"
    assert m1["reasons"] == ["location quotient 0.36 < 1 (区位熵 0.36，低于 1)",
                             "a single producer in 南昌市 (firms = 1) (南昌市仅 1 家企业)"]
    assert m1["density"] == A(0.0) and m1["feasibility"] == "far"
    assert got["EI-U1"]["lq"] == A(1390 / 1190)
    assert got["NF-U1"]["status"] == "missing" and got["NF-U1"]["purchases_yuan"] == 0.0   # B2 is in Jiujiang


def test_county(gstore):
    got = rows(gstore, "NF", "360402")
    m1 = got["NF-M1"]
    assert m1["lq"] == A(1390 / 290) and m1["firms"] == 1 and m1["status"] == "weak"   # single producer
    assert m1["purchases_yuan"] == 0.0 and m1["local_rate"] is None                 # B2 buys from P2, P3 only
    assert got["NF-U1"]["local_rate"] == 0.0 and got["NF-U1"]["status"] == "missing"


def test_thresholds_are_strict(gstore):
    # top share 6/7 exactly at the threshold: not above → not broken (and no other weakness than the local rate)
    at = rows(gstore, "NF", top_share_above=(1_200_000.0 / 1_400_000.0))["EI-U1"]
    assert at["status"] == "weak" and not any("largest supplier" in r for r in at["reasons"])
    above = rows(gstore, "NF", top_share_above=(1_200_000.0 / 1_400_000.0) - 1e-9)["EI-U1"]
    assert above["status"] == "broken_risk"
    # local rate 1/7 at the threshold: not below; and no weakness left → ok
    ok = rows(gstore, "NF", top_share_above=0.9, local_rate_below=200_000.0 / 1_400_000.0)["EI-U1"]
    assert ok["status"] == "ok" and ok["reasons"] == []
    weak = rows(gstore, "NF", top_share_above=0.9, local_rate_below=200_000.0 / 1_400_000.0 + 1e-9)["EI-U1"]
    assert weak["status"] == "weak"
    # LQ at the threshold (county 360402, single_firms moved away so the LQ alone decides)
    lq = 1390 / 290
    r = rows(gstore, "NF", "360402", single_firms=0)["NF-M1"]
    x = r["lq"]
    assert rows(gstore, "NF", "360402", single_firms=0, lq_below=x)["NF-M1"]["status"] == "ok"
    assert rows(gstore, "NF", "360402", single_firms=0, lq_below=x + 1e-9)["NF-M1"]["status"] == "weak"
    assert x == A(lq)


def test_feasibility_boundaries():
    t = Thresholds(density_near_above=0.3, density_far_below=0.1)
    from chainbrain.analytics.supply_gaps import _feasibility
    assert [_feasibility(d, t) for d in (0.3, 0.30001, 0.1, 0.09999, float("nan"))] == \
        ["moderate", "near", "moderate", "far", "unknown"]


def test_classify_precedence_and_spof():
    t = Thresholds()
    base = {"firms": 3, "province_firms": 3, "lq": 0.5, "local_rate": 0.9, "top_supplier_share": 0.2,
            "single_supplier": False, "spof_firms": 1, "spof_share": 0.1}
    s, why = classify(base, t, "X")
    assert s == "weak" and len(why) == 1                        # spof share 0.1 is not > 0.1
    s, why = classify({**base, "spof_share": 0.25}, t, "X")
    assert s == "broken_risk" and why[0].startswith("single point of failure: 1 firm(s) carry up to 25.0%")
    s, why = classify({**base, "firms": 0, "spof_share": 0.25}, t, "X")
    assert s == "missing" and len(why) == 3                       # missing first, the others listed after


def test_pack_thresholds_and_bad_override():
    t = thresholds()
    assert (t.lq_below, t.local_rate_below, t.sourced) == (1.0, 0.3, False) and t.version
    with pytest.raises(ValueError, match="未知"):
        thresholds(nonsense=1)
    with pytest.raises(ValueError, match="有限数值"):
        thresholds(lq_below=float("inf"))


def test_unknown_chain_and_region(gstore):
    with pytest.raises(ValueError, match="未知产业链"):
        gaps(gstore, 2024, "XX")
    with pytest.raises(ValueError, match="未知地区"):
        gaps(gstore, 2024, "NF", "999999")


def test_single_points_of_failure_2025(gstore):
    # P(B1) = 80 + 20 + 5 + 5 + 10 + 10 = 130 万; B2 stops: B1→B2 10, B2→B4 10, B4→B3 5, B3→B1 5 = 30 → 3/13;
    # B4 stops: B2→B4 10, B4→B3 5, B3→B1 5 = 20 → 2/13 (attract_data.py)
    def g2025(region=None, **limits):
        df = gaps(gstore, 2025, "NF", region, limits=thresholds(**limits) if limits else None)
        return {r["segment_code"]: r for r in records(df)}
    got = g2025()
    m1, u1 = got["NF-M1"], got["EI-U1"]
    assert (m1["spof_firms"], m1["spof_share"]) == (1, A(3 / 13)) and (u1["spof_firms"], u1["spof_share"]) == (1, A(2 / 13))
    assert m1["status"] == "broken_risk" and m1["reasons"][0].startswith("single point of failure: 1 firm(s) carry up to 23.1%")
    # the threshold is strict: a share equal to it is no risk (NF-M1 is otherwise ok: local 15 of 15, top 10/15)
    at = g2025(spof_share_above=30 / 130)["NF-M1"]
    assert (at["status"], at["reasons"]) == ("ok", [])
    assert g2025(spof_share_above=30 / 130 - 1e-9)["NF-M1"]["status"] == "broken_risk"
    # only the masters located in the region count: 九江濂溪 (B2) has none
    assert g2025("360402")["NF-M1"]["spof_firms"] == 0


def test_same_rows_on_pyspark(tmp_path, spark):   # noqa: F811 (the session's Spark fixture)
    """The same gaps from a PySpark view of the store (one code path): a city in 2024, the province in 2025."""
    from chainbrain.analytics.engines import to_pyspark
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    store = open_store(str(tmp_path / "s.duckdb"))
    try:
        init_store(store)
        load(store, tmp_path)
        view = to_pyspark(store, spark)
        for year, region in ((2024, "360100"), (2025, None)):
            assert records(gaps(view, year, "NF", region)) == records(gaps(store, year, "NF", region))
    finally:
        store.close()


def test_province_lq_against_a_stored_national_reference(tmp_path):
    """LQ_s = (x_s / x) / (n_s / n): province revenue shares over the stored national reference's shares."""
    import pandas as pd
    import pyarrow as pa

    from chainbrain.analytics.advantage.reference import Reference, segment_industry
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    store = open_store(str(tmp_path / "r.duckdb"))
    try:
        init_store(store)
        load(store, tmp_path)
        with store.begin() as conn:
            store.bulk_insert(conn, "advantage_reference", pa.table({
                "name": ["nat", "nat"], "kind": ["industry", "industry"], "code": ["3211", "3985"],
                "year": [2024, 2024], "value": [1e10, 3e10], "batch_id": [9, 9], "revision": [1, 1]}))
        ref = Reference("industry", pd.DataFrame({"industry_code": ["3211", "3985"], "value": [1e10, 3e10]}))
        nat = ref.by_segment(segment_industry(store))
        share_n = nat / nat.sum()
        got = {r["segment_code"]: r for r in records(gaps(store, 2024, "NF"))}
        # 3211 → NF-M1 alone (1e10); 3985 splits 3e10 over its 12 segments (2.5e9 each): n = 4e10
        assert share_n["NF-M1"] == A(0.25) and share_n["EI-U1"] == A(2.5e9 / 4e10)
        # province revenue (万元): EI-U1 1100, NF-M1 290 of 1390
        assert got["EI-U1"]["lq"] == A((1100 / 1390) / (2.5e9 / 4e10))
        assert got["NF-M1"]["lq"] == A((290 / 1390) / 0.25) and got["NF-M1"]["status"] == "weak"
        assert got["NF-D3"]["lq"] == 0.0                       # the nation has it, the province does not
        assert got["NF-U1"]["lq"] is None                      # no national value to compare with
    finally:
        store.close()
