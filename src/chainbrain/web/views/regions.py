"""地区 — city and county pages (JSON twin: ``/api/regions/{code}``).

Their chains, counties (map), parks, enterprises (scoped) and KPIs.
Figures: :func:`chainbrain.web.pages.region_page`; answers and the JSON twin's
encoded body cached per data version (:func:`chainbrain.web.views.chains.json_reply`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.analytics import enterprise_list as EL
from chainbrain.web import data, pages, pending
from chainbrain.web.paging import Paging
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import cell_rule, require_aggregates
from chainbrain.web.render import chart_json, page_url, render
from chainbrain.web.views.chains import json_reply, page_key
from chainbrain.web.state import get_state

router = APIRouter()
PERIOD = Query(None, description="YYYY-MM (YTD), YYYY-Qn or YYYY; default: newest month")


ENT_SORTS = tuple(EL.SORTS)


def _ents_paging(request) -> Paging:
    """The enterprise table's page (``ents_limit`` ≤ 500, default 50; ``ents_offset``; ``ents_sort``:
    a field of the enterprise list, ``-`` descending; default ``-revenue_ytd_yuan``)."""
    return Paging.from_query(request.query_params, prefix="ents_", sorts=ENT_SORTS, default_sort="-revenue_ytd_yuan",
                             default_limit=pages.ENT_LIMIT)


def _key(request, code, period, scope) -> tuple:
    pg, every = _ents_paging(request), request.query_params.get("format") == "xlsx"
    if pg == _ents_paging_default() and not every:
        return page_key(request, "region", code, period, scope)
    return page_key(request, "region", code, period, scope, pg.limit, pg.offset, pg.sort, every)


def _ents_paging_default() -> Paging:
    return Paging(limit=pages.ENT_LIMIT, sort="-revenue_ytd_yuan", prefix="ents_")


def _region(request, code, period, scope):
    """The page (cached); another page of its enterprise table reuses the rest of the cached page."""
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    pg, every = _ents_paging(request), request.query_params.get("format") == "xlsx"
    rule = lambda: cell_rule(st.store, user, st.min_cell)  # noqa: E731
    d = st.cached(page_key(request, "region", code, period, scope),
                  lambda: pages.region_page(st.store, code, period, scope, rule(), user, lang))
    if pg != _ents_paging_default() or every:
        base = d
        d = st.cached(_key(request, code, period, scope),
                      lambda: pages.region_enterprise_page(st.store, base, rule(), user, lang, pg, every))
    page = d["enterprises"].get("page")
    if page is None:                                       # no enterprise rows for this viewer
        return d
    url = lambda **kw: page_url(request, keep=("period", "scope", "lang", "ents_limit", "ents_sort"), **kw)  # noqa: E731
    return {**d, "enterprises": {**d["enterprises"], "page": {**page, **pg.links(url, page["total"])}}}


@router.get("/api/regions/{code}", tags=["api"], dependencies=[Depends(require_aggregates)], response_model=dict)
def api_region(request: Request, code: str, period: str | None = PERIOD, scope: str = "all",
               format: str | None = None, table: str | None = None, ents_limit: str | None = None,
               ents_offset: str | None = None, ents_sort: str | None = None):
    """A city or county: KPI, chains, counties, parks, and a page of its enterprises (only those in the
    viewer's scope; ``ents_limit`` ≤ 500 default 50, ``ents_offset``, ``ents_sort``; ``enterprises.page``
    gives ``limit``, ``offset``, ``total``). ``format=xlsx``: every enterprise."""
    return json_reply(request, _key(request, code, period, scope),
                      lambda: _region(request, code, period, scope), f"region-{code}")


@router.get("/regions/{code}", dependencies=[Depends(require_aggregates)], summary="city / county page")
def region_page(request: Request, code: str, period: str | None = PERIOD, scope: str = "all",
                ents_limit: str | None = None, ents_offset: str | None = None, ents_sort: str | None = None):
    pending.allow(request)
    d = _region(request, code, period, scope)
    st = get_state(request)
    with st.lock:
        geo_url = data.map_url(data.pack_meta(st.store), "county")
    units = [{"code": c["key"], "name": c["name"], "value": (c["revenue_ytd_yuan"] or 0) / 1e8
              if c.get("revenue_ytd_yuan") is not None else None} for c in d["counties"]]
    return render(request, "region.html", d=d, nav="",
                  charts=chart_json({"map": {**d["map"], "geo_url": geo_url,
                                             "units": units},
                                     "bars": [{"id": "chains", "table": "chains", "label": "name",
                                               "value": "revenue_ytd_yuan", "scale": 1e8}]}))
