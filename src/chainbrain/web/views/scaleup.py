"""升规入统 — the scale-up candidates and drop-out risks of a target year (JSON twin as always).

``/cultivate/scale-up`` ⇄ ``/api/cultivate/scale-up?year&region&chain&month&direction`` (signed in;
the firm list paged on the server — ``limit``, ``offset``, ``sort``, ``q``, answered with ``page``
— and ``format=xlsx`` downloads the whole tables): firm by firm, only the enterprises the viewer may see
(:func:`chainbrain.web.policy.visible_ids`, as in the other firm lists: an enterprise user sees only
its own), with the per-county counts made from those firms alone
(:func:`chainbrain.analytics.scaleup_report.answer`). The scoring of the whole province is cached per
data version, year and month. Bad parameters 400 (bilingual).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.analytics.scaleup_report import answer, score_year
from chainbrain.web import data, model
from chainbrain.web.auth import require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import visible_ids
from chainbrain.web.paging import page_rows
from chainbrain.web.render import page_url, render, reply
from chainbrain.web.state import get_state
from chainbrain.web.workhttp import ERRORS

router = APIRouter()
YEAR = Query(None, description="target year Y (default: the current year): revenue of Y ≥ 20,000,000 yuan")


def _answer(request: Request, user, year: int | None, region: str | None, chain: str | None,
            month: int | None, direction: str | None) -> dict:
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    year = year or dt.date.today().year
    if not 2000 <= year <= 2100:
        raise BadRequest(f"year must be 2000–2100 (年份须为 2000–2100): {year}")
    if month is not None and not 2 <= month <= 12:
        raise BadRequest(f"month must be 2–12 (月份须为 2–12): {month}")
    if direction not in (None, "", "up", "down"):
        raise BadRequest(f"direction must be up or down (方向须为 up 或 down): {direction}")
    with st.lock:
        reg = model.check_region(st.store, region) if region else None
        if reg is not None and reg["level"] not in ("prefecture", "county", "province"):
            raise BadRequest(f"not a city or county code: {region} (不是设区市或县级代码)")
        if chain and chain not in {c["code"] for c in data.chains(st.store)}:
            raise BadRequest(f"unknown chain {chain} (未知产业链 {chain})")
        region = None if reg is None or reg["level"] == "province" else region
    scored = st.cached(("scaleup-score", year, month), lambda: score_year(st.store, year, month))
    with st.lock:
        d = answer(st.store, year, region, chain or None, lang, month,
                   visible=lambda ids: visible_ids(st.store, user, ids), scored=scored)
    if direction:
        d["rows"] = [r for r in d["rows"] if r["direction"] == direction]
        d["counts"] = [c for c in d["counts"] if c["direction"] == direction]
        d["tables"][0]["rows"] = [r for r in d["tables"][0]["rows"] if r["direction"] == direction]
        d["tables"][1]["rows"] = [c for c in d["tables"][1]["rows"] if c["direction"] == direction]
    d["direction"] = direction or None
    return d


@router.get("/api/cultivate/scale-up", tags=["cultivate"], responses=ERRORS, response_model=dict)
def api_scaleup(request: Request, user=Depends(require_user), year: int | None = YEAR, region: str | None = None,
                chain: str | None = None, month: int | None = None, direction: str | None = None,
                format: str | None = None, limit: str | None = None, offset: str | None = None,
                sort: str | None = None, q: str | None = None):
    """升规入统 candidates (direction ``up``: revenue of Y−1 below 20,000,000 yuan, probability that Y's is
    ≥ 20,000,000) and 退规 risks (``down``), with reasons, outcome and entry year — only the enterprises
    the caller may see (an enterprise user: its own)."""
    d = _answer(request, user, year, region, chain, month, direction)
    if format == "xlsx":                                   # Excel: every row
        return reply(request, d, "cultivate-scale-up")
    return _paged(request, d)


#: the list's sort fields (``sort``; default: the analysis's order — each county's ranking)
SORTS = ("p", "p_baseline", "revenue_prev_yuan", "rank_in_county", "name", "county_name")


def _paged(request: Request, d: dict) -> dict:
    """The firm list paged, sorted and filtered (:func:`chainbrain.web.paging.page_rows`: ``limit``,
    ``offset``, ``sort``, ``q``; ``page`` says ``total``); the per-county counts stay whole."""
    url = lambda **kw: page_url(request, keep=("year", "region", "chain", "month", "direction", "lang", "limit",  # noqa: E731
                                               "sort", "q"), **kw)
    return page_rows(request.query_params, d, url, table_id="scaleup", sorts=SORTS,
                     text_fields=("name", "county_name", "chains"))


@router.get("/cultivate/scale-up", summary="升规入统培育清单 scale-up pipeline")
def scaleup_page(request: Request, user=Depends(require_user), year: int | None = YEAR, region: str | None = None,
                 chain: str | None = None, month: int | None = None, direction: str | None = None,
                 limit: str | None = None, offset: str | None = None, sort: str | None = None, q: str | None = None):
    d = _answer(request, user, year, region, chain, month, direction)
    d = _paged(request, d)             # a page stays readable: one page of the list (the Excel file has all)
    st = get_state(request)
    with st.lock:
        chains = data.chains(st.store)
    query = str(request.url.query)
    return render(request, "cultivate_scaleup.html", d=d, nav="cultivate", chains=chains,
                  excel_base="/api/cultivate/scale-up" + (f"?{query}" if query else ""))
