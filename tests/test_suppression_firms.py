"""The firm-level audit (``analytics/suppression_firms.py``) and its repair in
``suppression_audit.audited``: hand-made tables whose leaks no relation of the cell model states —
two overlapping chains of one county, and last year's revenue against this year's comparable base
(an exit), with and without a revised prior value."""

from __future__ import annotations

import numpy as np
import pytest

from chainbrain.analytics import suppression, suppression_audit, suppression_firms
from chainbrain.analytics.suppression import Universe
from chainbrain.analytics.suppression_periods import linked


def _family(cells: dict[str, dict], revised: dict | None = None) -> Universe:
    """label → {cell: firm ids}; every firm's value is 10 × its id (the cost only)."""
    us = {}
    for label, cs in cells.items():
        u = Universe(label, sets={k: frozenset(v) for k, v in cs.items()},
                     values={k: 10.0 * sum(v) for k, v in cs.items()},
                     revised=frozenset((revised or {}).get(label, ())))
        us[label] = u
    out = linked(us, None)
    out.parts = {label: len(u.sets) for label, u in us.items()}
    return out


def test_overlapping_chains_are_caught_and_repaired():
    """County X: chain A = firms 1–5, chain B = firms 1–3 (a firm can be in both chains), all
    industry = 1–6. Every cell holds ≥ 3 firms and no relation links A and B, so the rule and
    the cell audit withhold nothing — but A − B = firms 4 + 5 and total − A = firm 6."""
    u = _family({"2025-06": {("cur", "A", "X", "all"): {1, 2, 3, 4, 5}, ("cur", "B", "X", "all"): {1, 2, 3},
                             ("cur", None, "X", "all"): {1, 2, 3, 4, 5, 6}}})
    rule = suppression.pattern(u, frozenset())
    assert rule.hidden == frozenset()
    assert suppression_audit.determined(u, rule.hidden, frozenset()) == []          # the cell model sees nothing
    found = {a for a, _ in suppression_firms.disclosed(u, rule.hidden, frozenset(), 3)}
    assert found == {frozenset({4, 5}), frozenset({6})}
    pat, left = suppression_audit.audited(u, frozenset())
    assert not left and not suppression_firms.disclosed(u, pat.hidden, frozenset(), 3)
    assert 0 < len(pat.hidden) < 3
    # a viewer who sees firms 4, 5 and 6 (e.g. their county office) knows them: nothing to hide
    seen = frozenset({4, 5, 6})
    assert not suppression_firms.disclosed(u, frozenset(), seen, 3)


def _exit(revised):
    """2025: firms 1–4 in X; 2026: firm 4 has left, so the comparable base of 2026 holds 1–3."""
    return _family({"2025-06": {("cur", None, "X", "all"): {1, 2, 3, 4}},
                    "2026-06": {("cur", None, "X", "all"): {1, 2, 3, 5}, ("cc", None, "X", "all"): {1, 2, 3},
                                ("cb", None, "X", "all"): {1, 2, 3}}}, revised)


def test_an_exit_from_last_year_minus_this_years_comparable_base():
    """Unrevised, firm 1–3's prior values in 2026 *are* their 2025 values: cur@2025 − cb@2026 =
    firm 4. The cell model has no prev cell here to relate them."""
    u = _exit(None)
    found = {a for a, _ in suppression_firms.disclosed(u, frozenset(), frozenset(), 3)}
    assert frozenset({4}) in found
    pat, left = suppression_audit.audited(u, frozenset())
    assert not left and not suppression_firms.disclosed(u, pat.hidden, frozenset(), 3)


def test_a_revised_prior_value_is_a_value_of_its_own():
    """Firm 1 revised its 2025 value in its 2026 report: cb@2026 − cur@2025 no longer cancels (it is
    firm 1's revision plus firm 4), so firm 4 is not disclosed — but cur − cc of 2026 still gives
    the entrant, firm 5."""
    u = _exit({"2026-06": {1}})
    found = {a for a, _ in suppression_firms.disclosed(u, frozenset(), frozenset(), 3)}
    assert frozenset({4}) not in found and not any(4 in a for a in found)
    assert frozenset({5}) in found


def test_the_tiny_demos_published_pattern_discloses_no_firm(tmp_path):
    """On the tiny demo the cell-audited pattern of the family of its last month still gave single
    firms back (segments across regions, overlapping chains, exits through the comparable base);
    the published pattern — what ``Guard.pattern`` serves — gives none, for the anonymous viewer
    and a county office."""
    from chainbrain.analytics import suppression_periods
    from chainbrain.analytics.kpi import latest_period
    from chainbrain.demo.build import build_demo
    from chainbrain.store import open_store

    store = open_store(str(tmp_path / "tiny.duckdb"))
    try:
        build_demo(store, scale="tiny", seed=2023)
        u = suppression_periods.joint(store, latest_period(store))
        county = sorted(k[3] for k in u.sets if k[1] == "cur" and k[2] is None and k[3] and not k[3].endswith("00"))[0]
        seen = frozenset().union(*(v for k, v in u.sets.items() if k[1] == "cur" and k[2] is None and k[3] == county))
        for visible in (frozenset(), seen):
            pat = suppression_periods.audited_pattern(u, visible)
            assert not suppression_firms.disclosed(u, pat.hidden, visible, 3)
        before = suppression.pattern(u, frozenset())
        assert suppression_firms.disclosed(u, before.hidden, frozenset(), 3)      # the test can fail
    finally:
        store.close()


