"""The import page's jobs: upload → validation report (+ error file) → confirm → import, with status.

Validation runs the importer's own read → parse → store checks
(:mod:`chainbrain.ingest.load`) without writing, so the report is exactly
what the import would reject. Confirming runs
:func:`chainbrain.ingest.load.import_file` (all-or-nothing; ``skip_invalid``
for a partial import) in a background thread; its progress steps (read,
validate, write) become the job's status, which the page polls. Jobs live in
memory (one process); uploaded files and error files in a temporary folder.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from chainbrain.ingest.batch import uscc_ids
from chainbrain.ingest.checks import CHECKS
from chainbrain.ingest.errors import write_error_file
from chainbrain.ingest.load import KINDS, import_file
from chainbrain.ingest.parse import RegionLookup, parse
from chainbrain.ingest.readers import ReadError, read_table

MAX_BYTES = 200 * 1024 * 1024
ISSUE_LIMIT = 500


@dataclass
class Job:
    id: str
    kind: str
    filename: str
    path: Path
    unit: str | None
    actor: str
    status: str = "uploaded"           # uploaded|validating|invalid|valid|importing|done|failed
    step: str = ""
    rows: int = 0
    errors: int = 0
    warnings: int = 0
    issues: list[dict] = field(default_factory=list)
    error_file: Path | None = None
    result: dict | None = None
    message: str = ""

    def public(self) -> dict:
        return {"id": self.id, "kind": self.kind, "filename": self.filename, "unit": self.unit,
                "status": self.status, "step": self.step, "rows": self.rows, "errors": self.errors,
                "warnings": self.warnings, "issues": self.issues[:ISSUE_LIMIT],
                "issues_total": len(self.issues),
                "error_file": f"/api/imports/{self.id}/errors" if self.error_file else None,
                "result": self.result, "message": self.message}


class Jobs:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="chainbrain-import-"))
        self.items: dict[str, Job] = {}
        self.lock = threading.Lock()

    def create(self, kind: str, filename: str, content: bytes, unit: str | None, actor: str) -> Job:
        if kind not in KINDS:
            raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)} "
                             f"(数据类型应为 {'、'.join(KINDS)})")
        suffix = Path(filename or "upload.csv").suffix.lower() or ".csv"
        jid = uuid.uuid4().hex[:16]
        path = self.dir / f"{jid}{suffix}"
        path.write_bytes(content)
        job = Job(jid, kind, Path(filename or "upload").name, path, unit or None, actor)
        with self.lock:
            self.items[jid] = job
        return job

    def get(self, jid: str) -> Job | None:
        return self.items.get(jid)


def _issues(issues) -> list[dict]:
    return [{"row": i.row, "column": i.column, "value": None if i.value is None else str(i.value),
             "rule": i.rule, "severity": i.severity, "message_zh": i.message_zh, "message_en": i.message_en}
            for i in issues.items]


def validate(job: Job, store, lock) -> None:
    """Run the importer's checks on the uploaded file without writing; fill the report."""
    job.status, job.step = "validating", "read"
    try:
        raw = read_table(job.path, job.kind)
    except ReadError as e:
        job.status, job.message, job.errors = "invalid", str(e), 1
        job.issues = [{"row": None, "column": "", "value": None, "rule": "read", "severity": "error",
                       "message_zh": str(e), "message_en": str(e)}]
        return
    job.step = "validate"
    p = parse(raw, job.kind, job.unit, RegionLookup())
    with lock, store.engine.connect() as conn:
        CHECKS[job.kind](store, conn, p, uscc_ids(store, conn))
    issues = p.issues
    job.rows = int(p.n)
    job.errors, job.warnings = len(issues.errors), len(issues.warnings)
    job.issues = _issues(issues)
    if issues.items:
        job.error_file = job.path.with_name(job.id + "-errors.xlsx")
        write_error_file(job.error_file, raw, issues)
    job.status = "invalid" if issues.errors else "valid"
    job.step = ""


def run_import(job: Job, store, lock, skip_invalid: bool, on_done) -> threading.Thread:
    """Import in a background thread (under the app lock); ``on_done(job)`` afterwards."""
    job.status, job.step = "importing", "queued"

    def step(name, *args, **kw):
        job.step = str(name)

    def work():
        try:
            with lock:
                res = import_file(store, job.kind, job.path, unit=job.unit, skip_invalid=skip_invalid,
                                  actor=job.actor, progress=step)
            job.result = {"status": res.status, "rows": res.rows, "new": res.new, "updated": res.updated,
                          "unchanged": res.unchanged, "skipped": res.skipped, "batch_id": res.batch_id,
                          "summary_zh": res.summary_zh(), "summary_en": res.summary_en()}
            job.status = "done" if res.ok else "failed"
            job.message = res.summary_zh() + " / " + res.summary_en()
        except Exception as exc:                       # report, never leave the job hanging
            job.status, job.message = "failed", f"{type(exc).__name__}: {exc}"
        job.step = ""
        on_done(job)

    th = threading.Thread(target=work, daemon=True, name=f"import-{job.id}")
    th.start()
    return th
