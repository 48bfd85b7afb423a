"""任务清单与督办 — tasks, their progress and evidence, supervision notices (JSON API and pages).

API (signed in; the same sign-in, CSRF header and ``{"detail": "English (中文)"}`` errors as
every route, :mod:`chainbrain.web.workhttp`): ``GET/POST /api/tasks``, ``GET /api/tasks/export``
(the office's Excel list), ``POST /api/tasks/import`` (all or nothing), ``GET/PATCH
/api/tasks/{task_id}``, ``POST /api/tasks/{task_id}/progress`` (multipart, evidence files),
``POST /api/tasks/{task_id}/{start|submit|verify|reject|close}``, ``GET
/api/tasks/{task_id}/evidence/{file_id}``, ``POST /api/tasks/{task_id}/notices``, ``GET
/api/notices``, ``POST /api/notices/{notice_id}/answer``. A stale ``version`` answers 409, a move
the workflow refuses 409, a role that may not act 403, anything out of scope 404.
Pages: ``/tasks`` (filters, red/yellow/green roll-ups, import/export) and ``/tasks/{task_id}``.
Everything is computed in :mod:`chainbrain.work` (tasks, supervision); this module only shows it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from chainbrain.ingest.work_tasks import TaskFileError
from chainbrain.web.auth import read_store, require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import NotVisible
from chainbrain.web.paging import Paging
from chainbrain.web.render import page_url, render
from chainbrain.web.state import get_state
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import files
from chainbrain.work import task_scope as scope
from chainbrain.work.task_flow import ACTIONS
from chainbrain.work.task_import import export_tasks, import_tasks
from chainbrain.work.task_states import LABELS, STATES
from chainbrain.work.task_write import act, add_progress, answer_notice, create_task, issue_notice, list_notices, update_task
from chainbrain.work.tasks import FILTERS, evidence_file, get_task, list_tasks

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TASK_FIELDS = {"title": {"type": "string"}, "lead_unit": {"type": "string"}, "deadline": {"type": "string", "format": "date"},
               "lead_person": {"type": "string"}, "coop_units": {"type": "array", "items": {"type": "string"}},
               "chain_code": {"type": "string"}, "region_code": {"type": "string"}, "description": {"type": "string"},
               "milestones": {"type": "array", "items": {"type": "object"}}}


def today() -> dt.date:
    return dt.date.today()


def _lang(request: Request) -> str:
    return lang_of(request.query_params.get("lang"))


def lister(request: Request):
    """Dependency: a signed-in user who may read task lists (enterprise users: 404)."""
    user = require_user(request)
    if not scope.reads_lists(user):
        raise NotVisible()
    return user


def _filters(request: Request) -> dict:
    return {k: request.query_params.get(k) for k in FILTERS if request.query_params.get(k)}


TASK_SORTS = ("deadline", "seq", "status", "rag", "progress_pct", "title")
TASK_TEXT = ("title", "lead_unit", "chain_name", "region_name")          # what ``q`` looks in


def paged(request: Request, d: dict, url=None) -> dict:
    """``d`` (:func:`list_tasks`) with its items cut to the page asked for (:mod:`chainbrain.web.paging`:
    ``limit`` ≤ 500, default 50, ``offset``, ``sort``, ``q``; the list's own order by default) and
    ``page`` = limit, offset, total (+ prev/next with ``url``); ``total`` and the roll-ups stay whole.
    The Excel export (``/api/tasks/export``) gives every task."""
    pg = Paging.from_query(request.query_params, sorts=TASK_SORTS)
    items, meta = pg.apply(d["items"], TASK_TEXT)
    return {**d, "items": items, "page": {**meta, **(pg.links(url, meta["total"]) if url else {})}}


def item_id(value: str) -> int:
    """A path id; anything but a positive integer is simply not found (404, never 422)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise NotVisible()
    return int(value)


def _reader(request: Request):
    return read_store(get_state(request).store)


# ---------------------------------------------------------------- lists
@router.get("/api/tasks", tags=["work"], responses=ERRORS)
def api_tasks(request: Request, user=Depends(lister),
              chain: str | None = Query(None, description="chain code"), unit: str | None = Query(None, description="lead or cooperating unit"),
              region: str | None = Query(None, description="city or county code (a city covers its counties)"),
              status: str | None = Query(None, description="|".join(STATES)), rag: str | None = Query(None, description="red|yellow|green"),
              year: str | None = Query(None, description="YYYY"), meeting: str | None = Query(None, description="meeting id")) -> dict:
    """The caller's visible tasks with their supervision colour (``rag``), working days overdue or
    left, and the roll-ups per chain, unit and city: ``{"items", "total", "rollup", "rules", "page"}``;
    the items paged (``limit`` ≤ 500, default 50, ``offset``, ``sort`` deadline|seq|status|rag|progress_pct|title,
    ``q`` in title, unit, chain, region; ``page`` gives ``limit``, ``offset``, ``total``)."""
    if status and status not in STATES:
        raise BadRequest(f"status must be one of {', '.join(STATES)} (状态取值无效)")
    for name, v in (("year", year), ("meeting", meeting)):
        if v is not None and not (v.isascii() and v.isdigit()):
            raise BadRequest(f"{name} must be an integer ({name} 应为整数)")
    if rag and rag not in ("red", "yellow", "green"):
        raise BadRequest("rag must be red, yellow or green (颜色应为 red/yellow/green)")
    return paged(request, list_tasks(_reader(request), user, today(), _filters(request), lang=_lang(request)))


@router.get("/api/tasks/export", tags=["work"], responses=ERRORS)
def api_export(request: Request, user=Depends(lister)):
    """The visible tasks (with the list's filters) as the office's Excel workbook (序号 … 状态)."""
    body = export_tasks(_reader(request), user, today(), _filters(request))
    return Response(body, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="tasks.xlsx"'})


@router.post("/api/tasks", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc(TASK_FIELDS, ["title", "lead_unit", "deadline"]))
def api_create(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Assign a task (chain offices: their chain; city/county bureaus: their region). Answers 201
    with ``{"id", "status", "version"}``."""
    st = get_state(request)
    with answers(), st.lock, st.store.begin() as conn:
        tid = create_task(st.store, conn, user, body, today())
    return JSONResponse({"id": tid, "status": "assigned", "version": 1}, status_code=201)


@router.post("/api/tasks/import", tags=["work"], status_code=201, responses=ERRORS)
def api_import(request: Request, user=Depends(acting_user), file: UploadFile | None = File(None)):
    """Import the office's Excel task list (all or nothing; 400 naming file, row and field)."""
    if user.role not in scope.MANAGERS:
        raise NotVisible()
    if file is None:
        raise BadRequest("file: the task list is required (缺少任务清单文件)")
    content = file.file.read(files.max_bytes() + 1)
    if len(content) > files.max_bytes():
        raise BadRequest(f"file {file.filename}: too large (文件过大)")
    suffix = Path(file.filename or "x.xlsx").suffix.lower()
    if suffix not in (".xlsx", ".xls", ".csv"):
        raise BadRequest(f"file {file.filename}: use an .xlsx workbook (请使用 .xlsx 工作簿)")
    st = get_state(request)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(file.filename or "tasks.xlsx").name or "tasks.xlsx")
        path.write_bytes(content)
        try:
            with answers(), st.lock:
                ids = import_tasks(st.store, user, path, today())
        except TaskFileError as exc:
            raise BadRequest(str(exc)) from None
    return JSONResponse({"ids": ids, "count": len(ids)}, status_code=201)


# ---------------------------------------------------------------- one task
@router.get("/api/tasks/{task_id}", tags=["work"], responses=ERRORS)
def api_task(request: Request, task_id: str, user=Depends(require_user)) -> dict:
    """One task: fields, clock, milestones, progress with evidence links, notices, escalations,
    ``actions`` the caller may take now, and ``version`` (send it back with a change)."""
    with answers():
        return get_task(_reader(request), user, item_id(task_id), today(), lang=_lang(request))


@router.patch("/api/tasks/{task_id}", tags=["work"], responses=ERRORS,
              openapi_extra=body_doc({"version": {"type": "integer"}, **TASK_FIELDS}, ["version"]))
def api_update(request: Request, task_id: str, user=Depends(acting_user), body: dict = Depends(json_body)) -> dict:
    """Edit a task (the offices that manage it); a stale ``version`` answers 409."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            update_task(conn, user, item_id(task_id), body.get("version"), body)
    with answers():
        return get_task(_reader(request), user, item_id(task_id), today())


@router.post("/api/tasks/{task_id}/progress", tags=["work"], status_code=201, responses=ERRORS)
def api_progress(request: Request, task_id: str, user=Depends(acting_user), version: str = Form(""),
                 percent: str = Form(""), text: str = Form(""), files_: list[UploadFile] = File(default=[], alias="files")):
    """A progress report (multipart: ``version``, ``percent`` 0–100, ``text``, ``files`` evidence:
    PDF, images, Word/Excel, at most 10 MiB each). The first report starts an assigned task."""
    uploads = [(f.filename or "", f.file.read(files.max_bytes() + 1)) for f in files_ if f.filename]
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            pid = add_progress(st.store, conn, user, item_id(task_id), version, percent, text, uploads, today())
    return JSONResponse({"id": pid}, status_code=201)


def _action_route(action: str):
    def endpoint(request: Request, task_id: str, user=Depends(acting_user), body: dict = Depends(json_body)) -> dict:
        st = get_state(request)
        with answers(), st.lock:
            with st.store.begin() as conn:
                new = act(conn, user, item_id(task_id), body.get("version"), action, today(), body.get("note"))
        return {"id": item_id(task_id), "status": new}
    endpoint.__name__ = f"api_task_{action}"
    endpoint.__doc__ = (f"Fire ``{action}`` ({LABELS.get(action, ('', ''))[0] or action}) with ``{{\"version\", \"note\"}}``: "
                        "the workflow refuses a move it does not allow (409); verify, reject and close belong to "
                        "the assigning office (403 for others).")
    return endpoint


for _a in ACTIONS:
    router.add_api_route(f"/api/tasks/{{task_id}}/{_a}", _action_route(_a), methods=["POST"], tags=["work"],
                         responses=ERRORS, openapi_extra=body_doc({"version": {"type": "integer"}, "note": {"type": "string"}},
                                                                  ["version"]))


@router.get("/api/tasks/{task_id}/evidence/{file_id}", tags=["work"], responses=ERRORS)
def api_evidence(request: Request, task_id: str, file_id: str, user=Depends(require_user)):
    """An evidence file, only to those who may see the task in detail (404 otherwise)."""
    st = get_state(request)
    with answers():
        f = evidence_file(_reader(request), user, item_id(task_id), item_id(file_id))
    path = files.files_dir(st.store) / f["stored_name"]
    if not path.is_file():
        raise NotVisible()
    return FileResponse(path, media_type=f["content_type"], filename=f["original_name"],
                        headers={"X-Content-Type-Options": "nosniff"})


# ---------------------------------------------------------------- supervision notices (督办单)
@router.post("/api/tasks/{task_id}/notices", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"reason": {"type": "string"}}, ["reason"]))
def api_issue_notice(request: Request, task_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Issue a supervision notice (督办单) on an open task (offices that manage it)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            nid = issue_notice(st.store, conn, user, item_id(task_id), body.get("reason"), today())
    return JSONResponse({"id": nid}, status_code=201)


@router.get("/api/notices", tags=["work"], responses=ERRORS)
def api_notices(request: Request, user=Depends(lister), status: str | None = Query(None, description="issued|answered")):
    """Supervision notices on the tasks the caller may see in detail (viewers: none)."""
    return list_notices(_reader(request), user, status)


@router.post("/api/notices/{notice_id}/answer", tags=["work"], responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"}, "answer": {"type": "string"}}, ["version", "answer"]))
def api_answer_notice(request: Request, notice_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """The lead unit answers a notice; a stale ``version`` answers 409."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            answer_notice(conn, user, item_id(notice_id), body.get("version"), body.get("answer"), today())
    return {"id": item_id(notice_id), "status": "answered"}


# ---------------------------------------------------------------- pages
@router.get("/tasks", summary="任务清单 task list page (twin: /api/tasks)")
def tasks_page(request: Request, user=Depends(lister)):
    url = lambda **kw: page_url(request, keep=tuple(FILTERS) + ("lang", "limit", "sort", "q"), **kw)  # noqa: E731
    d = paged(request, list_tasks(_reader(request), user, today(), _filters(request), lang=_lang(request)), url)
    from chainbrain.web.views.work_pages import task_list_context

    return render(request, "tasks.html", nav="tasks", d=d, **task_list_context(request, user, d))


@router.get("/tasks/{task_id}", summary="task page (twin: /api/tasks/{task_id})")
def task_page(request: Request, task_id: str, user=Depends(require_user)):
    with answers():
        d = get_task(_reader(request), user, item_id(task_id), today(), lang=_lang(request))
    from chainbrain.web import data, task_history

    names = {c["code"]: (c["name_en"] if _lang(request) == "en" else c["name_zh"]) for c in data.chains(_reader(request))}
    code = d.get("region_code")
    reg = data.region(_reader(request), code) if code else None
    if reg:
        names[code] = reg["name"]
    return render(request, "task.html", nav="tasks", d=d, states=LABELS,
                  history=task_history.rows(d.get("history") or [], _lang(request), names))
