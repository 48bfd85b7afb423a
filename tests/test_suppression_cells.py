"""The vectorized suppression universe equals the loop-by-loop reference construction.

:func:`chainbrain.analytics.suppression_cells.universe` builds the cells with array operations;
``tests/suppression_reference.py`` keeps the construction it replaced. Both must give the same
cells, the same enterprise sets, the same values (to float rounding — the cost of withholding)
and the same relations in the same order (the pattern depends on that order), on the tiny demo,
for a period with a previous year, with the base-year sample, and with the operations page's
breakdown cells.
"""

from __future__ import annotations

import math

import pytest
import suppression_reference as ref

from chainbrain.analytics import suppression, suppression_cells


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    from chainbrain.demo.build import build_demo
    from chainbrain.store import open_store

    store = open_store(str(tmp_path_factory.mktemp("cells") / "tiny.duckdb"))
    build_demo(store, scale="tiny", seed=2023)
    yield store
    store.close()


def _same(a, b):
    assert a.period == b.period
    assert set(a.sets) == set(b.sets)
    bad = [k for k in a.sets if a.sets[k] != b.sets[k]]
    assert not bad, bad[:5]
    assert all(math.isclose(a.values[k], b.values[k], rel_tol=1e-12, abs_tol=1e-6) for k in a.values)
    assert a.revised == b.revised
    assert len(a.relations) == len(b.relations)
    for x, y in zip(a.relations, b.relations):
        assert (x.parent, x.children, x.residual) == (y.parent, y.children, y.residual)


@pytest.mark.parametrize("period", ["2025-06", "2024-12", "2023-03"])
def test_vectorized_universe_equals_reference(tiny_store, period):
    new = suppression_cells.universe(tiny_store, period)
    old = ref.universe(tiny_store, period)
    assert len(new.sets) > 100 and any(k[0] == "seg" for k in new.sets) and any(k[0] == "base" for k in new.sets)
    _same(new, old)
    assert suppression.pattern(new, frozenset()).hidden == suppression.pattern(old, frozenset()).hidden


def test_family_memo_gives_the_same_universes(tiny_store):
    memo = {}
    a = suppression_cells.universe(tiny_store, "2025-06", memo=memo)
    b = suppression_cells.universe(tiny_store, "2024-06", memo=memo)     # shares 2024-06-30 with a
    _same(a, ref.universe(tiny_store, "2025-06"))
    _same(b, ref.universe(tiny_store, "2024-06"))


def test_breakdown_cells_equal_reference(tiny_store):
    new = suppression_cells.universe(tiny_store, "2025-06", breakdowns=True)
    old = ref.universe(tiny_store, "2025-06", breakdowns=True)
    assert any(k[0] == "ops" for k in new.sets)
    _same(new, old)


def _viewers(store):
    """Viewers of every kind: anonymous, one enterprise, a county, a city (their visible sets)."""
    from chainbrain.analytics.suppression_cells import _located
    from chainbrain.analytics.scope import Shared
    from chainbrain.periods import parse_period

    loc = _located(Shared(store, cte=False), parse_period("2025-06").end_date)
    county = loc.county.value_counts().index[0]
    city = loc.city.value_counts().index[0]
    return {"anonymous": frozenset(), "enterprise": frozenset(loc.e.iloc[:1].tolist()),
            "county": frozenset(loc.e[loc.county == county].tolist()),
            "city": frozenset(loc.e[loc.city == city].tolist())}


def test_pattern_equals_reference_for_every_kind_of_viewer(tiny_store):
    """The pattern passes over untouched relations and counts unseen enterprises with arrays; the
    withheld cells are those of the reference loop, for the linked family and with forced cells."""
    from chainbrain.analytics import suppression_periods

    fam = {p.ytd_label: suppression_cells.universe(tiny_store, p.ytd_label)
           for p in suppression_periods.family(tiny_store, "2025-06")}
    joint = suppression_periods.linked(fam, suppression._target_base_year(tiny_store))
    one = fam["2025-06"]
    for who, vis in _viewers(tiny_store).items():
        for u in (one, joint):
            new, old = suppression.pattern(u, vis), ref.pattern(u, vis)
            assert (new.primary, new.hidden, new.unseen_empty, new.cells) == \
                (old.primary, old.hidden, old.unseen_empty, old.cells), who
            assert new.hidden - new.primary, who               # secondary suppression happens
    force = frozenset(sorted(one.sets, key=str)[:40])
    vis = _viewers(tiny_store)["county"]
    assert suppression.pattern(one, vis, force=force).hidden == ref.pattern(one, vis, force=force).hidden
