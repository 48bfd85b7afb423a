"""JSON API of enterprise requests (企业诉求), 同题共答 groups, their files and statistics.

- ``POST /api/requests`` — an enterprise user submits ``{"title", "category", "description"}``
  (``category``: code or name of the pack's categories; ``on_behalf_of``: a chain
  enterprise's USCC when the user's firm is that chain's master) → 201 with the request;
- ``GET /api/requests`` → ``{"items": [...], "total": n}``, the caller's visible requests;
- ``GET /api/requests/{request_id}`` — submitter, the responsible bureau's or unit's users,
  the chain office after escalation, the province (anyone else 404, anonymous 401);
- ``POST /api/requests/{request_id}/<action>`` with ``{"version", …}``: accept, start,
  answer (``answer``), confirm / close (optional ``rating``, ``comment``), reopen
  (``reason``), escalate (``reason``), rate (``rating``); a stale ``version`` or a
  state change the workflow refuses → 409;
- files: ``POST /api/requests/{request_id}/files`` (multipart ``file``), ``GET …/files/{file_id}``;
- ``GET /api/requests/stats?by=unit|chain|city``; ``GET /api/request-categories``;
- groups (同题共答): ``GET|POST /api/request-groups``, ``GET /api/request-groups/{group_id}``,
  ``POST /api/request-groups/{group_id}/answer``.

Sign-in, CSRF header (``X-CSRF-Token``) and error shape (``{"detail": "English (中文)"}``,
400 for bad input) as every API route (:mod:`chainbrain.web.workhttp`). The server runs the
work clock (``chainbrain work tick``) every ``CHAINBRAIN_WORK_TICK_S`` seconds (default
3600; ``0``/``off`` disables it; off under pytest unless set).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from chainbrain.web.auth import check_csrf, read_store, require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import NotVisible
from chainbrain.web.state import get_state
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import files, request_groups, request_list, request_stats, requests
from chainbrain.work.records import Invalid, Missing, trail
from chainbrain.work.request_rules import load_rules

log = logging.getLogger("chainbrain.web")
ACTIONS = ("accept", "start", "answer", "confirm", "close", "reopen", "escalate", "rate")


# ---------------------------------------------------------------- the work clock on a timer
def tick_interval() -> float:
    """``CHAINBRAIN_WORK_TICK_S`` seconds between runs of the work clock; 0 = off.
    Default 3600, and off under pytest unless the variable is set."""
    raw = os.environ.get("CHAINBRAIN_WORK_TICK_S", "").strip().lower()
    if raw in ("0", "off", "false", "no"):
        return 0.0
    if raw:
        try:
            return max(float(raw), 1.0)
        except ValueError:
            log.warning("CHAINBRAIN_WORK_TICK_S=%r is not a number: the work clock is off", raw)
            return 0.0
    return 0.0 if "PYTEST_CURRENT_TEST" in os.environ else 3600.0


def tick_once(st) -> dict | None:
    from chainbrain.work import mail
    from chainbrain.work.tick import run

    try:
        with st.lock:
            out = run(st.store, send_mail=False)
    except Exception:                       # logged, never fatal: the next run tries again
        log.exception("work clock failed")
        return None
    if mail.enabled():                      # after the jobs committed, the lock held only for the store
        out["mail"] = mail.dispatch(st.store, st.lock)
    return out


async def _ticker(st, interval: float) -> None:
    while True:
        await asyncio.to_thread(tick_once, st)
        await asyncio.sleep(interval)


@asynccontextmanager
async def lifespan(app: FastAPI):
    interval = tick_interval()
    task = asyncio.create_task(_ticker(app.state.web, interval)) if interval > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


router = APIRouter(tags=["requests"], lifespan=lifespan)


# ---------------------------------------------------------------- helpers
def reading(request: Request):
    return read_store(get_state(request).store).engine.connect()


@contextlib.contextmanager
def writing(request: Request):
    st = get_state(request)
    with st.lock, st.store.begin() as conn:
        yield conn


def _lang(request: Request) -> str:
    return lang_of(request.query_params.get("lang"))


def detail_of(request: Request, user, rid) -> dict:
    with answers(), reading(request) as conn:
        return request_list.detail(conn, user, rid, _lang(request))


SUBMIT_DOC = body_doc({"title": {"type": "string", "maxLength": 200},
                       "category": {"type": "string", "description": "code or name, e.g. factor / 要素保障"},
                       "description": {"type": "string"},
                       "on_behalf_of": {"type": "string", "description": "USCC of a chain enterprise (chain masters)"}},
                      ["title", "category", "description"])
ACTION_DOC = body_doc({"version": {"type": "integer"}, "answer": {"type": "string"}, "reason": {"type": "string"},
                       "rating": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": "string"}},
                      ["version"])


# ---------------------------------------------------------------- requests
@router.post("/api/requests", status_code=201, responses=ERRORS, openapi_extra=SUBMIT_DOC)
def api_submit(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Submit a request (enterprise users): routed by the pack's rules, clocks started. 201 with the request."""
    with answers():
        with writing(request) as conn:
            row = requests.submit(conn, user, body)
    return JSONResponse(detail_of(request, user, row["id"]), status_code=201)


