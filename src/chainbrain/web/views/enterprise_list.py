"""企业清单 — the enterprise list of any scope (JSON twin: ``/api/enterprises``).

``?period=&region=&chain=&segment=&cluster=&scale=above|below|all&sort=FIELD|-FIELD&limit=&offset=``;
``format=xlsx`` downloads every row. Rows, disclosure and parameter checks:
:mod:`chainbrain.web.drill`; figures: :mod:`chainbrain.analytics.enterprise_list`.
The scope's frame is cached per data version (viewer independent); each viewer's
rows are cut from it on every request.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from chainbrain.web import data, drill, pending
from chainbrain.web.auth import actor_of, audit, current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import cell_rule, require_aggregates
from chainbrain.web.render import render
from chainbrain.web.search import encode
from chainbrain.web.state import get_state

router = APIRouter()
PARAMS = ("period", "scope", "region", "county", "chain", "segment", "cluster", "scale", "sort", "limit", "offset")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _answer(request: Request, every_row: bool = False) -> dict:
    st, user = get_state(request), current_user(request)
    lang = lang_of(request.query_params.get("lang"))
    q = {k: request.query_params.get(k) for k in PARAMS}
    with st.lock:
        c = drill.check(st.store, q)
    fr = st.cached(drill.frame_key(c), lambda: drill.frame(st.store, c))
    with st.lock:
        guard = cell_rule(st.store, user, st.min_cell)
        return drill.answer(st.store, c, fr, guard, user, lang, limit_all=every_row)


def _xlsx(request: Request, d: dict) -> Response:
    st = get_state(request)
    with st.lock:
        audit(st.store, actor_of(request), "export", path=request.url.path, table="enterprises", rows=len(d["items"]))
    version = hashlib.sha1(repr(st.versions.current()).encode()).hexdigest()[:8]     # short, stable per data
    body = drill.workbook(d, version, lang_of(request.query_params.get("lang")))
    name = "-".join(x for x in ("enterprises", d["period"], d["region"], d["chain"], d["segment"], d["cluster"]) if x)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="chainbrain-{name}.xlsx"'})


@router.get("/api/enterprises", tags=["api"], dependencies=[Depends(require_aggregates)], response_model=dict)
def api_enterprises(request: Request, period: str | None = None, region: str | None = None,
                    chain: str | None = None, segment: str | None = None, cluster: str | None = None,
                    scale: str | None = None, sort: str | None = None, limit: str | None = None,
                    offset: str | None = None, scope: str | None = None, format: str | None = None):
    """The enterprises of a scope (region × chain × segment × cluster × scale) that the viewer may see:
    ``{"items": [...], "total": n, "withheld": m, "summary": {...}}``; each item: uscc, name,
    region_code, county and city names, industry_code and industry_name, revenue_ytd_yuan,
    yoy_comparable (fraction), contribution_pp (points of the scope's comparable growth),
    designations. ``format=xlsx``: all ``total`` rows as an Excel workbook."""
    if format not in (None, "", "json", "xlsx"):
        return JSONResponse({"detail": f"format must be json or xlsx, not {format!r} (格式应为 json 或 xlsx)"}, 400)
    if format == "xlsx":
        return _xlsx(request, _answer(request, every_row=True))
    return Response(encode(_answer(request)), media_type="application/json")


def _options(request: Request, d: dict) -> dict:
    """The filter controls' choices (names, never bare codes)."""
    st = get_state(request)
    lang = lang_of(request.query_params.get("lang"))
    with st.lock:
        cities = data.regions(st.store, "prefecture")
        city = None
        if d["region"]:
            reg = data.region(st.store, d["region"])
            city = reg["prefecture_code"] or reg["code"]
        counties = data.regions(st.store, "county", city) if city else []
        chains = data.chains(st.store)
        segs = data._rows(st.store, "SELECT code, name_zh, name_en, stage FROM segment WHERE chain_code = :c "
                                    "AND level = 'segment' ORDER BY stage, code", c=d["chain"]) if d["chain"] else []
        clusters = data._rows(st.store, "SELECT code, name_zh, name_en FROM cluster ORDER BY seq")
        periods = data.periods(st.store)

    def nm(r):
        return (r.get("name_en") if lang == "en" else None) or r.get("name_zh") or r.get("name")
    years: dict[str, list[str]] = {}
    for x in periods:                                       # newest first, grouped by year
        years.setdefault(x[:4], []).append(x)
    return {"city": city, "cities": cities, "counties": counties, "periods": periods,
            "period_years": list(years.items()),
            "chains": [{"code": c["code"], "name": nm(c)} for c in chains],
            "segments": [{"code": s["code"], "name": nm(s)} for s in segs],
            "clusters": [{"code": c["code"], "name": nm(c)} for c in clusters]}


@router.get("/enterprises", dependencies=[Depends(require_aggregates)],
            summary="企业清单 enterprise list page (twin: /api/enterprises)")
def enterprises_page(request: Request):
    pending.allow(request)
    d = _answer(request)
    keep = {k: v for k, v in request.query_params.items() if k in PARAMS + ("lang",) and v}

    keep.pop("county", None)
    if d["region"]:
        keep["region"] = d["region"]

    def url(**changes) -> str:
        params = {**keep, **{k: v for k, v in changes.items()}}
        return "/enterprises?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def sort_url(field: str) -> str:
        now = d["sort"]
        return url(sort=("-" + field) if now != "-" + field else field, offset=None)
    xlsx = "/api/enterprises?" + urlencode({**{k: v for k, v in keep.items() if k not in ("limit", "offset")},
                                           "format": "xlsx"})
    return render(request, "enterprise_list.html", d=d, nav="enterprises", o=_options(request, d), page_link=url,
                  sort_url=sort_url, xlsx_url=xlsx)
