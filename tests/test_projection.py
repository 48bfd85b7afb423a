"""The seasonal (ETS) projection path on a long, exactly known series, on DuckDB and PostgreSQL.

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

from chainbrain.analytics.projection import PERIODS_PER_YEAR, projection, single_periods
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


def test_ets_projection_follows_the_trend(pstore):
    r = projection(pstore, "2025-06")
    total = sum(SIZES.values())
    base = total * sum(single(2022, k) for k in range(PERIODS_PER_YEAR)) * YI
    continued = total * sum(single(2026, k) for k in range(PERIODS_PER_YEAR)) * YI
    assert r["method"] == "ets" and r["periods_used"] == 38 and r["target_year"] == 2026
    assert r["target_value"] == pytest.approx(base * 1.09 ** 4, rel=1e-9)
    # a damped trend stays a little below the undamped continuation of 12 % a year
    assert r["projected"] == pytest.approx(continued, rel=0.04)
    assert r["interval_low"] < r["projected"] < r["interval_high"] and r["interval"] == "80%"
    assert r["ratio"] == pytest.approx(r["projected"] / r["target_value"])
    assert r["ratio"] > 1.05 and r["status"] == "green"       # 12 % a year against a 9 % path
    assert "80%区间" in r["explanation_zh"] and "green" in r["explanation_en"]


def test_ets_projection_sees_a_slowdown(pstore):
    """Same history, but the 2025 periods at 85 % of the trend: the projection drops below the target."""
    with pstore.engine.begin() as conn:
        import sqlalchemy as sa
        conn.execute(sa.text("UPDATE monthly_report SET revenue_ytd = revenue_ytd * 0.85 WHERE year = 2025"))
    r = projection(pstore, "2025-06")
    assert r["method"] == "ets"
    assert r["projected"] < r["target_value"] and r["status"] in ("yellow", "red")
