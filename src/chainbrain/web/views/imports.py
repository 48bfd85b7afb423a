"""数据导入 — upload → validation report → confirm, with job status (province administrators).

``POST /api/imports`` (multipart: file, kind, unit; CSRF token) validates
the file and returns the job with its issues and error-file link;
``GET /api/imports`` lists the jobs (newest first, ``limit``/``offset``, ``total``);
``GET /api/imports/{job_id}`` polls; ``POST /api/imports/{job_id}/confirm``
imports (``skip_invalid`` for a partial import); ``POST /api/imports/{job_id}/cancel``
cancels; the error file downloads from ``GET /api/imports/{job_id}/errors``.
The sign-in and the 200 MiB cap are checked before the upload is read
(:mod:`chainbrain.web.limits`); jobs live in the store (:mod:`chainbrain.web.imports`).
Audited (:mod:`chainbrain.store.audit`): the upload (``import_upload``), its validation
(``import_validate``), the start of the import (``import_start``, by the user who confirmed it,
with the original file name), its end (``import_end``, done or failed) and a cancel
(``import_cancel``); an import whose process died is closed as ``import_died`` when the server
starts again (:func:`chainbrain.store.audit_imports.close_dead_imports`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse

from chainbrain.ingest.load import KINDS
from chainbrain.ingest.units import FACTORS
from chainbrain.store import audit_imports as A
from chainbrain.web import imports as J
from chainbrain.web.auth import audit, check_csrf, require_admin
from chainbrain.web.render import render
from chainbrain.web.state import get_state

router = APIRouter()


JOB_ID = Path(..., pattern=r"^[0-9a-f]{16}$", description="the job's id (16 hex digits)")


def _job(request: Request, job_id: str) -> J.Job:
    job = get_state(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such import job (无此导入任务)")
    return job


HISTORY_PAGE = 20


@router.get("/import", dependencies=[Depends(require_admin)], summary="数据导入 import page")
def import_page(request: Request, offset: int = Query(0, ge=0, le=10**6)):
    """Upload, validate and confirm; below, the past imports (newest first, 20 a page) with their
    state, and a cancel button for those that have not ended."""
    history, total = get_state(request).jobs.list(HISTORY_PAGE, offset)
    return render(request, "import.html", nav="import", kinds=KINDS, units=list(FACTORS), history=history,
                  history_total=total, history_offset=offset, history_page=HISTORY_PAGE, ended=J.ENDED)


@router.post("/api/imports", tags=["import"], dependencies=[Depends(require_admin)])
def api_upload(request: Request, file: UploadFile = File(...), kind: str = Form(..., max_length=32),
               unit: str = Form("", max_length=16), csrf_token: str = Form("", max_length=256)) -> dict:
    """Upload and validate (nothing is written): the job with its validation report."""
    check_csrf(request, csrf_token)
    st = get_state(request)
    file.file.seek(0, 2)
    size = file.file.tell()
    if size > J.MAX_BYTES:
        raise HTTPException(413, f"{(file.filename or 'upload')[:255]}: file too large, at most 200 MiB "
                                 f"(文件过大，最多 200 MiB)")
    file.file.seek(0)
    user = require_admin(request).username
    try:
        job = st.jobs.create(kind, file.filename, file.file, unit, user)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    audit(st.store, user, "import_upload", f"import:{job.filename}", job=job.id, kind=kind, file=job.filename,
          bytes=size, unit=unit or None)
    J.validate(job, st.store, st.lock, st.jobs)
    audit(st.store, user, "import_validate", f"import:{job.filename}", job=job.id, kind=kind, file=job.filename,
          status=job.status, rows=job.rows, errors=job.errors, warnings=job.warnings)
    return job.public()


@router.get("/api/imports", tags=["import"], dependencies=[Depends(require_admin)])
def api_jobs(request: Request, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=10**6)) -> dict:
    """The import jobs, newest first: id, kind, file name, who uploaded it, status, counts, times."""
    jobs, total = get_state(request).jobs.list(limit, offset)
    return {"jobs": jobs, "total": total, "limit": limit, "offset": offset}


@router.post("/api/imports/{job_id}/cancel", tags=["import"], dependencies=[Depends(require_admin)])
def api_cancel(request: Request, job_id: str = JOB_ID, csrf_token: str = Form("", max_length=256)) -> dict:
    """Cancel a job that has not ended (a running import stops and rolls back; its upload is deleted)."""
    check_csrf(request, csrf_token)
    st = get_state(request)
    job = _job(request, job_id)
    try:
        job = st.jobs.cancel(job)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    audit(st.store, require_admin(request).username, "import_cancel", f"import:{job.filename}", job=job.id,
          file=job.filename)
    return job.public()


@router.get("/api/imports/{job_id}", tags=["import"], dependencies=[Depends(require_admin)])
def api_job(request: Request, job_id: str = JOB_ID) -> dict:
    """The job's status (uploaded|validating|invalid|valid|importing|done|failed), step and report."""
    return _job(request, job_id).public()


@router.post("/api/imports/{job_id}/confirm", tags=["import"], dependencies=[Depends(require_admin)])
def api_confirm(request: Request, job_id: str = JOB_ID, skip_invalid: bool = Form(False),
                csrf_token: str = Form("", max_length=256)) -> dict:
    """Start the import (all-or-nothing unless ``skip_invalid``); poll ``/api/imports/{job_id}``."""
    check_csrf(request, csrf_token)
    job = _job(request, job_id)
    if job.status not in ("valid", "invalid"):
        raise HTTPException(409, f"job is {job.status} (任务状态为 {job.status})")
    if job.status == "invalid" and not skip_invalid:
        raise HTTPException(409, "the file has errors: fix them or skip invalid rows (文件有错误：请修正或选择跳过错误行)")
    st = get_state(request)
    uploaded_by, job.actor = job.actor, require_admin(request).username   # the import is the confirmer's
    audit(st.store, job.actor, "import_start", f"import:{job.filename}", job=job.id, kind=job.kind,
          file=job.filename, uploaded_by=uploaded_by, skip_invalid=skip_invalid, **A.process_mark())

    def done(j):
        audit(st.store, j.actor, "import_end", f"import:{j.filename}", job=j.id, kind=j.kind, file=j.filename,
              status=j.status, result=j.result, message=j.message)

    J.run_import(job, st.store, st.lock, skip_invalid, done, st.jobs)
    return job.public()


@router.get("/api/imports/{job_id}/errors", tags=["import"], dependencies=[Depends(require_admin)])
def api_errors(request: Request, job_id: str = JOB_ID):
    """The rows with issues as uploaded, plus a bilingual error column (Excel)."""
    job = _job(request, job_id)
    if not job.error_file or not job.error_file.exists():
        raise HTTPException(404, "no error file (无错误文件)")
    return FileResponse(job.error_file, filename=f"{job.filename}-errors.xlsx",
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
