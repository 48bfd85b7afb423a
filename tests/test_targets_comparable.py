"""Target verdicts on the comparable basis (issue #12, point 1, 2, 8) on DuckDB, PostgreSQL and PySpark.

Expected values are worked out by hand in tests/comparable_data.py (level and
comparable verdicts differ there: the level falls with sample churn while the
comparable index is above the +9 %/yr path).
"""

from __future__ import annotations

import json

import pytest

import comparable_data
from chainbrain.analytics.chained import grade
from chainbrain.analytics.kpi import kpi
from chainbrain.analytics.targets import level_path, share_status, target_progress
from test_monitor_data import ENGINES, spark  # noqa: F401

YI = comparable_data.YI
I_2025_06 = 1.10 * 1.08 * 1.12                                 # 1.33056


@pytest.fixture(scope="module", params=ENGINES)
def make(request, tmp_path_factory):
    """``make(rate)``: a store on the engine holding the data, the +9 % target's rate set to ``rate``."""
    from conftest import new_db

    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    engine, made, opened, shown = request.param, {}, [], []

    def build(rate=None, target_year=None):
        key = (rate, target_year)
        if key not in made:
            tmp = tmp_path_factory.mktemp(engine)
            store = open_store(new_db("duckdb" if engine == "pyspark" else engine, tmp, request))
            opened.append(store)
            init_store(store)
            comparable_data.load(store)
            comparable_data.set_target(store, **{k: v for k, v in (("annual_rate", rate),
                                                                    ("target_year", target_year)) if v is not None})
            made[key] = store
        if engine != "pyspark":
            return made[key]
        # Spark's temporary views are per session: copy this variant in unless it is the one shown
        if not shown or shown[0][0] != key:
            from chainbrain.analytics.engines import to_pyspark
            shown[:] = [(key, to_pyspark(made[key], request.getfixturevalue("spark")))]
        return shown[0][1]

    yield build
    for s in opened:
        s.close()


def test_level_and_comparable_verdicts_differ(make):
    r = kpi(make(), "2025-06", region="360100")
    assert r["revenue_ytd_yuan"] == pytest.approx(254 * YI)
    assert r["target_path_yuan"] == pytest.approx(360 * 1.295029 * YI)
    assert r["target_ratio_level"] == pytest.approx(0.5448183, rel=1e-6)
    assert r["target_status_level"] == "red"
    assert r["target_index_comparable"] == pytest.approx(1.33056, rel=1e-12)
    assert r["target_index_count"] == 3
    assert r["target_index_missing_years"] == []
    assert r["target_ratio"] == pytest.approx(1.33056 / 1.295029, rel=1e-9)
    assert r["target_status"] == "green"
    assert r["target_year"] == 2026


def test_required_growth_by_hand(make):
    r = kpi(make(), "2025-06", region="360100", chain="EI")
    assert r["target_required_growth"] == pytest.approx(1.41158161 / 1.33056 - 1, rel=1e-9)   # 6.08929 %
    assert r["target_required_growth"] == pytest.approx(0.0608929, abs=1e-7)
    # Jul–Dec 2025 need 294.0116 against last year's 275.2
    assert r["target_required_growth_rest_of_year"] == pytest.approx(294.0116 / 275.2 - 1, rel=1e-9)


def test_province_index_ignores_new_entrants(make):
    # 吉安's firms report 2025-06 without a prior value: they add to the level, not to the index
    r = kpi(make(), "2025-06")
    assert r["revenue_ytd_yuan"] == pytest.approx(1254 * YI)
    assert r["target_index_comparable"] == pytest.approx(1.33056, rel=1e-12)
    assert r["target_index_count"] == 3
    assert r["target_status"] == "green"


def test_missing_link_makes_the_index_null(make):
    # 2024-06 has no comparable data (no 上年同期, no 2023-06 reports): the index is null, the level is not
    r = kpi(make(), "2024-06", region="360100")
    assert r["target_index_comparable"] is None and r["target_ratio"] is None and r["target_status"] is None
    assert r["target_index_missing_years"] == [2024]
    assert r["target_required_growth"] is None
    assert r["target_ratio_level"] == pytest.approx(200 / (360 * 1.09 ** 2), rel=1e-9)
    assert r["target_status_level"] == "red"


