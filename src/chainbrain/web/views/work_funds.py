"""引导基金 (链主+基金) — the guidance fund and its sub-funds, investments, leverage and the output
of invested enterprises (twins ``/api/funds`` and ``/api/funds/{fund_id}``).

``GET /api/funds[?year]``; ``POST /api/funds`` (the province, 201); ``GET /api/funds/{fund_id}``;
``POST /api/funds/{fund_id}/investments`` (``{"version", "investee"|"enterprise_id", "amount",
"co_invest", "invested_on", "chain_code", …}``, 201; a stale fund ``version`` 409). Work layer
:mod:`chainbrain.work.fund`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from chainbrain.web.auth import require_user
from chainbrain.web.model import BadRequest
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.work_rd import _lang, _visible
from chainbrain.web.views.work_tasks import _reader, item_id
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import fund

router = APIRouter()


def _year(year):
    if year in (None, ""):
        return None
    if not (str(year).isascii() and str(year).isdigit()) or len(str(year)) != 4:
        raise BadRequest("year must be YYYY (year 应为四位年份)")
    return int(year)


def _data(request, user, fund_id=None, year=None):
    with answers():
        return fund.funds_overview(_reader(request), user, fund_id, _year(year), _visible(request, user), _lang(request))


@router.get("/api/funds", tags=["work"], responses=ERRORS)
def api_funds(request: Request, user=Depends(require_user),
              year: str | None = Query(None, description="year of the invested enterprises' output (default: latest)")):
    """The guidance fund and sub-funds: size, government share, invested, co-investment, leverage
    (social capital per yuan of government money), invested enterprises' output (yuan)."""
    return _data(request, user, None, year)


@router.post("/api/funds", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"name": {"type": "string"}, "parent_id": {"type": "integer"},
                                     "chain_code": {"type": "string"}, "manager": {"type": "string"},
                                     "size": {"type": "number"}, "government": {"type": "number"},
                                     "set_up_on": {"type": "string", "format": "date"}},
                                    ["name", "size", "government", "set_up_on"]))
def api_create_fund(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Register a fund or sub-fund (the province)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            fid = fund.create_fund(conn, user, body)
    return JSONResponse({"id": fid, "version": 1}, status_code=201)


@router.get("/api/funds/{fund_id}", tags=["work"], responses=ERRORS)
def api_fund(request: Request, fund_id: str, user=Depends(require_user), year: str | None = None):
    """One fund with its sub-funds and the investments the caller may read."""
    return _data(request, user, item_id(fund_id), year)


@router.post("/api/funds/{fund_id}/investments", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"}, "investee": {"type": "string"},
                                     "enterprise_id": {"type": "integer"}, "amount": {"type": "number"},
                                     "co_invest": {"type": "number"}, "invested_on": {"type": "string", "format": "date"},
                                     "chain_code": {"type": "string"}, "segment_code": {"type": "string"},
                                     "region_code": {"type": "string"}, "project_id": {"type": "integer"},
                                     "follow_on": {"type": "string"}}, ["version", "amount", "invested_on"]))
def api_invest(request: Request, fund_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Record an investment (the province, the chain's office)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            iid = fund.invest(conn, user, item_id(fund_id), body.get("version"), body)
    return JSONResponse({"id": iid}, status_code=201)


@router.get("/funds", summary="引导基金 guidance fund page (twin: /api/funds)")
def funds_page(request: Request, user=Depends(require_user), year: str | None = None):
    return render(request, "funds.html", nav="lists", d=_data(request, user, None, year))


@router.get("/funds/{fund_id}", summary="fund page (twin: /api/funds/{fund_id})")
def fund_page(request: Request, fund_id: str, user=Depends(require_user), year: str | None = None):
    from chainbrain.web.views.work_pages import options

    return render(request, "fund.html", nav="lists", d=_data(request, user, item_id(fund_id), year), **options(request))
