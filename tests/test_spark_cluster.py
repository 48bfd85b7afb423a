"""``--engine spark`` from the command line on a multi-process Spark cluster on this machine (#21).

Each command runs as its own process (``python -m chainbrain …``) with the master
``local-cluster[1,1,1024]``: a master and a worker in the driver's JVM and the executor in a JVM
of its own (``CoarseGrainedExecutorBackend``, seen in the process tree while the command runs),
so tasks and their results cross processes. Memory: driver 512 MB, executor 512 MB, one core.
Figures equal DuckDB's to the fen (money) and to 1e-9 (rates, counts exactly); a killed cluster
fails the command with one line and leaves the store's previous results in place.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

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

MASTER = "local-cluster[1,1,1024]"
COMPUTE = ["compute", "--period", "2025-06", "--no-alerts", "--no-index", "--operations", "off", "--no-disclosure"]
COLS = "period, basis, scope, grouping, key, indicator, value, n"


def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A DuckDB store with the monitoring dataset and its lake; the environment of the commands."""
    if not spark_available():
        raise RuntimeError("pyspark or Java is missing: `make test` installs both (extra 'spark', default-jre-headless)")
    tmp = tmp_path_factory.mktemp("spark-cluster")
    with open_store(str(tmp / "cb.duckdb")) as store:
        init_store(store)
        load(store, tmp)
        manifest = export(store, tmp / "lake")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(Path(chainbrain.__file__).parents[1]),
                                                      os.environ.get("PYTHONPATH", "")]),
                        "CHAINBRAIN_SPARK_DRIVER_MEMORY": "512m", "CHAINBRAIN_SPARK_EXECUTOR_MEMORY": "512m",
                        "CHAINBRAIN_SPARK_CORES_MAX": "1", "CHAINBRAIN_SPARK_SHUFFLE_PARTITIONS": "2"}
    return {"tmp": tmp, "db": str(tmp / "cb.duckdb"), "lake": str(tmp / "lake"), "manifest": manifest, "env": env}


def _descendants(pid: int) -> dict[int, str]:
    """Processes below ``pid`` (pid → command line), from /proc."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        for child, ppid in parent.items():
            if ppid == p and child not in out:
                try:
                    out[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                todo.append(child)
    return out


def run_cli(cluster, args: list[str], kill_when_executor: float | None = None, timeout: float = 900):
    """Run ``chainbrain ARGS --engine spark`` on :data:`MASTER`; (exit code, stdout, stderr, executor seen).
    ``kill_when_executor``: seconds after the executor JVM appears to SIGKILL the cluster's JVMs."""
    cmd = [sys.executable, "-m", "chainbrain", *args, "--db", cluster["db"], "--engine", "spark",
           "--lake", cluster["lake"], "--spark-master", MASTER]
    proc = subprocess.Popen(cmd, env=cluster["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen, t0, killed, known = None, time.monotonic(), False, {}
    try:
        while proc.poll() is None and time.monotonic() - t0 < timeout:
            tree = _descendants(proc.pid)
            known |= tree
            if seen is None and any("CoarseGrainedExecutorBackend" in c for c in tree.values()):
                seen = time.monotonic()
            if seen is not None and kill_when_executor is not None and not killed \
                    and time.monotonic() - seen >= kill_when_executor:
                for pid, c in tree.items():         # the executor, then the driver JVM (master and worker)
                    if "CoarseGrainedExecutorBackend" in c or "SparkSubmit" in c:
                        os.kill(pid, signal.SIGKILL)
                killed = True
            time.sleep(0.2)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid, cmdline in known.items():          # JVMs left behind (re-parented once the command exited)
            try:
                if (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode() == cmdline:
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    return proc.returncode, out, err, seen is not None


def _rows(db: str) -> tuple[list, list]:
    with open_store(db) as store, store.engine.connect() as c:
        return (c.execute(sa.text(f"SELECT {COLS} FROM indicator_value ORDER BY ALL")).all(),
                c.execute(sa.text("SELECT id, engine, data_version, status, rows FROM compute_run ORDER BY id")).all())


def test_kpi_on_a_cluster_equals_duckdb(cluster):
    code, out, err, executor = run_cli(cluster, ["kpi", "--period", "2025-06", "--format", "json"])
    assert code == 0, err[-2000:]
    assert executor, "no executor JVM was seen: the work did not cross processes"
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


def test_compute_on_a_cluster_writes_back_and_a_killed_job_changes_nothing(cluster):
    """compute --engine spark writes DuckDB's figures with the lake's version; a killed cluster: exit 3."""
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
    # the cluster dies mid-job (executor and driver JVM killed): one line, exit 3, the store as it was
    code, out, err, executor = run_cli(cluster, COMPUTE, kill_when_executor=1.0)
    assert executor and code == 3, (code, err[-2000:])
    assert "the Spark job failed; the store is unchanged" in err and "Spark 作业失败" in err
    assert "Traceback" not in err
    after, runs_after = _rows(cluster["db"])
    assert after == got                                      # the results as they were
    # killed while reading the periods: no run begun; killed later: the run says it failed
    assert runs_after[:1] == runs and all(r[3:] == ("failed", 0) for r in runs_after[1:])
