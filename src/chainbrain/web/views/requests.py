"""企业诉求 pages: the list (with the submission form and statistics), a request's page with the
actions the viewer may take, the in-app inbox. JSON twins: :mod:`chainbrain.web.views.requests_api`.

Forms post with the session's CSRF token and answer with a redirect (303) to the request's
page; a refused action re-renders the page with the bilingual message (400/403/409).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from chainbrain.web.auth import check_csrf, require_user
from chainbrain.web.paging import Paging
from chainbrain.web.render import page_url, render
from chainbrain.web.views.requests_api import (attachment_response, detail_of, reading, writing, _lang)
from chainbrain.web.workhttp import answers
from chainbrain.work import files, inbox, request_groups, request_list, request_stats, requests
from chainbrain.work.records import Conflict, Invalid, Missing, NotAllowed, trail
from chainbrain.work.request_rules import load_rules
from chainbrain.work.workflow import Refused

router = APIRouter()
STATUS_OF = {Invalid: 400, NotAllowed: 403, Conflict: 409, Refused: 409}


def _go(request: Request, path: str) -> RedirectResponse:
    lang = "?lang=en" if _lang(request) == "en" else ""
    return RedirectResponse(path + lang, status_code=303)


def list_page(request: Request, user, status: str | None = None, by: str = "unit", status_code: int = 200,
              error: str | None = None, form: dict | None = None):
    with answers(), reading(request) as conn:
        pg = Paging.from_query(request.query_params, sorts=())         # newest first, 50 a page (#20)
        lst = request_list.listing(conn, user, status=status or None, lang=_lang(request), limit=pg.limit,
                                   offset=pg.offset)
        stats = request_stats.stats(conn, user, by if by in request_stats.BY else "unit", lang=_lang(request))
        groups = request_groups.groups(conn, user)
    url = lambda **kw: page_url(request, keep=("lang", "status", "by", "limit"), **kw)  # noqa: E731
    lst["page"] = {**pg.meta(lst["total"]), **pg.links(url, lst["total"])}
    return render(request, "requests.html", status_code=status_code, nav="requests", d=lst, stats=stats,
                  status=status or "", states=requests.STATES,
                  state_labels=requests.LABELS_EN if _lang(request) == "en" else requests.LABELS, rules=load_rules(), by=stats["by"], groups=groups,
                  handler=user.role in ("province_admin", "chain_office", "city", "county", "unit"),
                  error=error, form=form)


@router.get("/requests", summary="企业诉求 requests page")
def requests_page(request: Request, user=Depends(require_user), status: str | None = Query(None),
                  by: str = Query("unit"), limit: str | None = None, offset: str | None = None):
    return list_page(request, user, status, by)


@router.post("/requests", summary="submit a request by form")
def requests_submit(request: Request, user=Depends(require_user), title: str = Form(""), category: str = Form(""),
                    description: str = Form(""), on_behalf_of: str = Form(""), file: UploadFile = File(None),
                    csrf_token: str = Form("")):
    check_csrf(request, csrf_token)
    data = {"title": title, "category": category, "description": description, "on_behalf_of": on_behalf_of or None}
    try:
        content = file.file.read(files.max_bytes() + 1) if file is not None and file.filename else None
        with writing(request) as conn:                      # the request and its file together, or neither
            row = requests.submit(conn, user, data)
            if content is not None:
                saved = files.save(conn, request.app.state.web.store, "request", row["id"], file.filename, content,
                                   user.username)
                trail(conn, user, "request", row["id"], "attach", None, {"file": saved["name"]})
    except (Invalid, NotAllowed) as exc:
        return list_page(request, user, status_code=STATUS_OF[type(exc)], error=str(exc), form=data)
    return _go(request, f"/requests/{row['id']}")


@router.post("/requests/groups", summary="group requests (同题共答) by form")
def groups_create(request: Request, user=Depends(require_user), title: str = Form(""), request_ids: str = Form(""),
                  csrf_token: str = Form("")):
    check_csrf(request, csrf_token)
    try:
        ids = [int(x) for x in request_ids.replace("，", ",").replace(" ", ",").split(",") if x.strip()]
    except ValueError:
        return list_page(request, user, status_code=400,
                         error="request_ids: numbers separated by commas (诉求编号应以逗号分隔)")
    try:
        with writing(request) as conn:
            request_groups.create(conn, user, {"title": title, "request_ids": ids})
    except (Invalid, NotAllowed, Missing) as exc:
        code = 404 if isinstance(exc, Missing) else STATUS_OF[type(exc)]
        return list_page(request, user, status_code=code, error=str(exc))
    return _go(request, "/requests")


@router.post("/requests/groups/{group_id}/answer", summary="answer a group (同题共答) by form")
def groups_answer(request: Request, group_id: str, user=Depends(require_user), answer: str = Form(""),
                  version: str = Form(""), csrf_token: str = Form("")):
    check_csrf(request, csrf_token)
    try:
        with writing(request) as conn:
            request_groups.answer(conn, user, group_id, {"answer": answer, "version": version})
    except Missing:
        with answers():
            raise
    except (Invalid, NotAllowed, Conflict, Refused) as exc:
        return list_page(request, user, status_code=STATUS_OF[type(exc)], error=str(exc))
    return _go(request, "/requests")


def detail_page(request: Request, user, request_id: str, status_code: int = 200, error: str | None = None):
    return render(request, "request.html", status_code=status_code, nav="requests",
                  r=detail_of(request, user, request_id), error=error,
                  labels=requests.LABELS, labels_en=requests.LABELS_EN)


@router.get("/requests/{request_id}", summary="诉求详情 request page")
def request_page(request: Request, request_id: str, user=Depends(require_user)):
    return detail_page(request, user, request_id)


@router.post("/requests/{request_id}/act", summary="act on a request by form")
def request_act(request: Request, request_id: str, user=Depends(require_user), action: str = Form(""),
                version: str = Form(""), answer: str = Form(""), reason: str = Form(""), rating: str = Form(""),
                comment: str = Form(""), csrf_token: str = Form("")):
    check_csrf(request, csrf_token)
    data = {"version": version, "answer": answer or None, "reason": reason or None, "rating": rating or None,
            "comment": comment or None}
    try:
        if action not in requests.FLOW.actions or action == "close_deadline":
            raise Invalid(f"unknown action {action!r} (未知操作)")
        with writing(request) as conn:
            requests.act(conn, user, request_id, action, data)
    except Missing:
        with answers():
            raise
    except (Invalid, NotAllowed, Conflict, Refused) as exc:
        return detail_page(request, user, request_id, STATUS_OF[type(exc)], str(exc))
    return _go(request, f"/requests/{request_id}")


@router.post("/requests/{request_id}/files", summary="attach a file by form")
def request_upload(request: Request, request_id: str, user=Depends(require_user), file: UploadFile = File(None),
                   csrf_token: str = Form("")):
    check_csrf(request, csrf_token)
    try:
        if file is None:
            raise Invalid("file: required (缺少文件)")
        content = file.file.read(files.max_bytes() + 1)
        with writing(request) as conn:
            requests.fetch(conn, user, request_id)
            saved = files.save(conn, request.app.state.web.store, "request", int(request_id), file.filename or "",
                               content, user.username)
            trail(conn, user, "request", int(request_id), "attach", None, {"file": saved["name"]})
    except Missing:
        with answers():
            raise
    except Invalid as exc:
        return detail_page(request, user, request_id, 400, str(exc))
    return _go(request, f"/requests/{request_id}")


@router.get("/requests/{request_id}/files/{file_id}", summary="download an attachment")
def request_file(request: Request, request_id: str, file_id: str, user=Depends(require_user)):
    return attachment_response(request, user, request_id, file_id)


# ---------------------------------------------------------------- inbox
@router.get("/api/inbox", tags=["inbox"])
def api_inbox(request: Request, user=Depends(require_user), unread: bool = False, limit: str | None = None,
              offset: str | None = None) -> dict:
    """The caller's messages, newest first, paged (``limit`` ≤ 500, default 50; ``offset``):
    ``{"items": [...], "total": n, "unread": k, "page": {"limit", "offset", "total", …}}``."""
    pg = Paging.from_query(request.query_params, sorts=())
    with reading(request) as conn:
        items = inbox.messages(conn, user.id, unread_only=unread, limit=pg.limit, offset=pg.offset)
        total = inbox.message_count(conn, user.id, unread_only=unread)
        return {"items": items, "total": total, "unread": inbox.unread_count(conn, user.id), "page": pg.meta(total)}


@router.post("/api/inbox/read", tags=["inbox"])
def api_inbox_read(request: Request, user=Depends(require_user)) -> dict:
    """Mark all the caller's messages read (needs ``X-CSRF-Token``)."""
    check_csrf(request, None)
    with writing(request) as conn:
        return {"marked": inbox.mark_read(conn, user.id)}


@router.get("/inbox", summary="消息 inbox page")
def inbox_page(request: Request, user=Depends(require_user), limit: str | None = None, offset: str | None = None):
    pg = Paging.from_query(request.query_params, sorts=())
    with reading(request) as conn:
        items = inbox.messages(conn, user.id, limit=pg.limit, offset=pg.offset)
        total = inbox.message_count(conn, user.id)
    url = lambda **kw: page_url(request, keep=("lang", "limit"), **kw)  # noqa: E731
    return render(request, "inbox.html", nav="inbox", items=items, page={**pg.meta(total), **pg.links(url, total)})


@router.post("/inbox/read", summary="mark the inbox read by form")
def inbox_read(request: Request, user=Depends(require_user), csrf_token: str = Form("")):
    check_csrf(request, csrf_token)
    with writing(request) as conn:
        inbox.mark_read(conn, user.id)
    return _go(request, "/inbox")
