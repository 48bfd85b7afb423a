"""The exact linear audit (``analytics/suppression_audit.py``) and the pattern repaired until it
passes: a hand-made triangle the one-relation rule leaves solvable; agreement with an SVD audit;
the operations breakdowns of the tiny demo (overlapping partitions) repaired for partial viewers."""

from __future__ import annotations

import numpy as np
import pytest

from chainbrain.analytics import suppression, suppression_audit
from chainbrain.analytics.suppression import Relation, Universe


def _triangle() -> Universe:
    """x (1 firm), y (2), z (2) — all primary; P1 = x + y, P2 = y + z, P3 = x + z (3+ firms each,
    shown). Every relation has two unknowns and an unknown sum of ≥ 3 firms, so the rule is
    satisfied — but x = (P1 − P2 + P3) / 2."""
    sets = {"x": {1}, "y": {2, 3}, "z": {4, 5}, "P1": {1, 2, 3}, "P2": {2, 3, 4, 5}, "P3": {1, 4, 5}}
    values = {"x": 1.0, "y": 2.0, "z": 3.0, "P1": 3.0, "P2": 5.0, "P3": 4.0}
    key = lambda n: ("cur", None, n, "all")                             # noqa: E731
    return Universe("2025-06", sets={key(k): frozenset(v) for k, v in sets.items()},
                    values={key(k): v for k, v in values.items()},
                    relations=[Relation(key(p), (key(a), key(b)), frozenset())
                               for p, a, b in (("P1", "x", "y"), ("P2", "y", "z"), ("P3", "x", "z"))])


def test_triangle_is_solved_by_the_audit_and_repaired():
    u = _triangle()
    key = lambda n: ("cur", None, n, "all")                             # noqa: E731
    pat = suppression.pattern(u, frozenset())
    assert pat.hidden == {key("x"), key("y"), key("z")}
    assert suppression_audit.determined(u, pat.hidden, frozenset()) == sorted(map(key, "xyz"), key=str)
    fixed, left = suppression_audit.audited(u, frozenset())
    assert not left and not suppression_audit.determined(u, fixed.hidden, frozenset())
    # x: its relations' published members are P1 (3.0) and P3 (4.0) → P1; y and z share a relation
    # with it and wait; then x + y = P1 is unknown and x = P3 − P2 + y: nothing determined
    assert fixed.hidden - pat.hidden == {key("P1")}
    # a viewer who sees firm 1 knows x; P1 and P3 then hold 2 unseen firms each (primary): y, z, P1,
    # P3 withheld, two relations left with two unknowns each — nothing determined, nothing to repair
    seen = frozenset({1})
    assert suppression.pattern(u, seen).hidden == {key("y"), key("z"), key("P1"), key("P3")}
    assert not suppression_audit.determined(u, suppression.pattern(u, seen).hidden, seen)
    assert suppression_audit.audited(u, None)[0].hidden == frozenset()          # the administrator


def _svd_determined(u, hidden, visible):
    unknown, rows = suppression_audit.system(u, hidden, visible)
    m = np.zeros((len(rows), len(unknown)))
    for j, row in enumerate(rows):
        for i, c in row.items():
            m[j, i] = c if c < suppression_audit.P // 2 else c - suppression_audit.P
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    rank = int((s > 1e-9 * s.max()).sum())
    lev = (vt[:rank] ** 2).sum(axis=0)
    col = {i: k for k, i in unknown.items()}
    out = [col[i] for i in range(len(unknown)) if lev[i] > 1 - 1e-9]
    return sorted((k for k in out if k[0] != "rest" or 0 < len(u.relations[k[1]].residual - visible) < 3), key=str)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from chainbrain.analytics.kpi import latest_period
    from chainbrain.demo.build import build_demo
    from chainbrain.store import open_store

    store = open_store(str(tmp_path_factory.mktemp("audit") / "tiny.duckdb"))
    try:
        build_demo(store, scale="tiny", seed=2023)
        p = latest_period(store)
        yield suppression.universe(store, p), suppression.universe(store, p, breakdowns=True)
    finally:
        store.close()


