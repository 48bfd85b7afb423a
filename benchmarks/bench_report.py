"""The monthly analysis report at province scale: the province's and a chain's, Word, PDF and Excel.

Set-up (not timed): the demo province at ``scale`` is copied to a temporary file and the
month's stored aggregates are computed as the server does after each month's data arrive
(:func:`chainbrain.analytics.aggregates.refresh` for the period, alerts included; the
operations indicators and the modernization index off) — so the report reads the stored
alerts, as ``chainbrain compute`` leaves them in production.

Timed: :func:`chainbrain.reports.gather.gather` (every figure from the engines, the operator's
full view) + writing one format to memory, best of 3 in one process (``ours_s``: the province
report in Word); the first (cold) run of each is recorded too, with the chain report (EI),
PDF and Excel, and the gather's step timings.

Baseline: there is no other implementation; ``baseline_s`` is the issue's goal (10 s), so
``ratio`` = goal / ours (≥ 1: the goal is met).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.data import demo_store
from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics.aggregates import refresh
from chainbrain.analytics.kpi import latest_period
from chainbrain.store import open_store

GOAL_S = 10.0
CHAIN = "EI"


def _one(store, period, chain, fmt):
    from chainbrain.reports import write
    from chainbrain.reports.gather import gather

    m = gather(store, period, chain=chain)
    write(m, fmt, io.BytesIO())
    return m


def run(scale: str) -> dict:
    src = demo_store(scale)
    path = Path(str(src.db))
    src.close()
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        db = tmp / "report.duckdb"
        shutil.copy(path, db)
        store = open_store(str(db))
        period = latest_period(store)
        t0 = time.perf_counter()
        refresh(store, [period], alerts=True, modernization_index=False, operations="off")
        compute_s = time.perf_counter() - t0
        first, best, steps = {}, {}, {}
        for chain in (None, CHAIN):
            for fmt in ("docx", "pdf", "xlsx"):
                key = f"{chain or 'province'}_{fmt}"
                t0 = time.perf_counter()
                m = _one(store, period, chain, fmt)
                first[key] = round(time.perf_counter() - t0, 3)
                steps[chain or "province"] = {k: round(v, 3) for k, v in m.timings.items()}
        for chain in (None, CHAIN):
            for fmt in ("docx", "pdf", "xlsx"):
                t, _ = best_of(lambda chain=chain, fmt=fmt: _one(store, period, chain, fmt))
                best[f"{chain or 'province'}_{fmt}"] = round(t, 3)
        peak = peak_mb()
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return record("report_monthly", scale, best["province_docx"], GOAL_S, peak, period=period, best_s=best,
                  first_s=first, gather_steps_first_s=steps, compute_before_s=round(compute_s, 2),
                  goal_s=GOAL_S, load_1min=round(os.getloadavg()[0], 2))
