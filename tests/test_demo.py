"""The demo province at tiny scale: every table populated and internally consistent."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainbrain.catalog.pack import load_pack
from chainbrain.catalog.uscc import is_valid
from chainbrain.demo import DemoExistsError, build_demo, generate, scale_spec
from chainbrain.demo.build import TABLES as FACT_TABLES
from chainbrain.store import open_store


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("demo") / "tiny.duckdb")
    with open_store(db) as store:
        result = build_demo(store, scale="tiny", seed=2023)
    store = open_store(db)
    yield store, result
    store.close()


def q(store, sql: str, **params):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).fetchall()


def one(store, sql: str, **params):
    return q(store, sql, **params)[0][0]


def test_every_table_populated(tiny):
    store, result = tiny
    for table in FACT_TABLES:
        assert one(store, f'SELECT COUNT(*) FROM "{table}"') > 0, table
        assert result.rows[table] == one(store, f'SELECT COUNT(*) FROM "{table}"')
    n_ent = one(store, "SELECT COUNT(*) FROM enterprise")
    assert 300 <= n_ent <= 1500          # a few hundred enterprises


def test_import_batch_says_demo(tiny):
    store, result = tiny
    (kind, status, source, rows), = q(store, "SELECT kind, status, source, row_count FROM import_batch")
    assert (kind, status) == ("demo", "loaded")
    assert "synthetic" in source and "seed=2023" in source and "scale=tiny" in source
    assert rows == sum(result.rows.values())
    for table in FACT_TABLES:
        assert one(store, f'SELECT COUNT(*) FROM "{table}" WHERE batch_id <> :b OR revision <> 1',
                   b=result.batch_id) == 0


def test_enterprises_are_marked_demo(tiny):
    store, _ = tiny
    assert one(store, "SELECT COUNT(*) FROM enterprise WHERE NOT is_demo") == 0
    assert one(store, "SELECT COUNT(*) FROM enterprise WHERE name NOT LIKE '%（演示%'") == 0


def test_in_province_places_and_classes(tiny):
    store, _ = tiny
    pack = load_pack()
    counties = {r.code for r in pack.counties()}
    rows = q(store, "SELECT e.region_code, i.section FROM enterprise e JOIN industry i ON i.code = e.industry_code "
                    "WHERE e.province_code = '360000'")
    assert rows and all(r[0] in counties for r in rows)
    assert {r[1] for r in rows} <= {"B", "C", "D"}
    assert len({r[0][:4] for r in rows}) <= 3                  # tiny: 2–3 cities
    # every in-province enterprise has open-ended region and industry attributes
    missing = one(store, """
        SELECT COUNT(*) FROM enterprise e WHERE e.province_code = '360000' AND (
          NOT EXISTS (SELECT 1 FROM enterprise_attr a WHERE a.enterprise_id = e.id AND a.attr = 'region_code'
                      AND a.valid_to IS NULL AND a.attr_value = e.region_code)
          OR NOT EXISTS (SELECT 1 FROM enterprise_attr a WHERE a.enterprise_id = e.id AND a.attr = 'industry_code'
                      AND a.valid_from IS NULL AND a.valid_to IS NULL AND a.attr_value = e.industry_code))""")
    assert missing == 0


def test_region_moves_are_dated(tiny):
    store, _ = tiny
    rows = q(store, """SELECT a.enterprise_id, a.attr_value, a.valid_to, b.attr_value, b.valid_from, e.region_code
                       FROM enterprise_attr a JOIN enterprise_attr b
                         ON a.enterprise_id = b.enterprise_id AND a.attr = 'region_code' AND b.attr = 'region_code'
                         AND a.valid_to IS NOT NULL AND b.valid_from IS NOT NULL
                       JOIN enterprise e ON e.id = a.enterprise_id""")
    assert rows                                               # ~1% of enterprises moved
    for _, old, until, new, since, current in rows:
        assert until == since - dt.timedelta(days=1) and old != new and new == current   # valid_to inclusive
        assert 2021 <= since.year <= 2025


def test_industry_consistent_with_segments(tiny):
    store, _ = tiny
    bad = one(store, """
        SELECT COUNT(*) FROM enterprise e
        WHERE EXISTS (SELECT 1 FROM enterprise_segment es WHERE es.enterprise_id = e.id)
          AND e.province_code = '360000'
          AND NOT EXISTS (SELECT 1 FROM enterprise_segment es JOIN segment_industry si
                          ON si.segment_code = es.segment_code
                          WHERE es.enterprise_id = e.id AND si.industry_code = e.industry_code)""")
    assert bad == 0
    assert one(store, "SELECT COUNT(*) FROM enterprise_segment WHERE method <> 'demo'") == 0
    # some enterprises outside every chain, some in two segments
    assert one(store, "SELECT COUNT(*) FROM enterprise e WHERE e.province_code = '360000' AND NOT EXISTS "
                      "(SELECT 1 FROM enterprise_segment es WHERE es.enterprise_id = e.id)") > 0
    assert one(store, "SELECT COUNT(*) FROM (SELECT es.enterprise_id FROM enterprise_segment es JOIN segment s "
                      "ON s.code = es.segment_code WHERE s.level = 'segment' GROUP BY 1 HAVING COUNT(*) = 2)") > 0


def test_usccs_valid_and_unique(tiny):
    store, _ = tiny
    codes = [r[0] for r in q(store, "SELECT uscc FROM enterprise WHERE uscc IS NOT NULL")]
    assert codes and all(is_valid(c) for c in codes)
    assert len(codes) == len(set(codes))


def test_out_of_province_partners(tiny):
    store, _ = tiny
    rows = q(store, "SELECT province_code, region_code, uscc, id FROM enterprise WHERE province_code <> '360000'")
    assert len(rows) == scale_spec("tiny").out_of_province
    assert all(r[1] is None for r in rows)
    assert any(r[2] is None for r in rows) and any(r[2] is not None for r in rows)
    assert one(store, "SELECT COUNT(*) FROM enterprise e WHERE province_code <> '360000' AND NOT EXISTS "
                      "(SELECT 1 FROM enterprise_segment es WHERE es.enterprise_id = e.id)") == 0
    kinds = q(store, """SELECT s.province_code = '360000', b.province_code = '360000', COUNT(*)
                        FROM supply_link l JOIN enterprise s ON s.id = l.supplier_id
                        JOIN enterprise b ON b.id = l.buyer_id GROUP BY 1, 2""")
    assert {(a, b) for a, b, _ in kinds} == {(True, True), (True, False), (False, True)}


def test_monthly_reports_are_ytd(tiny):
    store, _ = tiny
    assert one(store, "SELECT COUNT(*) FROM monthly_report WHERE month = 1") == 0
    assert one(store, "SELECT MIN(year) * 100 + MIN(month) FROM monthly_report") == 202102
    assert one(store, "SELECT MAX(month) FROM monthly_report WHERE year = 2026") == 10
    assert one(store, """SELECT COUNT(*) FROM monthly_report a JOIN monthly_report b
                         ON a.enterprise_id = b.enterprise_id AND a.year = b.year AND b.month > a.month
                         WHERE b.revenue_ytd < a.revenue_ytd""") == 0
    # only sample members report monthly
    assert one(store, """SELECT COUNT(*) FROM monthly_report m JOIN enterprise_scale s
                         ON s.enterprise_id = m.enterprise_id AND s.year = m.year WHERE NOT s.above_scale""") == 0
    # December YTD is the annual revenue
    assert one(store, """SELECT COUNT(*) FROM monthly_report m JOIN annual_report a
                         ON a.enterprise_id = m.enterprise_id AND a.year = m.year
                         WHERE m.month = 12 AND a.revenue <> m.revenue_ytd""") == 0


def test_monthly_reports_stored_in_period_order(tiny):
    """As monthly imports leave them: the rows' storage order (DuckDB's rowid) follows year, month."""
    store, _ = tiny
    assert one(store, """SELECT COUNT(*) FROM (SELECT year * 100 + month AS ym,
                                LAG(year * 100 + month) OVER (ORDER BY rowid) AS before FROM monthly_report)
                         WHERE ym < before""") == 0
    assert one(store, "SELECT COUNT(DISTINCT year * 100 + month) FROM monthly_report") > 12


def test_prev_year_values(tiny):
    store, _ = tiny
    # 上年同期 equals the enterprise's own report a year earlier where both exist
    assert one(store, """SELECT COUNT(*) FROM monthly_report c JOIN monthly_report p
                         ON p.enterprise_id = c.enterprise_id AND p.year = c.year - 1 AND p.month = c.month
                         WHERE c.revenue_ytd_prev IS NOT NULL AND (c.revenue_ytd_prev <> p.revenue_ytd
                               OR c.profit_ytd_prev <> p.profit_ytd)""") == 0
    total, nulls = q(store, "SELECT COUNT(*), COUNT(*) - COUNT(revenue_ytd_prev) FROM monthly_report")[0]
    assert 0.04 < nulls / total < 0.2
    # prev present for enterprises that were below scale last year
    assert one(store, """SELECT COUNT(*) FROM monthly_report c JOIN enterprise_scale s
                         ON s.enterprise_id = c.enterprise_id AND s.year = c.year - 1 AND NOT s.above_scale
                         WHERE c.revenue_ytd_prev IS NOT NULL""") > 0
    # founded this year: no prev
    assert one(store, """SELECT COUNT(*) FROM monthly_report c JOIN enterprise e ON e.id = c.enterprise_id
                         WHERE YEAR(e.founded_on) = c.year AND c.revenue_ytd_prev IS NOT NULL""") == 0


def test_scale_history_and_annual(tiny):
    store, _ = tiny
    assert {r[0] for r in q(store, "SELECT DISTINCT year FROM enterprise_scale")} == set(range(2020, 2027))
    assert {r[0] for r in q(store, "SELECT DISTINCT year FROM annual_report")} == set(range(2020, 2026))
    assert one(store, "SELECT COUNT(*) FROM annual_report a JOIN enterprise_scale s ON s.enterprise_id = "
                      "a.enterprise_id AND s.year = a.year WHERE NOT s.above_scale") > 0
    # scale-ups and scale-downs both happen
    moves = q(store, """SELECT SUM(CASE WHEN b.above_scale AND NOT a.above_scale THEN 1 ELSE 0 END),
                               SUM(CASE WHEN a.above_scale AND NOT b.above_scale THEN 1 ELSE 0 END)
                        FROM enterprise_scale a JOIN enterprise_scale b
                        ON a.enterprise_id = b.enterprise_id AND b.year = a.year + 1""")[0]
    assert moves[0] > 0 and moves[1] > 0


def test_designations(tiny):
    store, _ = tiny
    kinds = {r[0] for r in q(store, "SELECT DISTINCT kind FROM designation")}
    assert {"chain_master", "innovative_sme", "srdi", "little_giant", "high_tech"} <= kinds
    assert one(store, "SELECT COUNT(*) FROM designation WHERE kind = 'chain_master' AND chain_code IS NULL") == 0
    assert one(store, "SELECT COUNT(*) FROM designation WHERE kind LIKE 'srdi%' "
                      "AND valid_to <> valid_from + INTERVAL 3 YEAR - INTERVAL 1 DAY") == 0   # inclusive end


def test_same_seed_same_data_other_seed_differs():
    spec = scale_spec("tiny")

    def tables(seed):
        out: dict[str, list[pa.Table]] = {}
        for name, piece in generate(spec, seed):
            out.setdefault(name, []).append(piece)
        return {k: pa.concat_tables(v) for k, v in out.items()}

    a, b, c = tables(11), tables(11), tables(12)
    assert all(a[k].equals(b[k]) for k in a)
    assert not a["monthly_report"].equals(c["monthly_report"])


def test_refuses_then_force_rebuilds(tmp_path):
    db = str(tmp_path / "again.duckdb")
    with open_store(db) as store:
        first = build_demo(store, scale="tiny", seed=5)
        with pytest.raises(DemoExistsError):
            build_demo(store, scale="tiny", seed=5)
        second = build_demo(store, scale="tiny", seed=6, force=True)
        assert second.batch_id == first.batch_id + 1
        for table, n in second.rows.items():
            assert one(store, f'SELECT COUNT(*) FROM "{table}"') == n
        assert one(store, "SELECT MIN(id) FROM enterprise") == 1


def test_cli_build(tmp_path):
    from chainbrain.cli.demo import app

    db = str(tmp_path / "cli.duckdb")
    result = CliRunner().invoke(app, ["build", "--db", db, "--scale", "tiny", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "monthly_report" in result.output and "synthetic" in result.output.lower()
    again = CliRunner().invoke(app, ["build", "--db", db, "--scale", "tiny"])
    assert again.exit_code == 1


def test_builds_on_each_engine(db_any):
    """The same tiny demo loads on DuckDB and PostgreSQL (Arrow scan / COPY), with exact money."""
    with open_store(db_any) as store:
        result = build_demo(store, scale="tiny", seed=9)
        for table, n in result.rows.items():
            assert one(store, f'SELECT COUNT(*) FROM "{table}"') == n
        assert one(store, """SELECT COUNT(*) FROM monthly_report m JOIN annual_report a
                             ON a.enterprise_id = m.enterprise_id AND a.year = m.year
                             WHERE m.month = 12 AND a.revenue <> m.revenue_ytd""") == 0
        cents = one(store, "SELECT COUNT(*) FROM monthly_report WHERE revenue_ytd * 100 <> ROUND(revenue_ytd * 100)")
        assert cents == 0


def test_statistics_inputs(tiny):
    """SEI shares for the largest partly-SEI classes and a PPI per division × report period (demo/statistics.py)."""
    store, _ = tiny
    assert one(store, "SELECT COUNT(*) FROM sei_share s JOIN industry i ON i.code = s.industry_code "
                      "WHERE i.sei <> 'partial' OR s.share < 0.02 OR s.share > 0.95") == 0
    assert one(store, "SELECT COUNT(*) FROM sei_share") > 0
    assert one(store, "SELECT COUNT(*) FROM price_index WHERE ppi_ytd < 80 OR ppi_ytd > 125") == 0
    periods = one(store, "SELECT COUNT(*) FROM (SELECT DISTINCT year, month FROM monthly_report) t")
    divisions = one(store, "SELECT COUNT(DISTINCT SUBSTR(industry_code, 1, 2)) FROM enterprise WHERE is_demo")
    assert one(store, "SELECT COUNT(*) FROM price_index") == periods * divisions


def test_form_fields_and_power_are_plausible(tiny):
    """The bureau's form fields (demo/forms.py): ratios near the national levels, 上年同期 where revenue has one."""
    store, _ = tiny
    from chainbrain.analytics.operations import operations_one
    r = operations_one(store, "2025-12")
    assert 80 < r["cost_per_100"] < 90                          # cost ≈ 85 % of revenue
    assert 0.52 < r["debt_ratio"] < 0.62                        # liabilities ≈ 57 % of assets
    assert 0.95 < r["sales_rate"] < 1.0                         # 产销率
    assert 40 < r["receivable_days"] < 85 and 10 < r["finished_goods_days"] < 30
    assert 300 < r["energy_per_va"] < 3000 and r["power_yoy"] is not None
    assert r["employees_avg"] > 0 and r["loss_amount"] > 0 and r["main_business_revenue"] < r["revenue"]
    assert one(store, """SELECT COUNT(*) FROM monthly_report
                         WHERE (revenue_ytd_prev IS NULL) <> (cost_ytd_prev IS NULL)
                            OR (revenue_ytd_prev IS NULL) <> (assets_prev IS NULL)""") == 0
    assert one(store, "SELECT COUNT(*) FROM monthly_report WHERE receivables > assets OR finished_goods > assets") == 0
    assert one(store, "SELECT COUNT(*) FROM power_use WHERE month = 1") > 0            # calendar months


