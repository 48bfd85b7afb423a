"""Timing, memory and the results file shared by the benchmarks.

- Time: the best of ``repeat`` runs of a callable (``time.perf_counter``).
- Memory: ``peak_mb`` is the benchmark process's peak resident set size
  (``ru_maxrss``) right after our side ran; each benchmark runs in its own
  subprocess so peaks do not leak between benchmarks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"
CACHE = Path(__file__).resolve().parent.parent / "data" / "cache"


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem_gb:.0f} GB, Python {platform.python_version()}"


def record(name: str, scale: str, ours_s: float, baseline_s: float, peak: float, **extra) -> dict:
    entry = {
        "name": name, "scale": scale, "ours_s": round(ours_s, 4), "baseline_s": round(baseline_s, 4),
        "ratio": round(baseline_s / ours_s, 3) if ours_s > 0 else None, "peak_mb": round(peak, 1),
        "date": dt.date.today().isoformat(), "machine": machine(), **extra,
    }
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if not (r["name"] == name and r["scale"] == scale)]
    results.append(entry)
    results.sort(key=lambda r: (r["name"], r["scale"]))
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return entry
