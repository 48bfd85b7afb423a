"""Supply links as they come: external partners kept by USCC, monthly links, units, all-or-nothing."""

from __future__ import annotations

import decimal

import pytest
import sqlalchemy as sa

from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file

from test_ingest_core import ENT_HEAD, ENTS, U, count, data_counts, write_csv

HEAD = ["供方统一社会信用代码", "需方统一社会信用代码", "年度", "月份", "金额", "供方名称", "供方所在省份"]
SZ = make("440305", 501)          # registered in Shenzhen Nanshan (440305), not in the library
GZ = make("360702", 502)          # registered in Ganzhou Zhanggong (360702): in the province, not in the library
NAT = make("100000", 503)         # registered by a national authority: characters 3–4 are no province


@pytest.fixture
def loaded(store_any, tmp_path):
    assert import_file(store_any, "enterprises", write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS])).status == "loaded"
    return store_any


def _links(store, table="supply_link"):
    with store.engine.connect() as c:
        return c.execute(sa.text(f"SELECT supplier_id, buyer_id, year, amount, revision FROM {table} "
                                 "ORDER BY year, supplier_id, buyer_id, revision")).fetchall()


def test_external_partners_kept_by_uscc(loaded, tmp_path):
    rows = [HEAD,
            [SZ, U[0], "2024", "", "120", "深圳某电子有限公司", ""],     # kept, name given
            [GZ, U[0], "2024", "", "30", "", ""],                        # kept, no name: the USCC stands for it
            [SZ, U[1], "2024", "", "5", "", ""],                         # the same partner again
            [U[0], SZ, "2024", "", "7", "", ""],                         # a partner as buyer
            [NAT, U[1], "2024", "", "9", "北京某研究院", "北京"]]       # national registration: stated province
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="万元")
    assert res.status == "loaded", [i.line() for i in res.issues.items]
    assert res.new == 5 and res.extra["partners_created"] == 3
    with loaded.engine.connect() as c:
        got = c.execute(sa.text("SELECT uscc, name, province_code, registered_region, region_code, is_partner "
                                "FROM enterprise WHERE is_partner ORDER BY uscc")).fetchall()
    assert sorted(tuple(r) for r in got) == sorted([
        (SZ, "深圳某电子有限公司", "440000", "440305", None, True),
        (GZ, GZ, "360000", "360702", None, True),
        (NAT, "北京某研究院", "110000", "100000", None, True)])
    assert sum(float(r.amount) for r in _links(loaded)) == 1_710_000        # (120+30+5+7+9) 万元
    # re-import: the partners are found by USCC, nothing changes
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="万元")
    assert (res.new, res.unchanged, res.extra["partners_created"]) == (0, 5, 0)


def test_monthly_links_are_the_months_amounts(loaded, tmp_path):
    rows = [HEAD,
            [U[0], U[1], "2024", "1", "10", "", ""],
            [U[0], U[1], "2024", "2", "20", "", ""],
            [U[0], U[1], "2024", "3", "30", "", ""],          # 当月, not YTD: the year's amount is 10+20+30
            [SZ, U[1], "2024", "12", "4", "深圳某电子有限公司", ""],
            [U[0], U[2], "2024", "", "8", "", ""]]             # a yearly link in the same file (another pair)
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="千元")
    assert res.status == "loaded", [i.line() for i in res.issues.items]
    assert res.new == 5 and res.extra["monthly_links"] == 4
    assert res.extra["yearly_from_months"] == {"new": 2, "updated": 0, "unchanged": 0}
    assert count(loaded, "supply_link_month") == 4
    with loaded.engine.connect() as c:
        ids = dict(c.execute(sa.text("SELECT uscc, id FROM enterprise")).fetchall())
    year = {(r.supplier_id, r.buyer_id): (r.amount, r.revision) for r in _links(loaded)}
    assert year[(ids[U[0]], ids[U[1]])] == (decimal.Decimal("60000.00"), 1)
    assert year[(ids[SZ], ids[U[1]])] == (decimal.Decimal("4000.00"), 1)
    assert year[(ids[U[0]], ids[U[2]])] == (decimal.Decimal("8000.00"), 1)
    # a corrected February and a new April: new monthly revision, the year's sum follows (revision 2)
    rows2 = [HEAD, [U[0], U[1], "2024", "2", "25", "", ""], [U[0], U[1], "2024", "4", "1", "", ""],
             [U[0], U[1], "2024", "1", "10", "", ""]]
    res = import_file(loaded, "supply", write_csv(tmp_path / "s2.csv", rows2), unit="千元")
    assert (res.new, res.updated, res.unchanged) == (1, 1, 1)
    assert res.extra["yearly_from_months"] == {"new": 0, "updated": 1, "unchanged": 0}
    year = {(r.supplier_id, r.buyer_id): (r.amount, r.revision) for r in _links(loaded)}
    assert year[(ids[U[0]], ids[U[1]])] == (decimal.Decimal("66000.00"), 2)      # 10 + 25 + 30 + 1 千元
    assert count(loaded, "supply_link_month") == 6


