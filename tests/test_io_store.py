"""Input–output tables in the store: import (unit, replace, all-or-nothing), read back, linkages from the store."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainbrain.analytics.io import linkages
from chainbrain.cli import app
from chainbrain.ingest.io_store import load_io_table, store_io_table
from chainbrain.ingest.io_table import TableError, read_io_table
from test_io_linkages import HAND, _f, _write_hand

runner = CliRunner()


def _files(tmp_path, x=None):
    args = _write_hand(tmp_path, x)
    z, y = args[args.index("--z") + 1], args[args.index("--y") + 1]
    xp = args[args.index("--x") + 1] if "--x" in args else None
    return z, y, xp


def test_store_and_load_round_trip(store_any, tmp_path):
    z, y, xp = _files(tmp_path, "region,sector,x\n36,A,100\n36,B,200\n")
    t = read_io_table(z, y, xp)
    s = store_io_table(store_any, t, "hand", "万元", year=2020, title="手算两部门表", source=z)
    assert (s["sectors"], s["final_demand_columns"], s["unit"], s["synthetic"]) == (2, 2, "万元", False)
    assert s["cells"] == 4 + 4 + 2                              # nonzero cells of Z, Y, x
    back = load_io_table(store_any, "hand")
    assert (back.regions, back.sectors) == (["36", "36"], ["A", "B"])
    assert back.y_columns == [("36", "household"), ("36", "export")]
    np.testing.assert_array_equal(back.Z, t.Z * 10_000)          # stored in yuan
    np.testing.assert_array_equal(back.f, t.f * 10_000)
    np.testing.assert_array_equal(back.x, [1_000_000, 2_000_000])
    r = linkages(back.Z, back.f, back.x)                        # coefficients do not depend on the unit
    np.testing.assert_allclose(r.bl, _f(HAND["bl"]), rtol=1e-13)
    np.testing.assert_allclose(r.hem_share, _f(HAND["hem"]), rtol=1e-13)
    # the same name again replaces the table (here without x)
    t2 = read_io_table(z, y)
    store_io_table(store_any, t2, "hand", "元")
    back = load_io_table(store_any, "hand")
    assert back.x is None and back.Z[0, 0] == 20
    with store_any.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM io_table")).scalar() == 1
        assert c.execute(sa.text("SELECT COUNT(*) FROM io_cell WHERE part = 'x'")).scalar() == 0


def test_unit_required_and_unknown_table(store_any, tmp_path):
    z, y, _ = _files(tmp_path)
    t = read_io_table(z, y)
    for unit in (None, "美元"):
        with pytest.raises(TableError, match="unit.*计量单位"):
            store_io_table(store_any, t, "hand", unit)
    with store_any.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM io_table")).scalar() == 0
    with pytest.raises(TableError, match="no input–output table named 'nope'"):
        load_io_table(store_any, "nope")


def test_cli_import_then_linkages_from_the_store(tmp_path):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    db = str(tmp_path / "cb.duckdb")
    with open_store(db) as store:
        init_store(store)
    z, y, _ = _files(tmp_path)
    r = runner.invoke(app, ["import", "io-table", "--z", z, "--y", y, "--name", "demo", "--unit", "亿元",
                            "--synthetic", "--db", db])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["synthetic"] is True
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["io", "linkages", "--table", "demo", "--output", str(out), "--db", db])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"region": str})
    np.testing.assert_allclose(df.fl, _f(HAND["fl"]), rtol=1e-13)
    r = runner.invoke(app, ["io", "linkages", "--table", "nope", "--output", str(out), "--db", db])
    assert r.exit_code == 2 and "no input–output table named 'nope'" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["io", "linkages", "--output", str(out), "--db", db])
    assert r.exit_code == 2 and "either --z and --y" in r.output
    r = runner.invoke(app, ["import", "io-table", "--z", z, "--y", y, "--name", "demo2", "--db", db])
    assert r.exit_code == 2 and "must state its unit" in r.output


def test_synthetic_demo_table(tmp_path):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    db = str(tmp_path / "cb.duckdb")
    with open_store(db) as store:
        init_store(store)
    r = runner.invoke(app, ["io", "demo-table", "--db", db])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert (s["name"], s["sectors"], s["final_demand_columns"], s["synthetic"]) == ("demo-national", 97, 5, True)
    with open_store(db) as store:
        t = load_io_table(store, "demo-national")
        with store.engine.connect() as c:
            title, synthetic = c.execute(sa.text("SELECT title, synthetic FROM io_table")).one()
    assert synthetic is True and "虚构数据" in title and "not real data" in title
    assert t.sectors[0].startswith("01 ") and t.y_columns[4] == ("CN", "存货变动")
    assert (t.Y[:, 4] < 0).any() and (t.Y[:, 4] > 0).any()           # inventory change of either sign
    A = t.Z / (t.Z.sum(axis=1) + t.f)[None, :]
    assert 0.2 < A.sum(axis=0).min() and A.sum(axis=0).max() < 0.8      # input shares as constructed
    r = linkages(t.Z, t.f)
    assert np.isfinite(r.bl).all() and r.key.any() and (r.hem_share > 0).all()
    # reproducible: the same seed gives the same cells
    from chainbrain.demo.io_table import demo_io_table
    with open_store(db) as store:
        ind = store.table("industry")
        div = ind.filter(ind.level == "division").select("code", "name", "section").execute()
    np.testing.assert_array_equal(np.round(demo_io_table(div).Z * 10_000), t.Z)     # 0.01 万元 = 100 yuan
