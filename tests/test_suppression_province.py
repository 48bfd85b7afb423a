"""The published pattern at province scale passes the exact linear audit (issue #12).

On the tiny demo the one-relation rule happens to leave nothing determined; on the province demo
it does not: cycles through the years of a family, the two industry scopes and the region tree
give back single entrants and exits (``cur − cc``, ``prev − cb`` of one firm). The pattern every
page publishes (``suppression_periods.audited_pattern``) is repaired until the audit passes; here
the check is the *global* reduction of :func:`suppression_audit.determined` (all relations at
once, no components, no published columns) — an independent code path from the repair's."""

from __future__ import annotations

import pytest

from chainbrain.analytics import suppression, suppression_audit, suppression_firms, suppression_periods
from chainbrain.analytics.kpi import latest_period

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def family(province):
    return suppression_periods.joint(province, latest_period(province))


def _sensitive(u, hidden, visible):
    """Sensitive unknowns (cells and rests of 1–2 unseen enterprises) the relations determine."""
    ix = suppression._index(u)
    count, _ = suppression.unseen_counts(ix["cell_sets"], visible, suppression.MIN_CELL)
    out = []
    for k in suppression_audit.determined(u, hidden, visible):
        n = len(u.relations[k[1]].residual - visible) if k[0] == "rest" else count[ix["idx"][k]]
        if 0 < n < suppression.MIN_CELL:
            out.append(k)
    return out


def _county(u) -> frozenset:
    """The enterprises a county office sees: its county's, in every year of the family."""
    county = sorted(k[3] for k in u.sets if k[1] == "cur" and k[2] is None and k[3] and not k[3].endswith("00"))[0]
    return frozenset().union(*(v for k, v in u.sets.items() if k[1] == "cur" and k[2] is None and k[3] == county))


@pytest.mark.parametrize("viewer", ["anonymous", "county"])
def test_published_pattern_passes_the_audit(family, viewer):
    visible = frozenset() if viewer == "anonymous" else _county(family)
    rule = suppression.pattern(family, visible)
    assert _sensitive(family, rule.hidden, visible), "the rule alone leaves nothing: the test would prove nothing"
    pat = suppression_periods.audited_pattern(family, visible)
    assert not _sensitive(family, pat.hidden, visible)
    assert rule.primary == pat.primary
    extra = len(pat.hidden - rule.hidden)
    assert 0 < extra < 0.05 * len(family.sets)          # a repair, not "hide everything"
    # the firm-level audit (overlapping chains, segments across regions, unrevised prior values)
    # runs at province scale too: the cell-audited pattern alone still gives back 1–2-firm sums
    cells_only, _ = suppression_audit.audited(family, visible, firms="off")
    assert suppression_firms.disclosed(family, cells_only.hidden, visible, suppression.MIN_CELL)
    assert not suppression_firms.disclosed(family, pat.hidden, visible, suppression.MIN_CELL)


def test_pages_publish_the_audited_pattern(province, family):
    """The web's pattern (one per viewer and period, cached) is the audited one."""
    from chainbrain.web.disclosure import Guard

    label = latest_period(province)
    pat = suppression_periods.audited_pattern(family, frozenset())
    own = suppression_periods.slice_of(pat, label, family.parts[label])
    assert Guard(province, frozenset()).pattern(label).hidden == own.hidden
