"""The import page's jobs: upload → validation report (+ error file) → confirm → import, with status.

Validation runs the importer's own read → parse → store checks
(:mod:`chainbrain.ingest.load`) without writing, so the report is exactly
what the import would reject; a file that cannot be read at all (UTF-16 or
binary "CSV", a workbook bomb, a crash of a check) ends the job ``invalid``
with one bilingual message naming the file — never a job left "validating".
Confirming runs :func:`chainbrain.ingest.load.import_file` (all-or-nothing;
``skip_invalid`` for a partial import) in a background thread; its progress
steps (read, validate, write) become the job's step, which the page polls.

Jobs are rows of ``import_job`` (:mod:`chainbrain.store.schema_imports`), so they
survive a restart and every server process sees them; the jobs this process is
running are also kept in memory (their step changes too often to write).
Uploaded files and error files live in :func:`job_dir`; the upload is deleted
when the job ends (done, failed, cancelled, expired, died), the error file when
the job expires (:data:`TTL` after its last change). At start-up
(:meth:`Jobs.recover`) a job found uploaded/validating/importing whose server
process is gone is marked ``died``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from chainbrain.ingest.batch import uscc_ids
from chainbrain.ingest.checks import CHECKS
from chainbrain.ingest.errors import write_error_file
from chainbrain.ingest.load import KINDS, import_file
from chainbrain.ingest.parse import RegionLookup, parse
from chainbrain.ingest.rules import to_np_str
from chainbrain.ingest.readers import ReadError, read_table
from chainbrain.store.schema_imports import import_job

log = logging.getLogger("chainbrain.web")

MAX_BYTES = 200 * 1024 * 1024
ISSUE_LIMIT = 500
#: a job untouched this long expires (its files are deleted); ``CHAINBRAIN_IMPORT_JOB_HOURS``
TTL = dt.timedelta(hours=float(os.environ.get("CHAINBRAIN_IMPORT_JOB_HOURS", "24") or 24))
#: ended jobs' rows are kept this long, then deleted
KEEP = dt.timedelta(days=30)
RUNNING = ("uploaded", "validating", "importing")
OPEN = ("invalid", "valid")
ENDED = ("done", "failed", "cancelled", "expired", "died")
OWNER = f"{socket.gethostname()}:{os.getpid()}"[:96]


class JobCancelled(Exception):
    """Raised inside a running import when its job was cancelled (the transaction rolls back)."""


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


@dataclass
class Job:
    id: str
    kind: str
    filename: str
    path: Path | None
    unit: str | None
    actor: str
    status: str = "uploaded"           # uploaded|validating|invalid|valid|importing|done|failed|cancelled|expired|died
    step: str = ""
    rows: int = 0
    errors: int = 0
    warnings: int = 0
    issues: list[dict] = field(default_factory=list)
    issues_total: int = 0
    error_file: Path | None = None
    result: dict | None = None
    message: str = ""
    owner: str = OWNER
    created_at: dt.datetime = field(default_factory=_now)
    updated_at: dt.datetime = field(default_factory=_now)
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def public(self) -> dict:
        return {"id": self.id, "kind": self.kind, "filename": self.filename, "unit": self.unit,
                "status": self.status, "step": self.step, "rows": self.rows, "errors": self.errors,
                "warnings": self.warnings, "issues": self.issues[:ISSUE_LIMIT],
                "issues_total": max(self.issues_total, len(self.issues)),
                "error_file": f"/api/imports/{self.id}/errors" if self.error_file else None,
                "result": self.result, "message": self.message, "actor": self.actor,
                "created_at": self.created_at.isoformat(sep=" "), "updated_at": self.updated_at.isoformat(sep=" ")}

    def row(self) -> dict:
        return {"id": self.id, "kind": self.kind, "filename": self.filename[:255], "unit": self.unit,
                "actor": self.actor[:64], "status": self.status, "step": self.step[:32], "rows": self.rows,
                "errors": self.errors, "warnings": self.warnings,
                "issues": json.dumps(self.issues[:ISSUE_LIMIT], ensure_ascii=False),
                "issues_total": max(self.issues_total, len(self.issues)),
                "path": str(self.path) if self.path else None,
                "error_path": str(self.error_file) if self.error_file else None,
                "result": json.dumps(self.result, ensure_ascii=False, default=str) if self.result is not None else None,
                "message": self.message, "owner": self.owner, "created_at": self.created_at,
                "updated_at": self.updated_at}

    @classmethod
    def from_row(cls, r) -> "Job":
        return cls(r.id, r.kind, r.filename, Path(r.path) if r.path else None, r.unit, r.actor, r.status,
                   r.step, int(r.rows), int(r.errors), int(r.warnings), json.loads(r.issues or "[]"),
                   int(r.issues_total), Path(r.error_path) if r.error_path else None,
                   json.loads(r.result) if r.result else None, r.message, r.owner, r.created_at, r.updated_at)


def job_dir(store) -> Path:
    """Where uploads and error files are kept: ``CHAINBRAIN_IMPORT_DIR``, else a folder of the
    system's temporary directory named after the store (so that a restart finds its files)."""
    base = os.environ.get("CHAINBRAIN_IMPORT_DIR")
    if base:
        out = Path(base)
    else:
        key = hashlib.sha256(str(store.db).encode()).hexdigest()[:12]
        out = Path(tempfile.gettempdir()) / "chainbrain-imports" / key
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    return out


