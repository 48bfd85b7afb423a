"""The province-scale demo meets every figure of the pack's calibration.toml, computed with plain SQL.

Definitions (as users compute them):
- a year's above-scale revenue: the sum of December ``revenue_ytd`` (2020, which
  has no monthly reports: ``annual_report.revenue`` of enterprises in the
  2020 sample); the enterprise count: December reports (2020: the sample);
- comparable growth (DESIGN.md §4): December reports that have a prior-year
  value — their ``revenue_ytd_prev``, else their own report a year earlier;
- a city's revenue: enterprises whose ``region_code`` attribute valid on
  31 December lies in the city; a chain's: enterprises with any segment
  counting toward the chain (``segment_chain``: primary or also_chains),
  each enterprise once.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from chainbrain.catalog.pack import load_pack

pytestmark = pytest.mark.slow
YI = 1e8


@pytest.fixture(scope="module")
def cal():
    return load_pack().calibration


def scalar(store, sql: str, **params) -> float:
    with store.engine.connect() as conn:
        return float(conn.execute(sa.text(sql), params).scalar())


def year_end(year: int) -> str:
    return f"{year}-12-31"


def city_members(city: str, year: int) -> str:
    return f"""SELECT a.enterprise_id FROM enterprise_attr a JOIN region r ON r.code = a.attr_value
               WHERE a.attr = 'region_code' AND r.prefecture_code = '{city}'
                 AND (a.valid_from IS NULL OR a.valid_from <= DATE '{year_end(year)}')
                 AND (a.valid_to IS NULL OR a.valid_to >= DATE '{year_end(year)}')"""


def chain_members(chain: str) -> str:
    return f"""SELECT DISTINCT es.enterprise_id FROM enterprise_segment es
               JOIN segment_chain sc ON sc.segment_code = es.segment_code WHERE sc.chain_code = '{chain}'"""


def revenue(store, year: int, where: str = "TRUE") -> float:
    if year == 2020:
        return scalar(store, f"""SELECT SUM(a.revenue) FROM annual_report a JOIN enterprise_scale s
                                 ON s.enterprise_id = a.enterprise_id AND s.year = a.year
                                 WHERE a.year = 2020 AND s.above_scale AND a.enterprise_id IN
                                 (SELECT id FROM enterprise WHERE {where})""") / YI
    return scalar(store, f"""SELECT SUM(revenue_ytd) FROM monthly_report WHERE year = {year} AND month = 12
                             AND enterprise_id IN (SELECT id FROM enterprise WHERE {where})""") / YI


def count(store, year: int, where: str = "TRUE") -> float:
    if year == 2020:
        return scalar(store, f"""SELECT COUNT(*) FROM enterprise_scale WHERE year = 2020 AND above_scale
                                 AND enterprise_id IN (SELECT id FROM enterprise WHERE {where})""")
    return scalar(store, f"""SELECT COUNT(*) FROM monthly_report WHERE year = {year} AND month = 12
                             AND enterprise_id IN (SELECT id FROM enterprise WHERE {where})""")


def comparable_growth(store, year: int) -> float:
    now, prior = (scalar(store, f"""
        SELECT SUM({col}) FROM monthly_report c LEFT JOIN monthly_report p
          ON p.enterprise_id = c.enterprise_id AND p.year = c.year - 1 AND p.month = c.month
        WHERE c.year = {year} AND c.month = 12
          AND COALESCE(c.revenue_ytd_prev, p.revenue_ytd) IS NOT NULL""")
                  for col in ("c.revenue_ytd", "COALESCE(c.revenue_ytd_prev, p.revenue_ytd)"))
    return now / prior - 1


def near(got: float, want: float, tol: float) -> bool:
    return abs(got / want - 1) <= tol


def test_revenue_by_year(province, cal):
    for year, t in cal["revenue"].items():
        got = revenue(province, int(year))
        assert near(got, t["value"], t["tol"]), (year, got, t["value"])


def test_enterprises_by_year(province, cal):
    for year, t in cal["enterprises"].items():
        got = count(province, int(year))
        assert near(got, t["value"], t["tol"]), (year, got, t["value"])


def test_comparable_growth(province, cal):
    for year, t in cal["growth"].items():
        got = comparable_growth(province, int(year))
        assert abs(got - t["value"]) <= t["tol"], (year, got)


def test_other_years_growth_plausible_and_not_naive(province):
    plausible = {2022: (0.07, 0.10), 2023: (0.03, 0.06), 2024: (0.06, 0.09)}
    for year, (lo, hi) in plausible.items():
        comp = comparable_growth(province, year)
        naive = revenue(province, year) / revenue(province, year - 1) - 1
        assert lo <= comp <= hi, (year, comp)
        assert comp - naive > 0.01, (year, comp, naive)      # entries and exits make them differ


def test_city_revenue_and_count(province, cal):
    for key, t in cal["city_revenue"].items():
        city, year = key.split("-")
        got = revenue(province, int(year), f"id IN ({city_members(city, int(year))})")
        assert near(got, t["value"], t["tol"]), (key, got)
    for key, t in cal["city_enterprises"].items():
        city, year = key.split("-")
        got = count(province, int(year), f"id IN ({city_members(city, int(year))})")
        assert near(got, t["value"], t["tol"]), (key, got)


def test_chain_revenue(province, cal):
    for key, t in cal["chain_revenue"].items():
        chain, year = key.split("-")
        got = revenue(province, int(year), f"id IN ({chain_members(chain)})")
        assert near(got, t["value"], t["tol"]), (key, got)


def test_city_chain_revenue(province, cal):
    for key, t in cal["city_chain_revenue"].items():
        city, chain, year = key.split("-")
        got = revenue(province, int(year),
                      f"id IN ({chain_members(chain)}) AND id IN ({city_members(city, int(year))})")
        assert near(got, t["value"], t["tol"]), (key, got)


def test_below_scale_count(province, cal):
    got = scalar(province, """SELECT COUNT(*) FROM annual_report a JOIN enterprise_scale s
                              ON s.enterprise_id = a.enterprise_id AND s.year = a.year
                              WHERE a.year = 2025 AND NOT s.above_scale""")
    assert near(got, cal["below_scale"]["count"], 0.10), got


def test_seasonality(province, cal):
    """Monthly shares of 2024 revenue (YTD differenced; Jan+Feb together) follow the pack.

    Measured on the enterprises that reported both 1–2月 and December, so entries
    and closures during the year do not tilt the months.
    """
    shares = cal["seasonality"]["months"]
    panel = """SELECT enterprise_id FROM monthly_report WHERE year = 2024 AND month IN (2, 12)
               GROUP BY 1 HAVING COUNT(*) = 2"""
    ytd = {m: scalar(province, f"SELECT SUM(revenue_ytd) FROM monthly_report WHERE year = 2024 AND month = {m} "
                               f"AND enterprise_id IN ({panel})") for m in range(2, 13)}
    prev = 0.0
    for month in range(2, 13):
        want = sum(shares[:2]) if month == 2 else shares[month - 1]
        got = (ytd[month] - prev) / ytd[12]
        assert abs(got - want) < 0.004, (month, got, want)
        prev = ytd[month]


def test_size_distribution(province):
    big = scalar(province, "SELECT COUNT(*) FROM monthly_report WHERE year = 2025 AND month = 12 "
                           "AND revenue_ytd >= 1e10")
    assert 10 <= big <= 120                                   # a few dozen firms of 100亿+
    median = scalar(province, "SELECT MEDIAN(revenue_ytd) FROM monthly_report WHERE year = 2025 AND month = 12")
    assert 0.3 * YI < median < 1.5 * YI
    links = scalar(province, "SELECT COUNT(*) FROM supply_link")
    assert 250_000 <= links <= 320_000
    partners = scalar(province, "SELECT COUNT(*) FROM enterprise WHERE province_code <> '360000'")
    assert partners == 20_000
    srdi = scalar(province, "SELECT COUNT(DISTINCT enterprise_id) FROM designation WHERE kind = 'srdi' "
                            "AND valid_from <= DATE '2024-08-04' AND valid_to >= DATE '2024-08-04'")
    assert near(srdi, 3791, 0.05)


def test_sei_share_follows_the_published_path(province, cal):
    """The SEI estimate is on the path (policy-facts §2: 23.8 % 2021, 26.5 % 2022, +1 pp a year after) and
    its bounds are meaningful: at most 5 pp apart, the path inside them."""
    from chainbrain.analytics.indicators import evaluate_one

    for year, v in cal["sei_share"].items():
        if not year.isdigit() or int(year) < 2021 or int(year) > 2025:
            continue
        r = evaluate_one(province, year, only=["sei_va_share", "sei_va_share_low", "sei_va_share_high"])
        assert abs(r["sei_va_share"] - v["value"]) <= v["tol"], year
        assert r["sei_va_share_low"] <= v["value"] <= r["sei_va_share_high"], year
        assert r["sei_va_share_high"] - r["sei_va_share_low"] <= 0.05, year