def test_agrees_with_the_svd_audit(tiny):
    """With primary suppression alone many withheld cells are determined: the exact audit and the
    SVD one name the same cells."""
    u, _ = tiny
    primary = suppression.pattern(u, frozenset()).primary
    exact = suppression_audit.determined(u, primary, frozenset())
    assert len(exact) > 50
    assert exact == _svd_determined(u, primary, frozenset())


def test_overlapping_breakdowns_repaired(tiny):
    """The operations breakdowns (divisions, size classes, groups — the same total split several
    ways): the one-relation rule leaves cells the relations solved together determine; the repaired
    pattern leaves none, withholding a few more cells."""
    _, u = tiny
    p0 = suppression.pattern(u, frozenset())
    assert len(suppression_audit.determined(u, p0.hidden, frozenset())) > 20
    fixed, left = suppression_audit.audited(u, frozenset())
    assert not left and not suppression_audit.determined(u, fixed.hidden, frozenset())
    assert fixed.primary == p0.primary                 # the forced cells can change the rule's own picks
    assert 0 < len(fixed.hidden) - len(p0.hidden) < 0.02 * len(u.sets)
    # the repaired pattern keeps the one-relation rule too: no relation with a single unknown cell
    for r in u.relations:
        unknown = [k for k in (r.parent, *r.children) if k in fixed.hidden]
        assert len(unknown) != 1 or r.residual, r.parent


def _sensitive_determined(u, hidden, visible):
    """Sensitive unknowns (cells or rests of 1–2 unseen firms) the whole system determines — the
    audit on the system as one (:func:`suppression_audit.determined`, checked against the SVD above),
    not the per-component reduction of :mod:`suppression_breakdowns`."""
    return [k for k in suppression_audit.determined(u, hidden, visible)
            if k[0] == "rest" or 0 < len(u.sets[k] - visible) < 3]


@pytest.mark.parametrize("who", ["anonymous", "county"])
def test_breakdown_pattern_passes_the_audit(tiny, who):
    """The operations breakdowns on top of the published pattern (analytics.suppression_breakdowns):
    the published cells keep their state, the exact audit passes (no cell or rest of 1–2 unseen
    firms determined by all relations at once — checked again by an SVD), few cells are added."""
    from chainbrain.analytics import suppression_breakdowns as sb

    u_kpi, u = tiny
    visible = frozenset() if who == "anonymous" else frozenset(
        e for k, v in u_kpi.sets.items() if k[0] == "cur" and k[1] is None and k[2] == _county(u_kpi)
        and k[3] == "all" for e in v)
    base = suppression.pattern(u_kpi, visible)
    res = sb.breakdown_pattern(u, base, visible)
    assert res.safe and res.left == [] and res.already == []
    kpi = {k for k in u.sets if not sb.is_breakdown(k)}
    assert res.pattern.hidden & kpi == base.hidden                 # one pattern: the published states stay
    assert {k for k in res.pattern.hidden if sb.is_breakdown(k)} >= {
        k for k in u.sets if sb.is_breakdown(k) and 0 < len(u.sets[k] - visible) < 3}        # primary
    assert not _sensitive_determined(u, res.pattern.hidden, visible)
    st = res.stats()
    assert 0 < st["ops_secondary_share"] < 0.15, st
    # the one-relation rule alone leaves determined cells: the audit's repair was needed
    t = sb._Table(u, visible, 3)
    plain = {k for k in base.hidden} | {k for k in u.sets if sb.is_breakdown(k) and t.small(len(t.unseen[k]))}
    t.close(plain, range(len(u.relations)))
    assert _sensitive_determined(u, plain, visible)


def _county(u):
    """The county (6-digit code, not a city) with the most enterprises in the tiny demo."""
    counties = [(len(v), k[2]) for k, v in u.sets.items()
                if k[0] == "cur" and k[1] is None and k[3] == "all" and k[2] and not k[2].endswith("00")]
    return max(counties)[1]


def test_breakdown_pattern_too_large_is_not_published(tiny):
    """Above the cell limit the repair is not attempted: not safe (the page shows counts only)."""
    from chainbrain.analytics import suppression_breakdowns as sb

    u_kpi, u = tiny
    res = sb.breakdown_pattern(u, suppression.pattern(u_kpi, frozenset()), frozenset(), max_cells=100)
    assert not res.safe
    assert sb.breakdown_pattern(u, suppression.pattern(u_kpi, frozenset()), None).safe      # the administrator
