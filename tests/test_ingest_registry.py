"""Registry exports: a fixture cut from real Jiangxi samples, and a hand-broken GB18030 variant."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from chainbrain.ingest.registry import guess_section, import_registry, parse_capital

FIX = Path(__file__).resolve().parent / "fixtures" / "registry"


def test_capital_formats():
    assert parse_capital("1,100(万元人民币)") == (Decimal("11000000.00"), None, "")
    assert parse_capital("40万人民币")[0] == Decimal("400000.00")
    assert parse_capital("N/A") == (None, None, "")
    assert parse_capital("200(万美元)")[1] == "currency"
    assert parse_capital("约五十万")[1] == "capital"


def test_section_guess():
    assert guess_section("中国银行股份有限公司九江市前进支行", "") == "J"
    assert guess_section("万年县万兴塑料厂", "塑料制造") == "C"


def test_real_sample_every_row_kept_and_idempotent(store_any):
    res = import_registry(store_any, FIX / "jiangxi_sample.csv")
    assert res.status == "loaded" and res.new == 200
    with store_any.engine.connect() as c:
        n_region = c.execute(sa.text("SELECT COUNT(*) FROM enterprise WHERE region_code IS NOT NULL")).scalar()
        n_ind = c.execute(sa.text("SELECT COUNT(*) FROM enterprise WHERE is_industrial")).scalar()
        cur = c.execute(sa.text("SELECT COUNT(*) FROM enterprise e JOIN region r ON r.code = e.region_code "
                                "WHERE r.status = 'current'")).scalar()
    assert n_region == 200 and cur == 200 and 50 < n_ind < 200
    res = import_registry(store_any, FIX / "jiangxi_sample.csv")
    assert (res.new, res.updated, res.unchanged) == (0, 0, 200)


def test_broken_export(store_any, tmp_path):
    res = import_registry(store_any, FIX / "broken_gb18030.csv", errors_path=tmp_path / "w.xlsx")
    assert res.status == "loaded" and res.new == 12 - 1   # one duplicate USCC
    rules = {i.rule for i in res.issues.items}
    assert {"uscc", "currency", "capital", "duplicate"} <= rules
    with store_any.engine.connect() as c:
        rows = dict(c.execute(sa.text("SELECT name, region_code FROM enterprise")).fetchall())
        caps = [v for (v,) in c.execute(sa.text("SELECT registered_capital FROM enterprise WHERE registered_capital_text "
                                                 "IN ('1,100(万元人民币)', '40万人民币')"))]
        branch = c.execute(sa.text("SELECT is_branch FROM enterprise WHERE name LIKE '%南昌分公司'")).scalar()
    assert sorted(caps) == [Decimal("400000.00"), Decimal("11000000.00")]
    assert branch
    assert "360703" in rows.values()      # 南康市 (retired) in the address → 南康区
    assert (tmp_path / "w.xlsx").exists()
