"""Disclosure patterns carried across an import that leaves their inputs unchanged (issue #20).

On the hand-made dataset, DuckDB and PostgreSQL: the anonymous viewer's pattern of 2025-06 is
solved and kept with the digest of its inputs (``analytics/suppression_digest.py``). After a write
that adds an enterprise without reports, the next process moves the kept pattern to the new data
key without solving (the family's cells are the same) — and it equals a fresh solve. After a new
revision of a report (a value moves), the pattern is solved again. Between a write and the next
read, the kept pattern is never served at the new key. A write outside the rows the universe is
built from moves the kept patterns without building it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import handmade
from chainbrain.analytics import suppression_periods
from chainbrain.store import open_store
from chainbrain.store import patterns as kept
from chainbrain.store.patterns import data_key
from chainbrain.web.policy import cell_rule


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    with open_store(handmade.store_url(request, tmp_path_factory, "pattern_carry")) as s:
        yield s


def _pattern(store, solves):
    handmade.fresh_process(store)
    n = len(solves)
    pat = cell_rule(store, None, 3).pattern("2025-06")
    return pat, len(solves) - n


def _fresh_solve(store):
    p = suppression_periods.patterns(store, "2025-06", frozenset(), 3)
    return p["2025-06"]


def _write(store, batch: int, sql: str, **kw) -> None:
    with store.engine.begin() as c:
        c.execute(sa.text("INSERT INTO import_batch (id, kind, source, created_at, row_count, status) "
                          "VALUES (:i, 'fixture', 'test_pattern_carry', :t, 1, 'loaded')"),
                  {"i": batch, "t": dt.datetime(2025, 7, 20)})
        for one in sql.split(";"):
            c.execute(sa.text(one), kw)


def test_patterns_carried_only_when_their_inputs_are_unchanged(store, monkeypatch):
    solves = []
    real = suppression_periods.patterns_of_joint
    monkeypatch.setattr(suppression_periods, "patterns_of_joint",
                        lambda *a, **k: solves.append(1) or real(*a, **k))
    first, solved = _pattern(store, solves)
    assert solved == 1 and first.hidden                                  # cells are withheld

    _write(store, 2, "INSERT INTO enterprise (id, name, province_code, region_code, industry_code, "
                     "is_industrial, is_demo, batch_id, revision) VALUES (7, '手工样例无报表公司', '360000', "
                     "'360402', '3211', TRUE, FALSE, 2, 1);"
                     "INSERT INTO enterprise_attr (enterprise_id, attr, attr_value, batch_id, revision) "
                     "VALUES (7, 'region_code', '360402', 2, 1), (7, 'industry_code', '3211', 2, 1)")
    fam = tuple(x.ytd_label for x in suppression_periods.family(store, "2025-06"))
    assert kept.load(store, fam, ("anon",), 3, data_key(store)) is None  # stale: not served at the new key
    carried, solved = _pattern(store, solves)
    assert solved == 0                                                   # moved, not solved again
    assert kept.load(store, fam, ("anon",), 3, data_key(store)) is not None
    assert carried.hidden == first.hidden == _fresh_solve(store).hidden

    _write(store, 3, "INSERT INTO monthly_report (enterprise_id, year, month, revenue_ytd, revenue_ytd_prev, "
                     "batch_id, revision) VALUES (3, 2025, 6, :r, :p, 3, 2)",
           r=210 * handmade.YI, p=180 * handmade.YI)
    again, solved = _pattern(store, solves)
    assert solved == 1                                                   # a value moved: solved again
    assert again.hidden == _fresh_solve(store).hidden


def test_patterns_carried_without_the_universe_while_its_rows_are_unchanged(store, monkeypatch):
    """A write outside the rows the universe is built from (an enterprise's employee count:
    ``analytics/suppression_inputs.py``) moves the kept patterns without building the universe; a
    write inside them that leaves the universe as it was (an enterprise without reports) builds it,
    carries by its digest and keeps the new rows' key — so the next write outside moves them
    without the universe again."""
    solves, joints = [], []
    real_solve, real_joint = suppression_periods.patterns_of_joint, suppression_periods.joint
    monkeypatch.setattr(suppression_periods, "patterns_of_joint",
                        lambda *a, **k: solves.append(1) or real_solve(*a, **k))
    monkeypatch.setattr(suppression_periods, "joint", lambda *a, **k: joints.append(1) or real_joint(*a, **k))

    def step():
        n, m = len(solves), len(joints)
        pat, _ = _pattern(store, [])
        return pat, len(solves) - n, len(joints) - m

    first, solved, built = step()
    assert (solved, built) == (1, 1) and first.hidden
    employees = "UPDATE enterprise SET employees = coalesce(employees, 0) + 1 WHERE id = 3"
    _write(store, 2, employees)
    carried, solved, built = step()
    assert (solved, built) == (0, 0)                                     # moved, the universe not built
    assert carried.hidden == first.hidden == _fresh_solve(store).hidden
    fam = tuple(x.ytd_label for x in suppression_periods.family(store, "2025-06"))
    assert kept.load(store, fam, ("anon",), 3, data_key(store)) is not None

    _write(store, 3, "INSERT INTO enterprise (id, name, province_code, region_code, industry_code, "
                     "is_industrial, is_demo, batch_id, revision) VALUES (7, '手工样例无报表公司', '360000', "
                     "'360402', '3211', TRUE, FALSE, 3, 1);"
                     "INSERT INTO enterprise_attr (enterprise_id, attr, attr_value, batch_id, revision) "
                     "VALUES (7, 'region_code', '360402', 3, 1), (7, 'industry_code', '3211', 3, 1)")
    again, solved, built = step()
    assert (solved, built) == (0, 1)                                     # built, the same digest: moved
    _write(store, 4, employees)
    last, solved, built = step()
    assert (solved, built) == (0, 0)                                     # the new rows' key was kept
    assert last.hidden == again.hidden == first.hidden == _fresh_solve(store).hidden


def test_digest_ignores_the_engines_summation_order_but_not_a_fen():
    """Sums of fen amounts added in another order differ in their last bits (seen on PostgreSQL):
    the same digest. One fen more: another digest."""
    from chainbrain.analytics.suppression_cells import Relation, Universe
    from chainbrain.analytics.suppression_digest import digest

    def u(v):
        return Universe("2025-06", sets={("2025-06", "cur", None, "360402", "all"): frozenset({3, 4, 5})},
                        values={("2025-06", "cur", None, "360402", "all"): v},
                        relations=[Relation(("p",), (("c",),), frozenset({9}))])

    assert 0.1 + 0.2 != 0.3
    assert digest(u(148319127.85000002), None, 3) == digest(u(148319127.85), None, 3)
    assert digest(u(0.1 + 0.2), frozenset({1}), 3) == digest(u(0.3), frozenset({1}), 3)
    assert digest(u(148319127.86), None, 3) != digest(u(148319127.85), None, 3)
    assert digest(u(0.3), frozenset({1}), 3) != digest(u(0.3), frozenset({2}), 3)


def test_the_inputs_key_is_read_without_parsing_the_patterns():
    """``store/patterns._entry``: the digest entries of a kept row, found by their mark, equal what the
    parsed JSON holds — also when a label (a string) contains the mark, whose quotes are then escaped."""
    import json
    import zlib

    trap = '"_inputs_key":"' + "f" * 64 + '"'
    for entries in ({kept.DIGEST: "a" * 64, kept.INPUTS: "b" * 64}, {kept.DIGEST: "c" * 64}, {}):
        pats = {"2025-06": {"hidden": [[trap, 1]], "note": trap}, trap: {"hidden": []}}
        raw = zlib.decompress(kept._blob({**pats, **entries}))
        parsed = json.loads(raw)
        for name in (kept.DIGEST, kept.INPUTS):
            assert kept._entry(raw, name) == parsed.get(name), (name, entries)
