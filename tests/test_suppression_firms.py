"""The firm-level audit (``analytics/suppression_firms.py``) and its repair in
``suppression_audit.audited``: hand-made tables whose leaks no relation of the cell model states —
two overlapping chains of one county, and last year's revenue against this year's comparable base
(an exit), with and without a revised prior value."""

from __future__ import annotations

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


def test_the_block_solve_gives_the_atoms_the_published_cells_determine():
    """``gf_reduce.firm_solutions`` on random blocks: an atom is reported iff the published cells'
    rows span its unit vector (an independent rank test), and the cells it names span it too."""
    import numpy as np

    from chainbrain.analytics.gf_reduce import firm_solutions

    rng = np.random.default_rng(7)
    for _ in range(40):
        n_rows, na = int(rng.integers(2, 9)), int(rng.integers(2, 8))
        m = (rng.random((n_rows, na)) < 0.45).astype(float)
        m = m[m.sum(axis=1) > 0]
        if not len(m):
            continue
        indptr = np.r_[0, np.cumsum(m.sum(axis=1).astype(int))]
        indices = np.concatenate([np.flatnonzero(r) for r in m]).astype(np.int64)
        found = dict(firm_solutions(indptr, indices, na, np.arange(na)))
        for a in range(na):
            assert (a in found) == _determined_by_rank(m, a), (m, a)
            if a in found:
                assert found[a] and _determined_by_rank(m[found[a]], a)


def test_the_solve_in_a_worker_process_gives_the_same_pattern(monkeypatch):
    """The server solves blocks in a worker process (``solver_pool``); the published pattern and the
    firms found are the same as in-process."""
    from chainbrain.analytics import solver_pool

    u = _family({"2025-06": {("cur", "A", "X", "all"): {1, 2, 3, 4, 5}, ("cur", "B", "X", "all"): {1, 2, 3},
                             ("cur", None, "X", "all"): {1, 2, 3, 4, 5, 6}}})
    here = suppression_firms.disclosed(u, frozenset(), frozenset(), 3)
    pat_here, _ = suppression_audit.audited(u, frozenset())
    before = solver_pool.done_remote
    assert solver_pool.start(1) == 1
    try:
        there = suppression_firms.disclosed(u, frozenset(), frozenset(), 3)
        pat_there, _ = suppression_audit.audited(u, frozenset())
    finally:
        solver_pool.stop()
    assert solver_pool.done_remote > before                     # the blocks went to the worker
    assert sorted(map(repr, there)) == sorted(map(repr, here)) and pat_there.hidden == pat_here.hidden


def test_a_bad_solver_process_count_is_refused(monkeypatch):
    import pytest

    from chainbrain.analytics.solver_pool import processes
    from chainbrain.config import ConfigError

    monkeypatch.setenv("CHAINBRAIN_SOLVER_PROCESSES", "0")
    assert processes() == 0
    for bad in ("-1", "two"):
        monkeypatch.setenv("CHAINBRAIN_SOLVER_PROCESSES", bad)
        with pytest.raises(ConfigError, match="CHAINBRAIN_SOLVER_PROCESSES 的取值无效"):
            processes()


def test_a_solver_worker_ends_with_its_server(tmp_path):
    """SIGKILL the process that started the workers: they end too (no orphan waits for work forever)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "server.py"
    script.write_text(
        "import os, time\n"
        "from chainbrain.analytics import solver_pool\n"
        "if __name__ == '__main__':\n"
        "    solver_pool.start(1)\n"
        "    pid = solver_pool.run(os.getpid)\n"
        "    print(pid, flush=True)\n"
        "    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(proc.stdout.readline())
        assert worker != proc.pid
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        end = time.time() + 15
        while time.time() < end:
            try:
                os.kill(worker, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.kill(worker, signal.SIGKILL)
            raise AssertionError("the solver worker outlived its server")
    finally:
        if proc.poll() is None:
            proc.kill()
