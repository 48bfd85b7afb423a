"""Kept KPI figures and alerts move to new data when the rows they are computed from are unchanged (#20).

``analytics/kpi_rekey.SOURCES`` and ``analytics/alerts_stored.SOURCES`` declare what each group of
kept figures reads; ``store/figures_carry.py`` moves the group to the new data key when the
fingerprint of those rows is unchanged, without computing it. A read not declared would carry
figures that are no longer right, so on the tiny demo:

- computing each group reads only declared tables (``store.table`` and every SQL statement but the
  data key's own), and
- deleting or changing everything outside the declaration (every undeclared table; the enterprise
  columns but id and name for the alerts) leaves every kept figure of the group as it was;
- a registry correction (an employee count) moves both groups (the monitoring figures kept with the
  KPI figures too) without computing them, and the moved figures equal a fresh computation; a
  revenue correction computes them again.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from chainbrain.analytics import alerts_stored, kpi_rekey, kpi_stored
from chainbrain.store import figures
from chainbrain.store.figures import T as FIGURES
from perturb import batch, change_outside, declared_tables, fresh, schema_tables, store, tiny_db  # noqa: F401 — fixtures


def _kpi(store):
    """Every period's KPI figures, and two periods' monitoring figures (every period's: two minutes)."""
    kpi_stored.keep(store, force=True, monitoring=False)
    kpi_stored.keep(store, ["2025-12", "2026-06"], force=True, monitoring=True)


GROUPS = {
    "kpi": (_kpi, kpi_rekey.SOURCES, ("kpi", "kpi_table", "kpi_chain", "kpi digests", "monitoring")),
    "alerts": (lambda s: alerts_stored.keep(s, force=True), alerts_stored.SOURCES, ("alerts",)),
}


def _kept(store, kinds) -> dict:
    import json
    import zlib

    with store.engine.connect() as c:
        rows = c.execute(sa.select(FIGURES.c.name, FIGURES.c.figures)).all()
    out = {}
    for r in rows:
        kind = json.loads(r.name)[1]
        if kind in kinds:
            value = json.loads(zlib.decompress(bytes(r.figures)))
            if kind == "alerts":          # a period's alerts in the engine's row order (as the live call)
                value = sorted(value, key=lambda a: json.dumps(a, sort_keys=True, ensure_ascii=False))
            out[r.name] = value
    return out


def _computed_reading(store, monkeypatch, run) -> set:
    """Compute a group; the tables read (``store.table`` and every SQL statement but the data key's
    and the kept figures')."""
    read: set = set()
    real = type(store).table
    monkeypatch.setattr(type(store), "table", lambda self, name, *a, **k: read.add(name) or real(self, name, *a, **k))
    schema = schema_tables()

    def seen(conn, cursor, statement, params, context, executemany):
        if "bit_xor" in statement or "cockpit_figure" in statement or "import_batch" in statement:
            return                                   # the data key, the kept figures themselves
        read.update(t for t in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', statement, re.I) if t in schema)

    sa.event.listen(store.engine, "before_cursor_execute", seen)
    try:
        fresh(store)
        run(store)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", seen)
        monkeypatch.undo()
    return read


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_a_group_reads_only_its_declaration(store, monkeypatch, group):
    run, sources, kinds = GROUPS[group]
    read = _computed_reading(store, monkeypatch, run)
    assert read and read <= set(declared_tables(sources)), sorted(read - set(declared_tables(sources)))
    before = _kept(store, kinds)
    assert len(before) > 20
    touched = change_outside(store, sources)
    assert {"enterprise", "annual_report", "supply_link"} <= set(touched)
    with store.engine.begin() as c:
        c.execute(sa.delete(FIGURES))
    fresh(store)
    run(store)
    after = _kept(store, kinds)
    assert after.keys() == before.keys()
    bad = [n for n in before if not figures.same(before[n], after[n])]
    assert not bad, bad[:3]


def test_a_registry_correction_moves_both_groups_a_revenue_correction_does_not(store):
    fresh(store)
    kpi_stored.keep(store, ["2026-06"], force=True, monitoring=True)
    kpi_stored.keep(store, force=True, monitoring=False)
    alerts_stored.keep(store, force=True)
    batch(store, 900, "UPDATE enterprise SET employees = coalesce(employees, 0) + 1 "
                       "WHERE id = (SELECT min(id) FROM enterprise)")
    fresh(store)
    assert kpi_stored.kept_at(store) is None and alerts_stored.kept_at(store) is None   # new data key
    k = kpi_stored.keep(store, force=False, monitoring=False)
    a = alerts_stored.keep(store, force=False)
    assert not k["computed"] and k["carried_rows"] > 20
    assert not a["computed"] and a["carried_rows"] >= a["periods"]
    assert kpi_stored.kept_at(store) is not None and alerts_stored.kept_at(store) is not None
    kinds = ("kpi", "kpi_table", "kpi_chain", "monitoring", "alerts")
    moved = _kept(store, kinds)
    assert any('"monitoring"' in n for n in moved)          # kept with the KPI figures: moved too
    with store.engine.begin() as c:
        c.execute(sa.delete(FIGURES))
    fresh(store)
    kpi_stored.keep(store, ["2026-06"], force=True, monitoring=True)
    kpi_stored.keep(store, force=True, monitoring=False)
    alerts_stored.keep(store, force=True)
    again = _kept(store, kinds)
    assert moved.keys() == again.keys() and all(figures.same(moved[n], again[n]) for n in again)

    batch(store, 901, "UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1000 "
                       "WHERE enterprise_id = (SELECT min(enterprise_id) FROM monthly_report)")
    fresh(store)
    assert kpi_stored.keep(store, force=False, monitoring=False)["computed"]
    assert alerts_stored.keep(store, force=False)["computed"]
