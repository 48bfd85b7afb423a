"""Input–output linkages: ``chainbrain.analytics.io.linkages`` vs pymrio 0.7.0.

Input: a synthetic table held in memory as NumPy arrays — Z (n × n,
lognormal flows, ~70 % of the cells nonzero, stronger within a region than
across regions, a few all-zero sectors: sectors a region does not have) and
final demand f; x = Z·1 + f.  Both sides start from the same Z and f and end
with the same outputs: output multipliers, BL, FL (from the Ghosh inverse)
and the hypothetical-extraction share of every sector.

Scales: ``province`` a single-region table of 153 sectors (the size of the
NBS 2020 benchmark table); ``national`` a multi-regional table of
31 provinces × 42 sectors = 1,302 region-sectors (the size of China's
provincial MRIO tables).

Baseline: pymrio's own functions on NumPy arrays (its fastest input):
``calc_x``, ``calc_A``, ``calc_L``, ``calc_B``, ``calc_G(B, L, x)`` (its cheap
route, with G's diagonal set to 1 for zero-output sectors, where the cheap
route leaves an empty row but (I − B)⁻¹ has 1), column/row sums for the
multipliers, BL and FL, and — pymrio has no extraction function — the
extraction done with pymrio the way a user would: for each sector k, row and
column k of A set to zero, ``calc_L``, ``calc_x_from_L(L, f)``.  At
``province`` every extraction is timed; at ``national`` (1,302 inversions of
1,302 × 1,302 would take many minutes) ``SAMPLE`` extractions are timed and
the baseline time is the core time plus n × the mean extraction time
(``baseline_extrapolated``: true).  Our side computes all extractions at once
in closed form from one Leontief inverse (see the module docstring).
``core_ratio`` is pymrio's time for the part without extraction (A, L, G,
multipliers, BL, FL) over our full time, so the gain that comes from the
closed-form extraction can be told from the rest.  Both sides run on
``BLAS_THREADS`` BLAS threads (threadpoolctl).  Results are checked equal
(max |difference| ≤ 1e-8 · max |value|, per measure) before recording.
"""

from __future__ import annotations

import os
import time

import numpy as np

from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics.io import linkages

SCALES = {"province": (1, 153), "national": (31, 42)}
SAMPLE = 40
BLAS_THREADS = 1        # both sides: the machine is shared, and oversubscribed BLAS threads make timings noise


def make_table(regions: int, sectors: int, seed: int = 2026):
    rng = np.random.default_rng(seed)
    n = regions * sectors
    reg = np.repeat(np.arange(regions), sectors)
    Z = rng.lognormal(0, 1.5, (n, n)) * (rng.random((n, n)) < 0.7)
    Z *= np.where(reg[:, None] == reg[None, :], 1.0, 0.05)
    Z *= rng.lognormal(0, 1, n)[:, None] * rng.lognormal(0, 1, n)[None, :]
    rows, cols = Z.sum(axis=1), Z.sum(axis=0)
    # final demand: a share of sales, and enough that inputs are 20–80 % of output (column sums of A < 1)
    f = np.maximum(rows * rng.uniform(0.4, 1.5, n), cols / rng.uniform(0.2, 0.8, n) - rows) + 1.0
    for k in rng.choice(n, size=max(1, n // 100), replace=False):   # sectors a region does not have
        Z[k, :] = 0
        Z[:, k] = 0
        f[k] = 0
    Z = np.round(Z * 100)
    f = np.round(f * 100)
    return Z, f


def ours(Z, f):
    r = linkages(Z, f)
    return r.output_multiplier, r.bl, r.fl, r.hem_share


def baseline_core(Z, f):
    import pymrio
    x = pymrio.calc_x(Z, f.reshape(-1, 1)).ravel()
    A = pymrio.calc_A(Z, x)
    L = pymrio.calc_L(A)
    G = pymrio.calc_G(pymrio.calc_B(Z, x), L=L, x=x)
    zero = np.flatnonzero(x == 0)       # its cheap route leaves G's rows at x = 0 empty; (I − B)⁻¹ has 1 there
    G[zero, zero] = 1.0
    n = len(x)
    s = L.sum(axis=0)
    g = G.sum(axis=1)
    return A, x, s, n * s / s.sum(), n * g / g.sum()


def baseline_extraction(A, f, x, k):
    import pymrio
    Ak = A.copy()
    Ak[k, :] = 0
    Ak[:, k] = 0
    xb = pymrio.calc_x_from_L(pymrio.calc_L(Ak), f)
    return (x.sum() - xb.sum()) / x.sum()


def run(scale: str) -> dict:
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        return _run(scale)


def _run(scale: str) -> dict:
    regions, sectors = SCALES[scale]
    Z, f = make_table(regions, sectors)
    n = len(f)
    load0 = os.getloadavg()[0]
    ours(Z, f)                                                   # warm-up
    t_ours, (m, bl, fl, hem) = best_of(lambda: ours(Z, f), repeat=5)
    peak = peak_mb()
    baseline_core(Z, f)
    t_core, (A, x, s, bbl, bfl) = best_of(lambda: baseline_core(Z, f), repeat=5 if scale == "province" else 2)
    ks = np.arange(n) if scale == "province" else np.random.default_rng(7).choice(n, SAMPLE, replace=False)
    t0 = time.perf_counter()
    bhem = {int(k): baseline_extraction(A, f, x, k) for k in ks}
    t_ext = time.perf_counter() - t0
    t_base = t_core + t_ext * n / len(ks)
    worst = 0.0
    for a, b in ((m, s), (bl, bbl), (fl, bfl), (hem[ks], np.array([bhem[int(k)] for k in ks]))):
        d = float(np.max(np.abs(a - b)) / np.max(np.abs(b)))          # normwise relative
        assert d <= 1e-8, d
        worst = max(worst, d)
    load1 = os.getloadavg()[0]
    return record("io_linkages", scale, t_ours, t_base, peak, sectors=n, regions=regions,
                  nonzero_cells=int(np.count_nonzero(Z)), max_rel_diff=worst,
                  baseline_extractions_timed=int(len(ks)), baseline_extrapolated=bool(len(ks) < n),
                  core_baseline_s=round(t_core, 4), core_ratio=round(t_core / t_ours, 3),
                  blas_threads=BLAS_THREADS, load_1min=[round(load0, 2), round(load1, 2)])

