"""Reports generated in the background, off the analytics lock: the page's jobs and the schedules.

A report takes seconds (province scale: ≈ 7 s). Under :attr:`WebState.lock` it would stall every
other user's uncached page for that long, so the server writes reports in its own threads, each
on its own connection to the database (:func:`chainbrain.web.pool.side_store`):

- **jobs** (:class:`ReportJobs`): one worker thread takes the page's requests in order. A job
  records its progress (the steps of :func:`chainbrain.reports.gather.gather`, then the
  writing); the page polls ``/api/reports/jobs/{id}`` and downloads the file when it is done.
  A job is its requester's: the id is random (128 bits) and answers only to the same user
  (or, for an anonymous visitor, to anonymous requests). A finished file is also put in the
  answer cache under the download's key (:func:`chainbrain.web.views.reports.cache_key`), so
  asking again costs nothing until the data change. Finished jobs are forgotten after
  :data:`KEEP_S` seconds.
- **schedules** (:func:`start_scheduler`): every :data:`CHECK_S` seconds a second thread runs
  the due schedules (:func:`chainbrain.reports.schedule.run_due`); the files are kept in
  ``report_file`` and a failed run is recorded with its error (shown on ``/reports``).
  ``CHAINBRAIN_REPORT_SCHEDULE=off`` turns it off (it is off under pytest unless set; with
  several server processes let one run it, or use cron with ``chainbrain report schedule run``).
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger("chainbrain.web")

KEEP_S = 600.0
CHECK_S = 60.0
STEP_ZH = {"queued": "排队中", "checks": "核对参数", "kpi": "汇总指标", "previous": "比较上期", "pulls": "测算拉动与贡献",
           "targets_projection": "目标进度与预测", "alerts": "运行预警", "writing": "排版成文", "done": "已完成",
           "failed": "生成失败"}


@dataclass
class Job:
    id: str
    owner: str | None
    key: tuple
    params: dict
    status: str = "queued"                 # queued | running | done | failed
    step: str = "queued"
    steps_done: int = 0
    steps_total: int = 7                   # six gather steps and the writing
    error: str | None = None
    body: bytes | None = None
    label: str | None = None
    finished: float | None = None
    event: threading.Event = field(default_factory=threading.Event)

    def public(self) -> dict:
        return {"id": self.id, "status": self.status, "step": self.step, "step_zh": STEP_ZH.get(self.step, self.step),
                "progress": round(self.steps_done / self.steps_total, 3), "error": self.error,
                "file": f"/reports/jobs/{self.id}/file" if self.status == "done" else None, **self.params}


class ReportJobs:
    """The page's report jobs, written one after another by one background thread."""

    def __init__(self, st):
        self.st = st
        self.jobs: dict[str, Job] = {}
        self._q: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._side = None

    def submit(self, owner: str | None, key: tuple, params: dict, build) -> Job:
        """A job for ``build(store, progress) -> (body, label)``; the running or cached one if there is."""
        from chainbrain.web.cache import MISSING

        self._forget()
        with self._lock:
            same = next((j for j in self.jobs.values() if j.key == key and j.status in ("queued", "running")), None)
            if same is not None:
                return same
            job = Job(secrets.token_hex(16), owner, key, params)
            self.jobs[job.id] = job
            hit = self.st.cache.lookup(self.st.versions.current(), key)
            if hit is not MISSING:
                job.body, job.label = hit
                self._finish(job, "done")
                return job
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, daemon=True, name="chainbrain-reports")
                self._thread.start()
        self._q.put((job, build))
        return job

    def get(self, job_id: str, owner: str | None) -> Job | None:
        job = self.jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def _finish(self, job: Job, status: str) -> None:
        job.status, job.step, job.finished = status, status, time.monotonic()
        if status == "done":
            job.steps_done = job.steps_total
        job.event.set()

    def _forget(self) -> None:
        now = time.monotonic()
        with self._lock:
            for jid in [j.id for j in self.jobs.values() if j.finished and now - j.finished > KEEP_S]:
                del self.jobs[jid]

    def _work(self) -> None:
        from chainbrain.reports.viewer import ReportError
        from chainbrain.web.pool import side_store

        while not self._stop.is_set():
            try:
                job, build = self._q.get(timeout=1.0)
            except queue.Empty:
                continue
            job.status = "running"
            version = self.st.versions.current()

            def progress(step, job=job):
                job.step, job.steps_done = step, min(job.steps_done + 1, job.steps_total - 1)
                if step == "alerts":
                    job.step = "writing"
            try:
                if self._side is None:
                    self._side = side_store(self.st.store)
                job.body, job.label = build(self._side, progress)
                self.st.cache.put(version, job.key, (job.body, job.label))
                self._finish(job, "done")
            except ReportError as exc:
                job.error = str(exc)
                self._finish(job, "failed")
            except Exception as exc:                  # the page says so; the log has the trace
                log.exception("report job %s failed", job.params)
                job.error = f"the report could not be written: {type(exc).__name__} (报告生成失败)"
                self._finish(job, "failed")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        side = self._side
        if side is not None and self._thread is not None and self._thread.is_alive():
            side.cancel()
        if self._thread is not None:
            self._thread.join(timeout)
        if side is not None and side is not self.st.store:
            side.close()


def scheduler_enabled() -> bool:
    """``CHAINBRAIN_REPORT_SCHEDULE``: ``off`` / ``on``; default on, off under pytest."""
    value = os.environ.get("CHAINBRAIN_REPORT_SCHEDULE", "").strip().lower()
    if value in ("0", "off", "false", "no"):
        return False
    if value in ("1", "on", "true", "yes"):
        return True
    return "PYTEST_CURRENT_TEST" not in os.environ


def start_scheduler(st, stop: threading.Event, every: float = CHECK_S) -> threading.Thread:
    """Run the due schedules now and every ``every`` seconds, on its own connection, until ``stop``."""
    from chainbrain.reports.schedule import run_due
    from chainbrain.web.pool import side_store

    def work():
        own = None
        try:
            own = side_store(st.store)
            while not stop.is_set():
                try:
                    for r in run_due(own):
                        log.info("report schedule %s %s: %s, %d files", r["schedule"], r["period"], r["status"],
                                 r["files"])
                except Exception as exc:              # e.g. the database is restarting: try again later
                    if stop.is_set():
                        return
                    log.warning("report schedules could not run: %s", exc)
                stop.wait(every)
        finally:
            if own is not None and own is not st.store:
                own.close()

    t = threading.Thread(target=work, daemon=True, name="chainbrain-report-schedule")
    t.start()
    return t
