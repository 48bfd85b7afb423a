"""KPI on the hand-made dataset (tests/handmade.py), on DuckDB and PostgreSQL.

Expected values are written out by hand from the table in handmade.py, not
computed by the code under test.
"""

from __future__ import annotations

import json

import pytest

import handmade
from chainbrain.analytics.kpi import kpi, kpi_table
from chainbrain.periods import PeriodError, parse_period

YI = handmade.YI
GROWTH = 1.09 ** 3


@pytest.fixture
def kstore(store_any):
    handmade.load(store_any)
    return store_any


def test_province_all_industry(kstore):
    r = kpi(kstore, "2025-06")
    assert r["above_scale_count"] == 5
    assert r["revenue_ytd_yuan"] == pytest.approx(405 * YI)
    assert r["revenue_ytd_prev_yuan"] == pytest.approx(220 * YI)
    assert r["prev_count"] == 3
    assert r["comparable_base_yuan"] == pytest.approx(338 * YI)
    assert r["comparable_current_yuan"] == pytest.approx(375 * YI)
    assert r["comparable_count"] == 4
    assert r["yoy_naive"] == pytest.approx(405 / 220 - 1)
    assert r["yoy_comparable"] == pytest.approx(375 / 338 - 1)
    assert r["yoy_naive"] != pytest.approx(r["yoy_comparable"])
    assert r["target_path_yuan"] == pytest.approx(371.5 * GROWTH * YI)
    # money in the record is yuan half up to the fen: 371.5 亿 × 1.09³ = 48,110,327,350 yuan exactly, the
    # float product 48110327350.00001
    assert r["target_path_yuan"] == 48_110_327_350.00 and 371.5 * GROWTH * YI != 48_110_327_350.00
    assert r["target_status_level"] == "red"
    # no 2023-12 / 2024-12 reports: the chained comparable index (the verdict) cannot be built
    assert r["target_status"] is None and r["target_index_missing_years"] == [2023, 2024]


def test_latest_revision_counts(kstore):
    # E1 corrected its 2025-06 report from 120 to 125 亿元: only revision 2 counts.
    r = kpi(kstore, "2025-06", region="360102")
    assert r["revenue_ytd_yuan"] == pytest.approx((125 + 30) * YI)
    assert r["above_scale_count"] == 2


def test_chain_scope(kstore):
    r = kpi(kstore, "2025-06", chain="EI")
    assert r["above_scale_count"] == 3
    assert r["revenue_ytd_yuan"] == pytest.approx(195 * YI)
    assert r["revenue_ytd_prev_yuan"] == pytest.approx(150 * YI)
    assert r["comparable_base_yuan"] == pytest.approx(150 * YI)      # E1 100 + E2 50 (fallback)
    assert r["yoy_comparable"] == pytest.approx(165 / 150 - 1)
    assert r["target_path_yuan"] == pytest.approx(111.5 * GROWTH * YI)
    assert r["target_status_level"] == "green" and r["target_status"] is None


def test_city_and_county_scope(kstore):
    jj = kpi(kstore, "2025-06", region="360400")  # 九江: E3 only now, E4 a year ago
    assert jj["revenue_ytd_yuan"] == pytest.approx(200 * YI)
    assert jj["revenue_ytd_prev_yuan"] == pytest.approx(70 * YI)
    assert jj["yoy_comparable"] == pytest.approx(200 / 180 - 1)
    assert jj["target_status_level"] == "red"                            # 200 < 260 × 1.295
    county = kpi(kstore, "2025-06", region="360103", scope="manufacturing")
    assert county["revenue_ytd_yuan"] == pytest.approx(40 * YI)
    assert county["target_path_yuan"] == pytest.approx(31.5 * GROWTH * YI)
    assert county["target_status_level"] == "yellow"                     # 40 / 40.79 = 98.1 %


def test_manufacturing_scope_drops_utilities(kstore):
    r = kpi(kstore, "2025-06", scope="manufacturing")
    assert r["above_scale_count"] == 4
    assert r["revenue_ytd_yuan"] == pytest.approx(395 * YI)
    assert r["comparable_base_yuan"] == pytest.approx(330 * YI)


def test_grouped_by_chain_and_city(kstore):
    by_chain = {r["key"]: r for r in kpi_table(kstore, "2025-06", by="chain")}
    assert set(by_chain) == {"EI", "NF"}
    assert by_chain["NF"]["revenue_ytd_yuan"] == pytest.approx(200 * YI)
    by_city = {r["key"]: r for r in kpi_table(kstore, "2025-06", by="city")}
    assert by_city["360100"]["revenue_ytd_yuan"] == pytest.approx(205 * YI)
    assert by_city["360400"]["revenue_ytd_yuan"] == pytest.approx(200 * YI)


def test_quarter_and_year_periods(kstore):
    assert kpi(kstore, "2025-Q2")["revenue_ytd_yuan"] == pytest.approx(405 * YI)
    assert kpi(kstore, "2025")["above_scale_count"] == 0       # no December reports in the fixture


def test_period_parsing():
    assert parse_period("2025-02").month == 2
    assert parse_period("2025-Q3").month == 9
    assert parse_period("2024").month == 12
    for bad in ("2025-01", "2025-13", "25-06", "2025Q1"):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_cli_kpi_json(kstore, capsys):
    from chainbrain.cli import app
    from typer.testing import CliRunner

    db = kstore.db
    kstore.close()  # the CLI opens the store itself
    res = CliRunner().invoke(app, ["kpi", "--db", db, "--period", "2025-06", "--chain", "EI",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    for key in ("period", "chain", "region", "above_scale_count", "revenue_ytd_yuan",
                "revenue_ytd_prev_yuan", "comparable_base_yuan", "yoy_naive", "yoy_comparable",
                "target_path_yuan", "target_status"):
        assert key in out
    assert out["chain"] == "EI" and out["revenue_ytd_yuan"] == pytest.approx(195 * YI)
