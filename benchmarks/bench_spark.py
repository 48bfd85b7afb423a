"""The same analytics on the same Parquet lake: Spark (local[cores]) vs DuckDB (cores threads).

Timing boundaries: the lake is the demo store at ``scale`` written by :func:`chainbrain.store.lake.export`
(not timed; reused while its data version matches); at ``national`` the province demo's lake scaled by
``chainbrain lake scale`` (:func:`_national_lake`; ``CHAINBRAIN_BENCH_SPARK_FACTOR``, default 400 ≥ 10×
the national demo in monthly rows and links; ``CHAINBRAIN_BENCH_SPARK_LAKE`` names a scaled lake made beforehand). DuckDB: an
in-memory database with views over the lake's files (:func:`chainbrain.analytics.engines.duckdb_lake`).
Spark: a ``local[cores]`` session (startup and view registration timed apart, ``spark_startup_s``).
Three workloads, each checked equal across the engines (the fen; 1e-9) before it is recorded: the KPI
records of the province, every chain and every city at the newest period
(:func:`chainbrain.analytics.kpi.kpi_tables`), the indicator panel of the newest year's periods
(:func:`chainbrain.analytics.panel.long_values`, the bulk of ``chainbrain compute``'s full
recompute) and the supply measures by chain of the newest link year (local supporting rate and
supplier concentration, :func:`chainbrain.analytics.supply_measures.local_rate_and_concentration`).
``ours_s`` = Spark's total, ``baseline_s`` = DuckDB's (best of 2; one run at ``national``), so
``ratio`` < 1 means Spark is slower. On two cores Spark is expected to lose: its fixed cost per
query (planning, scheduling, JVM round trips) dominates; it wins only on data that no longer fits
one machine.
"""

from __future__ import annotations

import math
import os
import time

from benchmarks.data import demo_store
from benchmarks.harness import CACHE, best_of, peak_mb, record
from chainbrain.analytics.aggregates import GROUPINGS, available_periods
from chainbrain.analytics.engines import duckdb_lake, spark_lake, spark_session
from chainbrain.analytics.kpi import kpi_tables, latest_period
from chainbrain.analytics.panel import long_values
from chainbrain.analytics.registry import REGISTRY
from chainbrain.store.lake import LakeError, export, read_manifest
from chainbrain.store.patterns import data_key


def _lake(store, scale: str):
    path = CACHE / f"lake-{scale}"
    try:
        if read_manifest(path)["data_version"] == data_key(store):
            return path, read_manifest(path)
    except LakeError:
        pass
    return path, export(store, path)


def _same(a, b, path="") -> None:
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        tol = 0.005 if path.endswith("_yuan") else 1e-9                  # the fen; rates
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol, (path, a, b)
    else:
        assert a == b, (path, a, b)


def _national_lake() -> tuple:
    """The province demo's lake scaled ``CHAINBRAIN_BENCH_SPARK_FACTOR`` times by ``lake scale`` (written
    directly, never through a store). Default 400: the national demo has 25.5× the province's reports
    and 40× its supply links (12 M), so ×400 is ≥ 10× it in both (15.7× and 10×)."""
    from chainbrain.store.lake_scale import scale as scale_lake

    factor = int(os.environ.get("CHAINBRAIN_BENCH_SPARK_FACTOR", "400"))
    if os.environ.get("CHAINBRAIN_BENCH_SPARK_LAKE"):          # a scaled lake made beforehand
        path = os.environ["CHAINBRAIN_BENCH_SPARK_LAKE"]
        return path, read_manifest(path), factor
    store = demo_store("province")
    src, _ = _lake(store, "province")
    store.close()
    path = CACHE / f"lake-province-x{factor}"
    try:
        manifest = read_manifest(path)
    except LakeError:
        t0 = time.perf_counter()
        manifest = scale_lake(src, path, factor)
        print(f"lake scale ×{factor}: {time.perf_counter() - t0:.0f} s", flush=True)
    return path, manifest, factor


def _panel_same(duck_panel, spark_panel) -> int:
    cols = ["period", "basis", "scope", "by", "key", "indicator"]
    order = cols + ["n", "value"]                 # value too: rows whose labels repeat pair up the same way
    a = duck_panel.astype({c: str for c in cols}).sort_values(order, kind="stable").reset_index(drop=True)
    b = spark_panel.astype({c: str for c in cols}).sort_values(order, kind="stable").reset_index(drop=True)
    assert a[cols + ["n"]].equals(b[cols + ["n"]]), "panel rows differ"
    money = a["indicator"].map(lambda k: getattr(REGISTRY.get(k), "unit", None) == "yuan")
    same = (a["value"] - b["value"]).abs() <= money.map({True: 0.005, False: 1e-9})    # the fen; rates 1e-9
    assert (same | (a["value"].isna() & b["value"].isna())).all(), "panel values differ"
    return len(a)


