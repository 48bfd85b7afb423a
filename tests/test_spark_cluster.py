"""``--engine spark`` from the command line on a Spark standalone cluster on this machine (#21).

The session fixture ``spark_standalone`` (tests/conftest.py, tests/spark_standalone.py) starts a
master and one worker JVM from the installed PySpark; each command runs as its own process
(``python -m chainbrain … --spark-master spark://127.0.0.1:PORT``), the driver of an application
whose executor the worker launches as a JVM of its own (seen below the worker while the command
runs), so tasks and results cross processes. Memory: driver 512 MB, executor 512 MB, one core.
Figures equal DuckDB's to the fen (money) and to 1e-9 (rates; counts exactly). Killing the
worker alone mid-job fails the command with one line (exit 3) and leaves the store as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import chainbrain
from chainbrain.analytics.aggregates import refresh
from chainbrain.analytics.kpi import kpi
from chainbrain.analytics.registry import REGISTRY
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.store.lake import export
from test_monitor_data import load

pytestmark = pytest.mark.spark

COMPUTE = ["compute", "--period", "2025-06", "--no-alerts", "--no-index", "--operations", "off", "--no-disclosure"]
COLS = "period, basis, scope, grouping, key, indicator, value, n"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, spark_standalone):
    """A DuckDB store with the monitoring dataset and its lake; the environment of the commands."""
    if shutil.which("java") is None:
        raise RuntimeError("Java is missing: `make test` installs it (default-jre-headless)")
    tmp = tmp_path_factory.mktemp("spark-cluster")
    with open_store(str(tmp / "cb.duckdb")) as store:
        init_store(store)
        load(store, tmp)
        manifest = export(store, tmp / "lake")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(Path(chainbrain.__file__).parents[1]),
                                                      os.environ.get("PYTHONPATH", "")]),
                        "CHAINBRAIN_SPARK_DRIVER_MEMORY": "512m", "CHAINBRAIN_SPARK_EXECUTOR_MEMORY": "512m",
                        "CHAINBRAIN_SPARK_CORES_MAX": "1", "CHAINBRAIN_SPARK_SHUFFLE_PARTITIONS": "2"}
    return {"tmp": tmp, "db": str(tmp / "cb.duckdb"), "lake": str(tmp / "lake"), "manifest": manifest, "env": env,
            "spark": spark_standalone}


def run_cli(cluster, args: list[str], kill_worker_after: float | None = None, env: dict | None = None,
            timeout: float = 900):
    """Run ``chainbrain ARGS --engine spark`` against the standalone master; (exit code, stdout, stderr,
    executor seen below the worker). ``kill_worker_after``: seconds after the executor has registered
    with the driver (killed earlier, a starting executor may outlive its worker and serve the job)
    to SIGKILL the worker JVM — only it: the driver is the command."""
    spark = cluster["spark"]
    if not spark.worker_alive():
        spark.start_worker()
    t0 = time.monotonic()
    while spark.executors() and time.monotonic() - t0 < 30:     # the previous application's executor ends
        time.sleep(0.2)
    cmd = [sys.executable, "-m", "chainbrain", *args, "--db", cluster["db"], "--engine", "spark",
           "--lake", cluster["lake"], "--spark-master", spark.url]
    started = time.time() - 1
    proc = subprocess.Popen(cmd, env=cluster["env"] | (env or {}), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    seen, registered, t0, killed = None, None, time.monotonic(), False
    try:
        while proc.poll() is None and time.monotonic() - t0 < timeout:
            if seen is None and spark.executors():
                seen = time.monotonic()
            if registered is None and seen is not None and kill_worker_after is not None \
                    and spark.executor_registered(started):
                registered = time.monotonic()
            if registered is not None and not killed and time.monotonic() - registered >= kill_worker_after:
                spark.kill_worker()
                killed = True
            time.sleep(0.2)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)                 # the command and its driver JVM
            proc.wait()
    return proc.returncode, out, err, seen is not None


def _rows(db: str) -> tuple[list, list]:
    with open_store(db) as store, store.engine.connect() as c:
        return (c.execute(sa.text(f"SELECT {COLS} FROM indicator_value ORDER BY ALL")).all(),
                c.execute(sa.text("SELECT id, engine, data_version, status, rows FROM compute_run ORDER BY id")).all())


def test_kpi_on_a_standalone_cluster_equals_duckdb(cluster):
    code, out, err, executor = run_cli(cluster, ["kpi", "--period", "2025-06", "--format", "json"])
    assert code == 0, err[-2000:]
    assert executor, "no executor JVM below the worker: the work did not cross processes"
    got = json.loads(out)
    with open_store(cluster["db"]) as store:
        want = kpi(store, "2025-06")
    assert set(got) == set(want)
    for k, v in want.items():
        if isinstance(v, float) and k.endswith("_yuan"):
            assert abs(got[k] - v) < 0.005, k                          # to the fen
        elif isinstance(v, float):
            assert got[k] == pytest.approx(v, abs=1e-9, rel=0), k      # rates
        else:
            assert got[k] == v, k
    assert want["revenue_ytd_yuan"] > 0 and want["yoy_comparable"] is not None


def test_complexity_on_a_standalone_cluster_equals_duckdb(cluster):
    """advantage complexity: the region × segment revenue aggregated on the cluster gives DuckDB's
    RCA, PCI, ECI, density, COG and COI to 1e-9 (Mcp, diversity, ubiquity exactly)."""
    tmp = cluster["tmp"]
    args = ["advantage", "complexity", "--level", "county", "--year", "2024"]
    code, _, err, executor = run_cli(cluster, [*args, "-o", str(tmp / "spark.csv")])
    assert code == 0 and executor, err[-2000:]
    from typer.testing import CliRunner

    from chainbrain.cli import app
    r = CliRunner().invoke(app, [*args, "-o", str(tmp / "duck.csv"), "--db", cluster["db"]])
    assert r.exit_code == 0, r.output
    got = pd.read_csv(tmp / "spark.csv", dtype={"region": str, "product": str})
    want = pd.read_csv(tmp / "duck.csv", dtype={"region": str, "product": str})
    assert len(want) >= 6 and want["mcp"].sum() > 0 and want["eci"].notna().any()
    assert got[["region", "product", "mcp", "diversity", "ubiquity"]].equals(
        want[["region", "product", "mcp", "diversity", "ubiquity"]])
    for c in ("rca", "density", "cog", "eci", "pci", "coi"):
        assert ((got[c] - want[c]).abs().fillna(0) <= 1e-9).all() and got[c].isna().equals(want[c].isna()), c


def test_compute_on_a_standalone_cluster_writes_back_and_a_killed_worker_changes_nothing(cluster):
    """compute --engine spark writes DuckDB's figures with the lake's version; the worker killed
    mid-job (the driver lives on, left without executors): one line, exit 3, the store as it was."""
    ref = cluster["tmp"] / "ref.duckdb"
    shutil.copy(cluster["db"], ref)
    with open_store(str(ref)) as store:
        refresh(store, ["2025-06"], alerts=False, modernization_index=False, operations="off")
    want, _ = _rows(str(ref))
    code, out, err, executor = run_cli(cluster, COMPUTE)
    assert code == 0 and executor, err[-2000:]
    assert json.loads(out)["engine"] == "spark"
    got, runs = _rows(cluster["db"])
    assert len(got) == len(want) > 50
    unit = {k: v.unit for k, v in REGISTRY.items()}
    for g, w in zip(got, want):
        assert g[:6] == w[:6] and g[7] == w[7], (g, w)
        tol = 0.005 if unit.get(w[5]) == "yuan" else 1e-9
        assert (g[6] is None and w[6] is None) or abs(g[6] - w[6]) < tol, (g, w)
    assert runs == [(1, "spark", cluster["manifest"]["data_version"], "done", len(want))]
    code, out, err, executor = run_cli(cluster, COMPUTE, kill_worker_after=1.0,
                                       env={"CHAINBRAIN_SPARK_EXECUTOR_TIMEOUT": "5"})
    assert executor and not cluster["spark"].worker_alive(), err[-2000:]
    assert code == 3, (code, err[-2000:])
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "the Spark job failed; the store is unchanged" in lines[0], err[-2000:]
    # why: "all executors were lost" — or, when the watch's poll did not see the executor in its short
    # life before the kill, "no Spark executor for 15 s (none started …)" (seen once in CI: a misleading
    # explanation, noted in #20's notes; the outcome — exit 3, one line, the store unchanged — is the same)
    assert "Spark 作业失败，数据库未改动" in lines[0]
    assert "all executors were lost" in lines[0] or "no Spark executor for" in lines[0], lines[0]
    assert "Traceback" not in err
    after, runs_after = _rows(cluster["db"])
    assert after == got                                      # the results as they were
    # killed while reading the periods: no run begun; killed later: the run says it failed
    assert runs_after[:1] == runs and all(r[3:] == ("failed", 0) for r in runs_after[1:])
