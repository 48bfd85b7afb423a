"""我的企业 — an enterprise user's home (JSON twin ``/api/my``); ``/`` sends enterprise users here.

The data are built in :func:`chainbrain.work.my_enterprise.home`; the chain's and
county's KPI go through the viewer's disclosure rule (:func:`chainbrain.web.policy.cell_rule`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from chainbrain.web import model
from chainbrain.web.auth import Forbidden, read_store, require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import cell_rule
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.work.my_enterprise import home

router = APIRouter()


def _home(request: Request, user) -> dict:
    if user.role != "enterprise":
        raise Forbidden()
    st = get_state(request)

    def kpi_of(chain, region, period):
        return st.cached(("my kpi", period, chain, region, user.uscc),
                         lambda: model.kpi_record(st.store, period, chain, region, "all",
                                                  cell_rule(st.store, user, st.min_cell)))
    return home(st.store, read_store(st.store), user, kpi_of, lang_of(request.query_params.get("lang")))


@router.get("/api/my", tags=["requests"], responses={401: {"description": "not signed in"},
                                                    403: {"description": "not an enterprise user"}})
def api_my(request: Request, user=Depends(require_user)) -> dict:
    """我的企业: the enterprise's YTD revenue and growth against its chain and county (yuan; fractions),
    its requests, the requests it relayed, and what it is asked to do."""
    return _home(request, user)


@router.get("/my", summary="我的企业 enterprise home")
def my_page(request: Request, user=Depends(require_user)):
    return render(request, "my.html", nav="my", d=_home(request, user))