def test_in_and_after_the_target_year(make):
    r = kpi(make(), "2026-06", region="360800")          # 吉安: only 2026 has a comparable link (own 2025)
    assert r["target_index_missing_years"] == [2023, 2024, 2025]
    assert r["target_index_comparable"] is None and r["target_status"] is None
    r = kpi(make(target_year=2025), "2025-06", region="360100")     # Y = T: only the rest of the year
    assert r["target_required_growth"] is None
    assert r["target_required_growth_rest_of_year"] == pytest.approx(294.0116 / 275.2 - 1, rel=1e-9)
    r = kpi(make(target_year=2024), "2025-06", region="360100")     # after T: both null
    assert r["target_status"] == "green"
    assert r["target_required_growth"] is None and r["target_required_growth_rest_of_year"] is None


@pytest.mark.parametrize("rate, status", [
    (0.10, "green"),                       # I = 440/400 = 1.1 = (1 + r): ratio exactly 1
    (1.1 / 0.97 - 1, "yellow"),            # ratio exactly 1 − band (0.97)
    (1.1 / 0.9699 - 1, "red"),             # just below 1 − band
])
def test_status_boundaries_on_the_engine(make, rate, status):
    r = kpi(make(rate), "2023-12", region="360100")
    assert r["target_index_comparable"] == pytest.approx(1.1, rel=1e-12)
    assert r["target_status"] == status
    assert r["target_required_growth_rest_of_year"] is None          # December: no months left
    assert r["target_required_growth"] == pytest.approx(((1 + rate) ** 4 / 1.1) ** (1 / 3) - 1, rel=1e-9)


def test_targets_records(make):
    recs = {t["code"]: t for t in target_progress(make(), "2025-06", region="360100")}
    g = recs["revenue_growth_9pct"]
    assert (g["kind"], g["basis"], g["status"], g["n_index"]) == ("growth", "comparable", "green", 3)
    assert g["n"] == 3 and g["n_level"] == 4                  # min(index 3, current 5, base 4)
    assert g["value"] == pytest.approx(1.33056) and g["target"] == pytest.approx(1.295029)
    assert g["status_level"] == "red" and g["actual"] == pytest.approx(254 * YI)
    assert g["required_annual_growth_to_target"] == pytest.approx(0.0608929, abs=1e-7)
    for code, t in recs.items():
        assert {"code", "kind", "value", "low", "high", "target", "status", "basis", "name_zh", "name_en",
                "unit", "n"} <= set(t), code
        assert t["status"] in ("green", "yellow", "red", "undetermined", None)


def test_share_bounds_straddle_undetermined(make):
    recs = {t["code"]: t for t in target_progress(make(), "2025-06")}
    assert recs["digital_full_coverage"]["status"] is None          # coverage: no data
    s = recs["sei_va_share_28pct"]
    assert s["low"] == pytest.approx(0.25) and s["high"] == pytest.approx(1.0)
    assert s["target"] == pytest.approx(0.28)
    assert s["status"] == "undetermined"


def test_level_target_gets_a_status(make):
    recs = {t["code"]: t for t in target_progress(make(), "2026-06", chain="EI", region="360800")}
    lv = recs["jian_ei_300bn_2026"]
    assert lv["value"] == pytest.approx(2940 * YI)         # 1225 / (1000 / 2400)
    assert lv["target"] == pytest.approx(3000 * YI)        # Y = T: the level itself
    assert lv["ratio"] == pytest.approx(0.98)
    assert (lv["status"], lv["basis"], lv["unit"], lv["n"]) == ("yellow", "level", "yuan", 3)
    g = recs["revenue_growth_9pct"]
    assert g["value"] is None and g["status"] is None


