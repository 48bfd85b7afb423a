"""A differencing attacker against every role (issue #12, point 3), on the tiny demo.

For each role (anonymous on a public deployment, viewer, enterprise, county,
city, chain office) the attacker fetches the aggregate tables the role can
reach through the JSON API, for both industry scopes — cockpit (province and
the role's city, with targets and projection), KPI, chain list, chain pages
(the role's chain and another: cities and segments), the region pages of the
role's city and all its counties (every city and chain with
``CHAINBRAIN_ATTACK_FULL=1``; slow), the operations page and the focus pages of every city
and county of the newest annual-report year (``/api/focus/{region}?top=100``: each item's
revenue, share of the province and RCA; a shown ratio with one unknown factor gives it back) — and
collects each figure as a sum over a cell (measure, chain, region, scope):
``cur`` revenue YTD, ``cc``/``cb`` comparable current/base, ``prev``
previous-year revenue, ``base`` base-year revenue (target path ÷ its compound
factor); ``seg`` segment revenue on the chain page. Growth rates give the
missing side of their ratio back (cb = cc / (1 + yoy_comparable), …).

Then it combines what it holds: every parent − Σ known children along the region
tree, chain → segments → sub-segments, scope ``all`` − ``manufacturing`` and the
differences inside one record (cur − cc: entrants; prev − cb: exits),
repeatedly, adding every cell it recovers to what it knows. The truth — which
enterprises each cell is built from — comes from the store
(:func:`chainbrain.analytics.suppression.universe`, checked here against the
counts and sums the province administrator sees through the same API). A
recovered or shown value built from 1 or 2 enterprises the role cannot see
individually (the role's own enterprises, written down here from the role's
definition, are discounted) is a leak. The same cell must never be shown on
one page and withheld on another.

Across periods (:mod:`chainbrain.analytics.suppression_periods`): last year's and the base year's
same month (whose ``cur`` sums are this period's ``prev`` and ``base``: identity relations) and
last month (YTD(m) − YTD(m−1) of one cell), with every cell of the four periods published as each
role's patterns say, and through the pages for the anonymous viewer. With each period's pattern
computed on its own this found 28 leaks (anonymous, viewer, enterprise, county) and 10 (city,
chain office); none with the pattern linked across the month's years.

On the code before complementary suppression (commit 06af5d3) this attacker
found 213 leaks for the anonymous viewer alone (a hidden county = city − its
other counties, a hidden city = province − the others, chain × city cells from
the chain total, all − manufacturing, entrants = revenue − comparable revenue,
base-year sums behind target paths, segment revenue from its chain's total). On the focus pages'
own 1–2-firm rule (before they joined the pattern) it found, on the focus pages alone, 34 leaks
for the anonymous viewer, 34 viewer, 38 enterprise, 98 county, 118 city and 30 chain office (a
city's segment cell from the province's column, a county's from its city, the column total from
a share, row total − the other cells).
"""
from __future__ import annotations

import collections

import pytest

from attack_kit import Seen, attack, demo, fetch, identities, month_differences, published_periods  # noqa: F401

from chainbrain.analytics import suppression, suppression_periods
from chainbrain.periods import parse_period


def test_truth_matches_what_the_administrator_sees(demo):
    """The attacker's truth (enterprise sets) gives every count and sum the API shows the admin."""
    seen = fetch(demo["app"], "admin", demo)
    truth = demo["truth"]
    checked = 0
    for cell, value in seen.values.items():
        n = seen.counts.get(cell)
        if n is None or value is None or value == "shown":
            continue
        assert len(truth.sets.get(cell, ())) == n, (cell, n)
        # shown rounded to the fen
        assert truth.values.get(cell, 0.0) == pytest.approx(value, rel=1e-9, abs=0.006), cell
        checked += 1
    assert checked > 500
    assert not seen.clashes


