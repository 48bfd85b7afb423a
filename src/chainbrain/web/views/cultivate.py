"""梯度培育 — the tier funnel and the enterprise self-check (JSON twins as always).

- ``/cultivate`` ⇄ ``/api/cultivate/funnel?by=city|chain|city_chain&date&region&chain&within_days``
  (``format=xlsx`` downloads the table): counts of library enterprises per stage
  (:mod:`chainbrain.analytics.cultivate_funnel`). Counts of enterprises only, which the
  disclosure rule leaves (web/disclosure.py); aggregates as everywhere (:func:`require_aggregates`).
- ``/cultivate/renewals`` ⇄ ``/api/cultivate/renewals?date&region&chain&within_days`` (signed in):
  designations ending within the horizon, firm by firm, filtered to the enterprises the viewer may
  see (:func:`chainbrain.web.policy.visible_ids`: an enterprise user sees only its own).
- ``/cultivate/check`` (form) → ``POST /api/cultivate/check`` (signed in, CSRF; body: the
  assessment CSV's columns as a JSON object, missing = empty = none): the firm's 创新型 score and
  routes, 专精特新 gates and known score, 小巨人 dimensions, size class, reasons and what-ifs
  (:func:`chainbrain.analytics.cultivate_report.check_answer`). Nothing is stored: each user sees
  only the assessment of the figures they enter. Bad input 400 naming the field.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.analytics.cultivate_report import check_answer, funnel_answer, renewals_answer
from chainbrain.ingest.cultivate_csv import COLUMNS
from chainbrain.web import data, model
from chainbrain.web.auth import require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import require_aggregates, visible_ids
from chainbrain.web.paging import page_rows
from chainbrain.web.render import page_url, render, reply
from chainbrain.web.state import get_state
from chainbrain.web.workhttp import ERRORS, acting_user, body_doc, json_body

router = APIRouter()
BY = Query("city_chain", description="city, chain or city_chain")
DATE = Query(None, description="YYYY-MM-DD (default: today)")


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"date {text!r} is not YYYY-MM-DD (日期格式应为 YYYY-MM-DD)") from None


def _filters(st, region: str | None, chain: str | None, within_days: int) -> str | None:
    """The checked region (None for the province) — call under the state's lock."""
    if not 1 <= within_days <= 3660:
        raise BadRequest(f"within_days must be 1–3660 (到期窗口须为 1–3660 天): {within_days}")
    reg = model.check_region(st.store, region) if region else None
    if reg is not None and reg["level"] not in ("prefecture", "county", "province"):
        raise BadRequest(f"not a city or county code: {region} (不是设区市或县级代码)")
    if chain and chain not in {c["code"] for c in data.chains(st.store)}:
        raise BadRequest(f"unknown chain {chain} (未知产业链 {chain})")
    return None if reg is None or reg["level"] == "province" else region


def _funnel(request: Request, by: str, date: str | None, region: str | None, chain: str | None,
            within_days: int) -> dict:
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    if by not in ("city", "chain", "city_chain"):
        raise BadRequest(f"by must be city, chain or city_chain (分组须为 city、chain 或 city_chain): {by}")
    day = _date(date)
    with st.lock:
        region = _filters(st, region, chain, within_days)
        return st.cached(("cultivate-funnel", by, day, region, chain, within_days, lang),
                         lambda: funnel_answer(st.store, day, by, region, chain or None, lang, within_days))


@router.get("/api/cultivate/funnel", tags=["cultivate"], dependencies=[Depends(require_aggregates)],
            response_model=dict)
def api_funnel(request: Request, by: str = BY, date: str | None = DATE, region: str | None = None,
               chain: str | None = None, within_days: int = 365, format: str | None = None):
    """库 → 创新型 → 专精特新 → 小巨人 → 单项冠军 per city / chain: counts of enterprises (家) holding each
    designation valid on the date, and those whose designation ends within ``within_days``."""
    return reply(request, _funnel(request, by, date, region, chain, within_days), "cultivate-funnel")


@router.get("/cultivate", dependencies=[Depends(require_aggregates)], summary="梯度培育漏斗 tier funnel")
def funnel_page(request: Request, by: str = BY, date: str | None = DATE, region: str | None = None,
                chain: str | None = None, within_days: int = 365):
    d = _funnel(request, by, date, region, chain, within_days)
    st = get_state(request)
    with st.lock:
        chains = data.chains(st.store)
    query = str(request.url.query)
    return render(request, "cultivate.html", d=d, nav="cultivate", chains=chains,
                  excel_base="/api/cultivate/funnel" + (f"?{query}" if query else ""))


def _renewals(request: Request, user, date: str | None, region: str | None, chain: str | None,
              within_days: int) -> dict:
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    day = _date(date)
    with st.lock:
        region = _filters(st, region, chain, within_days)
        return renewals_answer(st.store, day, region, chain or None, within_days,
                               lambda ids: visible_ids(st.store, user, ids), lang)


@router.get("/api/cultivate/renewals", tags=["cultivate"], responses=ERRORS, response_model=dict)
def api_renewals(request: Request, user=Depends(require_user), date: str | None = DATE, region: str | None = None,
                 chain: str | None = None, within_days: int = 365, format: str | None = None,
                 limit: str | None = None, offset: str | None = None, sort: str | None = None, q: str | None = None):
    """Designations (创新型, 专精特新, 小巨人, 单项冠军) valid on the date that end within ``within_days``:
    the next round's renewals — only the enterprises the caller may see (an enterprise user: its own);
    paged (``limit`` ≤ 500 default 50, ``offset``, ``sort`` ends_on|name|kind_name|level_name, ``q``;
    ``page`` gives ``total``); ``format=xlsx``: every row."""
    d = _renewals(request, user, date, region, chain, within_days)
    if format == "xlsx":
        return reply(request, d, "cultivate-renewals")
    return _paged_renewals(request, d)


def _paged_renewals(request: Request, d: dict) -> dict:
    """One page of the renewal list (:func:`chainbrain.web.paging.page_rows`)."""
    url = lambda **kw: page_url(request, keep=("date", "region", "chain", "within_days", "lang", "limit",  # noqa: E731
                                               "sort", "q"), **kw)
    return page_rows(request.query_params, d, url, table_id="renewals",
                     sorts=("ends_on", "name", "kind_name", "level_name", "valid_from"),
                     text_fields=("name", "uscc", "kind_name", "level_name"))


@router.get("/cultivate/renewals", summary="即将到期的认定 renewals")
def renewals_page(request: Request, user=Depends(require_user), date: str | None = DATE, region: str | None = None,
                  chain: str | None = None, within_days: int = 365, limit: str | None = None,
                  offset: str | None = None, sort: str | None = None, q: str | None = None):
    d = _paged_renewals(request, _renewals(request, user, date, region, chain, within_days))
    query = str(request.url.query)
    return render(request, "cultivate_renewals.html", d=d, nav="cultivate",
                  excel_base="/api/cultivate/renewals" + (f"?{query}" if query else ""))


@router.post("/api/cultivate/check", tags=["cultivate"], responses=ERRORS,
             openapi_extra=body_doc({c: {"type": "string"} for c in COLUMNS}))
def api_check(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """One firm's self-check against the SME tiers (nothing stored). Money 万元, ratios percent."""
    try:
        return check_answer(body)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


@router.get("/cultivate/check", summary="梯度培育自评 self-check")
def check_page(request: Request, user=Depends(require_user)):
    return render(request, "cultivate_check.html", nav="cultivate", fields=COLUMNS)
