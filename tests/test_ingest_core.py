"""Imports on both engines: readers, header matching, validation, all-or-nothing, revisions, CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainbrain.catalog.uscc import make
from chainbrain.cli import ingest as cli
from chainbrain.ingest.load import import_file
from chainbrain.ingest.templates import write_template

U = [make("360102", 1000 + i) for i in range(6)]
ENT_HEAD = ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"]
ENTS = [
    [U[0], "江西甲铜箔科技有限公司", "360102", "3985", "2010-03-01", "120", "电子铜箔；覆铜板"],
    [U[1], "南昌乙锂电池有限公司", "南昌县", "3841", "2015/6/1", "300", "锂离子电池"],
    [U[2], "赣州丙稀土材料有限公司", "360782", "3240", "20080101", "80", ""],   # retired code → 360703
]


def write_csv(path: Path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def count(store, table):
    with store.engine.connect() as c:
        return c.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()


def data_counts(store):
    return {t: count(store, t) for t in ("enterprise", "enterprise_attr", "enterprise_segment", "monthly_report",
                                         "annual_report", "supply_link", "designation")}


@pytest.fixture
def loaded(store_any, tmp_path):
    res = import_file(store_any, "enterprises", write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS]))
    assert res.status == "loaded", [i.line() for i in res.issues.items]
    return store_any


def test_enterprises_csv_new_then_unchanged(loaded, tmp_path):
    store = loaded
    assert count(store, "enterprise") == 3
    with store.engine.connect() as c:
        assert c.execute(sa.text(f"SELECT region_code FROM enterprise WHERE uscc='{U[2]}'")).scalar() == "360703"
        assert c.execute(sa.text(f"SELECT region_code FROM enterprise WHERE uscc='{U[1]}'")).scalar() == "360121"
    before = data_counts(store)
    res = import_file(store, "enterprises", write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS]))
    assert (res.new, res.updated, res.unchanged) == (0, 0, 3)
    assert data_counts(store) == before
    # a moved enterprise: updated in place, region history kept
    rows = [r[:] for r in ENTS]
    rows[0][2] = "360111"
    res = import_file(store, "enterprises", write_csv(tmp_path / "e2.csv", [ENT_HEAD, *rows]))
    assert (res.new, res.updated, res.unchanged) == (0, 1, 2)
    with store.engine.connect() as c:
        hist = c.execute(sa.text("SELECT attr_value, valid_to IS NULL FROM enterprise_attr a JOIN enterprise e "
                                 f"ON e.id=a.enterprise_id WHERE e.uscc='{U[0]}' AND attr='region_code' ORDER BY 2")).fetchall()
    assert [(v, bool(o)) for v, o in hist] == [("360102", False), ("360111", True)]


def test_retired_region_is_a_warning(store_any, tmp_path):
    res = import_file(store_any, "enterprises", write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS]))
    assert [i.rule for i in res.issues.warnings] == ["region_retired"]


def test_every_error_at_once_and_nothing_changes(loaded, tmp_path):
    store = loaded
    before = data_counts(store)
    bad = [ENT_HEAD,
           [U[3][:17] + ("0" if U[3][17] != "0" else "1"), "坏校验位", "360102", "3985", "2010-01-01", "5", ""],
           [U[4], "未知区划", "369999", "3985", "2010-01-01", "5", ""],
           [U[5], "未知行业", "360102", "9999", "2010-13-01", "-3", ""],
           [U[0], "", "360102", "3985", "2010-01-01", "abc", ""]]
    res = import_file(store, "enterprises", write_csv(tmp_path / "bad.csv", bad), errors_path=tmp_path / "err.csv")
    assert res.status == "rejected"
    rules = {(i.row, i.rule) for i in res.issues.errors}
    assert {(2, "uscc"), (3, "region_unknown"), (4, "industry_unknown"), (4, "date"), (4, "negative"),
            (5, "required"), (5, "integer")} <= rules
    first = next(i for i in res.issues.errors if i.rule == "uscc")
    assert first.column == "统一社会信用代码" and first.file.endswith("bad.csv") and "校验" in first.message_zh
    assert data_counts(store) == before
    with open(tmp_path / "err.csv", encoding="utf-8-sig") as f:
        out = list(csv.reader(f))
    assert out[0][:7] == ENT_HEAD and out[0][-1] == "错误说明/errors" and len(out) == 5


def test_skip_invalid_loads_valid_rows(loaded, tmp_path):
    rows = [ENT_HEAD, [U[3], "新企业", "360102", "3985", "2010-01-01", "5", ""],
            [U[4], "坏区划", "369999", "3985", "2010-01-01", "5", ""]]
    res = import_file(loaded, "enterprises", write_csv(tmp_path / "e.csv", rows), skip_invalid=True,
                      errors_path=tmp_path / "rej.xlsx")
    assert res.status == "partial" and res.new == 1 and res.skipped == 1
    assert (tmp_path / "rej.xlsx").exists()
    with loaded.engine.connect() as c:
        assert c.execute(sa.text("SELECT status FROM import_batch ORDER BY id DESC")).scalar() == "partial"


MON_HEAD = ["统一社会信用代码", "报告期", "营业收入", "利润总额", "营业收入上年同期"]


def test_monthly_units_revisions_and_idempotence(loaded, tmp_path):
    store = loaded
    rows = [MON_HEAD, [U[0], "2024-02", "1,000", "-50", "900"], [U[0], "2024-03", "1500.5", "20", "1400"],
            [U[1], "2024-02", "300", "10", ""]]
    f = write_csv(tmp_path / "m.csv", rows, encoding="gb18030")
    res = import_file(store, "monthly", f)
    assert res.status == "rejected" and [i.rule for i in res.issues.errors] == ["unit_missing"]
    res = import_file(store, "monthly", f, unit="千元")
    assert (res.status, res.new) == ("loaded", 3)
    with store.engine.connect() as c:
        v = c.execute(sa.text(f"SELECT revenue_ytd, profit_ytd FROM monthly_report m JOIN enterprise e ON e.id=m.enterprise_id "
                              f"WHERE e.uscc='{U[0]}' AND month=3")).one()
    assert str(v[0]) == "1500500.00" and str(v[1]) == "20000.00"
    before = data_counts(store)
    res = import_file(store, "monthly", f, unit="千元")
    assert (res.new, res.updated, res.unchanged) == (0, 0, 3) and data_counts(store) == before
    rows[3][2] = "310"
    res = import_file(store, "monthly", write_csv(tmp_path / "m2.csv", rows), unit="千元")
    assert (res.new, res.updated, res.unchanged) == (0, 1, 2)
    with store.engine.connect() as c:
        revs = c.execute(sa.text("SELECT revision, revenue_ytd FROM monthly_report ORDER BY revision")).fetchall()
        assert len(revs) == 4 and revs[-1][0] == 2
        assert c.execute(sa.text("SELECT COUNT(*) FROM import_batch WHERE kind='monthly'")).scalar() == 4


def test_monthly_rules(loaded, tmp_path):
    store = loaded
    rows = [MON_HEAD, [U[0], "2024-02", "1000", "1", ""], [U[0], "2024-04", "900", "1", ""],  # YTD falls
            [U[0], "2024-02", "1000", "1", ""],                                               # duplicate
            [U[1], "2024-01", "5", "1", ""], [U[3], "2024-05", "5", "1", ""],                   # bad period, unknown
            [U[1], "2024-06", "x", "1", ""], [U[1], "2024-07", "-1", "-5", ""]]
    res = import_file(store, "monthly", write_csv(tmp_path / "m.csv", rows), unit="万元")
    got = {(i.row, i.rule) for i in res.issues.errors}
    assert {(3, "ytd_decrease"), (4, "duplicate"), (5, "period"), (6, "not_registered"), (7, "number"),
            (8, "negative")} <= got
    assert (8, "negative") in got and not any(r == 8 and i.column == "利润总额" for i in res.issues.errors for r in [i.row])


def test_unit_mistake_against_history(loaded, tmp_path):
    ok = import_file(loaded, "monthly", write_csv(tmp_path / "a.csv", [MON_HEAD, [U[0], "2024-02", "2000", "1", ""]]), unit="万元")
    assert ok.status == "loaded"
    res = import_file(loaded, "monthly", write_csv(tmp_path / "b.csv", [MON_HEAD, [U[0], "2024-03", "30000000", "1", ""]]), unit="元")
    assert res.status == "loaded"      # 3000万元 vs 2000万元 in 2 months: plausible
    res = import_file(loaded, "monthly", write_csv(tmp_path / "c.csv", [MON_HEAD, [U[0], "2024-04", "40000000", "1", ""]]), unit="万元")
    assert [i.rule for i in res.issues.errors] == ["unit_suspect"]


def test_xlsx_template_imports_unchanged(store_any, tmp_path):
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    t = write_template("enterprises", tmp_path / "t.xlsx")
    wb = CalamineWorkbook.from_path(str(t))
    assert wb.sheet_names == ["数据 data", "说明 fields"]
    head = wb.get_sheet_by_name("数据 data").to_python()[:2]
    # fill the template: same two header rows, then data
    out = tmp_path / "filled.xlsx"
    w = xlsxwriter.Workbook(str(out))
    ws = w.add_worksheet("数据 data")
    ws.write_row(0, 0, head[0])
    ws.write_row(1, 0, head[1])
    ws.write_row(2, 0, [U[0], "甲公司", 360102, 3985, "2010-03-01", 120])
    ws.write_row(3, 0, [U[1], "乙公司", "360121", "3841", None, None])
    w.close()
    res = import_file(store_any, "enterprises", out)
    assert res.status == "loaded" and res.new == 2, [i.line() for i in res.issues.items]
    # parquet with English keys
    pq.write_table(pa.table({"uscc": [U[2]], "name": ["丙"], "region_code": ["360703"], "industry_code": ["3240"],
                             "founded_on": pa.array([None], pa.date32()), "employees": [5]}), tmp_path / "e.parquet")
    assert import_file(store_any, "enterprises", tmp_path / "e.parquet").new == 1
    tc = write_template("monthly", tmp_path / "m.csv")
    assert tc.read_text(encoding="utf-8-sig").splitlines()[1].startswith("uscc,period")


def test_supply_with_partner_and_designations(loaded, tmp_path):
    rows = [["供方统一社会信用代码", "需方统一社会信用代码", "年度", "金额", "供方名称", "供方所在省份"],
            [U[0], U[1], "2023", "100", "", ""], ["", U[1], "2023", "50", "深圳某电子有限公司", "广东省"],
            ["", U[1], "2023", "50", "无名", ""]]
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="万元")
    assert [i.rule for i in res.issues.errors] == ["partner"]
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows[:3]), unit="万元")
    assert res.new == 2 and res.extra["partners_created"] == 1
    assert import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows[:3]), unit="万元").unchanged == 2
    d = [["统一社会信用代码", "认定类型", "认定级别", "认定日期", "有效期至"],
         [U[0], "专精特新小巨人", "国家级", "2023-07-01", "2026-06-30"], [U[1], "专精特新", "省级", "2023-01-01", "2022-01-01"]]
    res = import_file(loaded, "designations", write_csv(tmp_path / "d.csv", d))
    assert [i.rule for i in res.issues.errors] == ["date_order"]
    res = import_file(loaded, "designations", write_csv(tmp_path / "d.csv", d[:2]))
    assert res.new == 1


def _root():
    root = typer.Typer()
    root.add_typer(cli.import_app, name="import")
    root.command("template")(cli.template)
    root.add_typer(cli.map_app, name="map")
    root.add_typer(cli.export_app, name="export")
    return root


def test_cli_exit_codes_and_export(store_any, tmp_path):
    db = store_any.db
    store_any.close()
    r = CliRunner()
    root = _root()
    f = write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS])
    out = r.invoke(root, ["import", "enterprises", str(f), "--db", db])
    assert out.exit_code == 0, out.output
    assert "3 new, 0 updated, 0 unchanged" in out.output
    out = r.invoke(root, ["import", "enterprises", str(f), "--db", db])
    assert "0 new, 0 updated, 3 unchanged" in out.output
    bad = write_csv(tmp_path / "m.csv", [MON_HEAD, [U[0], "2024-13", "1", "1", ""]])
    out = r.invoke(root, ["import", "monthly", str(bad), "--db", db, "--unit", "元", "--errors", str(tmp_path / "x.csv")])
    assert out.exit_code == 2 and (tmp_path / "x.csv").exists()
    out = r.invoke(root, ["export", "enterprises", "--db", db, "--format", "csv", "--out", str(tmp_path / "o.csv")])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(open(tmp_path / "o.csv", encoding="utf-8-sig")))
    assert list(rows[0])[:8] == ["uscc", "name", "region_code", "industry_code", "above_scale", "industrial",
                                 "segments", "mapping_confidence"]
    cu = next(r_ for r_ in rows if r_["uscc"] == U[0])
    assert cu["segments"] and float(cu["mapping_confidence"]) > 0.5
    out = r.invoke(root, ["map", "explain", U[0], "--db", db])
    assert out.exit_code == 0 and "铜箔" in out.output
    out = r.invoke(root, ["template", "annual", "--out", str(tmp_path / "a.xlsx")])
    assert out.exit_code == 0 and (tmp_path / "a.xlsx").exists()
