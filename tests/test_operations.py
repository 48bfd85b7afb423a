"""The department's indicator set on DuckDB, PostgreSQL and PySpark, with hand-computed values (tests/ops_data.py).

Also: size-class boundaries (exactly at each threshold), rankings with ties, the importer's errors for the
new fields (bilingual, naming file, row and column), the power import, the registry and docs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from chainbrain.analytics.breakdowns import divisions, growth_breadth, rank, rank_regions, structure
from chainbrain.analytics.operations import operations_many, operations_one, period_days
from chainbrain.analytics.sizes import classify, size_classes
from chainbrain.ingest.load import import_file
from chainbrain.periods import parse_period
from ops_data import U, load, write_csv
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401

A = pytest.approx
W = 10_000          # yuan per 万元


@pytest.fixture(scope="module", params=ENGINES)
def ostore(request, tmp_path_factory):
    query, store = engine_store(request.param, tmp_path_factory.mktemp(f"ops-{request.param}"), request, load)
    yield query
    store.close()


# ------------------------------------------------------------------ amounts, ratios, turnover days

def test_amounts_and_comparable_growth(ostore):
    r = operations_one(ostore, "2025-06")
    assert r["enterprises"] == 5 and r["days"] == 181
    assert r["gross_output"] == A(64420 * W) and r["gross_output_n"] == 5
    assert r["gross_output_base"] == A(56600 * W) and r["gross_output_yoy"] == A(64100 / 56600 - 1)
    assert r["gross_output_yoy_n"] == 4
    assert r["sales_output"] == A(62800 * W) and r["sales_output_yoy"] == A(62500 / 55000 - 1)
    assert r["cost"] == A(58180 * W) and r["cost_yoy"] == A(57900 / 48800 - 1)
    assert r["main_business_revenue"] == A(49000 * W) and r["main_business_revenue_n"] == 1
    assert r["main_business_revenue_yoy"] == A(49000 / 39500 - 1)
    assert r["assets"] == A(134000 * W) and r["assets_yoy"] == A(133000 / 119800 - 1)
    assert r["liabilities"] == A(79900 * W)
    assert r["receivables"] == A(14450 * W) and r["receivables_yoy"] == A(14400 / 12700 - 1)
    assert r["finished_goods"] == A(5720 * W) and r["finished_goods_yoy"] == A(5700 / 4650 - 1)
    assert r["employees_avg"] == A(1429) and r["employees_avg_yoy"] == A(1410 / 1353 - 1)
    assert r["export_yoy"] == A(0.25)              # the form's 上年同期 (800), not a missing own report


def test_ratios(ostore):
    r = operations_one(ostore, "2025-06")
    assert r["sales_rate"] == A(62800 / 64420) and r["sales_rate_n"] == 5
    assert r["sales_rate_base"] == A(55000 / 56600) and r["sales_rate_base_n"] == 4
    assert r["sales_rate_change"] == A(62800 / 64420 - 55000 / 56600)
    assert r["cost_per_100"] == A(100 * 58180 / 67300) and r["cost_per_100_base"] == A(100 * 48800 / 57500)
    assert r["cost_per_100_change"] == A(100 * 58180 / 67300 - 100 * 48800 / 57500)
    assert r["profit_margin"] == A(2770 / 67300) and r["profit_margin_base"] == A(2800 / 57500)
    assert r["debt_ratio"] == A(79900 / 134000) and r["debt_ratio_base"] == A(69700 / 119800)
    assert r["debt_ratio_change_n"] == 4


def test_loss_amount_and_its_growth(ostore):
    r = operations_one(ostore, "2025-06")
    assert r["loss_amount"] == A(630 * W) and r["loss_amount_n"] == 3
    assert r["loss_amount_base"] == A(200 * W) and r["loss_amount_base_n"] == 1
    assert r["loss_amount_yoy"] == A(600 / 200 - 1) and r["loss_amount_yoy_n"] == 1


def test_turnover_days(ostore):
    r = operations_one(ostore, "2025-06")
    assert r["receivable_days"] == A(12200 / 65000 * 181) and r["receivable_days_n"] == 3      # C, E: no 期初
    assert r["receivable_days_prev"] == A(10350 / 52000 * 182) and r["receivable_days_prev_n"] == 2
    assert r["receivable_days_change"] == A(12200 / 65000 * 181 - 10350 / 52000 * 182)
    assert r["finished_goods_days"] == A(4750 / 56000 * 181)
    assert r["finished_goods_days_prev"] == A(4100 / 44000 * 182)


def test_electricity_and_intensity(ostore):
    r = operations_one(ostore, "2025-06")
    assert r["power"] == A(21e6) and r["power_n"] == 3                    # C (5 of 6 months) left out
    assert r["power_yoy"] == A(18e6 / 16.2e6 - 1) and r["power_yoy_n"] == 2   # B's 2024 incomplete
    assert r["power_base"] == A(16.2e6)
    assert r["energy_per_va"] == A(21e6 / (12000 + 2000 + 2500)) and r["energy_per_va_n"] == 3


# ------------------------------------------------------------------ groupings

def test_divisions_and_growth_breadth(ostore):
    d = divisions(ostore, "2025-06", min_n=1)
    rows = {r["key"]: r for r in d["rows"]}
    assert rows["39"]["value_added_yoy"] == A(0.2) and rows["32"]["value_added_yoy"] == A(-0.2)
    assert rows["44"]["value_added_yoy"] == A(0.25) and rows["33"]["value_added_yoy"] is None
    assert rows["39"]["name"] == "计算机、通信和其他电子设备制造业"
    assert (d["divisions_counted"], d["divisions_growing"]) == (3, 2) and d["growth_breadth"] == A(2 / 3)
    assert d["growing"] == ["39", "44"]
    safe = divisions(ostore, "2025-06")                        # default: only divisions from ≥ 3 firms
    assert safe["growth_breadth"] is None and safe["divisions_counted"] == 0


def test_hightech_and_equipment(ostore):
    s = structure(ostore, "2025-06")
    assert s["value_added"] == A(17060 * W)
    assert s["hightech_value_added"] == A(12060 * W) and s["hightech_va_share"] == A(12060 / 17060)
    assert s["hightech_va_yoy"] == A(0.2) and s["hightech_va_yoy_n"] == 1
    assert s["equipment_value_added"] == A(12500 * W) and s["equipment_va_share"] == A(12500 / 17060)
    assert s["equipment_revenue_yoy"] == A(52000 / 41500 - 1) and s["equipment_revenue_yoy_n"] == 2


def test_size_classes_grouping(ostore):
    rows = {r["key"]: r for r in operations_many(ostore, "2025-06", ("size",))["size"]}
    assert {k: r["enterprises"] for k, r in rows.items()} == {"large": 1, "medium": 2, "small": 1, "micro": 1}
    assert rows["medium"]["gross_output"] == A((9000 + 5000) * W)
    assert rows["micro"]["value_added"] == A(60 * W)


def test_rankings(ostore):
    cities = rank_regions(ostore, "2025-06", "city", "revenue")
    assert [(r["key"], r["rank"]) for r in cities] == [("360400", 1), ("360100", 2)]
    assert cities[1]["value"] == A(65000 / 56000 - 1) and cities[1]["rank_n"] == 3
    counties = rank_regions(ostore, "2025-06", "county", "revenue")
    assert [(r["key"], r["rank"]) for r in counties] == [("360402", 1), ("360103", 2), ("360102", 3)]
    va = rank_regions(ostore, "2025-06", "city")               # value added: 九江 has no comparable VA
    assert [(r["key"], r["rank"]) for r in va] == [("360100", 1), ("360400", None)]


# ------------------------------------------------------------------ pure rules

def test_size_class_boundaries():
    th = size_classes()
    assert [t[0] for t in th] == ["large", "medium", "small", "micro"]
    cases = [  # (revenue yuan, employees) → class; each bound exactly, and one unit below
        ((4e8, 1000), "large"), ((4e8 - 1, 1000), "medium"), ((4e8, 999), "medium"),
        ((2e7, 300), "medium"), ((2e7 - 1, 300), "small"), ((2e7, 299), "small"),
        ((3e6, 20), "small"), ((3e6 - 1, 20), "micro"), ((3e6, 19), "micro"),
        ((1e10, 5), "micro"), ((0, 0), "micro"), ((None, 10), "unclassified")]
    for (rev, emp), want in cases:
        assert classify(rev, emp, th) == want, (rev, emp)


def test_rank_ties_and_missing():
    rows = [{"key": "a", "v": 0.1, "v_n": 3}, {"key": "b", "v": 0.2, "v_n": 4}, {"key": "c", "v": 0.1, "v_n": 5},
            {"key": "d", "v": None, "v_n": 0}, {"key": "e", "v": -0.1, "v_n": 3}]
    out = rank(rows, "v")
    assert [(r["key"], r["rank"]) for r in out] == [("b", 1), ("a", 2), ("c", 2), ("e", 4), ("d", None)]
    assert out[0]["rank_of"] == 4 and out[2]["rank_n"] == 5


def test_growth_breadth_rule():
    rows = [{"key": "13", "value_added_yoy": 0.0, "value_added_yoy_n": 3},     # zero is not growth
            {"key": "14", "value_added_yoy": 0.01, "value_added_yoy_n": 3},
            {"key": "15", "value_added_yoy": 0.5, "value_added_yoy_n": 2},      # too few firms: not counted
            {"key": "17", "value_added_yoy": None, "value_added_yoy_n": 0}]
    g = growth_breadth(rows)
    assert (g["divisions_counted"], g["divisions_growing"], g["growth_breadth"]) == (2, 1, 0.5)


def test_period_days():
    assert period_days(parse_period("2025-02")) == 59 and period_days(parse_period("2024-02")) == 60
    assert period_days(parse_period("2025-12")) == 365 and period_days(parse_period("2025-Q2")) == 181


def test_period_days_convention_from_the_pack():
    """The turnover-day D is pack data ([turnover] days, unsourced [K]): calendar days by default, or
    30 a month; anything else is refused with a bilingual message; the page marks both conventions."""
    from chainbrain.analytics.sizes import classifications
    from chainbrain.web.operations_page import unsourced_notes

    class Pack:                                        # the pack's classifications with another convention
        def __init__(self, days):
            self.c = {**classifications(), "turnover": {**classifications()["turnover"], "days": days}}

        def _toml(self, key):
            return self.c

    assert classifications()["turnover"]["days"] == "calendar" and classifications()["turnover"]["sourced"] is False
    assert period_days(parse_period("2025-06"), Pack("month30")) == 180
    assert period_days(parse_period("2025-02"), Pack("month30")) == 60
    with pytest.raises(ValueError, match="calendar or month30"):
        period_days(parse_period("2025-06"), Pack("weeks"))
    notes = {n["key"]: n["note"] for n in unsourced_notes("zh")}
    assert set(notes) == {"equipment", "turnover"} and all(v.startswith("[K]") for v in notes.values())


# ------------------------------------------------------------------ import

def _enterprises(store, tmp):
    from ops_data import ENTERPRISES
    assert import_file(store, "enterprises", write_csv(tmp / "e.csv", ENTERPRISES)).status == "loaded"


def test_import_errors_for_form_fields(store_any, tmp_path):
    _enterprises(store_any, tmp_path)
    rows = [["统一社会信用代码", "报告期", "营业收入", "利润总额", "资产总计", "应收账款", "产成品存货", "从业人员平均人数"],
            [U["A"], "2025-06", "100", "5", "500", "600", "10", "12"],       # row 2: receivables > assets
            [U["B"], "2025-06", "100", "5", "500", "100", "501", "-3"]]       # row 3: inventory > assets; negative
    path = write_csv(tmp_path / "bad.csv", rows)
    res = import_file(store_any, "monthly", path, unit="万元")
    assert res.status == "rejected"
    errs = {(i.row, i.column, i.rule): i for i in res.issues.errors}
    assert set(errs) == {(2, "应收账款", "exceeds_assets"), (3, "产成品存货", "exceeds_assets"),
                         (3, "从业人员平均人数", "negative")}
    line = errs[(2, "应收账款", "exceeds_assets")].line()
    assert "bad.csv" in line and "row 2" in line and "应收账款(期末)大于资产总计" in line and "exceeds total assets" in line
    with store_any.engine.connect() as c:                    # all-or-nothing
        assert c.execute(sa.text("SELECT COUNT(*) FROM monthly_report")).scalar() == 0


def test_main_business_revenue_and_average_employees_are_their_own_fields(store_any, tmp_path):
    _enterprises(store_any, tmp_path)
    only_mbr = [["统一社会信用代码", "报告期", "主营业务收入", "利润总额"], [U["A"], "2025-06", "100", "5"]]
    res = import_file(store_any, "monthly", write_csv(tmp_path / "mbr.csv", only_mbr), unit="万元")
    assert res.status == "rejected"
    assert [(i.rule, i.column) for i in res.issues.errors] == [("missing_column", "revenue_ytd")]
    both = [["统一社会信用代码", "报告期", "营业收入", "主营业务收入", "利润总额", "从业人员", "从业人员平均人数"],
            [U["A"], "2025-06", "100", "90", "5", "120", "110"]]
    assert import_file(store_any, "monthly", write_csv(tmp_path / "ok.csv", both), unit="万元").status == "loaded"
    with store_any.engine.connect() as c:
        row = c.execute(sa.text("SELECT revenue_ytd, main_business_revenue_ytd, employees, employees_avg "
                                "FROM monthly_report")).one()
    assert (float(row[0]), float(row[1]), row[2], row[3]) == (1_000_000.0, 900_000.0, 120, 110)


def test_power_import_errors_and_revisions(store_any, tmp_path):
    _enterprises(store_any, tmp_path)
    bad = [["统一社会信用代码", "月份", "工业用电量"], [U["A"], "2025-13", "5"], [U["A"], "2025-01", "-1"],
           [U["A"], "2025-02", "7"], [U["A"], "2025-02", "8"]]
    res = import_file(store_any, "power", write_csv(tmp_path / "pw.csv", bad))
    assert res.status == "rejected"
    got = sorted((i.row, i.column, i.rule) for i in res.issues.errors)
    assert got == [(2, "月份", "period"), (3, "工业用电量", "negative"), (5, "统一社会信用代码", "duplicate")]
    period = next(i for i in res.issues.errors if i.rule == "period")
    assert "报告期无效" in period.message_zh and "invalid period" in period.message_en
    good = [["统一社会信用代码", "月份", "工业用电量"], [U["A"], "2025年1月", "5"], [U["A"], "2025-02", "7"]]
    assert import_file(store_any, "power", write_csv(tmp_path / "pw2.csv", good)).status == "loaded"
    again = [["统一社会信用代码", "月份", "工业用电量"], [U["A"], "2025-02", "9"]]
    res = import_file(store_any, "power", write_csv(tmp_path / "pw3.csv", again))
    assert (res.status, res.updated) == ("loaded", 1)
    with store_any.engine.connect() as c:
        rows = c.execute(sa.text("SELECT month, kwh, revision FROM power_use ORDER BY month, revision")).all()
    assert [tuple(r) for r in rows] == [(1, 5.0, 1), (2, 7.0, 1), (2, 9.0, 2)]


# ------------------------------------------------------------------ registry and docs

def test_registry_lists_every_key_and_docs_state_them():
    from chainbrain.analytics.registry import list_indicators
    from chainbrain.analytics.operations_registry import OPERATIONS_REGISTRY
    keys = {r["key"] for r in list_indicators()}
    assert set(OPERATIONS_REGISTRY) <= keys
    docs = (Path(__file__).resolve().parents[1] / "docs" / "monitoring.md").read_text(encoding="utf-8")
    missing = [k for k in OPERATIONS_REGISTRY if f"| `{k}` |" not in docs]
    assert not missing, missing


def test_every_registered_value_is_computed(tmp_path):
    from chainbrain.analytics.operations_registry import OPERATIONS_REGISTRY
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store
    store = open_store(str(tmp_path / "o.duckdb"))
    init_store(store)
    load(store, tmp_path)
    rec = operations_one(store, "2025-06")
    s = structure(store, "2025-06")
    d = divisions(store, "2025-06")
    have = set(rec) | set(s) | set(d) | {"rank"}
    missing = [k for k in OPERATIONS_REGISTRY if k not in have]
    assert not missing, missing
    for k in OPERATIONS_REGISTRY:
        if k in rec:
            assert f"{k}_n" in rec, k
    store.close()


def test_cli_operations(tmp_path):
    import json

    from typer.testing import CliRunner

    from chainbrain.cli import app
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store
    db = str(tmp_path / "cli.duckdb")
    with open_store(db) as store:
        init_store(store)
        load(store, tmp_path)
    run = CliRunner()
    r = run.invoke(app, ["operations", "--db", db, "--period", "2025-06", "--by", "division", "-f", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {x["key"] for x in out["rows"]} >= {"39", "32", "44"} and out["growth_breadth"]["divisions_counted"] == 0
    r = run.invoke(app, ["operations", "--db", db, "--period", "2025-06", "--rank", "county", "--measure", "revenue",
                         "-f", "csv"])
    assert r.exit_code == 0 and r.output.splitlines()[1].startswith("1,360402,")
    r = run.invoke(app, ["operations", "--db", db, "--period", "2025-13"])
    assert r.exit_code == 2 and "月份应为" in r.output
