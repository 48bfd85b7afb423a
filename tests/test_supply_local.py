"""本地配套率 on DuckDB, PostgreSQL and PySpark: the hand-computed figures of ``supply_data.py``."""

from __future__ import annotations

import json

import pytest

from chainbrain.analytics.supply_local import COLUMNS, local_rate
from supply_data import P1, U, WAN, load
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401

A = pytest.approx


@pytest.fixture(scope="module", params=ENGINES)
def sstore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=load)
    yield view
    store.close()


def rows(store, year, by):
    out = local_rate(store, year, by)
    for r in out:
        assert list(r) == COLUMNS and r["basis"] == "observed"
    return {r["key"]: r for r in out}


def check(r, purchases, local, city, buyers, suppliers, local_suppliers, coverage):
    assert r["purchases_yuan"] == A(purchases * WAN) and r["local_yuan"] == A(local * WAN)
    assert r["local_rate"] == (A(local / purchases) if purchases else None)
    assert r["city_local_rate"] == (A(city / purchases) if purchases else None)
    assert (r["buyers"], r["suppliers"], r["local_suppliers"]) == (buyers, suppliers, local_suppliers)
    assert r["observed_coverage"] == (None if coverage is None else A(coverage))


def test_by_chain_buyer_in_two_chains(sstore):
    got = rows(sstore, 2024, "chain")
    assert set(got) == {"EI", "NF"}
    check(got["EI"], 200, 80, 30, 2, 3, 2, 0.5)
    check(got["NF"], 320, 140, 90, 4, 6, 4, 0.625)
    assert got["EI"]["local_rate"] == A(0.4) and got["NF"]["local_rate"] == A(0.4375)
    assert got["NF"]["city_local_rate"] == A(0.28125)
    assert got["EI"]["name"] == "电子信息"


def test_by_segment_membership_on_31_december(sstore):
    got = rows(sstore, 2024, "segment")
    assert set(got) == {"EI-U1", "NF-M1"}            # B3 left EI-D1 on 30 December; B4's sub-segment rolls up
    check(got["EI-U1"], 200, 80, 30, 2, 3, 2, 0.5)
    check(got["NF-M1"], 120, 60, 60, 2, 3, 2, 1.0)   # coverage 100/80 capped at 1


def test_by_city_and_county(sstore):
    city = rows(sstore, 2024, "city")
    assert set(city) == {"360100", "360400"}
    check(city["360100"], 220, 100, 50, 3, 4, 3, 0.5)
    check(city["360400"], 100, 40, 40, 1, 2, 1, 1.0)
    assert city["360400"]["name"] == "九江市"
    county = rows(sstore, 2024, "county")
    assert set(county) == {"360102", "360103", "360402"}
    check(county["360102"], 200, 80, 30, 2, 3, 2, 0.5)
    check(county["360103"], 20, 20, 20, 1, 1, 1, None)
    check(county["360402"], 100, 40, 40, 1, 2, 1, 1.0)


def test_by_enterprise_and_zero_purchases(sstore):
    got = rows(sstore, 2024, "enterprise")
    assert set(got) == {U["B1"], U["B2"], U["B3"], U["B4"]}       # partners are never buyers
    check(got[U["B1"]], 200, 80, 30, 1, 3, 2, 0.5)
    check(got[U["B4"]], 0, 0, 0, 1, 0, 0, None)
    assert got[U["B4"]]["local_rate"] is None and got[U["B4"]]["city_local_rate"] is None
    assert got[U["B1"]]["name"] == "江西链测甲铜箔有限公司"


def test_by_supplier_segment(sstore):
    got = rows(sstore, 2024, "supplier-segment")
    assert set(got) == {"EI-U1", "NF-M1", "NF-U1"}
    check(got["EI-U1"], 140, 20, 20, 2, 2, 1, None)
    check(got["NF-U1"], 60, 0, 0, 1, 1, 0, None)
    check(got["NF-M1"], 80, 80, 30, 1, 2, 2, None)


def test_second_year_and_empty_year(sstore):
    got = rows(sstore, 2025, "chain")
    check(got["EI"], 100, 20, 0, 2, 2, 1, None)
    check(got["NF"], 110, 30, 0, 4, 3, 2, None)
    assert got["NF"]["local_rate"] == A(3 / 11) and got["EI"]["city_local_rate"] == 0.0
    ent = rows(sstore, 2025, "enterprise")
    check(ent[U["B3"]], 0, 0, 0, 1, 0, 0, None)
    empty = rows(sstore, 2023, "chain")
    assert set(empty) == {"EI", "NF"}
    check(empty["NF"], 0, 0, 0, 3, 0, 0, None)          # on 31 Dec 2023 B3 is still in EI-D1 (EI)
    check(empty["EI"], 0, 0, 0, 3, 0, 0, None)
    json.dumps(local_rate(sstore, 2023, "chain"))                  # JSON-ready (no NaN)


def test_partner_kept_by_uscc_counts_as_supplier_not_buyer(sstore):
    got = rows(sstore, 2024, "enterprise")
    assert P1 not in got
    with pytest.raises(ValueError, match="by"):
        local_rate(sstore, 2024, "province")


def test_cli_local_rate_json_and_csv(tmp_path, request):
    import csv
    import io

    from typer.testing import CliRunner

    from chainbrain.cli import app
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    db = str(tmp_path / "cb.duckdb")
    with open_store(db) as store:
        init_store(store)
        load(store, tmp_path)
    runner = CliRunner()
    r = runner.invoke(app, ["supply", "local-rate", "--year", "2024", "--by", "chain", "--db", db])
    assert r.exit_code == 0, r.output
    got = {x["key"]: x for x in json.loads(r.stdout)}
    assert got["NF"]["local_rate"] == A(0.4375) and got["NF"]["buyers"] == 4 and got["NF"]["basis"] == "observed"
    r = runner.invoke(app, ["supply", "local-rate", "--year", "2025", "--by", "enterprise", "--format", "csv",
                            "--db", db])
    assert r.exit_code == 0, r.output
    recs = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(recs[0]) == COLUMNS
    b3 = next(x for x in recs if x["key"] == U["B3"])
    assert (b3["purchases_yuan"], b3["local_rate"], b3["city_local_rate"]) == ("0.0", "", "")
    b1 = next(x for x in recs if x["key"] == U["B1"])
    assert float(b1["local_rate"]) == A(0.2)
    for args, needle in ((["--by", "province"], "--by must be one of"), (["--format", "xml"], "--format must be"),
                         (["--year", "12"], "not a plausible year")):
        r = runner.invoke(app, ["supply", "local-rate", "--year", "2024", "--db", db, *args])
        assert r.exit_code == 2 and needle in r.output and "Traceback" not in r.output