def _remove(path: Path | None) -> None:
    if path is not None:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError as exc:                        # kept: logged, tried again at expiry
            log.warning("could not delete %s: %s", path, exc)


def _pid_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True                                   # another machine's process: not ours to judge
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class Jobs:
    """The store's import jobs (see the module docstring); ``on_write()`` runs after an import wrote."""

    def __init__(self, store, on_write=None, lock=None):
        self.store = store
        self.on_write = on_write or (lambda: None)
        self.store_lock = lock or threading.RLock()   # the application's store lock
        self.live: dict[str, Job] = {}
        self.lock = threading.Lock()
        self._dir: Path | None = None

    def _reader(self):
        """An engine for reads without the store lock (:func:`chainbrain.web.auth.read_store`)."""
        from chainbrain.web.auth import read_store

        return read_store(self.store).engine

    @property
    def dir(self) -> Path:
        if self._dir is None:
            self._dir = job_dir(self.store)
        return self._dir

    # ------------------------------------------------------------ store
    def save(self, job: Job) -> None:
        job.updated_at = _now()
        row = job.row()
        with self.store_lock, self.store.begin() as conn:      # (DuckDB's rowcount does not tell)
            if conn.execute(sa.select(import_job.c.id).where(import_job.c.id == job.id)).first():
                conn.execute(import_job.update().where(import_job.c.id == job.id).values(
                    {k: v for k, v in row.items() if k != "id"}))
            else:
                conn.execute(import_job.insert().values(row))

    def create(self, kind: str, filename: str, content, unit: str | None, actor: str) -> Job:
        """A new job for the upload ``content`` (bytes or a binary file object, copied in chunks)."""
        if kind not in KINDS:
            raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)} "
                             f"(数据类型应为 {'、'.join(KINDS)})")
        self.expire()
        suffix = Path(filename or "upload.csv").suffix.lower() or ".csv"
        if not suffix[1:].isalnum() or len(suffix) > 8:
            suffix = ".bin"
        jid = uuid.uuid4().hex[:16]
        path = self.dir / f"{jid}{suffix}"
        if isinstance(content, (bytes, bytearray)):
            path.write_bytes(content)
        else:
            with open(path, "wb") as out:
                shutil.copyfileobj(content, out, 1 << 20)
        name = Path((filename or "upload").replace("\\", "/")).name or "upload"
        job = Job(jid, kind, name, path, unit or None, actor)
        with self.lock:
            self.live[jid] = job
        self.save(job)
        return job

    def get(self, jid: str) -> Job | None:
        job = self.live.get(jid)
        if job is not None:
            return job
        with self._reader().connect() as conn:
            row = conn.execute(sa.select(import_job).where(import_job.c.id == jid[:16])).first()
        return Job.from_row(row) if row else None

    def list(self, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """The newest jobs first (summaries without their issues) and the total."""
        self.expire()
        cols = [c for c in import_job.c if c.name != "issues"]
        with self._reader().connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(import_job)).scalar()
            rows = conn.execute(sa.select(*cols).order_by(import_job.c.created_at.desc(), import_job.c.id)
                                .limit(limit).offset(offset)).all()
        out = []
        for r in rows:
            live = self.live.get(r.id)
            d = {"id": r.id, "kind": r.kind, "filename": r.filename, "unit": r.unit, "actor": r.actor,
                 "status": live.status if live else r.status, "step": live.step if live else r.step,
                 "rows": int(r.rows), "errors": int(r.errors), "warnings": int(r.warnings),
                 "message": r.message, "created_at": r.created_at.isoformat(sep=" "),
                 "updated_at": r.updated_at.isoformat(sep=" "), "url": f"/api/imports/{r.id}"}
            out.append(d)
        return out, int(total)

    # ------------------------------------------------------------ ends
    def end(self, job: Job, status: str, message: str | None = None) -> None:
        """``job`` ends with ``status``: its upload is deleted, the row written, memory freed."""
        job.status, job.step = status, ""
        if message is not None:
            job.message = message
        _remove(job.path)
        job.path = None
        if status == "expired":
            _remove(job.error_file)
            job.error_file = None
        self.save(job)
        with self.lock:
            self.live.pop(job.id, None)

    def cancel(self, job: Job) -> Job:
        """Cancel a job that has not ended: at once unless importing; a running import is stopped at
        its next step and rolled back (all-or-nothing). Raises ValueError when it has ended."""
        if job.status in ENDED:
            raise ValueError(f"job is {job.status}; it cannot be cancelled (任务状态为 {job.status}，无法取消)")
        live = self.live.get(job.id)
        if live is not None and live.status in ("importing", "validating"):
            live.cancel.set()
            return live
        self.end(job, "cancelled", "cancelled; nothing was written (已取消，未写入任何数据)")
        return job

    def expire(self) -> int:
        """Jobs untouched for :data:`TTL` expire (files deleted); ended rows older than :data:`KEEP` go."""
        now = _now()
        with self._reader().connect() as conn:
            old = conn.execute(sa.select(import_job).where(
                import_job.c.updated_at < now - TTL,
                sa.or_(import_job.c.status.in_(OPEN + ("uploaded",)), import_job.c.error_path.is_not(None),
                       import_job.c.path.is_not(None)))).all()
        n = 0
        for r in old:
            if r.id in self.live:
                continue
            job = Job.from_row(r)
            ended = job.status in ENDED
            self.end(job, job.status if ended else "expired",
                     None if ended else "expired: not confirmed in time (已过期：未及时确认)")
            if ended:
                _remove(job.error_file)
                job.error_file = None
                self.save(job)
            n += 1
        with self.store_lock, self.store.begin() as conn:
            conn.execute(import_job.delete().where(import_job.c.updated_at < now - KEEP,
                                                   import_job.c.status.in_(ENDED)))
        return n

    def recover(self) -> list[str]:
        """At start-up: jobs left uploaded/validating/importing by a server process that is gone are
        marked ``died`` and their files deleted (an import rolled back with its transaction)."""
        with self._reader().connect() as conn:
            rows = conn.execute(sa.select(import_job).where(import_job.c.status.in_(RUNNING))).all()
        died = []
        for r in rows:
            if r.id in self.live or _pid_alive(r.owner):
                continue
            job = Job.from_row(r)
            was = job.status
            self.end(job, "died", f"the server stopped while the job was {was}; nothing was written, "
                                  f"upload the file again (任务{_ZH.get(was, was)}时服务器停止，未写入任何数据，请重新上传)")
            died.append(job.id)
        self.expire()
        return died


