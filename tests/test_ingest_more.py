"""Supply partners without USCC, designation validity, YTD ↔ month helpers, blank-line row numbers."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given, settings, strategies as st

from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file
from chainbrain.ingest.ytd import month_to_ytd, ytd_to_month

from test_ingest_core import ENT_HEAD, ENTS, MON_HEAD, U, count, data_counts, write_csv

SUP_HEAD = ["供方统一社会信用代码", "需方统一社会信用代码", "年度", "金额", "供方名称", "供方所在省份", "需方名称", "需方所在省份"]


@pytest.fixture
def loaded(duck_store, tmp_path):
    assert import_file(duck_store, "enterprises", write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS])).status == "loaded"
    return duck_store


def test_supply_partners_by_name_and_province(loaded, tmp_path):
    rows = [SUP_HEAD,
            ["", U[0], "2023", "120", "深圳某电子有限公司", "广东省", "", ""],       # supplier outside the registry
            [U[1], "", "2023", "80", "", "", "宁德某电池有限公司", "福建"],          # buyer outside the registry
            ["", U[2], "2023", "30", "深圳某电子有限公司", "440000", "", ""],        # same partner, province by code
            ["", U[2], "2024", "35", "深圳某电子有限公司", "广东", "", ""]]
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="万元")
    assert res.status == "loaded" and res.new == 4, [i.line() for i in res.issues.items]
    assert res.extra["partners_created"] == 2                      # one enterprise per (name, province)
    with loaded.engine.connect() as c:
        partners = c.execute(sa.text("SELECT name, province_code, uscc FROM enterprise WHERE province_code <> '360000' "
                                     "ORDER BY name")).fetchall()
        amount = c.execute(sa.text("SELECT SUM(amount) FROM supply_link")).scalar()
    assert [tuple(p) for p in partners] == [("宁德某电池有限公司", "350000", None), ("深圳某电子有限公司", "440000", None)]
    assert float(amount) == 2_650_000
    # re-import: partners reused, links unchanged
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="万元")
    assert (res.new, res.unchanged, res.extra["partners_created"]) == (0, 4, 0)
    # a changed amount is a new revision
    rows[1][3] = "125"
    res = import_file(loaded, "supply", write_csv(tmp_path / "s2.csv", rows), unit="万元")
    assert (res.new, res.updated, res.unchanged) == (0, 1, 3)


def test_supply_partner_rules(loaded, tmp_path):
    rows = [SUP_HEAD,
            ["", U[0], "2023", "1", "某公司", "", "", ""],                   # name without province
            ["", U[0], "2023", "1", "", "广东", "", ""],                     # province without name
            ["", U[0], "2023", "1", "某公司", "火星", "", ""],               # unknown province
            [make("100000", 7), U[0], "2023", "1", "", "", "", ""],         # partner USCC: chars 3–8 no province
            [U[0], U[0], "2023", "1", "", "", "", ""],                       # self link
            ["", U[1], "2023", "1", "甲", "广东", "", ""], ["", U[1], "2023", "2", "甲", "广东", "", ""]]  # duplicate
    before = data_counts(loaded)
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="元")
    got = {(i.row, i.rule) for i in res.issues.errors}
    assert res.status == "rejected"
    assert {(2, "partner"), (3, "partner"), (4, "province"), (5, "uscc_region"), (6, "self_link"),
            (8, "duplicate")} <= got
    assert data_counts(loaded) == before


DES_HEAD = ["统一社会信用代码", "认定类型", "认定级别", "认定日期", "有效期至", "产业链代码"]


def test_designation_validity(loaded, tmp_path):
    rows = [DES_HEAD,
            [U[0], "专精特新“小巨人”", "国家级", "2023-07-01", "2026-06-30", "EI"],
            [U[0], "专精特新", "省级", "2022/1/1", "", ""],                       # open-ended validity
            [U[1], "单项冠军", "国家", "2021-12-01", "2024-11-30", ""]]
    res = import_file(loaded, "designations", write_csv(tmp_path / "d.csv", rows))
    assert res.status == "loaded" and res.new == 3, [i.line() for i in res.issues.items]
    with loaded.engine.connect() as c:
        kinds = dict(c.execute(sa.text("SELECT kind, level FROM designation")).fetchall())
        open_ended = c.execute(sa.text("SELECT COUNT(*) FROM designation WHERE valid_to IS NULL")).scalar()
    assert kinds == {"little_giant": "national", "srdi": "provincial", "single_champion": "national"}
    assert open_ended == 1
    # extending the validity is a new revision; the old one is kept
    rows[3][4] = "2027-11-30"
    res = import_file(loaded, "designations", write_csv(tmp_path / "d2.csv", rows))
    assert (res.new, res.updated, res.unchanged) == (0, 1, 2)
    assert count(loaded, "designation") == 4
    bad = [DES_HEAD,
           [U[0], "专精特新", "省级", "2023-01-01", "2022-12-31", ""],          # ends before it starts
           [U[0], "未知称号", "省级", "2023-01-01", "", ""],                    # unknown kind
           [U[0], "专精特新", "县级", "2023-01-01", "", ""],                    # unknown level
           [U[0], "专精特新", "省级", "2023-02-30", "", ""],                    # impossible date
           [U[3], "专精特新", "省级", "2023-01-01", "", ""],                    # not registered
           [U[1], "专精特新", "省级", "2023-01-01", "", ""], [U[1], "专精特新", "省级", "2023-01-01", "", ""]]
    res = import_file(loaded, "designations", write_csv(tmp_path / "bad.csv", bad))
    got = {(i.row, i.rule) for i in res.issues.errors}
    assert {(2, "date_order"), (3, "enum"), (4, "enum"), (5, "date"), (6, "not_registered"), (8, "duplicate")} <= got


def test_chain_master_of_two_chains(loaded, tmp_path):
    """A chain-master title is per chain: two from the same date are two designations (not a revision
    of one), a re-import changes nothing, and a file without the chain column keys on "no chain"."""
    rows = [DES_HEAD, [U[0], "链主企业", "省级", "2023-09-15", "", "EI"], [U[0], "链主企业", "省级", "2023-09-15", "", "NF"],
            [U[0], "专精特新", "省级", "2023-01-01", "", ""]]
    res = import_file(loaded, "designations", write_csv(tmp_path / "d.csv", rows))
    assert (res.status, res.new) == ("loaded", 3), [i.line() for i in res.issues.items]
    res = import_file(loaded, "designations", write_csv(tmp_path / "d.csv", rows))
    assert (res.new, res.updated, res.unchanged) == (0, 0, 3)
    rows[2][4] = "2026-09-14"                                             # NF's title gets an end date
    res = import_file(loaded, "designations", write_csv(tmp_path / "d2.csv", rows))
    assert (res.new, res.updated, res.unchanged) == (0, 1, 2)
    with loaded.engine.connect() as c:
        got = c.execute(sa.text("SELECT chain_code, MAX(revision) FROM designation WHERE kind = 'chain_master' "
                                "GROUP BY chain_code ORDER BY 1")).fetchall()
    assert got == [("EI", 1), ("NF", 2)]
    no_chain = [r[:5] for r in rows if r[1] != "链主企业"]
    res = import_file(loaded, "designations", write_csv(tmp_path / "d3.csv", no_chain))
    assert (res.new, res.updated, res.unchanged) == (0, 0, 1)
    dup = [DES_HEAD, rows[1], rows[1]]
    assert [i.rule for i in import_file(loaded, "designations", write_csv(tmp_path / "d4.csv", dup)).issues.errors] \
        == ["duplicate"]


# ---------------------------------------------------------------- YTD ↔ month
def test_ytd_month_jan_feb_combined_and_gaps():
    key = ["a"] * 4 + ["b"] * 2
    year = [2024] * 6
    month = [2, 3, 5, 4, 2, 3]                       # unordered; a's April is missing
    ytd = [100, 160, 300, 230, 10, 25]
    val, months = ytd_to_month(key, year, month, ytd)
    assert val.tolist() == [100, 60, 70, 70, 10, 15]
    assert months.tolist() == [2, 1, 1, 1, 2, 1]     # Feb covers Jan–Feb
    key2, month2 = ["a"] * 3, [2, 3, 5]
    _, m2 = ytd_to_month(key2, [2024] * 3, month2, [100, 160, 300])
    assert m2.tolist() == [2, 1, 2]                  # March → May spans two months
    with pytest.raises(ValueError):
        ytd_to_month(["a"], [2024], [1], [5])        # January alone does not exist


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(2019, 2025), st.integers(2, 12),
                          st.integers(-10**9, 10**9)), min_size=1, max_size=60,
                unique_by=lambda t: (t[0], t[1], t[2])))
def test_ytd_month_round_trip(recs):
    key, year, month, value = map(list, zip(*recs))
    ytd = month_to_ytd(key, year, month, value)
    back, _ = ytd_to_month(key, year, month, ytd)
    assert np.array_equal(back, np.asarray(value, float))


# ---------------------------------------------------------------- row numbers
def test_blank_lines_do_not_shift_row_numbers(loaded, tmp_path):
    f = tmp_path / "m.csv"
    lines = [",".join(MON_HEAD), "", f"{U[0]},2024-02,100,1,", "", "", f"{U[0]},2024-13,100,1,",
             f"{U[1]},2024-02,abc,1,", "\r", f"{U[3]},2024-03,1,1,"]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = import_file(loaded, "monthly", f, unit="元", errors_path=tmp_path / "err.csv")
    got = {(i.row, i.rule) for i in res.issues.errors}
    assert got == {(6, "period"), (7, "number"), (9, "not_registered")}
    import csv
    with open(tmp_path / "err.csv", encoding="utf-8-sig") as fh:
        err = list(csv.DictReader(fh))
    assert [r["源行号/source_row"] for r in err] == ["6", "7", "9"]


def test_blank_rows_in_xlsx_keep_excel_row_numbers(loaded, tmp_path):
    import xlsxwriter

    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["月度数据（单位：千元）"])                  # a title row above the header
    ws.write_row(1, 0, MON_HEAD)
    ws.write_row(3, 0, [U[0], "2024-02", "100", "1"])              # row 3 left blank
    ws.write_row(5, 0, [U[0], "2024-1x", "100", "1"])
    wb.close()
    res = import_file(loaded, "monthly", path, unit="千元")
    assert [(i.row, i.rule) for i in res.issues.errors] == [(6, "period")]