def _determined_by_rank(m, a: int) -> bool:
    """e_a lies in the row space of ``m`` (rank over the rationals: exact for these small 0/1 matrices)."""
    import numpy as np

    e = np.zeros((1, m.shape[1]))
    e[0, a] = 1
    return np.linalg.matrix_rank(np.vstack([m, e])) == np.linalg.matrix_rank(m)


def _random_block(rng, n_rows, na, density):
    m = (rng.random((n_rows, na)) < density).astype(float)
    m = m[m.sum(axis=1) > 0]
    indptr = np.r_[0, np.cumsum(m.sum(axis=1).astype(int))]
    indices = np.concatenate([np.flatnonzero(r) for r in m] or [[]]).astype(np.int64)
    return m, indptr, indices


@pytest.mark.parametrize("solve", ["kernel", "reference"])
def test_the_block_solve_gives_the_atoms_the_published_cells_determine(solve):
    """The compiled ``gf_kernel.firm_solutions`` and its pure-Python reference ``gf_reduce.firm_solutions``
    on random blocks: an atom is reported iff the published cells' rows span its unit vector (an
    independent rank test), and the cells it names span it too."""
    from chainbrain.analytics import gf_kernel, gf_reduce

    firm_solutions = (gf_kernel if solve == "kernel" else gf_reduce).firm_solutions
    rng = np.random.default_rng(7)
    for _ in range(60):
        m, indptr, indices = _random_block(rng, int(rng.integers(2, 9)), int(rng.integers(2, 8)), 0.45)
        if not len(m):
            continue
        na = m.shape[1]
        found = dict(firm_solutions(indptr, indices, na, np.arange(na)))
        for a in range(na):
            assert (a in found) == _determined_by_rank(m, a), (m, a)
            if a in found:
                assert found[a] and _determined_by_rank(m[found[a]], a)


def test_the_compiled_solve_equals_the_reference_on_larger_blocks():
    """Blocks of a few hundred cells and atoms, only some atoms small: the same atoms in the same order
    (the repair takes the first support of a pick) with the same supports."""
    from chainbrain.analytics import gf_kernel, gf_reduce

    rng = np.random.default_rng(11)
    disclosing = 0
    for n_rows, na, density in [(40, 120, 0.05), (150, 300, 0.02), (300, 200, 0.01), (60, 60, 0.3),
                                (400, 150, 0.015), (200, 250, 0.01)]:
        _, indptr, indices = _random_block(rng, n_rows, na, density)
        small = np.flatnonzero(rng.random(na) < 0.7)
        ref = gf_reduce.firm_solutions(indptr, indices, na, small)
        got = gf_kernel.firm_solutions(indptr, indices, na, small)
        assert [a for a, _ in got] == [a for a, _ in ref]
        assert [sorted(c) for _, c in got] == [sorted(c) for _, c in ref]
        disclosing += bool(ref)
    assert disclosing >= 3                                   # most of these blocks do disclose atoms


def test_the_kernels_arithmetic_is_exact_mod_p():
    """61-bit products by 32-bit halves and Fermat inverses, against Python's integers (boundaries:
    0, 1, P − 1, 2³² ± 1, 2⁶⁰)."""
    import random

    from chainbrain.analytics.gf_kernel import P, invmod, mulmod

    edge = [0, 1, 2, P - 1, P - 2, (1 << 32) - 1, 1 << 32, (1 << 32) + 1, 1 << 60, (1 << 61) - 3]
    rng = random.Random(3)
    pairs = [(a, b) for a in edge for b in edge] + [(rng.randrange(P), rng.randrange(P)) for _ in range(3000)]
    for a, b in pairs:
        assert int(mulmod(np.uint64(a), np.uint64(b))) == a * b % P, (a, b)
    for a in edge[1:] + [rng.randrange(1, P) for _ in range(50)]:
        assert int(invmod(np.uint64(a))) * a % P == 1


def test_the_cell_audits_systems_solve_the_same_in_the_kernel(monkeypatch):
    """The cell audit's systems (coefficients 1 and −1, unknowns before published cells): the kernel's
    ``determined`` gives what ``reduce_rows`` gives, for systems on both sides of ``KERNEL_NNZ``."""
    import random

    from chainbrain.analytics import gf_kernel
    from chainbrain.analytics.gf_reduce import P, reduce_rows

    rng = random.Random(5)
    sizes = []
    for _ in range(80):
        n, nu = rng.randint(3, 40), 0
        nu = rng.randint(1, n - 1)
        rows = []
        for _ in range(rng.randint(1, 30)):
            row = {j: rng.choice([1, P - 1]) for j in rng.sample(range(n), rng.randint(1, min(n, 6)))}
            rows.append(row)
        want = [(c, sorted(j for j in r if j != c)) for c, r in reduce_rows(rows).items()
                if c < nu and not any(j < nu for j in r if j != c)]
        nnz = sum(len(r) for r in rows)
        sizes.append(nnz >= gf_kernel.KERNEL_NNZ)
        indptr = np.r_[0, np.cumsum([len(r) for r in rows])]
        cols = [j for r in rows for j in r]
        vals = np.array([v for r in rows for v in r.values()], np.uint64)
        got = gf_kernel.determined(indptr, cols, vals, n, nu)
        assert [(c, sorted(r)) for c, r in got] == want
        assert [(c, sorted(r)) for c, r in gf_kernel.determined_rows(rows, n, nu)] == want
    assert any(sizes) and not all(sizes)
