"""审计日志 — the audit log for administrators (JSON twin: ``/api/audit``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.web import pages
from chainbrain.web.auth import require_admin
from chainbrain.web.i18n import lang_of
from chainbrain.web.render import render, reply
from chainbrain.web.state import get_state

router = APIRouter()


def _audit(request, action):
    st = get_state(request)
    with st.lock:
        return pages.audit_page(st.store, lang_of(request.query_params.get("lang")), action)


@router.get("/api/audit", tags=["api"], dependencies=[Depends(require_admin)])
def api_audit(request: Request, action: str | None = Query(None, description="login|login_failed|logout|import|export|edit"),
              format: str | None = None, table: str | None = None):
    """The newest 500 audit entries (sign-ins, imports, exports, edits); province administrators only."""
    return reply(request, _audit(request, action), "audit")


@router.get("/audit", dependencies=[Depends(require_admin)], summary="审计日志 audit page")
def audit_page(request: Request, action: str | None = None):
    return render(request, "audit.html", d=_audit(request, action), nav="audit")
