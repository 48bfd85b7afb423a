"""Single points of failure and systemic importance on the hand-made network of ``supply_data.py``.

Added here (through the importer): B2 → B4 25 (2024) and B1 → B4 40 (2025), 万元.
Chain masters: B1 of EI and of NF (a master of two chains, since 2020), B3 of NF
until 31 December 2024 (inclusive), B4 of EI since 2024.

2024 links: P1→B1 120, B2→B1 50, B3→B1 30, P2→B2 40, P3→B2 60, B1→B3 20,
B1→P1 500, B2→B4 25.  Super-source feeds the partners P1, P2, P3 (B4 now has a
supplier; the loop B1 ⇄ B3 gets B2's supply from outside it), so B1→P1 is no
supply path.  Dominator tree: s → P1, P2, P3, B1, B2; B1 → B3; B2 → B4.
- master B3: U = {B3, B1, P1, B2, P2, P3}, links 120+50+30+40+60+20 = 320.
  B1 dominates B3: T(B1) = {B1, B3}; links out of T(B1) or into B1:
  B3→B1 30, B1→B3 20, P1→B1 120, B2→B1 50 = 220 → 220/320 = 0.6875.  B2
  dominates only B4, which is not in U: no row.
- master B4: U = {B4, B2, P2, P3}, links 25+40+60 = 125; B2 dominates B4:
  25 + 40 + 60 → 1.0.
- master B1: U = {B1, P1, B2, B3, P2, P3}; B1 is the only firm dominating
  another, and it is the master: no row.
2025 links: P1→B1 80, P2→B1 20, B1→B2 10, B1→B4 40; masters B1, B4 (B3's
title ended).  B1 dominates B2 and B4; master B4: U = {B4, B1, P1, P2},
links 40 + 80 + 20 = 140, B1's share (40 + 80 + 20)/140 = 1.0.

Systemic importance 2024 (万元).  Output x (December 营业收入): B1 1000, B2 200,
B3 90, B4 0 → X = 1290.  Inputs I = max(purchases, 营业成本): B1 max(200, 400)
= 400, B2 max(100, 80) = 100, B3 20 (no cost), B4 25.  A: P1→B1 0.3, B2→B1
0.125, B3→B1 0.075, P2→B2 0.4, P3→B2 0.6, B1→B3 1, B2→B4 1 (B1→P1: P1 is fed).
Linear y = x + A y: y_B1 = 1000 + y_B3, y_B3 = 90 + 0.075 y_B1 → y_B1 =
1090/0.925, y_B3 = 90 + 0.075 y_B1; y_B2 = 200 + 0.125 y_B1 + y_B4 (y_B4 = 0);
y_P1 = 0.3 y_B1, y_P2 = 0.4 y_B2, y_P3 = 0.6 y_B2.
Cascade of B1: B3 loses everything (its only input), nobody else: (1000 + 90)/1290.
Cascade of B2: B4 loses all (no output), B1 and B3 lose h = 0.125/(1 − 0.075)
each: (200 + 1090·h)/1290 — equal to the linear score (no cap binds).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import sqlalchemy as sa

from chainbrain.analytics.supply_graph import SPOF_COLUMNS, SYSTEMIC_COLUMNS, single_points_of_failure, \
    systemic_importance
from chainbrain.ingest.load import import_file
from supply_data import P1, P2, SUP_HEAD, U, _csv, load
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401

A = pytest.approx
EXTRA = [SUP_HEAD, [U["B2"], U["B4"], "2024", "", "25", "", ""], [U["B1"], U["B4"], "2025", "", "40", "", ""]]
# enterprise, chain, valid_from, valid_to (inclusive)
MASTERS = [("B1", "EI", dt.date(2020, 1, 1), None), ("B1", "NF", dt.date(2020, 1, 1), None),
           ("B3", "NF", dt.date(2020, 1, 1), dt.date(2024, 12, 31)), ("B4", "EI", dt.date(2024, 1, 1), None)]


def gload(store, tmp):
    load(store, tmp)
    res = import_file(store, "supply", _csv(tmp / "extra.csv", EXTRA), unit="万元")
    assert res.status == "loaded", [i.line() for i in res.issues.items]
    with store.begin() as conn:
        ids = dict(conn.execute(sa.text("SELECT uscc, id FROM enterprise WHERE uscc IS NOT NULL")).fetchall())
        conn.execute(sa.text("DELETE FROM designation"))
        n = len(MASTERS)
        store.bulk_insert(conn, "designation", pa.table({
            "enterprise_id": [ids[U[m[0]]] for m in MASTERS], "kind": ["chain_master"] * n,
            "level": ["provincial"] * n, "chain_code": [m[1] for m in MASTERS],
            "valid_from": pa.array([m[2] for m in MASTERS], pa.date32()),
            "valid_to": pa.array([m[3] for m in MASTERS], pa.date32()),
            "batch_id": [1] * n, "revision": [1] * n}))


@pytest.fixture(scope="module", params=ENGINES)
def gstore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=gload)
    yield view
    store.close()


def spof(store, year, chain=None):
    df = single_points_of_failure(store, year, chain)
    assert list(df.columns) == SPOF_COLUMNS
    return [(r.master_uscc, r.uscc, r.supply_share) for r in df.itertuples()], df


def test_spof_2024_all_chains(gstore):
    got, df = spof(gstore, 2024)
    assert [g[:2] for g in got] == sorted([(U["B3"], U["B1"]), (U["B4"], U["B2"])])
    share = {g[:2]: g[2] for g in got}
    assert share[(U["B3"], U["B1"])] == A(0.6875)
    assert share[(U["B4"], U["B2"])] == A(1.0)
    r = df[df.uscc == U["B1"]].iloc[0]
    assert (r["name"], r["region_code"], r["segment_code"]) == ("江西链测甲铜箔有限公司", "360102", "EI-U1")


def test_spof_chain_filter_master_of_two_chains(gstore):
    ei, _ = spof(gstore, 2024, "EI")                  # masters B1 (no row), B4
    assert ei == [(U["B4"], U["B2"], A(1.0))]
    nf, _ = spof(gstore, 2024, "NF")                  # masters B1 (no row), B3
    assert nf == [(U["B3"], U["B1"], A(0.6875))]
    none, df = spof(gstore, 2024, "AU")               # a chain without masters
    assert none == [] and list(df.columns) == SPOF_COLUMNS


def test_spof_2025_title_ended_and_other_links(gstore):
    got, _ = spof(gstore, 2025)                       # B3's title ended on 31 Dec 2024
    assert got == [(U["B4"], U["B1"], A(1.0))]
    assert spof(gstore, 2023)[0] == []                # no links in 2023


def test_systemic_importance_2024(gstore):
    df = systemic_importance(gstore, 2024, top=1)
    assert list(df.columns) == SYSTEMIC_COLUMNS
    got = {r.uscc: r for r in df.itertuples()}
    X = 1290.0
    y_b1 = 1090 / 0.925
    y_b2 = 200 + 0.125 * y_b1
    assert got[U["B1"]].score == A(1090 / X) and got[U["B1"]].method == "cascade" and got[U["B1"]].rank == 1
    expect = {P1: 0.3 * y_b1 / X, U["B2"]: y_b2 / X, U["B3"]: (90 + 0.075 * y_b1) / X,
              P2: 0.4 * y_b2 / X, U["B4"]: 0.0}
    for k, v in expect.items():
        assert got[k].score == A(v) and got[k].method == "linear"
    assert [r.uscc for r in df.itertuples()][:4] == [U["B1"], P1, U["B2"], df.uscc.iloc[3]]
    assert list(df["rank"]) == list(range(1, len(df) + 1))
    assert set(df["basis"]) == {"observed"}
    assert len(df) == 7                               # B1–B4, P1, P2, P3 (named by name + province)


def test_systemic_cascade_equals_linear_without_loops(gstore):
    df = systemic_importance(gstore, 2024, top=3)
    got = {r.uscc: r for r in df.itertuples()}
    h = 0.125 / (1 - 0.075)
    assert got[U["B2"]].method == "cascade" and got[U["B2"]].score == A((200 + 1090 * h) / 1290)
    assert got[P1].method == "cascade" and got[P1].score == A(1090 * 0.3 / 0.925 / 1290)
    assert [r.uscc for r in df.itertuples()][:3] == [U["B1"], P1, U["B2"]]


def test_cli_spof_and_systemic(tmp_path):
    import csv
    import io
    import json

    from typer.testing import CliRunner

    from chainbrain.cli import app
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    db = str(tmp_path / "cb.duckdb")
    with open_store(db) as store:
        init_store(store)
        gload(store, tmp_path)
    runner = CliRunner()
    r = runner.invoke(app, ["supply", "spof", "--year", "2024", "--chain", "NF", "--db", db])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert [(x["master_uscc"], x["uscc"]) for x in got] == [(U["B3"], U["B1"])]
    assert got[0]["supply_share"] == A(0.6875) and list(got[0]) == SPOF_COLUMNS
    r = runner.invoke(app, ["supply", "systemic", "--year", "2024", "--top", "2", "--format", "csv", "--db", db])
    assert r.exit_code == 0, r.output
    recs = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["uscc"] for x in recs] == [U["B1"], P1] and list(recs[0]) == SYSTEMIC_COLUMNS
    assert float(recs[0]["score"]) == A(1090 / 1290) and recs[1]["method"] == "cascade"
    for args, needle in ((["systemic", "--top", "0"], "--top must be"), (["spof", "--format", "xml"], "--format must"),
                         (["spof", "--year", "12"], "not a plausible year")):
        a = [args[0]] + (["--year", "2024"] if "--year" not in args else []) + args[1:]
        r = runner.invoke(app, ["supply", *a, "--db", db])
        assert r.exit_code == 2 and needle in r.output and "Traceback" not in r.output