@router.get("/api/requests", responses=ERRORS)
def api_list(request: Request, user=Depends(require_user),
             status: str | None = Query(None, description="submitted|accepted|in_progress|answered|closed"),
             category: str | None = Query(None, description="category code or name"),
             chain: str | None = Query(None), escalated: str | None = Query(None, description="true|false"),
             limit: str = Query("100", description="1–500"), offset: str = Query("0")) -> dict:
    """The caller's visible requests, newest first: ``{"items": [...], "total": n}``."""
    with answers():
        try:
            lim, off = int(limit), int(offset)
        except ValueError:
            raise Invalid("limit, offset: integers (分页参数应为整数)") from None
        esc = None if escalated in (None, "") else escalated.lower() in ("1", "true", "yes")
        with reading(request) as conn:
            return request_list.listing(conn, user, status=status, category=category, chain=chain,
                                        escalated=esc, limit=lim, offset=off, lang=_lang(request))


@router.get("/api/requests/stats", responses=ERRORS)
def api_stats(request: Request, user=Depends(require_user),
              by: str = Query("unit", description="unit|chain|city")) -> dict:
    """Response rate, on-time resolution rate and satisfaction (fractions; points 1–5) over the
    caller's visible requests, by responsible unit, chain or city."""
    with answers(), reading(request) as conn:
        return request_stats.stats(conn, user, by, lang=_lang(request))


@router.get("/api/request-categories", responses=ERRORS)
def api_categories(request: Request, user=Depends(require_user)) -> dict:
    """The pack's request categories and clocks (working days; unsourced, configurable)."""
    r = load_rules()
    return {"version": r.version, "sourced": r.sourced, "note": r.note, "categories": list(r.categories),
            "clocks": {"respond_days": r.respond_days, "resolve_days": r.resolve_days,
                       "escalate_after_days": r.escalate_after_days, "confirm_days": r.confirm_days,
                       "unit": "working days (工作日)"}}


@router.get("/api/requests/{request_id}", responses=ERRORS)
def api_detail(request: Request, request_id: str, user=Depends(require_user)) -> dict:
    """One request with its actions for the caller, audit trail and files."""
    return detail_of(request, user, request_id)


def _action_route(action: str):
    def endpoint(request: Request, request_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
        with answers():
            with writing(request) as conn:
                requests.act(conn, user, request_id, action, body)
        return detail_of(request, user, request_id)
    endpoint.__name__ = f"api_{action}"
    endpoint.__doc__ = f"{requests.LABELS_EN[action]} ({requests.LABELS[action]}): needs the ``version`` you read."
    return endpoint


for _action in ACTIONS:
    router.post(f"/api/requests/{{request_id}}/{_action}", responses=ERRORS, openapi_extra=ACTION_DOC,
                name=f"request_{_action}")(_action_route(_action))


# ---------------------------------------------------------------- files
@router.post("/api/requests/{request_id}/files", status_code=201, responses={**ERRORS, 413: {"description": "too large"}})
def api_upload(request: Request, request_id: str, file: UploadFile = File(None), csrf_token: str = Form(""),
               user=Depends(require_user)):
    """Attach a file (PDF, image, Word/Excel, text; size limit) to a request you may see."""
    check_csrf(request, csrf_token)
    with answers():
        if file is None:
            raise Invalid("file: required (缺少文件)")
        content = file.file.read(files.max_bytes() + 1)
        with writing(request) as conn:
            requests.fetch(conn, user, request_id)
            saved = files.save(conn, get_state(request).store, "request", int(request_id), file.filename or "",
                               content, user.username)
            trail(conn, user, "request", int(request_id), "attach", None, {"file": saved["name"]})
    return JSONResponse(saved, status_code=201)


def attachment_response(request: Request, user, request_id: str, file_id: str):
    with answers(), reading(request) as conn:
        requests.fetch(conn, user, request_id)
        try:
            row = files.find(conn, int(file_id))
        except ValueError:
            row = None
        if row is None or row.entity != "request" or int(row.entity_id) != int(request_id):
            raise Missing("no such file (无此文件)")
    path = files.path_of(get_state(request).store, row)
    if not path.exists():                      # the row outlived its file (a restored store): not found
        raise NotVisible()
    return FileResponse(path, media_type=row.content_type, filename=row.original_name)


@router.get("/api/requests/{request_id}/files/{file_id}", responses=ERRORS)
def api_file(request: Request, request_id: str, file_id: str, user=Depends(require_user)):
    """Download an attachment (only for those who may see the request)."""
    return attachment_response(request, user, request_id, file_id)


# ---------------------------------------------------------------- 同题共答
@router.get("/api/request-groups", responses=ERRORS)
def api_groups(request: Request, user=Depends(require_user)) -> dict:
    """Groups of recurring problems with a visible member: ``{"items": [...], "total": n}``."""
    with answers(), reading(request) as conn:
        return request_groups.groups(conn, user)


@router.post("/api/request-groups", status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"title": {"type": "string"}, "request_ids": {"type": "array",
                                                                                 "items": {"type": "integer"}}},
                                    ["title", "request_ids"]))
def api_group_create(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Group requests you handle (同题共答)."""
    with answers():
        with writing(request) as conn:
            out = request_groups.create(conn, user, body)
    return JSONResponse(out, status_code=201)


@router.get("/api/request-groups/{group_id}", responses=ERRORS)
def api_group(request: Request, group_id: str, user=Depends(require_user)) -> dict:
    with answers(), reading(request) as conn:
        return request_groups.get(conn, user, group_id)


@router.post("/api/request-groups/{group_id}/answer", responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"}, "answer": {"type": "string"}},
                                    ["version", "answer"]))
def api_group_answer(request: Request, group_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Answer the group once: every open member request is answered with it."""
    with answers():
        with writing(request) as conn:
            return request_groups.answer(conn, user, group_id, body)
