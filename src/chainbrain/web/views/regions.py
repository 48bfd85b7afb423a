"""地区 — city and county pages (JSON twin: ``/api/regions/{code}``).

Their chains, counties (map), parks, enterprises (scoped) and KPIs.
Figures: :func:`chainbrain.web.pages.region_page`; answers and the JSON twin's
encoded body cached per data version (:func:`chainbrain.web.views.chains.json_reply`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.web import data, pages
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import cell_rule, require_aggregates
from chainbrain.web.render import chart_json, render
from chainbrain.web.views.chains import json_reply, page_key
from chainbrain.web.state import get_state

router = APIRouter()
PERIOD = Query(None, description="YYYY-MM (YTD), YYYY-Qn or YYYY; default: newest month")


def _region(request, code, period, scope):
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    return st.cached(page_key(request, "region", code, period, scope),
                     lambda: pages.region_page(st.store, code, period, scope,
                                               cell_rule(st.store, user, st.min_cell), user, lang))


@router.get("/api/regions/{code}", tags=["api"], dependencies=[Depends(require_aggregates)], response_model=dict)
def api_region(request: Request, code: str, period: str | None = PERIOD, scope: str = "all",
               format: str | None = None, table: str | None = None):
    """A city or county: KPI, chains, counties, parks, enterprises (only those in the viewer's scope)."""
    return json_reply(request, page_key(request, "region", code, period, scope),
                      lambda: _region(request, code, period, scope), f"region-{code}")


@router.get("/regions/{code}", dependencies=[Depends(require_aggregates)], summary="city / county page")
def region_page(request: Request, code: str, period: str | None = PERIOD, scope: str = "all"):
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
