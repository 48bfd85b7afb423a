"""One indicator suite on every engine: DuckDB, PostgreSQL and PySpark give the same figures.

The dataset and every expected figure are in ``test_monitor_data.py`` (worked by hand).
"""

from __future__ import annotations

import pytest

from chainbrain.analytics.indicators import evaluate, evaluate_one
from chainbrain.analytics.registry import REGISTRY
from test_monitor_data import ENGINES, WAN, engine_store, spark  # noqa: F401

A = pytest.approx


@pytest.fixture(scope="module", params=ENGINES)
def mstore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request)
    yield view
    store.close()


def w(x):
    return x * WAN


def test_ytd_comparable_vs_naive(mstore):
    r = evaluate_one(mstore, "2025-06")
    assert r["above_scale_count"] == 5 and r["revenue_n"] == 5
    assert r["revenue"] == A(w(1340)) and r["revenue_prev"] == A(w(1220)) and r["revenue_prev_n"] == 3
    assert r["revenue_comparable_current"] == A(w(1290)) and r["revenue_comparable_base"] == A(w(1255))
    assert r["revenue_yoy"] == A(1290 / 1255 - 1) and r["revenue_yoy_n"] == 4
    assert r["revenue_yoy_naive"] == A(1340 / 1220 - 1)
    assert (r["scale_ups"], r["exits"]) == (3, 1)
    assert r["loss_making_count"] == 1 and r["loss_share"] == A(0.2) and r["loss_share_prev"] == A(2 / 3)
    # profit: A 24/30 (上年同期), B 6/−10 (own); C, F have no prior profit → left out
    assert r["profit_comparable_current"] == A(w(30)) and r["profit_comparable_base"] == A(w(20))
    assert r["profit_yoy_n"] == 2
    assert r["employees"] == A(588) and r["employees_prev"] == A(492)
    assert r["sei_va_share_low"] == A(10 / 370) and r["sei_va_share_high"] == A(320 / 370)
    assert r["sei_va_share"] == A(165 / 370) and r["sei_partial_count"] == 3
    assert r["rd_intensity"] == A((18 + 3) / (400 + 50))
    assert r["export_share"] == A(70 / 400)


def test_single_month_jan_feb_and_quarter(mstore):
    m = evaluate_one(mstore, "2025-06", basis="month")
    assert m["revenue"] == A(w(240)) and m["revenue_prev"] == A(w(200))
    assert m["revenue_comparable_current"] == A(w(220)) and m["revenue_comparable_base"] == A(w(215))
    may = evaluate_one(mstore, "2025-05", basis="month")["revenue"]
    janfeb = evaluate_one(mstore, "2025-02", basis="month")
    assert janfeb["revenue"] == A(w(420)) == evaluate_one(mstore, "2025-02")["revenue"]
    assert janfeb["above_scale_count"] == 4
    # no March/April reports: May's single month is unknown for A, B, C, F (gap); E enters in May (its YTD)
    assert may == A(w(30))
    q = evaluate_one(mstore, "2025-Q2", basis="quarter")      # no March report: only E (entered in Q2)
    assert q["revenue"] == A(w(50)) and q["revenue_n"] == 1 and q["period"] == "2025-Q2"
    assert evaluate_one(mstore, "2025-Q2")["revenue"] == A(w(1340))


def test_chain_double_membership_contribution_and_pull(mstore):
    rows = {r["key"]: r for r in evaluate(mstore, "2025-06", "chain")}
    assert set(rows) == {"EI", "NF", "PH"}
    ei, nf = rows["EI"], rows["NF"]
    assert ei["revenue"] == A(w(920)) and ei["revenue_prev"] == A(w(960)) and ei["revenue_yoy"] == A(920 / 960 - 1)
    assert nf["revenue"] == A(w(650)) and nf["above_scale_count"] == 2          # A counted once in NF
    assert nf["revenue_prev"] == A(w(620)) and nf["revenue_yoy"] == A(650 / 550 - 1)
    assert ei["revenue_contribution"] == A(-40 / 35) and nf["revenue_contribution"] == A(100 / 35)
    assert ei["revenue_pull"] == A(-40 / 1255 * 100)
    assert ei["share_of_province"] == A(920 / 1340)
    assert rows["PH"]["revenue_yoy"] is None and rows["PH"]["revenue_yoy_n"] == 0
    one = evaluate_one(mstore, "2025-06", chain="NF")
    assert one["revenue"] == A(w(650)) and one["share_of_chain"] == A(1.0)


def test_city_chain_shares_and_filters(mstore):
    rows = {r["key"]: r for r in evaluate(mstore, "2025-06", "city_chain")}
    jj = rows["360400|NF"]
    assert jj["share_of_chain"] == A(250 / 650) and jj["share_of_chain_prev"] == A(260 / 620)
    assert rows["360100|NF"]["share_of_chain"] == A(400 / 650)
    city = {r["key"]: r for r in evaluate(mstore, "2025-06", "city")}
    assert city["360100"]["revenue"] == A(w(1090)) and city["360400"]["exits"] == 1
    assert evaluate_one(mstore, "2025-06", region="360103")["revenue"] == A(w(170))
    assert evaluate_one(mstore, "2025-06", scope="manufacturing")["revenue"] == A(w(1220))
    sei = evaluate_one(mstore, "2025-06", sei=True)                               # true or partial classes
    assert sei["revenue"] == A(w(400 + 520 + 50 + 120)) and sei["sei_partial_count"] == 3
    seg = evaluate_one(mstore, "2025-06", segment="NF-M1")                         # C only (sub-segment NF-M1-1)
    assert seg["revenue"] == A(w(250))


def test_only_and_counts_everywhere(mstore):
    r = evaluate_one(mstore, "2025-06", only=["profit", "loss_share"])
    assert set(r) >= {"profit", "profit_n", "loss_share", "loss_share_n"} and "revenue" not in r
    full = evaluate_one(mstore, "2025-06")
    missing = [k for k in REGISTRY if f"{k}_n" not in full]
    assert not missing


def test_cluster_scope_by_place(mstore):
    """#17: a cluster counts its segments' firms in its listed places only (docs/clusters.md).
    A (电子铜箔, 南昌) and C (阴极铜, 九江) are copper-cluster firms; 南昌 and 九江 are CL-CU cities, so
    CL-CU = A + C = 400 + 250; 鹰潭's copper cluster lists 鹰潭 alone: no member, no row."""
    rows = {r["key"]: r for r in evaluate(mstore, "2025-06", "cluster")}
    assert rows["CL-CU"]["revenue"] == A(w(400 + 250)) and rows["CL-CU"]["above_scale_count"] == 2
    assert rows["CL-EI"]["revenue"] == A(w(400 + 520))                      # A and B, 南昌
    assert "CL-P-YT-CU" not in rows
