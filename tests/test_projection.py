"""The projection on a long, exactly known series (DuckDB and PostgreSQL) and its backtest on hand data.

Three enterprises report YTD revenue 2022-02 … 2025-06 whose single-period
values (Jan–Feb as one period, then each month: 11 a year) follow

    x(Y, k) = size · 1.12^(Y − 2022 + k/11) · s_k · (1 + 0.004 · sin(1.7 t))

with fixed seasonal factors s_k and a small deterministic wiggle (t: running
period number), i.e. 12 % growth a year against the pack's 9 % target. Written
out by hand below: the series the projection must rebuild, the 2022 base, the
target value base × 1.09⁴ and the value the trend continues to in 2026.
"""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

from chainbrain.analytics.projection import (PERIODS_PER_YEAR, _quantiles, backtest, forecast, projection, scale,
                                              single_periods)
from chainbrain.analytics.indicators import Scope

YI = 100_000_000
SEASON = [1.55, 0.95, 0.9, 0.95, 1.0, 0.9, 0.95, 0.95, 1.0, 1.05, 1.3]   # Jan–Feb, Mar, …, Dec
SIZES = {1: 1.0, 2: 2.0, 3: 3.5}                                           # 亿元 per period at 2022 Jan–Feb
GROWTH = 1.12


def single(year: int, k: int) -> float:
    """One enterprise of size 1: single-period revenue (亿元) of period k (0 = Jan–Feb) of ``year``."""
    t = (year - 2022) * PERIODS_PER_YEAR + k
    return GROWTH ** (t / PERIODS_PER_YEAR) * SEASON[k] * (1 + 0.004 * math.sin(1.7 * t))


def reports():
    rows = []
    for e, size in SIZES.items():
        for year in range(2022, 2026):
            ytd = 0.0
            for k in range(PERIODS_PER_YEAR if year < 2025 else 5):     # 2025: Jan–Feb … Jun
                ytd += size * single(year, k)
                rows.append((e, year, k + 2, ytd))
    return rows


@pytest.fixture
def pstore(store_any):
    rows = reports()
    ids = list(SIZES)
    with store_any.begin() as conn:
        store_any.bulk_insert(conn, "import_batch", pa.table({
            "id": [1], "kind": ["fixture"], "source": ["tests/test_projection.py"],
            "created_at": [dt.datetime(2025, 7, 15)], "row_count": [len(rows)], "status": ["loaded"]}))
        store_any.bulk_insert(conn, "enterprise", pa.table({
            "id": ids, "uscc": pa.array([None] * 3, pa.string()), "name": [f"预测样例{i}" for i in ids],
            "province_code": ["360000"] * 3, "region_code": ["360102"] * 3, "industry_code": ["3922"] * 3,
            "is_industrial": [True] * 3, "is_demo": [False] * 3, "batch_id": [1] * 3, "revision": [1] * 3}))
        attrs = [(i, a, v) for i in ids for a, v in (("region_code", "360102"), ("industry_code", "3922"))]
        store_any.bulk_insert(conn, "enterprise_attr", pa.table({
            "enterprise_id": [a[0] for a in attrs], "attr": [a[1] for a in attrs], "attr_value": [a[2] for a in attrs],
            "valid_from": pa.array([None] * len(attrs), pa.date32()),
            "valid_to": pa.array([None] * len(attrs), pa.date32()),
            "batch_id": [1] * len(attrs), "revision": [1] * len(attrs)}))
        store_any.bulk_insert(conn, "monthly_report", pa.table({
            "enterprise_id": [r[0] for r in rows], "year": [r[1] for r in rows], "month": [r[2] for r in rows],
            "revenue_ytd": pa.array([round(r[3] * YI, 2) for r in rows], pa.float64()),
            "batch_id": [1] * len(rows), "revision": [1] * len(rows)}))
    return store_any


def test_series_rebuilt_from_ytd(pstore):
    s = single_periods(pstore, 2022, 2025, 6, Scope())
    assert len(s) == 3 * PERIODS_PER_YEAR + 5
    total = sum(SIZES.values())
    assert s[(2022, 2)] == pytest.approx(total * single(2022, 0) * YI, rel=1e-9)      # Jan–Feb as one period
    assert s[(2024, 12)] == pytest.approx(total * single(2024, 10) * YI, rel=1e-9)
    assert s[(2025, 6)] == pytest.approx(total * single(2025, 4) * YI, rel=1e-9)


def _ytd_by_hand(last_year=2025, last_month=6):
    """V(y, m) of the whole scope, 亿元 × YI, from the generating formula (not from the store)."""
    total, v = sum(SIZES.values()), {}
    for y in range(2022, last_year + 1):
        acc = 0.0
        for k in range(PERIODS_PER_YEAR if y < last_year else last_month - 1):
            acc += total * single(y, k) * YI
            v[(y, k + 2)] = acc
    return v


