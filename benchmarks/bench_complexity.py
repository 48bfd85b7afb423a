"""Economic complexity (all measures) on a long table: ``chainbrain.analytics.advantage`` vs ``ecomplexity``.

Input: one synthetic period of a region × product table in long form
(``year, region, product, value``; only nonzero cells, about 45 % of the
grid; heavy-tailed values with region and product size effects, a few
all-zero regions/products left in so the dropping rule is exercised),
held in memory as a pandas DataFrame.  Both sides start from that same
DataFrame and end with a long DataFrame holding RCA, Mcp, diversity,
ubiquity, ECI, PCI, density, COI and COG for every cell of the grid.

Baseline: ``ecomplexity.ecomplexity`` 0.5.3 (Growth Lab) with
``check_logsupermodularity=False`` and ``verbose=False`` (its optional
log-supermodularity diagnostic is not one of the measures; leaving it on
would only slow the baseline).  Scales: ``province`` 300 regions × 1,000
products (best of 3 for both); ``national`` 250 × 5,000 (best of 3 ours,
one run of the baseline: its 5,000 × 5,000 non-symmetric eigenproblem takes
minutes).  Results are checked equal (max abs difference ≤ 1e-6 on every
measure) before the timing is recorded.

Steady state: before the timed runs our side is called ``WARMUP`` times
and the baseline once (province).  In a fresh process the first calls pay
one-off costs (first use of pandas/SciPy code paths, and fresh memory: each
new page of the ~25 MB of arrays a call allocates faults once until glibc's
heap has grown to recycle them — at 300 × 1,000 the first two calls take
~110 ms, the next two ~52 ms, then ~42 ms).  The first call's time is
recorded as ``ours_first_s``.

Our side runs its matrix work on one BLAS thread (``complexity.BLAS_THREADS``)
and one Python thread (``complexity.THREADS``); the baseline keeps NumPy's
default BLAS threads.  The entry records which kernel the grid's shape
selects (``kernel``: ``blocked`` when P ≥ ``BLOCKED_RATIO`` · C, else
``dense``; see ``chainbrain.analytics.advantage.linalg``).  The machine is
shared: the 1-minute load average before our runs and after the baseline is
recorded with the figures (``load_1min``), so a ratio distorted by other
jobs can be spotted and re-measured.
"""

from __future__ import annotations

import importlib
import os
import warnings

import numpy as np
import pandas as pd

from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics.advantage.complexity import complexity

cx = importlib.import_module("chainbrain.analytics.advantage.complexity")   # the module, not the re-exported function

SCALES = {"province": (300, 1_000), "national": (250, 5_000)}
WARMUP = 3                                                  # untimed calls of our side (see above)
MEASURES = ["rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]
COLS = {"time": "year", "loc": "region", "prod": "product", "val": "value"}


def make_table(n_regions: int, n_products: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size_r = rng.lognormal(0, 1.0, n_regions)[:, None]
    size_p = rng.lognormal(0, 1.2, n_products)[None, :]
    X = size_r * size_p * rng.lognormal(0, 1.5, (n_regions, n_products))
    X *= rng.random((n_regions, n_products)) < 0.45
    X = np.round(X * 1e4)                                   # yuan-like integers
    X[-2:, :] = 0                                           # two empty regions, five empty products
    X[:, -5:] = 0
    r = np.array([f"R{i:04d}" for i in range(n_regions)])
    p = np.array([f"P{j:05d}" for j in range(n_products)])
    ri, pj = np.nonzero(X)
    extra = (np.full(5, n_regions - 1), np.arange(n_products - 5, n_products))   # explicit zero rows
    ri, pj = np.concatenate([ri, extra[0]]), np.concatenate([pj, extra[1]])
    return pd.DataFrame({"year": 2025, "region": r[ri], "product": p[pj], "value": X[ri, pj]})


def ours(df: pd.DataFrame) -> pd.DataFrame:
    return complexity(df, time="year")


def baseline(df: pd.DataFrame) -> pd.DataFrame:
    from ecomplexity import ecomplexity
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(df, COLS, verbose=False, check_logsupermodularity=False)


def check(a: pd.DataFrame, b: pd.DataFrame, tol: float = 1e-6) -> float:
    b = b.dropna(subset=["diversity"])                          # rows it adds back for dropped regions/products
    a = a.set_index(["region", "product"]).sort_index()
    b = b.set_index(["region", "product"]).sort_index()
    assert a.index.equals(b.index), (len(a), len(b))
    worst = 0.0
    for m in MEASURES:
        x, y = a[m].to_numpy(float), b[m].to_numpy(float)
        assert (np.isnan(x) == np.isnan(y)).all(), m
        d = float(np.nanmax(np.abs(x - y)))
        assert d <= tol, (m, d)
        worst = max(worst, d)
    return worst


def run(scale: str) -> dict:
    n_r, n_p = SCALES[scale]
    df = make_table(n_r, n_p)
    load0 = os.getloadavg()[0]
    t_first, _ = best_of(lambda: ours(df), repeat=1)
    for _ in range(WARMUP - 1):
        ours(df)
    t_ours, out = best_of(lambda: ours(df), repeat=3)
    peak = peak_mb()
    if scale != "national":
        baseline(df)
    t_base, bout = best_of(lambda: baseline(df), repeat=1 if scale == "national" else 3)
    worst = check(out, bout)
    load1 = os.getloadavg()[0]
    c, p = len(out["region"].cat.categories), len(out["product"].cat.categories)
    return record("complexity_all_measures", scale, t_ours, t_base, peak, regions=n_r, products=n_p,
                  input_rows=len(df), grid_rows=len(out), max_abs_diff=worst,
                  ours_first_s=round(t_first, 4), warmup=WARMUP,
                  kernel="blocked" if p >= cx.BLOCKED_RATIO * c else "dense",
                  threads={"blas": cx.BLAS_THREADS, "python": cx.THREADS},
                  load_1min=[round(load0, 2), round(load1, 2)])
