"""``import external``: out-of-province candidate enterprises."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file
from chainbrain.ingest.mapping import explain
from chainbrain.ingest.templates import write_template

from test_ingest_core import count, data_counts, write_csv

HEAD = ["企业名称", "统一社会信用代码", "所在省份", "所在城市", "行业代码", "主要产品", "营业收入", "年度", "计量单位", "产业链环节"]
X1 = make("440300", 7001)
ROWS = [
    ["深圳某锂电池有限公司", X1, "广东省", "深圳市", "3841", "动力电池；储能电芯", "12.5", "2023", "亿元", ""],
    ["宁德某新能源材料有限公司", "", "福建", "宁德", "", "磷酸铁锂正极材料", "", "", "", "NE-U3"],
    ["无锡某光伏有限公司", "", "320000", "无锡", "3825", "光伏组件", "300000", "2023", "万元", "光伏组件"],
]


def test_external_loads_outside_the_province(store_any, tmp_path):
    f = write_csv(tmp_path / "x.csv", [HEAD, *ROWS])
    res = import_file(store_any, "external", f)
    assert res.status == "loaded" and res.new == 3, [i.line() for i in res.issues.items]
    with store_any.engine.connect() as c:
        got = {r[0]: r[1:] for r in c.execute(sa.text(
            "SELECT name, province_code, address, industry_code FROM enterprise ORDER BY id"))}
        rev = c.execute(sa.text("SELECT revenue FROM annual_report a JOIN enterprise e ON e.id = a.enterprise_id "
                                f"WHERE e.uscc = '{X1}' AND year = 2023")).scalar()
    assert got["深圳某锂电池有限公司"] == ("440000", "深圳市", "3841")
    assert got["宁德某新能源材料有限公司"][0] == "350000" and got["无锡某光伏有限公司"][0] == "320000"
    assert all(v[0] != "360000" for v in got.values())
    assert rev == Decimal("1250000000.00")
    # mapping from products, plus the stated segment as a manual assignment
    segs = {s["segment_code"]: s for s in explain(store_any, X1)["segments"]}
    assert any(code.startswith("NE-M1") for code in segs)
    with store_any.engine.connect() as c:
        man = c.execute(sa.text("SELECT e.name, s.segment_code FROM enterprise_segment s JOIN enterprise e "
                                "ON e.id = s.enterprise_id WHERE s.method = 'manual' ORDER BY 1")).fetchall()
    assert sorted(man) == [("宁德某新能源材料有限公司", "NE-U3"), ("无锡某光伏有限公司", "NE-M4")]
    # idempotent; a later change updates in place
    before = data_counts(store_any)
    res = import_file(store_any, "external", f)
    assert (res.new, res.updated, res.unchanged) == (0, 0, 3) and data_counts(store_any) == before
    rows = [r[:] for r in ROWS]
    rows[1][5] = "磷酸铁锂；三元前驱体"
    res = import_file(store_any, "external", write_csv(tmp_path / "x2.csv", [HEAD, *rows]))
    assert (res.new, res.updated, res.unchanged) == (0, 1, 2)
    assert count(store_any, "enterprise") == 3


def test_external_rules(store_any, tmp_path):
    bad = [HEAD,
           ["南昌某公司", "", "江西省", "南昌", "", "", "", "", "", ""],              # in-province
           ["某公司", "", "火星", "", "", "", "", "", "", ""],                        # unknown province
           ["甲公司", "", "广东", "", "", "", "5", "", "万元", ""],                   # revenue without year
           ["乙公司", "", "广东", "", "", "", "", "", "", "XX-9"],                   # unknown segment
           ["丙公司", "", "广东", "", "9999", "", "-1", "2023", "万元", ""],          # industry, negative
           ["丁公司", "", "浙江", "", "", "", "", "", "", ""], ["丁公司", "", "浙江", "", "", "", "", "", "", ""]]
    before = data_counts(store_any)
    res = import_file(store_any, "external", write_csv(tmp_path / "b.csv", bad))
    assert res.status == "rejected"
    got = {(i.row, i.rule) for i in res.issues.errors}
    assert {(2, "province_home"), (3, "province"), (4, "year_missing"), (5, "segment_unknown"),
            (6, "industry_unknown"), (6, "negative"), (8, "duplicate")} <= got
    assert data_counts(store_any) == before


def test_external_template_round_trip(duck_store, tmp_path):
    t = write_template("external", tmp_path / "t.csv")
    lines = t.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("name,province,uscc,city")
    with open(t, "a", encoding="utf-8") as f:
        f.write("杭州某电机有限公司,浙江省,,杭州,3812,永磁同步电机,,,,\n")
    res = import_file(duck_store, "external", t)
    assert res.status == "loaded" and res.new == 1, [i.line() for i in res.issues.items]
