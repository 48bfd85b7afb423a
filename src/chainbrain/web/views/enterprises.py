"""企业画像 — the enterprise profile (JSON twin: ``/api/enterprises/{uscc}``).

Individual enterprise data: only for signed-in users whose scope covers the
enterprise (401 anonymous, 404 otherwise; :func:`chainbrain.web.policy.visible_enterprise`).
``{uscc}`` also accepts the numeric id of partners without a USCC.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from chainbrain.web import pages
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import visible_enterprise
from chainbrain.web.render import chart_json, render, reply
from chainbrain.web.state import get_state

router = APIRouter()


def _profile(request, uscc):
    eid = visible_enterprise(request, uscc)
    st = get_state(request)
    with st.lock:
        return pages.enterprise_page(st.store, eid, lang_of(request.query_params.get("lang")), current_user(request))


@router.get("/api/enterprises/{uscc}", tags=["api"],
            responses={401: {"description": "sign-in required"}, 404: {"description": "not found or out of scope"}})
def api_enterprise(request: Request, uscc: str, format: str | None = None, table: str | None = None):
    """One enterprise: identity, segments with mapping evidence, indicator history, partners, designations."""
    return reply(request, _profile(request, uscc), f"enterprise-{uscc}")


@router.get("/enterprises/{uscc}", summary="企业画像 enterprise profile page")
def enterprise_page(request: Request, uscc: str):
    d = _profile(request, uscc)
    m = d["monthly"]
    line = {"x": [r["period"] for r in m],
            "ytd": [None if r["revenue_ytd"] is None else round(r["revenue_ytd"] / 1e4, 2) for r in m],
            "month": [None if r["revenue_month"] is None else round(r["revenue_month"] / 1e4, 2) for r in m]}
    return render(request, "enterprise.html", d=d, nav="", charts=chart_json({"line": line}))