@pytest.mark.parametrize("role", [None, "viewer", "ent", "county", "city", "chain"])
def test_no_role_recovers_a_small_cell(demo, role):
    seen = fetch(demo["app"], role, demo)
    assert not seen.clashes, seen.clashes[:5]                      # one pattern across all pages
    if role is None:
        # through the pages too (every role on all cells, and last month: test_..._across_periods):
        # last year's and the base year's same month (their cur sums are this period's prev and base)
        for t, period in demo["others"].items():
            if t != "m-1":
                seen.merge(fetch(demo["app"], role, demo, period, light=True), t)
        assert not seen.clashes, seen.clashes[:5]
        for r in demo["cross"].relations:                          # an identical sum: one state
            if len(r.children) == 1 and "@" in r.children[0][0] and not r.residual \
                    and r.parent in seen.values and r.children[0] in seen.values:
                assert (seen.values[r.parent] is None) == (seen.values[r.children[0]] is None), r.parent
    leaks = attack(seen, demo["cross"], demo["sees"][role])
    leaks += month_differences(seen, demo["cross"], demo["sees"][role])
    kinds = collections.Counter((k[0][0] if k[0] != "Σ" else "Σ", why.split(" ")[0] if why[0] != "(" else "difference")
                                for k, _, why in leaks)
    assert not leaks, (len(leaks), kinds, leaks[:6])
    # hiding everything is not a solution: cells withheld although built from ≥ 3 unseen
    # enterprises (secondary suppressions) stay a minority of what the role fetched
    unseen = {k: v - demo["sees"][role] for k, v in demo["truth"].sets.items()}
    secondary = [k for k, v in seen.values.items() if v is None and len(unseen.get(k, ())) >= 3]
    assert len(secondary) < 0.25 * len(seen.values), (len(secondary), len(seen.values))


@pytest.mark.parametrize("role", [None, "viewer", "ent", "county", "city", "chain"])
def test_no_role_recovers_a_small_cell_across_periods(demo, role):
    """Cross-period differences (issue #12): the role may request last year's and the base year's
    same month (whose cur sums are this period's prev and base sums) and last month. With every
    cell of those periods published as the role's patterns say, the attacker (relations of every
    period, the identities between periods, YTD(m) − YTD(m−1) of the same cell) finds nothing."""
    visible = demo["sees"][role]
    seen = published_periods(demo, visible)
    leaks = attack(seen, demo["cross"], visible) + month_differences(seen, demo["cross"], visible)
    assert not leaks, (len(leaks), leaks[:6])
    # an identical sum has one state in every period
    for r in demo["cross"].relations:
        if len(r.children) == 1 and "@" in r.children[0][0] and not (r.residual - visible) \
                and r.parent in seen.values and r.children[0] in seen.values:
            a, b = seen.values[r.parent], seen.values[r.children[0]]
            assert (a is None) == (b is None), r.parent


def test_attacker_finds_the_classic_leak_without_secondary_suppression(demo):
    """Control: with primary suppression only (the pattern's ``primary`` set), the same attack on
    the same cells finds leaks — the attacker can fail."""
    truth = demo["published"]
    pat = suppression.pattern(truth, frozenset())
    seen = Seen()
    seen.derived, seen.facts = {}, []
    for cell in truth.sets:
        seen.put(cell, None if cell in pat.primary else truth.values[cell], "primary only")
    leaks = attack(seen, truth, frozenset())
    assert len(leaks) > 10


@pytest.mark.parametrize("role", [None, "county"])
@pytest.mark.parametrize("table", ["published", "focus"])
def test_no_withheld_cell_is_determined_by_all_relations_at_once(demo, role, table):
    """Audit beyond peeling: the relations as one linear system (parent − Σ children − rest = 0, the
    shown cells and the cells the role sees whole as constants). A withheld cell or a small rest is
    determined iff its unit vector lies in the row space of the system (leverage 1 in the SVD).
    ``published``: the KPI family's cells; ``focus``: the focus pages' annual region × segment cells
    with their row, column and grand totals (the shares and RCAs shown are ratios of shown cells)."""
    import numpy as np

    truth, visible = demo[table], demo["sees"][role]
    if table == "published":                 # the period's slice of the pattern linked across periods
        pat = suppression_periods.patterns_of(demo["family"], demo["base_year"], visible)[
            parse_period(demo["period"]).ytd_label]
    else:
        pat = suppression.pattern(truth, visible)
    unseen = {k: v - visible for k, v in truth.sets.items()}
    unknown: dict = {}
    rows = []
    for i, r in enumerate(truth.relations):
        row = {}
        for k, c in [(r.parent, 1.0)] + [(k, -1.0) for k in r.children]:
            if k in pat.hidden and unseen.get(k):
                row[unknown.setdefault(k, len(unknown))] = c
        if r.residual - visible:
            row[unknown.setdefault(("rest", i), len(unknown))] = -1.0
        if row:
            rows.append(row)
    m = np.zeros((len(rows), len(unknown)))
    for j, row in enumerate(rows):
        for i, c in row.items():
            m[j, i] = c
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    rank = int((s > 1e-9 * s.max()).sum())
    leverage = (vt[:rank] ** 2).sum(axis=0)
    determined = [k for k, i in unknown.items() if leverage[i] > 1 - 1e-9]
    assert len(unknown) > (500 if table == "published" else 40)
    assert not [k for k in determined if k[0] != "rest"]                        # no withheld cell
    assert not [k for k in determined if k[0] == "rest"
                and 0 < len(truth.relations[k[1]].residual - visible) < 3]       # no small rest