@pytest.mark.parametrize("low, high, status", [
    (0.25, 0.30, "undetermined"),          # straddles
    (0.28, 0.30, "green"),                 # low == target: the lower bound reaches it
    (0.25, 0.28, "undetermined"),          # high == target: low < target ≤ high
    (0.2716, 0.2799, "yellow"),            # both below, high ≥ 0.97 × target (0.2716)
    (0.20, 0.2716 * 0.999, "red"),
    (0.30, 0.35, "green"),
])
def test_share_status_boundaries(low, high, status):
    assert share_status((low + high) / 2, low, high, 0.28, 0.03) == status


def test_share_status_without_bounds_grades_the_estimate():
    assert share_status(0.28, None, None, 0.28, 0.03) == "green"
    assert share_status(0.2716, None, None, 0.28, 0.03) == "yellow"
    assert share_status(None, None, None, 0.28, 0.03) is None


def test_grade_boundaries():
    assert grade(1.0, 0.03) == "green"
    assert grade(0.97, 0.03) == "yellow"
    assert grade(0.9699, 0.03) == "red"
    assert grade(None, 0.03) is None


def test_level_path_by_hand():
    # from 2000 亿 last year to 3000 亿 in 2027, at 2025: 2000 × 1.5^(1/3) = 2289.43
    assert level_path(2000.0, 3000.0, 2027, 2025) == pytest.approx(2000 * 1.5 ** (1 / 3))
    assert level_path(2000.0, 3000.0, 2025, 2025) == 3000.0
    assert level_path(2000.0, 3000.0, 2024, 2025) == 3000.0
    assert level_path(None, 3000.0, 2027, 2025) is None


def test_cli_targets_json(duck_store):
    from typer.testing import CliRunner

    from chainbrain.cli import app

    comparable_data.load(duck_store)
    db = duck_store.db
    duck_store.close()  # the CLI opens the store itself
    res = CliRunner().invoke(app, ["targets", "--db", db, "--period", "2025-06", "--region", "360100",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    out = {r["code"]: r for r in json.loads(res.output)}
    assert out["revenue_growth_9pct"]["status"] == "green"
    assert out["revenue_growth_9pct"]["status_level"] == "red"
    bad = CliRunner().invoke(app, ["targets", "--db", db, "--period", "2025-13"])
    assert bad.exit_code == 2 and "02–12" in bad.output
    bad = CliRunner().invoke(app, ["targets", "--db", db, "--period", "2025-06", "--region", "999999"])
    assert bad.exit_code == 2 and "未知地区代码" in bad.output


def test_links_equal_the_indicator_at_december(make):
    """A completed year's link is the store's comparable growth at ``y-12`` (same definitions)."""
    from chainbrain.analytics.chained import links
    from chainbrain.analytics.indicators import Scope, evaluate

    store = make()
    specs = [("county", Scope("all", "360100")), ("chain", Scope())]
    per = links(store, [2023, 2024], specs)
    for (by, sc), years in zip(specs, per):
        for y in (2023, 2024):
            recs = evaluate(store, f"{y}-12", by, scope=sc.scope, region=sc.region, only=["revenue_yoy"])
            assert recs, (by, y)
            for r in recs:
                row = years[y].loc[r["key"]]
                assert row["cc"] / row["cb"] - 1 == pytest.approx(r["revenue_yoy"], rel=1e-12)
                assert row["cn"] == r["revenue_yoy_n"]
    assert per[1][2024].loc["EI", "cc"] / per[1][2024].loc["EI", "cb"] == pytest.approx(1.08)


def test_below_path_on_the_comparable_basis_with_names(make):
    from chainbrain.analytics.alerts import alerts

    assert [a for a in alerts(make(), "2025-06", ["below_path"])] == []        # +9 %: 2025-06 above the path
    got = alerts(make(rate=0.10), "2025-06", ["below_path"])
    assert [a["subject"] for a in got] == ["EI"]
    a = got[0]
    assert [f["ratio"] for f in a["figures"]] == pytest.approx([1.33056 / 1.331, 0.956316, 0.973704], abs=1e-6)
    assert [f["period"] for f in a["figures"]] == ["2025-06", "2025-05", "2025-04"]
    assert a["severity"] == "high" and a["n"] == 3
    assert "电子信息" in a["message_zh"] and "Electronic information" in a["message_en"]
    assert "EI" not in a["message_zh"] and "EI" not in a["message_en"]
