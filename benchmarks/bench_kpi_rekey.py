"""Re-keying the stored KPI figures after an import vs recomputing them all (#20, ``analytics/kpi_rekey.py``).

Set-up: a copy of the cached demo store (:func:`benchmarks.data.demo_copy`; or a PostgreSQL URL given
on the command line, e.g. the load benchmark's database), the KPI figures of every period × region
kept by a full pass with their input digests (:func:`chainbrain.analytics.kpi_stored.keep`).

Two writes, each followed by what the server's warm-up runs after an import
(``kpi_stored.keep(force=False, monitoring=False)``, i.e. :func:`chainbrain.analytics.kpi_rekey.keep`):

1. the load test's import (``bench_load``): three enterprises of the store as they are, through
   :func:`chainbrain.ingest.load.import_file` — a new import batch, a new data key, no KPI input
   changed (``ours_s``);
2. a correction: a new revision of one report of the newest period (+1 万元), with its import batch —
   that period's figures (and those of any period whose base or links read it) change
   (``monthly_ours_s``).

Baseline (``baseline_s`` / ``monthly_baseline_s``): the full pass the warm-up ran before on the same
data (``kpi_stored.keep(force=True, monitoring=False)``), measured right after the re-key in the same
run. Before each baseline, every figure kept at the current data key is checked equal to a fresh
:func:`chainbrain.analytics.kpi_stored.figures` (``checked``: how many; any difference aborts).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
import tempfile
import time
import zlib

import sqlalchemy as sa

from benchmarks.harness import peak_mb, record

HEAD = ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码",
        "成立日期", "从业人员", "主要产品"]


def _check(store) -> int:
    """Every figure a full pass computes equals the one kept at the current key (one bulk read)."""
    import chainbrain
    from chainbrain.analytics import kpi_stored
    from chainbrain.store import figures
    from chainbrain.store.patterns import data_key

    key = data_key(store)
    with store.engine.connect() as c:
        kept = {r[0]: r[1] for r in c.execute(sa.select(figures.T.c.name, figures.T.c.figures)
                                              .where(figures.T.c.data_key == key))}
    want = kpi_stored.figures(store)
    for name, value in want.items():
        blob = kept.get(figures._name((chainbrain.__version__,) + name))
        if blob is None or not figures.same(json.loads(zlib.decompress(bytes(blob))), json.loads(json.dumps(value))):
            raise AssertionError(f"kept figure {name} differs from a full recompute")
    return len(want)


def _import_three(store) -> float:
    from chainbrain.ingest.load import import_file

    with store.engine.connect() as c:
        rows = [list(r) for r in c.execute(sa.text(
            "SELECT uscc, name, region_code, industry_code, CAST(founded_on AS VARCHAR), employees, main_products "
            "FROM enterprise WHERE uscc IS NOT NULL AND region_code IS NOT NULL ORDER BY id LIMIT 3"))]
    path = os.path.join(tempfile.mkdtemp(prefix="cb-rekey-"), "三家企业.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        w.writerows([["" if v is None else v for v in r] for r in rows])
    t0 = time.perf_counter()
    res = import_file(store, "enterprises", path)
    if res.status != "loaded":
        raise RuntimeError(f"import {res.status}")
    return time.perf_counter() - t0


def _correct_one(store) -> str:
    """A new revision (+1 万元) of one report of the newest period, in its own import batch; its period."""
    with store.engine.begin() as c:
        e, y, m, rev, r, p = c.execute(sa.text(
            "SELECT enterprise_id, year, month, revision, revenue_ytd, revenue_ytd_prev FROM monthly_report "
            "WHERE year * 100 + month = (SELECT MAX(year * 100 + month) FROM monthly_report) "
            "ORDER BY enterprise_id, revision DESC LIMIT 1")).one()
        b = c.execute(sa.text("SELECT COALESCE(MAX(id), 0) + 1 FROM import_batch")).scalar()
        c.execute(sa.text("INSERT INTO import_batch (id, kind, source, created_at, row_count, status) "
                          "VALUES (:b, 'monthly', 'bench_kpi_rekey', :t, 1, 'loaded')"),
                  {"b": b, "t": dt.datetime.now()})
        c.execute(sa.text("INSERT INTO monthly_report (enterprise_id, year, month, revenue_ytd, revenue_ytd_prev, "
                          "batch_id, revision) VALUES (:e, :y, :m, :r, :p, :b, :v)"),
                  {"e": e, "y": y, "m": m, "r": float(r) + 10_000, "p": p, "b": b, "v": int(rev) + 1})
    return f"{int(y)}-{int(m):02d}"


def measure(db: str, backend: str, scale: str) -> dict:
    from chainbrain.analytics import kpi_rekey, kpi_stored
    from chainbrain.store import open_store

    def rekey_then_full(store):
        """(re-key result, its seconds, figures checked equal to a fresh pass, the full pass's seconds)."""
        t0 = time.perf_counter()
        got = kpi_rekey.keep(store)
        got_s = time.perf_counter() - t0
        checked = _check(store)
        t0 = time.perf_counter()
        kpi_stored.keep(store, force=True, monitoring=False)
        return got, got_s, checked, time.perf_counter() - t0

    with open_store(db) as store:
        full0 = kpi_stored.keep(store, force=True, monitoring=False)
        imp_s = _import_three(store)
        ours, ours_s, checked, base_s = rekey_then_full(store)
        period = _correct_one(store)
        mon, mon_s, checked_m, mon_base_s = rekey_then_full(store)
    return record(f"kpi_rekey_after_import_{backend}", scale, ours_s, base_s, peak_mb(), backend=backend,
                  figures=ours["figures"], periods=ours["periods"], carried=ours["carried"],
                  recomputed=ours["recomputed"], import_s=round(imp_s, 1), checked=checked,
                  first_full_s=full0["seconds"], monthly_period=period, monthly_ours_s=round(mon_s, 2),
                  monthly_baseline_s=round(mon_base_s, 2), monthly_carried=mon["carried"],
                  monthly_recomputed=mon["recomputed"], monthly_checked=checked_m,
                  load_1min=round(os.getloadavg()[0], 2))


def run(scale: str = "province", url: str | None = None) -> list[dict]:
    if url:
        return [measure(url, "postgres", scale)]
    from benchmarks.data import demo_copy

    with demo_copy(scale, "bench-rekey-") as db:
        return [measure(db, "duckdb", scale)]


if __name__ == "__main__":
    for e in run(sys.argv[1] if len(sys.argv) > 1 else "province", sys.argv[2] if len(sys.argv) > 2 else None):
        print(json.dumps(e, ensure_ascii=False, indent=1))
