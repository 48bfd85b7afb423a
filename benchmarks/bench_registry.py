"""Registry import with mapping (issue #19: 1 M rows ≤ 10 minutes on this machine).

Input: a synthetic registry export (``benchmarks.registry_rows``, recombined from the project's
real labelled rows) written as CSV once, outside the timing. Both sides start from that CSV and
an initialised, empty DuckDB store, and end with the same stored outputs: the enterprise rows
(USCC, name, region, capital, scope, type, branch flag, industrial flag, section), the main
activity of each firm (``enterprise_activity``) and its chain segments with confidence
(``enterprise_segment``).

- ours: ``chainbrain.ingest.registry.import_registry`` (validation with warnings, each distinct
  firm mapped once, review queue, entity resolution, one transaction);
- baseline: what a pandas user writes — ``read_csv``, vectorised string cleaning (USCC,
  capital, branch flag, city → region), the same mapper applied row by row with
  ``DataFrame.apply`` (the scope classifier is per-row Python; pandas cannot vectorise it) and
  the three tables inserted from DataFrames. It does less (no review queue, no resolution,
  no county from the address) — so the ratio flatters the baseline.

Each side runs once (the 1 M case takes minutes); progress goes to stderr every 15 s.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from benchmarks.harness import peak_mb, record
from benchmarks.registry_rows import CITIES, make_rows

SCALES = {"province": 1_000_000, "national": 2_000_000, "small": 50_000}


class _Progress:
    def __init__(self, label: str):
        self.label, self.t0, self.last = label, time.perf_counter(), 0.0

    def __call__(self, stage, done=None, total=None):
        now = time.perf_counter()
        if now - self.last >= 15 or (total and done == total):
            self.last = now
            print(f"  [{self.label}] {stage} {done or 0}/{total or '?'}  {now - self.t0:.0f} s", file=sys.stderr,
                  flush=True)


def _store(path: Path):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    store = open_store(str(path))
    init_store(store)
    return store


def ours(path: Path, work: Path) -> dict:
    from chainbrain.ingest.registry import import_registry

    store = _store(work / "ours.duckdb")
    res = import_registry(store, path, progress=_Progress("ours"))
    assert res.status == "loaded", res.status
    with store.engine.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                for t in ("enterprise", "enterprise_activity", "enterprise_segment")}


_CAP = r"^\s*([\d,，.]+)\s*[（(]?\s*(万|亿)?\s*元?\s*(人民币)?\s*[)）]?\s*$"


def baseline(path: Path, work: Path) -> dict:
    from chainbrain.ingest import chainmap
    from chainbrain.ingest.registry import BRANCH

    store = _store(work / "baseline.duckdb")
    prog = _Progress("baseline")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    uscc = df["统一社会信用代码"].str.replace(r"\s", "", regex=True).str.upper()
    uscc = uscc.where(uscc.str.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}"), None)
    cap = df["注册资金"].str.extract(_CAP)
    yuan = pd.to_numeric(cap[0].str.replace(r"[,，]", "", regex=True), errors="coerce") * cap[1].map(
        {"万": 1e4, "亿": 1e8}).fillna(1.0)
    branch = df["企业名称"].str.contains(BRANCH.pattern.replace("(", "(?:", 1)) | df["企业类型"].str.contains(BRANCH.pattern.replace("(", "(?:", 1))
    region = df["地区"].map(CITIES)
    n, done = len(df), [0]

    def one(r):
        done[0] += 1
        if done[0] % 5000 == 0:
            prog("map", done[0], n)
        m = chainmap._map_firm(r["企业名称"], r["企业类型"], None if np.isnan(r["_cap"]) else r["_cap"],
                               r["经营范围"], None, None, None)
        a = m.activity                      # kept as the output fields only (1 M full results do not fit in memory)
        return (a.industrial, a.section, m.class_code, round(a.probability, 4),
                json.dumps([i.as_dict() for i in a.items], ensure_ascii=False),
                [(c.segment, c.method, c.confidence, "; ".join(c.evidence)) for c in m.segments])
    mapped = df.assign(_cap=yuan).apply(one, axis=1)
    ids = np.arange(1, n + 1)
    ent = pd.DataFrame({"id": ids, "uscc": uscc, "name": df["企业名称"], "province_code": "360000",
                        "region_code": region, "registered_capital": yuan, "business_scope": df["经营范围"],
                        "entity_type": df["企业类型"], "is_branch": branch,
                        "is_industrial": [m[0] for m in mapped], "guessed_section": [m[1] for m in mapped],
                        "batch_id": 1, "revision": 1})
    act = pd.DataFrame({"enterprise_id": ids, "section": ent["guessed_section"], "class_code": [m[2] for m in mapped],
                        "industrial": ent["is_industrial"], "probability": [m[3] for m in mapped],
                        "items": [m[4] for m in mapped], "model": chainmap.model_version(), "batch_id": 1})
    segs = pd.DataFrame([(eid, *seg, 1, 1) for eid, m in zip(ids, mapped) for seg in m[5]],
                        columns=["enterprise_id", "segment_code", "method", "confidence", "evidence", "batch_id",
                                 "revision"])
    del mapped
    with store.begin() as conn:
        for table, frame in (("enterprise", ent), ("enterprise_activity", act), ("enterprise_segment", segs)):
            store.bulk_insert(conn, table, pa.Table.from_pandas(frame, preserve_index=False))
    prog("write", n, n)
    return {"enterprise": n, "enterprise_activity": n, "enterprise_segment": len(segs)}


def run(scale: str) -> dict:
    n = SCALES.get(scale, 50_000)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "registry.csv"
        make_rows(n).to_csv(path, index=False)
        load0, c0, t0 = os.getloadavg(), os.times(), time.perf_counter()
        got = ours(path, work)
        ours_s, c1, load1 = time.perf_counter() - t0, os.times(), os.getloadavg()
        peak = peak_mb()
        ours_cpu = c1.user - c0.user + c1.system - c0.system
        print(f"  ours {ours_s:.1f} s (cpu {ours_cpu:.1f} s) {got}", file=sys.stderr, flush=True)
        from chainbrain.ingest import chainmap, classmatch, scope

        chainmap._MEMO.clear()                       # the baseline starts with cold caches too
        for f in (scope._clause, classmatch.match, classmatch.match_segment):
            f.cache_clear()
        c2, t0 = os.times(), time.perf_counter()
        base = baseline(path, work)
        baseline_s, c3, load2 = time.perf_counter() - t0, os.times(), os.getloadavg()
        base_cpu = c3.user - c2.user + c3.system - c2.system
        print(f"  baseline {baseline_s:.1f} s (cpu {base_cpu:.1f} s) {base}", file=sys.stderr, flush=True)
    la = lambda v: [round(x, 2) for x in v]  # noqa: E731
    return record("registry_import_mapping", scale, ours_s, baseline_s, peak, rows=n,
                  goal_s=600, goal_met=ours_s <= 600, stored=got, baseline_stored=base,
                  ours_cpu_s=round(ours_cpu, 1), baseline_cpu_s=round(base_cpu, 1),
                  load_average={"before_ours": la(load0), "after_ours": la(load1), "after_baseline": la(load2)},
                  note="CPU = user+sys of this process (os.times); load average (1, 5, 15 min) of the shared "
                       "2-core machine before/after each side: wall time over CPU time shows contention")
