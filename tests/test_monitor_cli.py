"""Monitoring CLI (local Typer root), targets, projection, alerts, modernization and stored aggregates.

Dataset and hand-worked figures: ``test_monitor_data.py``.
"""

from __future__ import annotations

import json

import pandas as pd

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainbrain.analytics import alerts as alerts_mod
from chainbrain.analytics.aggregates import refresh, stored_values
from chainbrain.analytics.modernization import entropy_weights, index, normalize
from chainbrain.analytics.targets import required_path, target_progress
from chainbrain.cli import monitor
from chainbrain.cli.kpi import kpi as kpi_cmd
from test_monitor_data import WAN, load

A = pytest.approx


@pytest.fixture
def mstore(store_any, tmp_path):
    load(store_any, tmp_path)
    return store_any


def app() -> typer.Typer:
    root = typer.Typer()
    root.command("kpi")(kpi_cmd)
    monitor.register(root)
    return root


def test_cli_indicators_and_kpi_extension(mstore):
    r = CliRunner().invoke(app(), ["indicators", "--format", "json"])
    assert r.exit_code == 0, r.output
    keys = {x["key"] for x in json.loads(r.output)}
    assert {"revenue_yoy", "loss_share", "sei_va_share", "revenue_pull"} <= keys
    db = mstore.db
    mstore.close()
    r = CliRunner().invoke(app(), ["kpi", "--db", db, "--period", "2025-06", "--format", "json",
                                   "--indicator", "loss_share", "--indicator", "profit"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["revenue_ytd_yuan"] == A(1340 * WAN) and out["yoy_comparable"] == A(1290 / 1255 - 1)  # unchanged KPI
    assert out["loss_share"] == A(0.2) and out["loss_share_n"] == 5 and out["profit"] == A(44 * WAN)
    r = CliRunner().invoke(app(), ["kpi", "--db", db, "--period", "2025-06", "--indicator", "nope"])
    assert r.exit_code == 2


def test_alerts_rules(mstore):
    got = alerts_mod.alerts(mstore, "2025-06")
    drops = [a for a in got if a["rule"] == "chain_master_drop"]
    assert len(drops) == 1 and drops[0]["confidential"]                     # B: 520/600 − 1 = −13.3 %
    assert drops[0]["figures"][0]["yoy"] == A(520 / 600 - 1) and "链主" in drops[0]["message_zh"]
    shrink = {a["subject"]: a for a in got if a["rule"] == "city_share_shrinking"}
    assert "360400|NF" not in shrink            # 九江 NF: 1 enterprise < 3, suppressed by min_n
    alerts_mod.RULES["city_share_shrinking"]["min_n"] = 1
    try:
        shrink = {a["subject"]: a for a in alerts_mod.alerts(mstore, "2025-06", ["city_share_shrinking"])}
    finally:
        alerts_mod.RULES["city_share_shrinking"]["min_n"] = 3
    assert shrink["360400|NF"]["figures"][0]["share"] == A(250 / 650)
    assert shrink["360400|NF"]["figures"][0]["share_prev"] == A(260 / 620)
    loss = {a["subject"]: a for a in got if a["rule"] == "loss_share_rising"}
    assert "province" not in loss               # 0.2 now vs 2/3 a year ago: falling


def test_targets_paths_and_required_growth(mstore):
    path = required_path({2: 100.0, 12: 1000.0}, 2022, 0.09, range(2022, 2025))
    assert path[-1] == {"period": "2024-12", "required": A(1000 * 1.09 ** 2)}
    rows = {r["code"]: r for r in target_progress(mstore, "2025-06")}
    g = rows["revenue_growth_9pct"]
    assert g["base_annual"] is None and g["status"] is None                 # no 2022 data in this dataset
    sei = rows["sei_va_share_28pct"]
    assert sei["actual"] == A(165 / 370) and sei["gap_pp"] == A((165 / 370 - 0.28) * 100)
    # issue #12: the bounds straddle the target (low < 0.28 ≤ high), so the midpoint is not graded
    assert sei["low"] < 0.28 <= sei["high"] and sei["status"] == "undetermined"
    assert rows["digital_full_coverage"]["status"] is None


def test_modernization_normalization_and_weights(mstore):
    import pandas as pd
    x = pd.DataFrame({"scale": [1.0, 2.0, 3.0], "energy_intensity": [1.0, 2.0, 3.0]}, index=list("abc"))
    z = normalize(x)
    assert list(z["scale"]) == [0, 0.5, 1] and list(z["energy_intensity"]) == [1, 0.5, 0]
    w = entropy_weights(z)
    assert w.sum() == A(1) and w["scale"] == A(w["energy_intensity"])
    assert index(mstore, 2024) == []                                         # no December reports
    rows = {r["key"]: r for r in index(mstore, 2025, period="2025-06", weights="entropy", min_cell=1)}
    assert set(rows) == {"EI", "NF", "PH"}
    for r in rows.values():
        assert 0 <= r["score"] <= 100 and r["score"] == A(sum(r["dimensions"].values()))
        assert sum(i["weight"] for i in r["indicators"].values()) == A(1)
    assert rows["EI"]["indicators"]["chain_masters"]["value"] == 1          # B (EI), A is NF's chain master
    assert rows["NF"]["indicators"]["chain_masters"]["value"] == 1
    assert rows["NF"]["indicators"]["hightech_share"]["value"] == A(0.5)    # C of A, C
    user = index(mstore, 2025, period="2025-06", weights={"scale": 1}, min_cell=1)
    assert user[0]["key"] == "EI" and user[0]["score"] == A(100) and user[0]["weights_method"] == "user"


def test_modernization_fixed_weights_and_suppressed_breakdown(mstore):
    """Fixed pack weights and goalposts (comparable over time) and the breakdown's disclosure control."""
    import pandas as pd

    from chainbrain.analytics.modernization import normalize_fixed, pack_weights
    x = pd.DataFrame({"scale": [18.42, 23.025, 30.0], "energy_intensity": [0.0, 0.25, 1.0]}, index=list("abc"))
    z = normalize_fixed(x, {"scale": [18.42, 27.63], "energy_intensity": [0.0, 0.5]})
    assert list(z["scale"]) == [0, A(0.5), 1]                     # clipped at the goalposts
    assert list(z["energy_intensity"]) == [1, 0.5, 0]              # lower is better
    pack = pack_weights(mstore)
    assert pack["modernization"]["sourced"] is False and "not from a policy document" in pack["modernization"]["note"]
    assert sum(pack["weights"].values()) == A(1)
    rows = {r["key"]: r for r in index(mstore, 2025, period="2025-06", min_cell=1)}
    for r in rows.values():
        assert r["weights_method"] == "fixed" and r["weights_version"] == pack["modernization"]["version"]
        used = r["indicators"]
        assert sum(i["weight"] for i in used.values()) == A(1)
        for k, i in used.items():                                   # the weights are the pack's, renormalized
            assert i["weight"] == A(pack["weights"][k] / sum(pack["weights"][c] for c in used))
        assert r["score"] == A(sum(r["dimensions"].values()))
    # a unit's score does not depend on the others: the same with one unit alone
    ei = rows["EI"]["indicators"]["scale"]
    assert ei["z"] == A(min(1, max(0, (ei["value"] - 18.42) / (27.63 - 18.42))))
    # anonymous disclosure control: chains of fewer than 3 enterprises (EI 2, NF 1, PH …) are withheld whole
    guarded = {r["key"]: r for r in index(mstore, 2025, period="2025-06")}
    for key, r in guarded.items():
        if r["n"] < 3:
            assert r["score"] is None and r["indicators"] is None and r["rank"] is None
            assert "indicators" in r["suppressed"]


def test_refresh_stores_aggregates(mstore):
    out = refresh(mstore, ["2025-06"], modernization_index=False)
    assert out["indicator_values"] > 0 and out["alerts"] >= 1
    v = stored_values(mstore, "2025-06", "chain")
    ei = v[(v.key == "EI") & (v.indicator == "revenue")].iloc[0]
    assert ei["value"] == A(920 * WAN) and ei["n"] == 2
    # the department's indicator set (运行分析) is stored too (issue #12): by hand, 2025-06, province —
    # profit A 24 + B 6 + C 10 + E −4 + F 8 = 44 on revenue 1340 (all five report both); losses: E alone, 4
    assert out["operations_values"] > 0 and out["operations_periods"] == 1
    ops = stored_values(mstore, "2025-06", "all").set_index("indicator")
    assert ops.loc["profit_margin", "value"] == A(44 / 1340) and ops.loc["profit_margin", "n"] == 5
    assert ops.loc["loss_amount", "value"] == A(4 * WAN) and ops.loc["loss_amount", "n"] == 1
    assert ops.loc["profit_margin", "key"] == "all" and "growth_breadth" in ops.index
    ei = stored_values(mstore, "2025-06", "chain")
    ei = ei[(ei.key == "EI") & (ei.indicator == "loss_amount")].iloc[0]
    assert ei["value"] == 0 and ei["n"] == 0                                 # EI (A, B) has no loss-maker: 0 yuan
    assert {"division", "size"} <= set(pd.read_sql("SELECT DISTINCT grouping FROM indicator_value",
                                                   mstore.engine)["grouping"])
    refresh(mstore, ["2025-06"], modernization_index=False)                  # idempotent: replaced, not added
    with mstore.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM indicator_value")).scalar() == out["indicator_values"]
        assert c.execute(sa.text("SELECT COUNT(*) FROM compute_run WHERE status = 'done'")).scalar() == 2
    off = refresh(mstore, ["2025-06"], modernization_index=False, alerts=False, operations="off")
    assert off["operations_values"] == 0 and off["indicator_values"] == out["indicator_values"] - out["operations_values"]
    with pytest.raises(ValueError):
        refresh(mstore, ["2025-06"], operations="some")


def test_projection_fallback_and_sentences(mstore):
    from chainbrain.analytics.projection import _status, projection
    r = projection(mstore, "2025-06")
    # no full year (2024 December) before 2025: no model, no interval, no status (issue #12 point 4)
    assert r["method"] is None and r["interval_low"] is None and r["status"] is None
    assert r["projected"] is None and r["explanation_en"] == "Not enough data to project."
    # status from the backtest-calibrated interval (low, high) against the target
    assert _status(100, 110, 100) == "green" and _status(99.9, 110, 100) == "yellow"   # low == target: green
    assert _status(90, 100, 100) == "yellow" and _status(90, 99.9, 100) == "red"       # high == target: yellow
    assert _status(None, None, 100) is None
