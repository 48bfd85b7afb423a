"""A Spark standalone cluster on this machine for the tests: one master and one worker JVM (#21).

Started from the installed PySpark's jars (``java -cp pyspark/jars/* …deploy.master.Master`` /
``…deploy.worker.Worker``, what ``bin/spark-class`` runs), bound to 127.0.0.1 on free ports, the
worker's work directory under the test's tmp. Each JVM is the leader of its own process group, so
:meth:`Standalone.stop` kills it with everything it started (the worker's executors) — no orphans.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_home() -> str:
    import pyspark
    return os.path.dirname(pyspark.__file__)


def descendants(pid: int) -> dict[int, str]:
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


class Standalone:
    """A master and a worker (``cores`` cores, ``memory`` for executors); :attr:`url` is ``spark://…``."""

    def __init__(self, tmp: Path, cores: int = 1, memory: str = "1g"):
        self.tmp, self.cores, self.memory = Path(tmp), cores, memory
        self.home = spark_home()
        self.port = free_port()
        self.url = f"spark://127.0.0.1:{self.port}"
        self.master = self.worker = None
        self.env = os.environ | {"SPARK_HOME": self.home, "SPARK_LOCAL_IP": "127.0.0.1",
                                 "SPARK_NO_DAEMONIZE": "1", "SPARK_SCALA_VERSION": "2.13"}

    def _java(self, cls: str, args: list[str], log: Path) -> subprocess.Popen:
        cmd = ["java", "-Xmx256m", "-cp", f"{self.home}/jars/*", "-Dspark.master.rest.enabled=false",
               "-Dspark.ui.showConsoleProgress=false", cls, *args]
        return subprocess.Popen(cmd, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                cwd=self.tmp, start_new_session=True)     # its own process group

    def start(self, timeout: float = 90) -> "Standalone":
        self.master = self._java(MASTER_CLASS, ["--host", "127.0.0.1", "--port", str(self.port),
                                                "--webui-port", str(free_port())], self.tmp / "master.log")
        self.start_worker(timeout)
        return self

    def start_worker(self, timeout: float = 90) -> None:
        """(Re)start the worker and wait until the master has registered it."""
        n = len(list(self.tmp.glob("worker*.log")))
        log = self.tmp / f"worker{n}.log"
        work = self.tmp / f"work{n}"
        work.mkdir()
        self.worker = self._java(WORKER_CLASS, [self.url, "--host", "127.0.0.1", "--port", str(free_port()),
                                                "--webui-port", str(free_port()), "--cores", str(self.cores),
                                                "--memory", self.memory, "--work-dir", str(work)], log)
        t0 = time.monotonic()
        while b"Successfully registered with master" not in log.read_bytes():
            for p, name in ((self.master, "master"), (self.worker, "worker")):
                if p.poll() is not None:
                    raise RuntimeError(f"the Spark {name} exited ({p.returncode}): "
                                       f"{(self.tmp / f'{name}.log' if name == 'master' else log).read_text()[-2000:]}")
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"the Spark worker did not register within {timeout} s: {log.read_text()[-2000:]}")
            time.sleep(0.2)

    def worker_alive(self) -> bool:
        return self.worker is not None and self.worker.poll() is None

    def executors(self) -> dict[int, str]:
        """The executor JVMs the worker runs now (pid → command line)."""
        if not self.worker_alive():
            return {}
        return {p: c for p, c in descendants(self.worker.pid).items() if "CoarseGrainedExecutorBackend" in c}

    def executor_registered(self, since: float) -> bool:
        """An executor of an application started after ``since`` (epoch seconds) has registered with
        its driver (its log in the worker's work directory says so)."""
        for log in self.tmp.glob("work*/app-*/*/stderr"):
            try:
                if log.parent.parent.stat().st_mtime >= since and \
                        b"Successfully registered with driver" in log.read_bytes():
                    return True
            except OSError:
                continue
        return False

    def kill_worker(self) -> None:
        """SIGKILL the worker JVM only (its executors notice and exit by themselves)."""
        os.kill(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop(self) -> None:
        for p in (self.worker, self.master):
            if p is None:
                continue
            try:
                os.killpg(p.pid, signal.SIGKILL)       # the JVM and whatever it started (executors)
            except ProcessLookupError:
                pass
            p.wait()