_ZH = {"uploaded": "上传", "validating": "校验", "importing": "导入"}


def _issues(issues) -> list[dict]:
    return [{"row": i.row, "column": i.column, "value": None if i.value is None else str(i.value),
             "rule": i.rule, "severity": i.severity, "message_zh": i.message_zh, "message_en": i.message_en}
            for i in issues.items]


def _unreadable(job: Job, message: str) -> None:
    job.status, job.step, job.message, job.errors, job.rows = "invalid", "", message, 1, 0
    job.issues = [{"row": None, "column": "", "value": None, "rule": "read", "severity": "error",
                   "message_zh": message, "message_en": message}]
    job.issues_total = 1


def validate(job: Job, store, lock, jobs: Jobs | None = None) -> None:
    """Run the importer's checks on the uploaded file without writing; fill the report.

    Whatever goes wrong ends the job ``invalid`` with a bilingual message naming the file."""
    job.status, job.step = "validating", "read"
    try:
        _validate(job, store, lock)
    except ReadError as e:
        _unreadable(job, str(e))
    except Exception as e:                              # never leave a job "validating"
        log.exception("validation of import job %s failed", job.id)
        _unreadable(job, f"{job.filename}: the file could not be checked ({type(e).__name__}); "
                         f"save it as CSV UTF-8 or XLSX from the template and upload again "
                         f"(无法校验该文件：请按模板另存为 CSV UTF-8 或 XLSX 后重新上传)")
    job.step = ""
    if jobs is not None:
        if job.cancel.is_set():
            jobs.end(job, "cancelled", "cancelled; nothing was written (已取消，未写入任何数据)")
        else:
            jobs.save(job)


