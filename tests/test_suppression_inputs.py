"""The suppression universe's declared inputs are all it reads (issue #20).

``analytics/suppression_inputs.py`` lists the rows and columns a month family's universe is built
from; the server moves a viewer's kept patterns to new data when their fingerprint is unchanged,
without building the universe. A column read but not listed would let a pattern that is no longer
right be served. So, on the tiny demo:

- building the universes reads only the listed tables (every ``store.table`` call recorded);
- changing everything *outside* the declared inputs — every other column of those tables, and the
  rows of other months and other attributes — leaves the fingerprint and the universes' digests as
  they were (two families: a December and a mid-year month with its base year);
- changing one declared input (a revenue of the family's month, a reported 上年同期, an industry class)
  changes both; changing another month's revenue changes the other family's fingerprint only.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from chainbrain.analytics import suppression_inputs as si
from chainbrain.analytics import suppression_periods as sp
from chainbrain.analytics.suppression_digest import digest
from perturb import changed, columns, fresh, store, tiny_db  # noqa: F401 — fixtures

FAMILIES = ("2025-12", "2026-06")


def _state(store) -> dict:
    """family → (fingerprint, digest of its joint universe for a viewer who sees nothing individually)."""
    fresh(store)
    out = {}
    for label in FAMILIES:
        month = int(label[5:])
        out[label] = (si.fingerprint(store, month), digest(sp.joint(store, label), frozenset(), 3))
    return out


def _declared() -> dict:
    return {t: (None if cols == "*" else [c.strip() for c in cols.split(",")], rows) for t, cols, rows in si.SOURCES}


def test_building_the_universe_reads_only_the_declared_tables(store, monkeypatch):
    read = set()
    real = type(store).table
    monkeypatch.setattr(type(store), "table", lambda self, name, *a, **k: read.add(name) or real(self, name, *a, **k))
    fresh(store)
    for label in FAMILIES:
        sp.joint(store, label)
    assert read and read <= set(_declared()), sorted(read - set(_declared()))


def test_everything_outside_the_declared_inputs_leaves_the_universes_alone(store):
    before = _state(store)
    declared = _declared()
    with store.engine.begin() as c:
        for table, (cols, rows) in declared.items():
            if cols is None:
                continue
            every = columns(c, table)
            other = [(n, k) for n, k in every if n not in cols]
            if other:                                    # every column not read, every row
                c.execute(sa.text(f"UPDATE {table} SET " + ", ".join(f"{n} = {changed(n, k)}" for n, k in other)))
            if rows is not None:                         # the rows not read: every column but the filter's
                inside = "month IN (%s)" % ", ".join(str(int(x[5:])) for x in FAMILIES) \
                    if table == "monthly_report" else rows
                outside = [(n, k) for n, k in every if n in cols and n not in ("month", "attr", "enterprise_id")]
                c.execute(sa.text(f"UPDATE {table} SET " + ", ".join(f"{n} = {changed(n, k)}" for n, k in outside)
                                  + f" WHERE NOT ({inside})"))
    after = _state(store)
    assert after == before


@pytest.mark.parametrize("change, moved", [
    ("UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1 WHERE month = 6 AND year = 2026 "
     "AND enterprise_id = (SELECT min(enterprise_id) FROM monthly_report WHERE month = 6 AND year = 2026)",
     {"2026-06"}),
    ("UPDATE monthly_report SET revenue_ytd_prev = revenue_ytd_prev * 2 WHERE month = 12 AND year = 2025",
     {"2025-12"}),
    ("UPDATE enterprise_attr SET attr_value = (SELECT min(code) FROM industry WHERE section = 'F') "
     "WHERE attr = 'industry_code' AND enterprise_id = (SELECT min(enterprise_id) FROM monthly_report "
     "WHERE year = 2026 AND month = 6 AND enterprise_id IN "
     "(SELECT enterprise_id FROM monthly_report WHERE year = 2025 AND month = 12))",
     set(FAMILIES)),
])
def test_a_declared_input_moves_the_fingerprint_and_the_universe(store, change, moved):
    before = _state(store)
    with store.engine.begin() as c:
        c.execute(sa.text(change))
    after = _state(store)
    for label in FAMILIES:
        fp_moved, universe_moved = after[label][0] != before[label][0], after[label][1] != before[label][1]
        assert fp_moved == (label in moved), label
        assert universe_moved == (label in moved), label


def test_the_key_tells_viewers_families_and_cell_sizes_apart():
    parts = ("1", "2", "3")
    base = si.key(parts, ("2025-06", "2026-06"), frozenset({1, 2}), 3)
    assert base == si.key(parts, ("2025-06", "2026-06"), frozenset({2, 1}), 3)
    assert base != si.key(parts, ("2025-06", "2026-06"), frozenset({1}), 3)
    assert base != si.key(parts, ("2025-06", "2026-06"), None, 3)
    assert base != si.key(parts, ("2026-06",), frozenset({1, 2}), 3)
    assert base != si.key(parts, ("2025-06", "2026-06"), frozenset({1, 2}), 4)
    assert base != si.key(("1", "2", "4"), ("2025-06", "2026-06"), frozenset({1, 2}), 3)
    with pytest.raises(ValueError):
        si.sources(13)
