"""四图 — the four maps of a chain and its supply network (挂图作业), each page with its JSON twin.

==========================================  ===========================================  =====================
page                                        JSON twin                                    who
==========================================  ===========================================  =====================
``/maps`` chains with their four maps       ``/api/maps``                                aggregates¹
``/maps/{chain}/chain`` 产业链图            ``/api/maps/{chain}/chain?segment=``         aggregates¹; firms scoped
``/maps/{chain}/roadmap`` 技术路线图        ``/api/maps/{chain}/roadmap`` (+ ``POST``)   aggregates¹; edit: province, the chain's office
``/maps/{chain}/fields`` 应用领域图         ``/api/maps/{chain}/fields`` (+ ``POST``)    as the roadmap
``/maps/{chain}/regions`` 区域分布图        ``/api/maps/{chain}/regions?segment=``       aggregates¹
``/maps/{chain}/supply`` 供应网络           ``/api/maps/{chain}/supply?segment=&master=`` aggregates¹; firm level: province, chain office
==========================================  ===========================================  =====================

¹ signed-in users, or everyone when the deployment publishes aggregates.
Figures: :mod:`chainbrain.web.maps_pages`; every table has ``?format=xlsx&table=ID``.
The edits (``POST``, JSON ``{"version": N, "rows": [...]}``, CSRF token) replace the
chain's rows in an override file (:mod:`chainbrain.catalog.maps_pack`) and are audited
(``edit``, with the rows before and after); a stale version answers 409.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from chainbrain.catalog import maps_pack
from chainbrain.web import maps_pages as MP
from chainbrain.web import pending
from chainbrain.web import maps_plans as MPL
from chainbrain.web import maps_supply as MS
from chainbrain.web.auth import actor_of, audit, current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import cell_rule, require_aggregates
from chainbrain.web.paging import Paging
from chainbrain.web.render import chart_json, page_url, render, reply
from chainbrain.web.state import get_state
from chainbrain.web.views.chains import json_reply, page_key
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body

router = APIRouter()
AGG = [Depends(require_aggregates)]
PERIOD = Query(None, description="YYYY-MM (YTD), YYYY-Qn or YYYY; default: newest month")
SCOPE = Query("all", description="all (B–D) or manufacturing (C)")
SEGMENT = Query(None, description="a segment code of the chain")
FORMAT = Query(None, description="xlsx: download the page's tables as Excel (with table=ID: one table)")


def _ctx(request):
    st, user = get_state(request), current_user(request)
    return st, user, lang_of(request.query_params.get("lang")), cell_rule(st.store, user, st.min_cell)


def _page(request, template: str, d: dict, charts: dict, **extra):
    keep = "&".join(f"{k}={v}" for k, v in request.query_params.items()
                    if k in ("period", "scope", "lang", "segment", "master") and v)
    return render(request, template, d=d, nav="maps", ms=MP.mstrings(lang_of(request.query_params.get("lang"))),
                  charts=chart_json(charts), excel_base="/api" + request.url.path + (f"?{keep}" if keep else ""),
                  **extra)


# ---------------------------------------------------------------- index
@router.get("/api/maps", tags=["api"], dependencies=AGG, response_model=dict)
def api_maps(request: Request, format: str | None = FORMAT, table: str | None = None):
    """The chains, each with the links to its four maps and its supply network."""
    st, _, lang, _ = _ctx(request)
    return reply(request, st.cached(("maps-index", lang), lambda: MP.maps_index(st.store, lang)), "maps")


@router.get("/maps", dependencies=AGG, summary="四图 index (twin: /api/maps)")
def maps_page(request: Request):
    st, _, lang, _ = _ctx(request)
    return _page(request, "maps.html", st.cached(("maps-index", lang), lambda: MP.maps_index(st.store, lang)), {})


# ---------------------------------------------------------------- chain map
def memo(st):
    """Viewer-independent analytics shared by the maps pages, cached per data version (called while the
    page's own computation holds the analytics lock)."""
    from chainbrain.web.cache import MISSING

    def get(key, compute):
        version = st.versions.current()
        value = st.cache.lookup(version, key)
        if value is MISSING:
            value = compute()
            st.cache.put(version, key, value)
        return value
    return get


def _chain(request, chain, period, scope, segment):
    st, user, lang, rule = _ctx(request)
    base = st.cached(page_key(request, "maps-chain", chain, period, scope),
                     lambda: MP.chain_map_page(st.store, chain, period, scope, rule, user, lang, memo(st)))
    if not segment:
        return base
    d = st.cached(page_key(request, "maps-chain", chain, period, scope, segment),
                  lambda: MP.with_segment_firms(st.store, base, segment, user, lang))
    if request.query_params.get("format") == "xlsx":           # Excel: every firm
        return d
    return _paged_firms(request, d)


def _paged_firms(request, d: dict) -> dict:
    """The segment's firm list paged, sorted and filtered (:mod:`chainbrain.web.paging`, prefix ``firms_``:
    ``firms_limit``, ``firms_offset``, ``firms_sort`` revenue_ytd_yuan|name|county_name, ``firms_q``);
    ``firms.page`` says ``total``."""
    pg = Paging.from_query(request.query_params, prefix="firms_", sorts=("revenue_ytd_yuan", "name", "county_name"))
    rows, meta = pg.apply(d["firms"]["rows"], ("name", "uscc", "county_name"))
    url = lambda **kw: page_url(request, keep=("period", "scope", "segment", "lang", "firms_limit", "firms_sort",  # noqa: E731
                                               "firms_q"), **kw)
    tables = [{**tb, "rows": rows} if tb["id"] == "firms" else tb for tb in d["tables"]]
    return {**d, "firms": {**d["firms"], "rows": rows, "page": {**meta, **pg.links(url, meta["total"])}},
            "tables": tables}


@router.get("/api/maps/{chain}/chain", tags=["api"], dependencies=AGG, response_model=dict)
def api_chain_map(request: Request, chain: str, period: str | None = PERIOD, scope: str = SCOPE,
                  segment: str | None = SEGMENT, format: str | None = FORMAT, table: str | None = None,
                  firms_limit: str | None = None, firms_offset: str | None = None, firms_sort: str | None = None,
                  firms_q: str | None = None):
    """产业链图: stages → segments → sub-segments with firms, revenue, local supporting rate and gap status;
    with ``segment``, that segment's firms within the viewer's scope, paged (``firms_limit`` ≤ 500 default
    50, ``firms_offset``, ``firms_sort`` revenue_ytd_yuan|name|county_name, ``firms_q``; ``firms.page``
    gives ``total``; ``format=xlsx``: every firm)."""
    pg = Paging.from_query(request.query_params, prefix="firms_", sorts=("revenue_ytd_yuan", "name", "county_name"))
    return json_reply(request, page_key(request, "maps-chain", chain, period, scope, segment, pg),
                      lambda: _chain(request, chain, period, scope, segment), f"chain-map-{chain}")


@router.get("/maps/{chain}/chain", dependencies=AGG, summary="产业链图 (twin: /api/maps/{chain}/chain)")
def chain_map_page(request: Request, chain: str, period: str | None = PERIOD, scope: str = SCOPE,
                   segment: str | None = SEGMENT, firms_limit: str | None = None, firms_offset: str | None = None,
                   firms_sort: str | None = None, firms_q: str | None = None):
    pending.allow(request)
    d = _chain(request, chain, period, scope, segment)
    return _page(request, "maps_chain.html", d, {"tree": d["tree"]})


# ---------------------------------------------------------------- roadmap and fields (pack data, editable)
def _pack_page(request, kind, chain, period=None):
    st, user, lang, rule = _ctx(request)
    derived = None
    if kind == "fields":                       # what the links say: cached per data version
        derived = st.cached(page_key(request, "maps-fields", chain, period),
                            lambda: MPL.fields_derived(st.store, chain, period, rule, user, lang))
    with st.lock:                              # override files are not part of the data version: no cache
        if kind == "roadmap":
            return MPL.roadmap_page(st.store, chain, user, lang)
        return MPL.fields_page(st.store, chain, user, lang, derived)


@router.get("/api/maps/{chain}/roadmap", tags=["api"], dependencies=AGG, response_model=dict)
def api_roadmap(request: Request, chain: str, format: str | None = FORMAT, table: str | None = None):
    """技术路线图: the chain's key technologies, maturity now and wanted, target year, source (demo rows: 演示)."""
    return reply(request, _pack_page(request, "roadmap", chain), f"roadmap-{chain}")


@router.get("/maps/{chain}/roadmap", dependencies=AGG, summary="技术路线图 (twin: /api/maps/{chain}/roadmap)")
def roadmap_page(request: Request, chain: str):
    d = _pack_page(request, "roadmap", chain)
    return _page(request, "maps_roadmap.html", d, {"roadmap": d["rows"]}, edit_json=_edit_json(d))


@router.get("/api/maps/{chain}/fields", tags=["api"], dependencies=AGG, response_model=dict)
def api_fields(request: Request, chain: str, period: str | None = PERIOD, format: str | None = FORMAT,
               table: str | None = None):
    """应用领域图: the fields the chain serves (pack data, demo rows: 演示) and, observed, the chains its
    firms sell to (amounts under disclosure control)."""
    return reply(request, _pack_page(request, "fields", chain, period), f"fields-{chain}")


@router.get("/maps/{chain}/fields", dependencies=AGG, summary="应用领域图 (twin: /api/maps/{chain}/fields)")
def fields_page(request: Request, chain: str, period: str | None = PERIOD):
    pending.allow(request)
    d = _pack_page(request, "fields", chain, period)
    return _page(request, "maps_fields.html", d, {"fields": {"chain": d["chain"]["name"], "rows": d["rows"],
                                                             "observed": d["observed"]}}, edit_json=_edit_json(d))


def _edit_json(d: dict) -> str:
    """The chain's stored rows as the editor shows them (readable JSON; escaped by the template)."""
    return json.dumps(d["edit_rows"], ensure_ascii=False, indent=1)


def _edit(kind):
    def endpoint(request: Request, chain: str, user=Depends(acting_user), body: dict = Depends(json_body)):
        st = get_state(request)
        with answers(), st.lock:
            MP.check_chain(st.store, chain)
            if not MP.can_edit(user, chain):
                raise HTTPException(403, "only the province and the chain's office may edit this "
                                         "(仅省级管理员和本链链长办可以修改)")
            segs = set(MP._segment_names(st.store, chain, "zh"))
            try:
                rows = maps_pack.clean(kind, chain, body.get("rows"), segs)
                version = int(body.get("version"))
            except maps_pack.Invalid as exc:
                raise BadRequest(str(exc)) from None
            except (TypeError, ValueError):
                raise BadRequest("version: the version you read is required (version：需要所读取的版本号)") from None
            try:
                change = maps_pack.save(st.store, kind, chain, rows, actor_of(request), version)
            except maps_pack.Stale as exc:
                raise HTTPException(409, str(exc)) from None
            audit(st.store, actor_of(request), "edit", path=request.url.path, kind=kind, chain=chain, **change)
        return JSONResponse({"version": change["after"]["version"], "rows": len(rows)})
    endpoint.__name__ = f"api_edit_{kind}"
    endpoint.__doc__ = (f"Replace the chain's {kind} rows (the province and the chain's office; JSON "
                        "``{\"version\": N, \"rows\": [...]}``; stale version 409; audited).")
    props = {"version": {"type": "integer"}, "rows": {"type": "array", "items": {"type": "object"}}}
    router.add_api_route(f"/api/maps/{{chain}}/{kind}", endpoint, methods=["POST"], tags=["api"], responses=ERRORS,
                         openapi_extra=body_doc(props, ["version", "rows"]))


_edit("roadmap")
_edit("fields")


# ---------------------------------------------------------------- regional distribution
def _regions(request, chain, period, scope, segment):
    st, user, lang, rule = _ctx(request)
    base = st.cached(page_key(request, "maps-regions", chain, period, scope),
                     lambda: MP.regions_page(st.store, chain, period, scope, rule, user, lang, memo(st)))
    if not segment:
        return base
    return st.cached(page_key(request, "maps-regions", chain, period, scope, segment),
                     lambda: MP.with_segment(base, segment, lang))


@router.get("/api/maps/{chain}/regions", tags=["api"], dependencies=AGG, response_model=dict)
def api_regions(request: Request, chain: str, period: str | None = PERIOD, scope: str = SCOPE,
                segment: str | None = SEGMENT, format: str | None = FORMAT, table: str | None = None):
    """区域分布图: per county, the chain's firms, segments present and absent, chain revenue (withheld by the
    viewer's pattern); with ``segment``, that segment's presence per county."""
    return json_reply(request, page_key(request, "maps-regions", chain, period, scope, segment),
                      lambda: _regions(request, chain, period, scope, segment), f"regions-{chain}")


@router.get("/maps/{chain}/regions", dependencies=AGG, summary="区域分布图 (twin: /api/maps/{chain}/regions)")
def regions_page(request: Request, chain: str, period: str | None = PERIOD, scope: str = SCOPE,
                 segment: str | None = SEGMENT):
    from chainbrain.web import data

    d = _regions(request, chain, period, scope, segment)
    st = get_state(request)
    with st.lock:
        geo_url = data.map_url(data.pack_meta(st.store), "county")
    units = [{"code": r["code"], "name": r["name"], "href": r["href"],
              "value": r["segment_firms"] if segment else r["chain_firms"],
              "present": r["present"], "total": r["segments_total"],
              "absent": bool(segment) and r["chain_firms"] > 0 and not r["segment_present"]}
             for r in d["counties"]]
    return _page(request, "maps_regions.html", d, {"map": {"geo_url": geo_url, "units": units,
                                                           "segment": segment}})


# ---------------------------------------------------------------- supply network
def _supply(request, chain, period, segment, master):
    st, user, lang, rule = _ctx(request)
    from chainbrain.web.policy import scope_key

    return st.cached(("maps-supply", chain, period, segment, master, lang, scope_key(user)),
                     lambda: MS.supply_page(st.store, chain, period, rule, user, lang, segment, master))


@router.get("/api/maps/{chain}/supply", tags=["api"], dependencies=AGG, response_model=dict)
def api_supply(request: Request, chain: str, period: str | None = PERIOD, segment: str | None = SEGMENT,
               master: str | None = Query(None, description="a chain master's USCC (viewers who see it)"),
               format: str | None = FORMAT, table: str | None = None):
    """Supply network of the chain, a segment or a chain master: flows in and out of the province by
    place (amounts under disclosure control); suppliers and buyers by firm for the province and the
    chain's office only. Each list is paged (``inflows_``, ``outflows_``, ``suppliers_``, ``buyers_`` +
    ``limit`` ≤ 500, default 50 / ``offset`` / ``sort`` amount_yuan|name|…, ``-`` descending, default
    ``-amount_yuan`` / ``q``; ``inflows_page`` … give ``limit``, ``offset``, ``total``); ``format=xlsx``:
    every row."""
    d = _supply(request, chain, period, segment, master)
    return reply(request, d if format == "xlsx" else MS.paged(request.query_params, d), f"supply-{chain}")


@router.get("/maps/{chain}/supply", dependencies=AGG, summary="供应网络 (twin: /api/maps/{chain}/supply)")
def supply_page(request: Request, chain: str, period: str | None = PERIOD, segment: str | None = SEGMENT,
                master: str | None = Query(None)):
    pending.allow(request)
    full = _supply(request, chain, period, segment, master)
    lists = tuple(k + "_" + x for k, _, _ in MS.LISTS for x in ("limit", "offset", "sort", "q"))
    url = lambda **kw: page_url(request, keep=("period", "lang", "segment", "master") + lists, **kw)  # noqa: E731
    d = MS.paged(request.query_params, full, url)
    return _page(request, "maps_supply.html", d, {"flows": MS.chart_flows(full)})
