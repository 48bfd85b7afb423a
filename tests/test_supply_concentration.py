"""Supplier concentration and outside-only segments on DuckDB, PostgreSQL and PySpark (``supply_data.py``)."""

from __future__ import annotations

import json

import pytest

from chainbrain.analytics.supply_concentration import COLUMNS, concentration, outside_only
from supply_data import U, WAN, load
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401

A = pytest.approx


@pytest.fixture(scope="module", params=ENGINES)
def cstore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=load)
    yield view
    store.close()


def rows(store, year, by):
    out = concentration(store, year, by)
    for r in out:
        assert list(r) == COLUMNS and r["basis"] == "observed"
    return {r["key"]: r for r in out}


def check(r, purchases, suppliers, top, hhi):
    assert r["purchases_yuan"] == A(purchases * WAN) and r["suppliers"] == suppliers
    assert r["top_supplier_share"] == A(top) and r["hhi"] == A(hhi)
    assert r["effective_suppliers"] == A(1 / hhi)


def test_per_buyer(cstore):
    got = rows(cstore, 2024, "enterprise")
    check(got[U["B1"]], 200, 3, 0.6, 0.445)
    check(got[U["B2"]], 100, 2, 0.6, 0.52)
    check(got[U["B3"]], 20, 1, 1.0, 1.0)                         # a single supplier: HHI 1, one effective
    b4 = got[U["B4"]]
    assert (b4["purchases_yuan"], b4["suppliers"], b4["top_supplier_share"], b4["hhi"],
            b4["effective_suppliers"]) == (0.0, 0, None, None, None)
    json.dumps(list(got.values()))


def test_per_segment_and_chain_pooled(cstore):
    seg = rows(cstore, 2024, "segment")
    check(seg["EI-U1"], 200, 3, 0.6, 0.445)
    check(seg["NF-M1"], 120, 3, 0.5, 7 / 18)
    assert seg["NF-M1"]["buyers"] == 2 and seg["NF-M1"]["effective_suppliers"] == A(18 / 7)
    chain = rows(cstore, 2024, "chain")
    check(chain["NF"], 320, 6, 0.375, 23400 / 102400)
    assert chain["NF"]["buyers"] == 4


def test_outside_only_segments(cstore):
    got = outside_only(cstore, 2024)
    assert [r["key"] for r in got] == ["NF-U1"]
    assert got[0]["purchases_yuan"] == A(60 * WAN) and (got[0]["buyers"], got[0]["suppliers"]) == (1, 1)
    assert got[0]["name"] == "铜矿采选"
    assert outside_only(cstore, 2023) == []


def test_bad_grouping(cstore):
    with pytest.raises(ValueError, match="by"):
        concentration(cstore, 2024, "supplier-segment")


def test_cli_concentration_and_outside_only(tmp_path):
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
    r = runner.invoke(app, ["supply", "concentration", "--year", "2024", "--by", "segment", "--db", db])
    assert r.exit_code == 0, r.output
    got = {x["key"]: x for x in json.loads(r.stdout)}
    assert got["NF-M1"]["hhi"] == A(7 / 18)
    r = runner.invoke(app, ["supply", "outside-only", "--year", "2024", "--format", "csv", "--db", db])
    assert r.exit_code == 0, r.output
    recs = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["key"] for x in recs] == ["NF-U1"] and float(recs[0]["purchases_yuan"]) == 60 * WAN
    r = runner.invoke(app, ["supply", "concentration", "--year", "2024", "--by", "supplier-segment", "--db", db])
    assert r.exit_code == 2 and "--by must be one of" in r.output and "Traceback" not in r.output
