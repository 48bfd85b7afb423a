"""数据导入 — upload → validation report → confirm, with job status (province administrators).

``POST /api/imports`` (multipart: file, kind, unit; CSRF token) validates
the file and returns the job with its issues and error-file link;
``GET /api/imports/{job_id}`` polls; ``POST /api/imports/{job_id}/confirm``
imports (``skip_invalid`` for a partial import); the error file downloads
from ``GET /api/imports/{job_id}/errors``. Each import is audited.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse

from chainbrain.ingest.load import KINDS
from chainbrain.ingest.units import FACTORS
from chainbrain.web import imports as J
from chainbrain.web.auth import audit, check_csrf, require_admin
from chainbrain.web.render import render
from chainbrain.web.state import get_state

router = APIRouter()


def _job(request: Request, job_id: str) -> J.Job:
    job = get_state(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such import job (无此导入任务)")
    return job


@router.get("/import", dependencies=[Depends(require_admin)], summary="数据导入 import page")
def import_page(request: Request):
    return render(request, "import.html", nav="import", kinds=KINDS, units=list(FACTORS))


@router.post("/api/imports", tags=["import"], dependencies=[Depends(require_admin)])
def api_upload(request: Request, file: UploadFile = File(...), kind: str = Form(...), unit: str = Form(""),
               csrf_token: str = Form("")) -> dict:
    """Upload and validate (nothing is written): the job with its validation report."""
    check_csrf(request, csrf_token)
    st = get_state(request)
    content = file.file.read(J.MAX_BYTES + 1)
    if len(content) > J.MAX_BYTES:
        raise HTTPException(413, "file too large (文件过大)")
    try:
        job = st.jobs.create(kind, file.filename, content, unit, require_admin(request).username)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    J.validate(job, st.store, st.lock)
    return job.public()


@router.get("/api/imports/{job_id}", tags=["import"], dependencies=[Depends(require_admin)])
def api_job(request: Request, job_id: str) -> dict:
    """The job's status (uploaded|validating|invalid|valid|importing|done|failed), step and report."""
    return _job(request, job_id).public()


@router.post("/api/imports/{job_id}/confirm", tags=["import"], dependencies=[Depends(require_admin)])
def api_confirm(request: Request, job_id: str, skip_invalid: bool = Form(False), csrf_token: str = Form("")) -> dict:
    """Start the import (all-or-nothing unless ``skip_invalid``); poll ``/api/imports/{job_id}``."""
    check_csrf(request, csrf_token)
    job = _job(request, job_id)
    if job.status not in ("valid", "invalid"):
        raise HTTPException(409, f"job is {job.status} (任务状态为 {job.status})")
    if job.status == "invalid" and not skip_invalid:
        raise HTTPException(409, "the file has errors: fix them or skip invalid rows (文件有错误：请修正或选择跳过错误行)")
    st = get_state(request)

    def done(j):
        with st.lock:
            audit(st.store, j.actor, "import", kind=j.kind, file=j.filename, status=j.status,
                  result=j.result, message=j.message)

    J.run_import(job, st.store, st.lock, skip_invalid, done)
    return job.public()


@router.get("/api/imports/{job_id}/errors", tags=["import"], dependencies=[Depends(require_admin)])
def api_errors(request: Request, job_id: str):
    """The rows with issues as uploaded, plus a bilingual error column (Excel)."""
    job = _job(request, job_id)
    if not job.error_file or not job.error_file.exists():
        raise HTTPException(404, "no error file (无错误文件)")
    return FileResponse(job.error_file, filename=f"{job.filename}-errors.xlsx",
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
