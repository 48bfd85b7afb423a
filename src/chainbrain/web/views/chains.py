"""产业链 — the chains list and the chain page (JSON twins: ``/api/chains``, ``/api/chains/{code}``).

Chain page: segment tree stage → segment → sub-segment coloured by local
presence, presence table, KPIs, chain masters and key enterprises (scoped),
cities, parks and targets. Figures: :func:`chainbrain.web.pages.chain_page`.
Answers are cached per data version (:meth:`chainbrain.web.state.WebState.cached`);
the JSON twins also keep their encoded body (:func:`json_reply`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from chainbrain.web import pages, pending
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import cell_rule, require_aggregates, scope_key
from chainbrain.web.render import chart_json, render, reply
from chainbrain.web.search import encode
from chainbrain.web.state import get_state

router = APIRouter()
PERIOD = Query(None, description="YYYY-MM (YTD), YYYY-Qn or YYYY; default: newest month")
SCOPE = Query("all", description="all (B–D) or manufacturing (C)")
FORMAT = Query(None, description="xlsx: download the page's tables as Excel (with table=ID: one table)")


def page_key(request, *parts) -> tuple:
    """Cache key of a page answer: its own parts + the viewer's language and data scope."""
    user, lang = current_user(request), lang_of(request.query_params.get("lang"))
    return (*parts, lang, scope_key(user))


def _list(request, period, scope):
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    return st.cached(page_key(request, "chains", period, scope),
                     lambda: pages.chains_list(st.store, period, scope, cell_rule(st.store, user, st.min_cell), lang))



def _chain(request, code, period, scope):
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    region = request.query_params.get("region") or None           # reached from a city: the chain there
    return st.cached(page_key(request, "chain", code, period, scope, *((region,) if region else ())),
                     lambda: pages.chain_page(st.store, code, period, scope,
                                              cell_rule(st.store, user, st.min_cell), user, lang, region))


def json_reply(request, key: tuple, build, name: str):
    """The JSON twin: the answer cached under ``key`` and its encoded body kept alongside it
    (:meth:`chainbrain.web.cache.ResultCache.derived`, so a cached answer is not re-encoded);
    with ``?format=xlsx`` the Excel download of :func:`chainbrain.web.render.reply`."""
    if request.query_params.get("format") == "xlsx":
        return reply(request, build(), name)
    st = get_state(request)
    body = st.cache.derived(st.versions.current(), ("json",) + key, lambda: st.cache.encoded(build(), encode))
    return Response(body, media_type="application/json")


@router.get("/api/chains", tags=["api"], dependencies=[Depends(require_aggregates)], response_model=dict)
def api_chains(request: Request, period: str | None = PERIOD, scope: str = SCOPE, format: str | None = FORMAT,
               table: str | None = None):
    """The 12 key chains with KPIs for the period (aggregates, disclosure-controlled)."""
    return json_reply(request, page_key(request, "chains", period, scope), lambda: _list(request, period, scope), "chains")


@router.get("/chains", dependencies=[Depends(require_aggregates)], summary="产业链 list page (twin: /api/chains)")
def chains_page(request: Request, period: str | None = PERIOD, scope: str = SCOPE):
    pending.allow(request)
    d = _list(request, period, scope)
    return render(request, "chains.html", d=d, nav="chains",
                  charts=chart_json({"bars": [{"id": "chains", "table": "chains", "label": "name",
                                               "value": "revenue_ytd_yuan", "scale": 1e8}]}))


@router.get("/api/chains/{code}", tags=["api"], dependencies=[Depends(require_aggregates)], response_model=dict)
def api_chain(request: Request, code: str, period: str | None = PERIOD, scope: str = SCOPE,
              format: str | None = FORMAT, table: str | None = None):
    """One chain: segment tree with local presence, KPI, cities, parks, targets, key enterprises (scoped)."""
    region = request.query_params.get("region") or None          # the warm-up's key when there is none
    return json_reply(request, page_key(request, "chain", code, period, scope, *((region,) if region else ())),
                      lambda: _chain(request, code, period, scope), f"chain-{code}")


@router.get("/chains/{code}", dependencies=[Depends(require_aggregates)], summary="chain page (twin: /api/chains/{code})")
def chain_page(request: Request, code: str, period: str | None = PERIOD, scope: str = SCOPE):
    pending.allow(request)
    d = _chain(request, code, period, scope)
    return render(request, "chain.html", d=d, nav="chains",
                  charts=chart_json({"tree": d["tree"],
                                     "bars": [{"id": "cities", "table": "cities", "label": "name",
                                               "value": "revenue_ytd_yuan", "scale": 1e8}]}))