def _validate(job: Job, store, lock) -> None:
    try:
        raw = read_table(job.path, job.kind)
    except ReadError as e:                              # the reader names its temporary file: use the upload's
        raise ReadError(str(e).replace(Path(job.path).name, job.filename)) from e
    job.step = "validate"
    p = parse(raw, job.kind, job.unit, RegionLookup())
    with lock, store.engine.connect() as conn:
        codes = [c for k, col in p.cols.items() if k.endswith("uscc") for c in to_np_str(col)]
        CHECKS[job.kind](store, conn, p, uscc_ids(store, conn, codes))     # the file's firms only
    issues = p.issues
    job.rows = int(p.n)
    job.errors, job.warnings = len(issues.errors), len(issues.warnings)
    job.issues = _issues(issues)[:ISSUE_LIMIT]
    job.issues_total = len(issues.items)
    if issues.items:
        job.error_file = job.path.with_name(job.id + "-errors.xlsx")
        write_error_file(job.error_file, raw, issues)
    job.status = "invalid" if issues.errors else "valid"


def run_import(job: Job, store, lock, skip_invalid: bool, on_done, jobs: Jobs | None = None) -> threading.Thread:
    """Import in a background thread (under the app lock); ``on_done(job)`` afterwards.

    A cancelled job stops at its next progress step; the import's transaction rolls back."""
    job.status, job.step = "importing", "queued"
    job.owner = OWNER
    if jobs is not None:
        jobs.save(job)
        with jobs.lock:
            jobs.live[job.id] = job

    def step(name, *args, **kw):
        if job.cancel.is_set():
            raise JobCancelled()
        job.step = str(name)

    def work():
        status, message = "failed", ""
        try:
            with lock:
                res = import_file(store, job.kind, job.path, unit=job.unit, skip_invalid=skip_invalid,
                                  actor=job.actor, progress=step)
            job.result = {"status": res.status, "rows": res.rows, "new": res.new, "updated": res.updated,
                          "unchanged": res.unchanged, "skipped": res.skipped, "batch_id": res.batch_id,
                          "summary_zh": res.summary_zh(), "summary_en": res.summary_en()}
            status = "done" if res.ok else "failed"
            message = res.summary_zh() + " / " + res.summary_en()
        except JobCancelled:
            status, message = "cancelled", "cancelled during the import; nothing was written (导入中已取消，未写入任何数据)"
        except Exception as exc:                       # report, never leave the job hanging
            log.exception("import job %s failed", job.id)
            message = f"{type(exc).__name__}: {exc}"
        if jobs is not None and job.result:           # written: fresh figures before anyone sees "done"
            jobs.on_write()
        if jobs is not None:
            try:
                jobs.end(job, status, message)
            except Exception:                          # the store is gone (shutdown): the job dies at restart
                log.exception("could not record the end of import job %s", job.id)
        else:
            job.status, job.step, job.message = status, "", message
        on_done(job)

    th = threading.Thread(target=work, daemon=True, name=f"import-{job.id}")
    th.start()
    return th