def test_projection_by_series_length(pstore):
    """3 full years before 2025: seasonal share = mean of 2022–2024's V(y,6)/V(y,12), drift = mean of the
    YTD growth and 2024's growth; no interval verification possible one year ahead: not graded."""
    v = _ytd_by_hand()
    share = sum(v[(y, 6)] / v[(y, 12)] for y in (2022, 2023, 2024)) / 3
    drift = (v[(2025, 6)] / v[(2024, 6)] - 1 + v[(2024, 12)] / v[(2023, 12)] - 1) / 2
    r = projection(pstore, "2025-06")
    assert r["method"] == "seasonal_mean" and r["periods_used"] == 38 and r["target_year"] == 2026
    assert r["target_value"] == pytest.approx(v[(2022, 12)] * 1.09 ** 4, rel=1e-9)
    assert r["projected"] == pytest.approx(v[(2025, 6)] / share * (1 + drift), rel=1e-9)
    assert r["ratio"] == pytest.approx(r["projected"] / r["target_value"])
    assert r["horizon_years"] == 1 and r["backtest_n"] == 0 and r["status"] is None
    assert r["interval_low"] <= r["projected"] <= r["interval_high"]
    assert "不评定状态" in r["explanation_zh"] and "not graded" in r["explanation_en"]
    assert projection(pstore, "2025-06") == r                     # deterministic: the same digits every run


def test_projection_in_the_target_year_is_graded_by_the_backtest(pstore):
    r = projection(pstore, "2025-06", target_year=2025)
    v = _ytd_by_hand()
    assert r["horizon_years"] == 0 and r["backtest_n"] == 10       # 2024-02 … 2024-11, judged on 2023's errors
    assert 0 <= r["backtest_coverage"] <= 1 and r["interval_widened"] >= 1
    assert r["interval_low"] <= r["projected"] <= r["interval_high"]
    assert r["target_value"] == pytest.approx(v[(2022, 12)] * 1.09 ** 3, rel=1e-9)
    assert r["ratio"] > 1.05 and r["status"] == "green"          # 12 % a year against a 9 % path
    assert "回测覆盖率" in r["explanation_zh"]


def test_projection_sees_a_slowdown(pstore):
    """Same history, but the 2025 periods at 85 % of the trend: the projection drops below the target."""
    with pstore.engine.begin() as conn:
        import sqlalchemy as sa
        conn.execute(sa.text("UPDATE monthly_report SET revenue_ytd = revenue_ytd * 0.85 WHERE year = 2025"))
    r = projection(pstore, "2025-06", target_year=2025)
    assert r["projected"] < r["target_value"] and r["status"] in ("yellow", "red")


# ------------------------------------------------------------------ pure functions on hand data
LINEAR = {(y, m): a * m / 12 for y, a in ((2022, 120.0), (2023, 132.0), (2024, 158.4)) for m in range(2, 13)}


def test_forecast_by_hand():
    # 2023-06: one full year (2022): share 6/12, annualized 66 / 0.5 = 132, drift 66/60 − 1 = 10 %
    p, method = forecast(LINEAR, 2023, 6, 2024)
    assert method == "seasonal_last" and p == pytest.approx(132 * 1.1)
    # 2024-06: two full years: drift = mean(79.2/66 − 1, 132/120 − 1) = mean(20 %, 10 %) = 15 %
    p, method = forecast(LINEAR, 2024, 6, 2025)
    assert method == "seasonal_last" and p == pytest.approx(158.4 * 1.15)
    v = dict(LINEAR) | {(2025, 6): 90.0}
    p, method = forecast(v, 2025, 6, 2025)                   # three full years: mean share 0.5
    assert method == "seasonal_mean" and p == pytest.approx(180.0)
    assert forecast(LINEAR, 2022, 6, 2023) == (None, None)    # no full year before


def test_backtest_by_hand():
    b = backtest(LINEAR)
    # h = 1 from 2023's origins: P = 132 × 1.1 = 145.2 against 158.4; scaled by k = 2 − m/12
    e1 = {o["month"]: o["scaled_error"] for o in b["origins"] if o["h"] == 1}
    assert sorted(e1) == list(range(2, 13))
    for m, e in e1.items():
        assert e == pytest.approx(math.log(158.4 / 145.2) / (2 - m / 12))
    # h = 0: the seasonal share is exact, every error 0; 2024's 10 origins are judged on 2023's
    assert all(abs(e) < 1e-12 for e in b["errors"][0])
    assert b["n"][0] == 10 and b["n"][1] == 0 and b["coverage"][1] is None


def test_conformal_half_width():
    # n = 5: the ⌈0.8 × 6⌉ = 5th smallest |e|; n = 9: the 8th; fewer than 5: none
    assert _quantiles([0.01, -0.02, 0.03, -0.04, 0.05]) == (-0.05, 0.05)
    assert _quantiles([0.01 * i * (-1) ** i for i in range(1, 10)]) == pytest.approx((-0.08, 0.08))
    assert _quantiles([0.1, 0.2, 0.3, 0.4]) is None
    assert scale(2, 0) == pytest.approx(1 - 2 / 12) and scale(12, 1) == pytest.approx(1.0)
