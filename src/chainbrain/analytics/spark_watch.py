"""Fail a Spark command whose application has no executor left, instead of waiting forever (#21).

On a cluster (standalone, YARN, Kubernetes) a job whose executors are all lost — the worker
died, the node went away — is not failed by Spark: its tasks wait for resources that may never
come. :class:`ExecutorWatch` polls the driver's executor list (``getExecutorMemoryStatus``
minus the driver) every second; when a job has been running while the application had no
executor for ``timeout`` seconds (``[spark] executor_timeout``; three times as long at start,
while the first executors launch) it records why in :attr:`reason` and cancels every job, again each second, so the
command fails before anything is written back. Local masters (``local[…]``) run tasks in the
driver and are not watched. Time without a running job does not count (dynamic allocation may
release every executor while the command works on the driver side).
"""

from __future__ import annotations

import threading
import time


def watched(master: str) -> bool:
    return not master.startswith("local[") and master != "local"


class ExecutorWatch(threading.Thread):
    """A daemon thread over ``session``'s SparkContext; :meth:`stop` ends it."""

    def __init__(self, session, timeout: float, interval: float = 1.0):
        super().__init__(name="chainbrain-spark-watch", daemon=True)
        self.sc = session.sparkContext
        self.timeout, self.interval = float(timeout), interval
        self.reason: str | None = None
        self._halt = threading.Event()

    def executors(self) -> int:
        return int(self.sc._jsc.sc().getExecutorMemoryStatus().size()) - 1      # minus the driver

    def waiting_jobs(self) -> bool:
        try:
            return bool(self.sc.statusTracker().getActiveJobsIds())
        except Exception:
            return False

    def run(self) -> None:
        start = last_seen = time.monotonic()
        seen = False
        while not self._halt.wait(self.interval):
            try:
                n = self.executors()
            except Exception:                   # the context is stopping: nothing to watch
                return
            now = time.monotonic()
            if n > 0:
                seen, last_seen = True, now
                continue
            if self.reason is None and not self.waiting_jobs():
                start = last_seen = now            # nothing waits for executors (driver-side work, idle)
                continue
            limit = self.timeout if seen else 3 * self.timeout
            if self.reason is None and now - (last_seen if seen else start) >= limit:
                self.reason = (f"no Spark executor for {now - (last_seen if seen else start):.0f} s "
                               f"({'all executors were lost' if seen else 'none started'}; is a worker alive?)")
            if self.reason is not None:
                try:
                    self.sc.cancelAllJobs()
                except Exception:
                    return

    def stop(self) -> None:
        self._halt.set()
