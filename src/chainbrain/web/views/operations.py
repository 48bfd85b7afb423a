"""运行分析 — the department's indicator set per scope (JSON twin: ``/api/operations``).

``?region=`` (city or county code; none: the province), ``&chain=``, ``&period=``, ``&scope=``.
Figures: :func:`chainbrain.web.operations_page.operations_page`, withheld per the viewer's cells
(:func:`chainbrain.web.policy.cell_rule`), cached per data version and viewer scope.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.web import pending
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.operations_page import operations_page
from chainbrain.web.policy import cell_rule, require_aggregates
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.chains import json_reply, page_key

router = APIRouter()
PERIOD = Query(None, description="YYYY-MM (YTD), YYYY-Qn or YYYY; default: newest month")
REGION = Query(None, description="city or county code; default: the province")
CHAIN = Query(None, description="chain code, e.g. EI")


def _ops(request, period, scope, region, chain):
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    return st.cached(page_key(request, "operations", period, scope, region, chain),
                     lambda: operations_page(st.store, period, scope, region, chain,
                                             cell_rule(st.store, user, st.min_cell), lang))


@router.get("/api/operations", tags=["api"], dependencies=[Depends(require_aggregates)], response_model=dict)
def api_operations(request: Request, period: str | None = PERIOD, scope: str = "all", region: str | None = REGION,
                   chain: str | None = CHAIN, format: str | None = None, table: str | None = None):
    """运行分析: financial and production indicators, divisions and 增长面, size classes, high-tech and
    equipment manufacturing, city / county rankings (YTD; figures from < 3 enterprises withheld)."""
    return json_reply(request, page_key(request, "operations", period, scope, region, chain),
                      lambda: _ops(request, period, scope, region, chain), "operations")


@router.get("/operations", dependencies=[Depends(require_aggregates)], summary="运行分析 page (twin: /api/operations)")
def operations_view(request: Request, period: str | None = PERIOD, scope: str = "all", region: str | None = REGION,
                    chain: str | None = CHAIN):
    pending.allow(request)
    d = _ops(request, period, scope, region, chain)
    return render(request, "operations.html", d=d, nav="operations")