def test_bad_supply_rows_reject_the_whole_file(loaded, tmp_path):
    rows = [HEAD,
            [U[0], U[1], "2024", "13", "1", "", ""],            # month out of range
            [U[0], U[1], "2024", "0", "1", "", ""],             # month 0 is not a month
            [U[0], U[2], "2024", "", "1", "", ""],              # yearly ...
            [U[0], U[2], "2024", "5", "1", "", ""],             # ... and monthly for the same pair and year
            [U[1], U[2], "2024", "6", "1", "", ""],
            [U[1], U[2], "2024", "6", "2", "", ""],             # the same month twice
            [NAT, U[0], "2024", "", "1", "", ""],               # national USCC without a province
            [SZ, SZ, "2024", "", "1", "", ""],                  # a partner selling to itself
            [SZ, U[0], "2024", "", "1", "", ""]]                # a good row: not loaded either
    before = data_counts(loaded) | {"supply_link_month": count(loaded, "supply_link_month")}
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="元")
    assert res.status == "rejected"
    got = {(i.row, i.rule) for i in res.issues.errors}
    assert got == {(2, "month"), (3, "month"), (4, "month_mix"), (7, "duplicate"), (8, "uscc_region"),
                   (9, "self_link")}, got
    lines = {i.row: i.line() for i in res.issues.errors}
    assert "s.csv" in lines[8] and "供方统一社会信用代码" in lines[8] and "100000" in lines[8]
    assert "省" in lines[8] and "province" in lines[8]                   # bilingual
    assert data_counts(loaded) | {"supply_link_month": count(loaded, "supply_link_month")} == before


def test_supply_money_needs_a_unit(loaded, tmp_path):
    rows = [HEAD, [SZ, U[0], "2024", "", "1", "", ""]]
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows))
    assert res.status == "rejected" and [i.rule for i in res.issues.errors] == ["unit_missing"]
    res = import_file(loaded, "supply", write_csv(tmp_path / "s.csv", [HEAD + ["单位"], rows[1] + ["亿元"]]))
    assert res.status == "loaded"
    assert float(_links(loaded)[0].amount) == 100_000_000


def test_partner_joins_the_library(loaded, tmp_path):
    """A partner kept by its USCC that later comes in the enterprise list becomes a library firm, located since
    always (it had no location history), and its links stay attached to it."""
    rows = [HEAD, [GZ, U[0], "2024", "", "30", "", ""]]
    assert import_file(loaded, "supply", write_csv(tmp_path / "s.csv", rows), unit="万元").status == "loaded"
    ent = [ENT_HEAD, [GZ, "赣州某新材料有限公司", "360702", "3985", "2016-01-01", "50", "电子铜箔"]]
    res = import_file(loaded, "enterprises", write_csv(tmp_path / "e2.csv", ent))
    assert res.status == "loaded" and res.updated == 1 and res.new == 0, [i.line() for i in res.issues.items]
    with loaded.engine.connect() as c:
        eid, name, prov, partner, region = c.execute(sa.text(
            f"SELECT id, name, province_code, is_partner, region_code FROM enterprise WHERE uscc = '{GZ}'")).one()
        attrs = c.execute(sa.text(f"SELECT attr, attr_value, valid_from FROM enterprise_attr WHERE enterprise_id = {eid} "
                                  "ORDER BY attr")).fetchall()
        supplier = c.execute(sa.text("SELECT supplier_id FROM supply_link")).scalar()
    assert (name, prov, bool(partner), region) == ("赣州某新材料有限公司", "360000", False, "360702")
    assert [tuple(a) for a in attrs] == [("industry_code", "3985", None), ("region_code", "360702", None)]
    assert supplier == eid