def _frames_same(a, b, money=lambda c: c.endswith("_yuan")) -> dict:
    """Rows equal: keys exactly, rates to 1e-9, money to the fen — or, for float sums beyond ~10^10 yuan
    (where float64 summation order alone moves the fen), to 1e-12 relative; the largest money gaps."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    assert list(a.columns) == list(b.columns) and len(a) == len(b), "supply rows differ"
    gap = {"money_abs": 0.0, "money_rel": 0.0}
    for c in a.columns:
        if a[c].dtype.kind == "f":
            d = (a[c] - b[c]).abs()
            tol = (a[c].abs() * 1e-12).clip(lower=0.005) if money(c) else 1e-9
            assert ((d <= tol) | (a[c].isna() & b[c].isna())).all(), (c, float(d.max()))
            if money(c):
                gap["money_abs"] = max(gap["money_abs"], float(d.max()))
                gap["money_rel"] = max(gap["money_rel"], float((d / a[c].abs()).max()))
        else:
            assert a[c].astype(str).equals(b[c].astype(str)), c
    return gap


def run(scale: str) -> dict:
    """``province``: the province demo's lake; ``national``: that lake scaled (:func:`_national_lake`)."""
    from chainbrain.analytics.supply_measures import local_rate_and_concentration

    if scale == "national":
        path, manifest, factor = _national_lake()
    else:
        store = demo_store(scale)
        path, manifest = _lake(store, scale)
        store.close()
        factor = 1
    repeats = 1 if scale == "national" else 2
    duck = duckdb_lake(path, threads=os.cpu_count())
    period = latest_period(duck)
    year = period[:4]
    periods = [p for p in available_periods(duck) if p[:4] == year]
    link_year = int(duck.table("supply_link").aggregate(y=_max_year()).execute()["y"].iloc[0])
    kpi = lambda view: kpi_tables(view, period, ("all", "chain", "city"))  # noqa: E731
    panel = lambda view: long_values(view, periods, GROUPINGS)  # noqa: E731
    supply = lambda view: local_rate_and_concentration(view, link_year, "chain")  # noqa: E731
    duck_kpi_s, duck_kpi = best_of(lambda: kpi(duck), repeats)
    duck_panel_s, duck_panel = best_of(lambda: panel(duck), repeats)
    duck_supply_s, duck_supply = best_of(lambda: supply(duck), repeats)
    print(f"duckdb: kpi {duck_kpi_s:.1f} s, panel {duck_panel_s:.1f} s, supply {duck_supply_s:.1f} s", flush=True)
    t0 = time.perf_counter()
    master = f"local[{os.cpu_count()}]"
    session = spark_session(master=master, conf={"spark.driver.memory": "6g" if scale == "national" else "2g",
                                                 "spark.sql.shuffle.partitions": str(4 * os.cpu_count()),
                                                 "spark.default.parallelism": str(os.cpu_count())})
    view = spark_lake(path, session)
    startup = time.perf_counter() - t0
    spark_kpi_s, spark_kpi = best_of(lambda: kpi(view), repeats)
    _same(duck_kpi, spark_kpi)
    print(f"spark: kpi {spark_kpi_s:.1f} s", flush=True)
    spark_panel_s, spark_panel = best_of(lambda: panel(view), repeats)
    panel_rows = _panel_same(duck_panel, spark_panel)
    print(f"spark: panel {spark_panel_s:.1f} s", flush=True)
    spark_supply_s, spark_supply = best_of(lambda: supply(view), repeats)
    gaps = [_frames_same(a, b) for a, b in zip(duck_supply, spark_supply)]
    print(f"spark: supply {spark_supply_s:.1f} s", flush=True)
    session.stop()
    rows = {t: manifest["tables"][t]["rows"] for t in ("monthly_report", "supply_link", "enterprise")}
    extra = {}
    if scale == "national":
        # the national demo (demo build --scale national): 25.5 × the province's enterprises, 12 M links
        extra = {"lake": f"province demo lake × {factor} (chainbrain lake scale)",
                 # the national demo is ≈ 25.5 × the province's enterprises and reports, with 12 M links
                 "vs_national_demo": {"monthly_report": round(factor / 25.5, 3),
                                      "supply_link": round(rows["supply_link"] / 12_000_000, 3)}}
    return record("spark_vs_duckdb_lake", scale, spark_kpi_s + spark_panel_s + spark_supply_s,
                  duck_kpi_s + duck_panel_s + duck_supply_s, peak_mb(), cores=os.cpu_count(),
                  spark_master=master, spark_startup_s=round(startup, 2), repeats=repeats,
                  kpi_spark_s=round(spark_kpi_s, 3), kpi_duckdb_s=round(duck_kpi_s, 3), panel_periods=len(periods),
                  panel_spark_s=round(spark_panel_s, 3), panel_duckdb_s=round(duck_panel_s, 3), panel_rows=panel_rows,
                  supply_year=link_year, supply_spark_s=round(spark_supply_s, 3),
                  supply_duckdb_s=round(duck_supply_s, 3),
                  supply_money_max_gap_yuan=max(g["money_abs"] for g in gaps),
                  supply_money_max_gap_rel=max(g["money_rel"] for g in gaps), lake_rows=rows, **extra)


def _max_year():
    from ibis import _
    return _.year.max()
