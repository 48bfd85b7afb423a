"""审计日志 — the audit log for province administrators (JSON twin: ``/api/audit``; export
``/api/audit/export?format=csv|json``).

Filters (all optional): ``actor`` (user name), ``action``, ``object`` (a part of it: a USCC, a
file name, ``enterprise:``), ``since`` and ``until`` (dates ``YYYY-MM-DD``, inclusive); paged on
the server (:mod:`chainbrain.web.paging`: ``limit``, ``offset``, ``total``), newest first.
The export gives every matching entry, oldest first, with ``prev_hash`` and ``row_hash``
(:mod:`chainbrain.store.audit`): ``chainbrain audit verify --file EXPORT`` checks it. Exports
are themselves audited. Reads go through :func:`chainbrain.web.auth.read_store` (no analytics lock).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from chainbrain.store import audit as A
from chainbrain.web.auth import audit, read_store, require_admin
from chainbrain.web.i18n import lang_of, strings
from chainbrain.web.model import BadRequest
from chainbrain.web.paging import Paging
from chainbrain.web.render import page_url, render, reply, table
from chainbrain.web.state import get_state

router = APIRouter()
FILTERS = ("actor", "action", "object", "since", "until")
EXPORT_COLUMNS = ("id", "logged_at", "actor", "action", "object", "detail", "prev_hash", "row_hash")


def _date(raw: str | None, name: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD ({name} 应为日期 YYYY-MM-DD)") from None


def filters_of(request: Request) -> A.Filters:
    q = request.query_params
    for name in ("actor", "action", "object"):
        if len(q.get(name) or "") > 128:
            raise BadRequest(f"{name} must be at most 128 characters ({name} 最多 128 个字符)")
    return A.Filters(actor=(q.get("actor") or "").strip() or None, action=(q.get("action") or "").strip() or None,
                     object=(q.get("object") or "").strip() or None, since=_date(q.get("since"), "since"),
                     until=_date(q.get("until"), "until"))


def _text(row: dict) -> dict:
    return {**row, "logged_at": A._iso(row["logged_at"]) if row.get("logged_at") else None}


def _audit(request: Request, every: bool = False) -> dict:
    """The page of entries asked for (``every``: all matching entries — the Excel download)."""
    f, pg = filters_of(request), Paging.from_query(request.query_params)
    t = strings(lang_of(request.query_params.get("lang")))
    A.flush(get_state(request).store)                     # entries still queued (profile reads, refusals)
    with read_store(get_state(request).store).engine.connect() as conn:
        total = A.count(conn, f)
        rows = [_text(r) for r in A.entries(conn, f, None if every else pg.limit, 0 if every else pg.offset)]
        acts = A.actions(conn)
    url = lambda **kw: page_url(request, keep=FILTERS + ("limit", "lang"), **kw)  # noqa: E731
    return {"entries": rows, **pg.meta(total), **pg.links(url, total),
            "filters": {k: request.query_params.get(k) or None for k in FILTERS}, "actions": acts,
            "tables": [table("audit", t["audit_title"],
                             [("logged_at", t["time"], "text"), ("actor", t["actor"], "text"),
                              ("action", t["action"], "text"), ("object", "对象 Object", "text"),
                              ("detail", t["detail"], "text")], rows)]}


@router.get("/api/audit", tags=["api"], dependencies=[Depends(require_admin)])
def api_audit(request: Request,
              actor: str | None = Query(None, description="user name"),
              action: str | None = Query(None, description="login|login_failed|profile_read|scope_refused|"
                                                           "csrf_failed|import_upload|import_start|import_end|export|edit…"),
              object: str | None = Query(None, description="part of the object: a USCC, a file name, enterprise:"),
              since: str | None = Query(None, description="YYYY-MM-DD (inclusive)"),
              until: str | None = Query(None, description="YYYY-MM-DD (inclusive)"),
              limit: str | None = None, offset: str | None = None, format: str | None = None,
              table: str | None = None):
    """Audit entries, newest first, filtered and paged (``limit``, ``offset``, ``total``); province
    administrators only."""
    return reply(request, _audit(request, every=format == "xlsx"), "audit")


@router.get("/api/audit/export", tags=["api"], dependencies=[Depends(require_admin)])
def api_audit_export(request: Request, format: str = Query("csv", description="csv|json"),
                     actor: str | None = None, action: str | None = None, object: str | None = None,
                     since: str | None = None, until: str | None = None):
    """Every matching entry, oldest first, with its hash-chain columns (``prev_hash``, ``row_hash``):
    CSV (UTF-8 with BOM) or JSON ``{"head", "filtered", "entries"}``."""
    if format not in ("csv", "json"):
        raise BadRequest("format must be csv or json (format 应为 csv 或 json)")
    f = filters_of(request)
    st = get_state(request)
    A.flush(st.store)
    with read_store(st.store).engine.connect() as conn:
        rows = [_text(r) for r in A.entries(conn, f, newest_first=False)]
    filtered = any(getattr(f, k) for k in FILTERS)
    audit(st.store, require_admin(request).username, "export", "audit_log", path=request.url.path, format=format,
          rows=len(rows), filters={k: request.query_params.get(k) for k in FILTERS if request.query_params.get(k)})
    name = f"chainbrain-audit-{dt.date.today().isoformat()}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "json":
        body = json.dumps({"head": rows[-1]["row_hash"] if rows else A.GENESIS, "filtered": filtered,
                           "entries": rows}, ensure_ascii=False, indent=1)
        return Response(body, media_type="application/json", headers=headers)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r[c] for c in EXPORT_COLUMNS])
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/audit", dependencies=[Depends(require_admin)], summary="审计日志 audit page")
def audit_page(request: Request):
    d = _audit(request)
    q = {k: v for k, v in d["filters"].items() if v}
    from urllib.parse import urlencode

    export = {fmt: "/api/audit/export?" + urlencode({**q, "format": fmt}) for fmt in ("csv", "json")}
    return render(request, "audit.html", d=d, nav="audit", export=export)