def test_digital_assessments_every_level_and_a_rising_path(tiny):
    """智改数转 (issue #16): every level of every scheme; each firm's keys unique; coverage rises over the years."""
    from chainbrain.analytics.digital_coverage import coverage

    store, result = tiny
    got = set(q(store, "SELECT scheme, level FROM digital_assessment"))
    assert got == {("miit_sme_2022", lv) for lv in (1, 2, 3, 4)} | {("miit_sme_2024", lv) for lv in (1, 2, 3, 4)} \
        | {("gbt39116", lv) for lv in (1, 2, 3, 4, 5)}
    assert result.rows["digital_assessment"] == one(store, "SELECT COUNT(*) FROM digital_assessment")
    assert one(store, "SELECT COUNT(*) FROM digital_assessment WHERE scheme = 'miit_sme_2024' "
                      "AND assessed_on < DATE '2024-09-04'") == 0
    ym = one(store, "SELECT MAX(year * 100 + month) FROM monthly_report")
    y, m = divmod(ym, 100)
    shares = [coverage(store, f"{year}-{m:02d}")[0]["assessed_share"] for year in (y - 2, y - 1, y)]
    assert shares[0] < shares[1] < shares[2] < 1
    # 一链一场景: adoptions after the firm's first assessment, on a chain of the firm
    assert result.rows["digital_adoption"] == one(store, "SELECT COUNT(*) FROM digital_adoption") > 0
    assert one(store, "SELECT COUNT(*) FROM digital_adoption a WHERE a.adopted_on <= (SELECT MIN(assessed_on) "
                      "FROM digital_assessment d WHERE d.enterprise_id = a.enterprise_id)") == 0
    assert one(store, "SELECT COUNT(*) FROM digital_adoption a WHERE NOT EXISTS (SELECT 1 FROM enterprise_segment es "
                      "JOIN segment s ON s.code = es.segment_code WHERE es.enterprise_id = a.enterprise_id "
                      "AND s.chain_code = a.chain_code)") == 0
    # service providers: a register; each project names a registered provider that serves the project's chain
    assert result.rows["digital_provider"] == one(store, "SELECT COUNT(*) FROM digital_provider") == 12
    assert one(store, "SELECT COUNT(*) FROM digital_adoption a WHERE NOT EXISTS (SELECT 1 FROM digital_provider p "
                      "WHERE p.uscc = a.provider_uscc AND p.name = a.provider "
                      "AND ';' || p.chains || ';' LIKE '%;' || a.chain_code || ';%')") == 0
    assert set(x[0] for x in q(store, "SELECT DISTINCT rating FROM digital_adoption WHERE rating IS NOT NULL")) \
        <= {1, 2, 3, 4, 5}
    latest = coverage(store, f"{y}-{m:02d}")[0]                      # transformed trails assessed
    assert 0 < latest["transformed"] < latest["assessed"]


def test_matching_needs_and_outcomes(tiny):
    """融通 (#15): every chain master asks for suppliers; the page's answer proposes some for most needs."""
    import datetime as dt

    from chainbrain.analytics.cultivate_match_report import answer

    store, _ = tiny
    needs = q(store, "SELECT n.need_id, d.kind FROM match_need n LEFT JOIN designation d ON d.enterprise_id = "
                     "n.buyer_id AND d.kind = 'chain_master' AND d.chain_code = n.chain_code")
    assert len(needs) >= 4 and all(k == "chain_master" for _, k in needs)
    ans = answer(store, dt.date.today())
    assert sum(n["proposals"] > 0 for n in ans["needs"]) >= len(needs) // 2
    assert one(store, "SELECT COUNT(*) FROM match_event") > 0
    assert any(c["pairs"] > 0 for c in ans["counts"])
