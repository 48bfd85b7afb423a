"""The analytics benchmarks on PostgreSQL beside DuckDB, on the same demo province (issue #23).

A throw-away PostgreSQL server is started for the run (``tests/pgserver.py``, as the tests
do: ``initdb`` in a temp directory, loopback, removed afterwards), the demo province of the
scale is built into it with ``chainbrain demo build`` (same seed as the DuckDB store, so the
same data), and each computation runs on both stores in this process:

- ``kpi_province_chain_city_postgres``: :func:`benchmarks.bench_kpi.ours`;
- ``indicators_city_chain_postgres``: :func:`benchmarks.bench_indicators.ours`;
- ``indicators_full_recompute_postgres``: :func:`benchmarks.bench_recompute.ours` (latest year);
- ``cockpit_uncached_postgres``: the cockpit an anonymous visitor gets (KPI of the province,
  its cities and chains; targets, projection and alerts; the published disclosure pattern of
  the period it shows) with every in-memory cache emptied before each run — :func:`cockpit` —
  in the state ``chainbrain compute`` (or the server's warm-up after an import) leaves: the
  pattern kept in the store (``disclosure_pattern``), the period's alerts stored (``monitor_alert``,
  :func:`chainbrain.analytics.aggregates.refresh` of the period) and the cockpit's figures kept
  (``cockpit_figure``, :mod:`chainbrain.web.kept`; disclosure still applied per request), as a
  visitor finds them;
- ``cockpit_live_figures_postgres``: the same with the patterns and the period's alerts stored
  (``compute``'s ``monitor_alert``) but no figures kept, so the run computes the KPI, targets and
  projection (what ``compute`` does once per region);
- ``cockpit_first_audit_postgres``: the same with nothing kept, so the run includes the
  firm-level disclosure audit of the period's family (what ``compute`` does once per scope).

``ours_s`` is PostgreSQL, ``baseline_s`` the same call on DuckDB (``baseline: "duckdb"``), so
``ratio = duckdb_s / postgres_s`` and the issue's goal "PostgreSQL within 3× of DuckDB" reads
``ratio ≥ 0.333``. The pandas baselines of the computations are the DuckDB entries of the
same names without the suffix. Before recording, the two engines' results are checked equal
(money to the fen: both sum exact decimals and round once).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import bench_indicators, bench_kpi, bench_recompute
from benchmarks.harness import best_of, peak_mb, record

TESTS = Path(__file__).resolve().parent.parent / "tests"


def start_server():
    """A throw-away PostgreSQL server (the tests' :class:`PGServer`)."""
    sys.path.insert(0, str(TESTS))
    from pgserver import PGServer

    return PGServer().start()


def build_demo(url: str, scale: str, seed: int = 2023) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "chainbrain", "demo", "build", "--db", url, "--scale", scale,
                    "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cockpit(store, keep: bool | None = None) -> dict:
    """The anonymous cockpit from empty caches: what ``/api/cockpit`` computes on its first visit
    after an import (model.build + monitoring + alerts + the disclosure patterns behind them).
    ``keep=False``: figures computed live are not kept in the store."""
    from chainbrain.web import cache, disclosure, model
    from chainbrain.web.policy import cell_rule

    from chainbrain.analytics.indicators import remember_results

    disclosure._CACHES.clear()
    cache._per_store.pop(store, None)
    remember_results(store)                        # as the web application's store (WebState)
    rule = cell_rule(store, None, 3)
    d = model.build(store, None, None, "all", rule, keep=keep)
    mon = model.monitoring(store, None, None, "all", with_alerts=False, keep=keep)
    al = model.period_alerts(store, None)
    mon = model.protect_monitoring(store, {**mon, "alerts": al["alerts"], "alerts_source": al["alerts_source"]},
                                   rule, None, "all")
    return {"kpi": d["kpi"], "cities": d["cities"], "chains": d["chains"], "targets": mon["targets"],
            "alerts": len(mon["alerts"])}


def forget_patterns(store) -> None:
    """Delete the kept disclosure patterns and cockpit figures (a benchmark store may hold some
    from an earlier run)."""
    import sqlalchemy as sa

    from chainbrain.store import figures
    from chainbrain.store.schema_disclosure import disclosure_pattern

    with store.engine.begin() as c:
        c.execute(sa.delete(disclosure_pattern))
    figures.forget(store)


def _same(a, b, what: str) -> None:
    if a != b:
        raise AssertionError(f"{what}: PostgreSQL and DuckDB differ")


def _kpi_key(out):
    prov, chains, cities = out
    keep = ("key", "revenue_ytd_yuan", "revenue_ytd_prev_yuan", "comparable_current_yuan",
            "comparable_base_yuan", "target_path_yuan", "above_scale_count", "target_status")
    rows = [prov, *sorted(chains, key=lambda r: r["key"]), *sorted(cities, key=lambda r: r["key"])]
    return [{k: r.get(k) for k in keep} for r in rows]


def _norm(v):
    """A value as compared across engines: floats to 10 significant digits (money is compared
    exactly through the KPI's yuan fields, which both engines sum as decimals and round to the fen)."""
    if isinstance(v, float):
        return None if v != v else float(f"{v:.10g}")
    return v


def _frame_key(df):
    cols = sorted(df.columns)
    rows = df[cols].astype(object).where(df[cols].notna(), None).to_dict("records")
    return sorted(({k: _norm(v) for k, v in r.items()} for r in rows), key=lambda r: tuple(map(str, r.values())))


def _records_key(recs):
    return sorted(({k: _norm(v) for k, v in r.items()} for r in recs), key=lambda r: str(r.get("key")))


def _cockpit_key(o):
    units = [(u["key"], u.get("revenue_ytd_yuan"), u.get("suppressed")) for u in o["cities"] + o["chains"]]
    return (o["kpi"].get("revenue_ytd_yuan"), units, o["alerts"], [t.get("status") for t in o["targets"]])


def run(scale: str) -> list[dict]:
    if scale != "province":
        print("PostgreSQL benchmarks run at province scale only (the issue's deployment size)", flush=True)
        return []
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="cb-bench-duck-"))
    build_demo(str(tmp / "demo.duckdb"), scale)    # built now, by the code measured (a cached store may predate it)
    from chainbrain.store import open_store

    duck = open_store(str(tmp / "demo.duckdb"))
    srv = start_server()
    entries = []
    try:
        url = srv.create_database("bench")
        build_s = build_demo(url, scale)
        pg = open_store(url)
        period = bench_kpi.latest_period(duck)
        common = {"baseline": "duckdb", "period": period, "demo_build_postgres_s": round(build_s, 1),
                  "load_1min": round(os.getloadavg()[0], 2)}

        def pair(name, fn, key, repeat=3):
            t_duck, d_out = best_of(lambda: fn(duck), repeat=repeat)
            t_pg, p_out = best_of(lambda: fn(pg), repeat=repeat)
            _same(key(p_out), key(d_out), name)
            e = record(f"{name}_postgres", scale, t_pg, t_duck, peak_mb(), **common,
                       pg_over_duckdb=round(t_pg / t_duck, 2))
            print(e, flush=True)
            entries.append(e)

        pair("kpi_province_chain_city", lambda s: bench_kpi.ours(s, period), _kpi_key)
        pair("indicators_city_chain", lambda s: bench_indicators.ours(s, period), _records_key)
        last = period[:4]
        periods = [p for p in bench_recompute.available_periods(duck) if p.startswith(last)]
        pair("indicators_full_recompute", lambda s: bench_recompute.ours(s, periods), _frame_key, repeat=1)
        for st in (duck, pg):                      # nothing kept: the first visit audits the family
            forget_patterns(st)
        pair("cockpit_first_audit", lambda s: cockpit(s, keep=False), _cockpit_key, repeat=1)  # keeps the pattern
        from chainbrain.analytics.aggregates import refresh
        from chainbrain.web import kept

        for st in (duck, pg):                      # what compute stores: the period's alerts (and indicators)
            refresh(st, [period], modernization_index=False, operations="off")
        pair("cockpit_live_figures", lambda s: cockpit(s, keep=False), _cockpit_key, repeat=1)
        for st in (duck, pg):                      # … and the cockpit's figures (the province's is measured)
            kept.precompute(st, regions=[None])
        pair("cockpit_uncached", cockpit, _cockpit_key, repeat=3)
    finally:
        srv.stop()
        import shutil

        duck.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return entries
