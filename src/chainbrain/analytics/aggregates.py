"""Stored aggregates: recompute indicator values, alerts and modernization scores into the store.

``refresh(store)`` evaluates every period with monthly reports (YTD basis) for
the groupings :data:`GROUPINGS` in one query (:mod:`chainbrain.analytics.panel`), the department's
indicator set (运行分析, :mod:`chainbrain.analytics.operations_store`: one query per period, also by
division and size class), the alerts of the newest period and the
modernization index of the newest full year (chain and city × chain), and
replaces the rows of those periods/years in ``indicator_value``,
``monitor_alert`` and ``modernization_score`` in one transaction, logging a
``compute_run`` (with the engine and data version read: the analytics may run on another
engine, e.g. Spark over a lake, and write back here). The run's row is committed ``running``
before anything is computed and turned ``done`` in the results' transaction, so a run that
fails says ``failed`` and one that is killed is found ``died`` (:mod:`chainbrain.store.compute_runs`),
the previous results whole. Pages may read these tables instead of recomputing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from chainbrain.analytics import alerts as alerts_mod
from chainbrain.analytics import modernization
from chainbrain.analytics.operations_store import long_operations
from chainbrain.analytics.panel import long_values
from chainbrain.store import compute_runs
from chainbrain.store import schema_monitoring as M
from chainbrain.store.patterns import data_key

GROUPINGS = ("all", "chain", "city", "county", "city_chain")


def available_periods(store) -> list[str]:
    t = store.table("monthly_report")
    df = t.select("year", "month").distinct().execute().sort_values(["year", "month"])
    return [f"{y}-{m:02d}" for y, m in zip(df.year, df.month) if m >= 2]


def _noop(*a, **k):
    pass


def _pause_hook() -> None:
    """Test hook (kill tests): when ``CHAINBRAIN_COMPUTE_PAUSE`` names a file, the refresh writes its
    pid there and sleeps ``CHAINBRAIN_COMPUTE_PAUSE_S`` seconds inside its write transaction, the old
    results deleted and the new ones written but not committed."""
    path = os.environ.get("CHAINBRAIN_COMPUTE_PAUSE")
    if path:
        Path(path).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("CHAINBRAIN_COMPUTE_PAUSE_S", "60")))


def refresh(store, periods: list[str] | None = None, progress=_noop, alerts: bool = True,
            modernization_index: bool = True, operations: str = "year", source=None) -> dict:
    """Recompute and store every aggregate (module docstring); ``progress(done, total, label)``.
    ``operations``: the periods whose 运行分析 indicators are stored — ``year`` (default: the periods of
    the newest year among ``periods``; one query per period, so all 60-odd periods take minutes),
    ``all`` or ``off``. ``source``: where the analytics read (default ``store``; another engine's
    :class:`~chainbrain.analytics.engines.IbisStore`, e.g. Spark over a lake); the results are
    written to ``store`` only after everything is computed, in one transaction, and the run
    records the engine and the data version read (a failure before that leaves ``store`` as it was)."""
    target, store = store, source if source is not None else store
    if operations not in ("year", "all", "off"):
        raise ValueError(f"operations must be year, all or off (运行分析指标范围应为 year、all 或 off): {operations}")
    t0 = time.perf_counter()
    periods = periods or available_periods(store)
    engine = "spark" if store.kind == "pyspark" else store.kind
    version = getattr(store, "data_version", None) or data_key(target)
    run_id = compute_runs.begin(target, periods, engine, version)      # a killed run shows as died
    try:
        return _refresh(target, store, run_id, t0, periods, progress, alerts, modernization_index, operations,
                        engine, version)
    except BaseException as exc:
        compute_runs.fail(target, run_id, exc)
        raise


def _refresh(target, store, run_id, t0, periods, progress, alerts, modernization_index, operations, engine,
             version) -> dict:
    steps = len(periods) * len(GROUPINGS) + int(alerts) + int(modernization_index) + int(operations != "off")
    done = 0
    values = pd.DataFrame()
    if periods:
        progress(done, steps, f"indicators {periods[0]} … {periods[-1]}")
        values = long_values(store, periods, GROUPINGS,       # one query (a year at a time when large)
                             progress=lambda i, n: progress(done + len(periods) * len(GROUPINGS) * i // n, steps,
                                                            f"indicators {i}/{n}"))
        done += len(periods) * len(GROUPINGS)
    n_ops = 0
    ops_periods = [] if operations == "off" else periods if operations == "all" else [
        p for p in periods if p[:4] == max(periods)[:4]]
    if ops_periods:
        progress(done, steps, f"operations {ops_periods[0]} … {ops_periods[-1]}")
        ops = long_operations(store, ops_periods, progress=lambda i, n: progress(done, steps, f"operations {i}/{n}"))
        n_ops = len(ops)
        values = pd.concat([values.astype({c: object for c in ("period", "basis", "scope", "by", "key", "indicator")
                                           if c in values}), ops], ignore_index=True) if len(values) else ops
        done += 1
    alert_rows = []
    if alerts and periods:
        progress(done, steps, f"alerts {periods[-1]}")
        for i, a in enumerate(alerts_mod.alerts(store, periods[-1]), start=1):
            alert_rows.append({"period": a["period"], "seq": i, "rule": a["rule"], "severity": a["severity"],
                               "subject_kind": a["subject_kind"], "subject": a["subject"],
                               "message_zh": a["message_zh"], "message_en": a["message_en"],
                               "figures": json.dumps(a["figures"], ensure_ascii=False), "n": int(a["n"]),
                               "confidential": bool(a["confidential"])})
        done += 1
    score_rows, year = [], None
    if modernization_index:
        full = [int(p[:4]) for p in periods if p.endswith("-12")]
        year = max(full) if full else None
        progress(done, steps, f"modernization {year}")
        for level in ("chain", "city_chain") if year else ():
            for r in modernization.index(store, year, level):
                if r["score"] is None:      # withheld (disclosure control): not stored
                    continue
                score_rows.append({"year": year, "level": level, "key": r["key"], "score": r["score"],
                                   "rank": r["rank"], "n": r["n"],
                                   "breakdown": json.dumps({"dimensions": r["dimensions"],
                                                            "indicators": r["indicators"]}, ensure_ascii=False),
                                   "weights": json.dumps({k: v["weight"] for k, v in r["indicators"].items()})})
        done += 1
    progress(done, steps, "writing")
    with target.begin() as conn:                     # the results and the run's "done": one transaction
        if periods:
            conn.execute(M.indicator_value.delete().where(M.indicator_value.c.period.in_(periods)))
        if len(values):
            v = values.rename(columns={"by": "grouping"}).assign(run_id=run_id)
            v["value"] = v["value"].astype("float64")
            target.bulk_insert(conn, "indicator_value", pa.Table.from_pandas(v, preserve_index=False))
        if alerts and periods:
            conn.execute(M.monitor_alert.delete().where(M.monitor_alert.c.period == periods[-1]))
            if alert_rows:
                target.bulk_insert(conn, "monitor_alert", pa.Table.from_pylist(
                    [r | {"run_id": run_id} for r in alert_rows]))
        if year:
            conn.execute(M.modernization_score.delete().where(M.modernization_score.c.year == year))
            if score_rows:
                target.bulk_insert(conn, "modernization_score", pa.Table.from_pylist(
                    [r | {"run_id": run_id} for r in score_rows]))
        _pause_hook()
        secs = time.perf_counter() - t0
        n = len(values) + len(alert_rows) + len(score_rows)
        conn.execute(M.compute_run.update().where(M.compute_run.c.id == run_id).values(
            finished_at=dt.datetime.now(), rows=n, seconds=secs, status="done"))
    progress(steps, steps, "done")
    return {"run_id": run_id, "periods": len(periods), "indicator_values": len(values),
            "operations_values": n_ops, "operations_periods": len(ops_periods), "alerts": len(alert_rows),
            "modernization_scores": len(score_rows), "modernization_year": year, "seconds": round(secs, 2),
            "engine": engine, "data_version": version}


def stored_values(store, period: str, grouping: str = "all", scope: str = "all") -> pd.DataFrame:
    """Stored indicator values of a period (for pages that read precomputed aggregates)."""
    with store.engine.connect() as conn:
        return pd.read_sql(sa.select(M.indicator_value).where(
            (M.indicator_value.c.period == period) & (M.indicator_value.c.grouping == grouping)
            & (M.indicator_value.c.scope == scope)), conn)
