"""How indicator values are computed: SEI bounds with loaded shares, constant prices, single months with a
missing report, inclusive ``valid_to`` — on DuckDB, PostgreSQL and PySpark, loaded through the importers.

The dataset of ``test_monitor_data.py`` (万元) plus:

| ent | county | class (SEI) | 2024 rev 04/05/06 | 2025 rev 04/05/06 | export 2024 / 2025 | R&D 2024 / 2025 | VA 2024 / 2025 |
| G 冶炼 | 360402 九江 | 3211 (false) | 40/50/60 | 44/—/66 (May missing) | 4/5/6 · 4/—/9 | 1/2/3 · 1/—/4 | 8/10/12 · 9/—/14 |

G's region row ends on 2025-06-30 (inclusive) and a 360102 row starts on 2025-07-01.

SEI shares: 3985 → 0.5 (2024, the latest ≤ 2025), 3922 → 0.2 (2025; the 2026 row 0.9 is not yet valid).
Deflators (PPI YTD, previous year = 100): 2025-06: division 39 → 98.0, 32 → 105.0; 2025-04: 39 → 99.0 only.

Expected (worked by hand, 万元):
- 2025-06 single month: A 400−330 = 70, B 80, C 50, E 20 (entered in May: adjacent), F 20 = 240; G has
  April but not May → unknown; revenue_n = 5 of 6 reporters. Comparable A 70/60 (上年同期), B 80/100,
  C 50/40, F 20/15 = 220/215 (G out: its 2025 flow is unknown). The old rule took G's June as
  66 − 44 = 22 against 60 − 50 = 10 (+120 %) and gave 242/225.
  Last year's sample month: A 60, B 100, D 40, G 10 = 210.
- export June: A 70 − 55 = 15 (G unknown); prior A 60 − 50 = 10 → +50 %, n 1.
- R&D June: A 18 − 14 = 4, E 3 − 2 = 1 → 5; comparable A 4 / (15 − 12) = 4/3 (E has no prior), n 1.
- YTD 2025-06 value added: A 120, B 130, C 50, E 10, F 60, G 14 = 384. SEI: true E 10; 3985 A 0.5·120 =
  60; 3922 B 0.2·130 = 26; F (4411, partial, no share) 60 unknown → low 96/384, high 156/384,
  estimate (96 + 30)/384; a 28 % target lies inside the bounds (undetermined).
- Constant prices 2025-06 (YTD): C = firms with VA now and a year ago: A 120/108, B 130/120 (39),
  G 14/12 (32): nominal 264/240 − 1 = 10 %; real (120/0.98 + 130/0.98 + 14/1.05)/240 − 1 = 11.848 %.
  2025-04: only G reports (9 vs 8): nominal 12.5 %; no deflator for 32 in April → real None.
- valid_to inclusive: on 2025-06-30 G is in 360402, on 2025-07-01 in 360102; city 360400's June YTD
  revenue = C 250 + G 66 = 316.
- Exact money: H, I, J (360104) report only for 2025-09 ("2025年1-9月", in 元): 0.10, 0.20, 0.30 yuan.
  The exact sum is 0.60 yuan; summed as binary floats 0.1 + 0.2 + 0.3 = 0.6000000000000001.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from chainbrain.analytics.indicators import evaluate, evaluate_one
from chainbrain.analytics.panel import evaluate_periods
from chainbrain.analytics.registry import REGISTRY
from chainbrain.analytics.scope import members
from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file
from test_monitor_data import ENGINES, MON_HEAD, WAN, load, spark, spark_available, write_csv  # noqa: F401

A = pytest.approx
UG = make("360402", 7100)
UHIJ = [make("360104", 7101 + i) for i in range(3)]
G_REPORTS = [  # period, revenue, profit, value_added, export, rd
    ("2024-04", 40, 1, 8, 4, 1), ("2024-05", 50, 1, 10, 5, 2), ("2024-06", 60, 1, 12, 6, 3),
    ("2025-04", 44, 1, 9, 4, 1), ("2025-06", 66, 1, 14, 9, 4)]
SEI = [["行业代码", "年度", "战略性新兴产业增加值占比"], ["3985", "2024", "0.5"], ["3922", "2025", "0.2"],
       ["3922", "2026", "0.9"]]
PPI = [["行业大类代码", "报告期", "工业生产者出厂价格指数"], ["39", "2025年1-6月", "98.0"], ["32", "2025-06", "105"],
       ["39", "2025年1—4月", "99"]]


def w(x):
    return x * WAN


def _load_more(store, tmp) -> None:
    load(store, tmp)
    steps = [("enterprises", [["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员"],
                              [UG, "江西测庚冶炼有限公司", "360402", "3211", "2015-01-01", "60"]], None),
             ("monthly", [MON_HEAD] + [[UG, p, r, pr, "", "", va, ex, rd, "60"]
                                       for p, r, pr, va, ex, rd in G_REPORTS], "万元"),
             ("sei-shares", SEI, None), ("deflators", PPI, None),
             ("enterprises", [["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员"]]
              + [[u, f"江西测{n}精密有限公司", "360104", "3985", "2015-01-01", "10"] for u, n in zip(UHIJ, "辛壬癸")],
              None),
             ("monthly", [["统一社会信用代码", "报告期", "营业收入", "利润总额"]]
              + [[u, "2025年1-9月", v, "0"] for u, v in zip(UHIJ, ("0.10", "0.20", "0.30"))], "元")]
    for kind, rows, unit in steps:
        res = import_file(store, kind, write_csv(tmp / f"more-{kind}.csv", rows), unit=unit)
        assert res.status == "loaded", (kind, [i.line() for i in res.issues.items])
    with store.begin() as c:
        gid = c.execute(sa.text(f"SELECT id FROM enterprise WHERE uscc = '{UG}'")).scalar()
        c.execute(sa.text(f"UPDATE enterprise_attr SET valid_to = DATE '2025-06-30' WHERE enterprise_id = {gid} "
                          "AND attr = 'region_code'"))
        c.execute(sa.text("INSERT INTO enterprise_attr (enterprise_id, attr, attr_value, valid_from, valid_to, "
                          f"batch_id, revision) VALUES ({gid}, 'region_code', '360102', DATE '2025-07-01', NULL, 1, 1)"))


@pytest.fixture(scope="module", params=ENGINES)
def xstore(request, tmp_path_factory):
    from conftest import new_db

    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    tmp = tmp_path_factory.mktemp(f"measures-{request.param}")
    if request.param == "pyspark" and not spark_available():
        raise RuntimeError("pyspark or Java is missing: `make test` installs both")
    store = open_store(new_db("duckdb" if request.param == "pyspark" else request.param, tmp, request))
    init_store(store)
    _load_more(store, tmp)
    if request.param == "pyspark":
        from chainbrain.analytics.engines import to_pyspark
        yield to_pyspark(store, request.getfixturevalue("spark"))
    else:
        yield store
    store.close()


def test_single_month_with_a_missing_report(xstore):
    m = evaluate_one(xstore, "2025-06", basis="month")
    assert m["above_scale_count"] == 6 and m["revenue_n"] == 5
    assert m["revenue"] == A(w(240)) and m["revenue_prev"] == A(w(210))
    assert m["revenue_comparable_current"] == A(w(220)) and m["revenue_comparable_base"] == A(w(215))
    assert m["revenue_yoy"] == A(220 / 215 - 1) and m["revenue_yoy_n"] == 4
    assert m["export"] == A(w(15)) and m["export_yoy"] == A(0.5) and m["export_yoy_n"] == 1
    assert m["rd_expense"] == A(w(5)) and m["rd_expense_yoy"] == A(4 / 3 - 1) and m["rd_expense_yoy_n"] == 1
    ytd = evaluate_one(xstore, "2025-06")
    assert ytd["revenue"] == A(w(1406)) and ytd["revenue_n"] == 6


def test_sei_bounds_with_loaded_shares(xstore):
    r = evaluate_one(xstore, "2025-06")
    assert r["value_added"] == A(w(384))
    assert r["sei_va_share_low"] == A(96 / 384) and r["sei_va_share_high"] == A(156 / 384)
    assert r["sei_va_share"] == A(126 / 384) and r["sei_partial_count"] == 3
    assert r["sei_va_share_low"] < 0.28 <= r["sei_va_share_high"]          # straddles a 28 % target
    assert "sei_partial_count" in REGISTRY and r["sei_partial_count_n"] == 6


def test_constant_prices(xstore):
    r = evaluate_one(xstore, "2025-06")
    assert r["value_added_yoy"] == A(264 / 240 - 1) and r["value_added_yoy_n"] == 3
    assert r["value_added_yoy_real"] == A((120 / 0.98 + 130 / 0.98 + 14 / 1.05) / 240 - 1)
    assert r["value_added_yoy_real_n"] == 3
    apr = evaluate_one(xstore, "2025-04")
    assert apr["value_added_yoy"] == A(9 / 8 - 1) and apr["value_added_yoy_real"] is None
    assert evaluate_one(xstore, "2025-06", basis="month")["value_added_yoy_real"] is None
    assert REGISTRY["value_added_yoy"].price_basis.startswith("现价")
    assert REGISTRY["value_added_yoy_real"].price_basis.startswith("可比价")
    assert "可比价" not in REGISTRY["value_added_yoy"].name_zh


def test_panel_agrees(xstore):
    rec = evaluate_periods(xstore, ["2025-06"], bys=("all", "city"))["2025-06"]
    one = evaluate_one(xstore, "2025-06")
    for k in ("sei_va_share", "sei_va_share_low", "sei_va_share_high", "value_added_yoy_real", "revenue"):
        assert rec["all"][0][k] == A(one[k], rel=1e-12), k
    city = {r["key"]: r for r in rec["city"]}
    assert city["360400"]["revenue"] == A(w(316))


def test_valid_to_is_inclusive(xstore):
    def county(date):
        m = members(xstore, date, by="county").execute()
        return dict(zip(m["enterprise_id"], m["key"]))
    on, after = county(dt.date(2025, 6, 30)), county(dt.date(2025, 7, 1))
    moved = {e for e in on if on[e] != after.get(e)}
    assert len(moved) == 1 and on[moved.pop()] == "360402"
    assert "360102" in set(after.values())
    city = {r["key"]: r for r in evaluate(xstore, "2025-06", "city")}
    assert city["360400"]["revenue"] == A(w(316))


# ------------------------------------------------------------------ display rounding: half up (四舍五入)

def test_half_up_display_boundaries():
    from chainbrain.web import format as fmt
    from chainbrain.web.render import cell_text, wan

    assert fmt.pct(0.0905) == "9.1%" and fmt.pct(-0.0905) == "-9.1%"       # binary .1f gives 9.0 %
    assert fmt.pct(0.09049) == "9.0%" and fmt.pct(0.1095) == "11.0%" and fmt.pct(0.00049) == "0.0%"
    assert fmt.pct(-0.0004) == "0.0%"                                      # no "-0.0%"
    assert fmt.yi(1_234_567_500_000) == "12,345.68" and fmt.yi(1_234_567_499_999) == "12,345.67"
    assert fmt.yi(-1_234_567_500_000) == "-12,345.68"
    assert fmt.fen(1.005) == 1.01 and fmt.fen(2.675) == 2.68 and fmt.fen(None) is None
    assert wan(12_345) == "1.23" and wan(12_350) == "1.24"                # 1.235 万元 → 1.24
    assert cell_text(2.675, "num") == "2.68"


def test_money_sums_are_exact_on_every_path(xstore):
    from decimal import Decimal

    assert 0.1 + 0.2 + 0.3 != 0.6                     # what a float sum gives: the test can fail
    exact = float(Decimal("0.10") + Decimal("0.20") + Decimal("0.30"))
    one = evaluate_one(xstore, "2025-09")
    assert one["above_scale_count"] == 3 and one["revenue"] == exact and repr(one["revenue"]) == "0.6"
    assert evaluate_one(xstore, "2025-09", region="360104")["revenue"] == exact
    panel = evaluate_periods(xstore, ["2025-09"], bys=("all", "county"))["2025-09"]
    assert panel["all"][0]["revenue"] == exact
    assert {r["key"]: r["revenue"] for r in panel["county"]} == {"360104": exact}
    # the two paths agree to the last digit on every money figure of a real period too
    p6 = evaluate_periods(xstore, ["2025-06"], bys=("all",))["2025-06"]["all"][0]
    e6 = evaluate_one(xstore, "2025-06")
    for k in ("revenue", "revenue_prev", "revenue_comparable_current", "revenue_comparable_base", "profit",
              "value_added", "export", "rd_expense"):
        assert p6[k] == e6[k], k
    from chainbrain.analytics.kpi import kpi                 # the KPI's revenue is the same number
    assert kpi(xstore, "2025-09")["revenue_ytd_yuan"] == exact
    assert kpi(xstore, "2025-06")["revenue_ytd_yuan"] == e6["revenue"]


# ------------------------------------------------------------------ periods and the two import kinds

def test_period_labels():
    from chainbrain.periods import PeriodError, parse_period

    for text, label, month in (("2024年1-2月", "2024-02", 2), ("2024年1—2月", "2024-02", 2),
                               ("2024年1–10月", "2024-10", 10), ("2024年1~10月", "2024-10", 10),
                               ("2024年1至6月", "2024-06", 6), ("2024年10月", "2024-10", 10),
                               ("2024/05", "2024-05", 5), ("2024年一季度", "2024-Q1", 3),
                               ("2024年第三季度", "2024-Q3", 9), ("2024年上半年", "2024-Q2", 6),
                               ("2024年前三季度", "2024-Q3", 9), ("2024年全年", "2024", 12), ("2024年", "2024", 12),
                               ("2024-02", "2024-02", 2), ("2024-Q4", "2024-Q4", 12), ("2024", "2024", 12)):
        p = parse_period(text)
        assert (p.label, p.year, p.month) == (label, 2024, month), text
    for bad in ("2024年3-5月", "2024年1月", "2024年1-1月", "2024年1-13月", "2024年五季度", "2024Q1"):
        with pytest.raises(PeriodError) as e:
            parse_period(bad)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e.value)) and any(ch.isascii() and ch.isalpha()
                                                                                for ch in str(e.value))


def test_import_kinds_refuse_bad_rows(duck_store, tmp_path):
    sei = write_csv(tmp_path / "sei.csv", [["行业代码", "年度", "占比"], ["3985", "2025", "0.35"],
                                            ["3211", "2025", "0.4"], ["3922", "2025", "35"], ["3985", "2025", "0.3"]])
    res = import_file(duck_store, "sei-shares", sei)
    assert res.status == "rejected"
    rules = {(i.row, i.rule) for i in res.issues.errors}
    assert rules == {(3, "sei_not_partial"), (4, "share_range"), (5, "duplicate")}
    assert all(i.column for i in res.issues.errors) and "0–1" in next(
        i.line() for i in res.issues.errors if i.rule == "share_range")
    ppi = write_csv(tmp_path / "ppi.csv", [["行业大类代码", "报告期", "PPI"], ["C39", "2025年1-3月", "98.7"],
                                            ["99", "2025-03", "101"], ["32", "2025-03", "1.05"],
                                            ["32", "2025年3-5月", "101"]])
    res = import_file(duck_store, "deflators", ppi)
    assert {(i.row, i.rule) for i in res.issues.errors} == {(3, "division_unknown"), (4, "ppi_range"), (5, "period")}
    with duck_store.engine.connect() as c:                              # all-or-nothing
        assert c.execute(sa.text("SELECT COUNT(*) FROM sei_share")).scalar() == 0
        assert c.execute(sa.text("SELECT COUNT(*) FROM price_index")).scalar() == 0
    ok = write_csv(tmp_path / "ok.csv", [["division", "period", "ppi_ytd"], ["C39", "2025年1-3月", "98.7"]])
    assert import_file(duck_store, "deflators", ok).status == "loaded"
    with duck_store.engine.connect() as c:
        assert c.execute(sa.text("SELECT division, year, month, ppi_ytd FROM price_index")).fetchall() == [
            ("39", 2025, 3, 98.7)]


def test_cli_accepts_the_bureaus_period_labels(duck_store):
    import json

    from typer.testing import CliRunner

    from chainbrain.cli import app

    db = duck_store.db
    duck_store.close()
    res = CliRunner().invoke(app, ["kpi", "--db", db, "--period", "2025年1-6月", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["period"] == "2025-06"
    res = CliRunner().invoke(app, ["kpi", "--db", db, "--period", "2025年3-5月", "--format", "json"])
    assert res.exit_code != 0 and "Traceback" not in res.output and "期间须为1月至N月累计" in res.output
