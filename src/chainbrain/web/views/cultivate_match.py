"""融通 — chain masters' needs matched with capable small suppliers (JSON twin as always).

- ``/cultivate/match`` ⇄ ``/api/cultivate/match?date&chain`` (signed in; ``format=xlsx`` downloads the
  tables): the open needs whose buyer the viewer may see, the suppliers proposed for each with points
  and reasons — named only when the viewer may see them, otherwise counted — their latest outcome, and
  counts per chain (:func:`chainbrain.analytics.cultivate_match_report.answer`). The ranking of every open need is
  cached per date and needs/events stamp (the same for every viewer); each viewer's filter on top.
- ``POST /api/cultivate/match/needs`` {buyer_uscc, segment_code, product, city, need_id?} (CSRF): a need
  entered by the province, the chain office of the need's chain, or a chain master for itself;
- ``POST /api/cultivate/match/events`` {need_id, supplier_uscc, stage, date?, note?} (CSRF): what
  happened to a proposal, by the same people, about a supplier they may see.

Rules: :mod:`chainbrain.work.match_needs`. Errors 400 (field) / 403 (role) / 404 (scope), bilingual.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request

from chainbrain.analytics.cultivate_match import match
from chainbrain.analytics.cultivate_match_report import answer
from chainbrain.web import data
from chainbrain.web.auth import require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import disclosure_key, scope_key, visible_ids
from chainbrain.web.render import render, reply
from chainbrain.web.state import get_state
from chainbrain.web.views.cultivate import _date
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import match_needs as N
from chainbrain.work.match_needs import needs as stored

router = APIRouter()
DATE = Query(None, description="YYYY-MM-DD (default: today): segments and tiers valid then")


def _stamp(store) -> tuple:
    """What the answer depends on beyond the data version: the needs and events written on the page."""
    with store.engine.connect() as conn:
        a = conn.execute(sa.text("SELECT COUNT(*), MAX(entered_at) FROM match_need")).first()
        b = conn.execute(sa.text("SELECT COUNT(*), MAX(id) FROM match_event")).first()
    return tuple(a) + tuple(b)


def _answer(request: Request, user, date: str | None, chain: str | None) -> dict:
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    day = _date(date)
    with st.lock:
        if chain and chain not in {c["code"] for c in data.chains(st.store)}:
            raise BadRequest(f"unknown chain {chain} (未知产业链 {chain})")
        stamp = _stamp(st.store)
        matched = st.cached(("cultivate-match-rows", day, stamp), lambda: match(st.store, stored(st.store), day))
        key = ("cultivate-match", day, chain or None, lang, disclosure_key(user), scope_key(user), stamp)
        d = st.cached(key, lambda: answer(st.store, day, chain or None,
                                          lambda ids: visible_ids(st.store, user, ids), lang, matched=matched))
        d = dict(d, may_enter=_may_enter(st.store, user))
    return d


def _may_enter(store, user) -> bool:
    """Whether the page offers the forms: the province, a chain office, an enterprise that is a chain master."""
    if user.role != "enterprise":
        return user.role in N.ROLES
    with store.engine.connect() as conn:
        own = conn.execute(sa.text("SELECT id FROM enterprise WHERE uscc = :u"), {"u": user.uscc}).scalar()
        return own is not None and N.is_chain_master(conn, int(own), dt.date.today())


@router.get("/api/cultivate/match", tags=["cultivate"], responses=ERRORS, response_model=dict)
def api_match(request: Request, user=Depends(require_user), date: str | None = DATE, chain: str | None = None,
              format: str | None = None):
    """融通: the open needs of chain masters the caller may see, the capable small suppliers ranked for each
    (points and reasons; suppliers outside the caller's scope counted, not named), their latest outcome,
    and counts per chain."""
    return reply(request, _answer(request, user, date, chain), "cultivate-match")


@router.get("/cultivate/match", summary="大中小企业融通对接 large–small matching")
def match_page(request: Request, user=Depends(require_user), date: str | None = DATE, chain: str | None = None):
    d = _answer(request, user, date, chain)
    st = get_state(request)
    with st.lock:
        chains = data.chains(st.store)
    query = str(request.url.query)
    return render(request, "cultivate_match.html", d=d, nav="cultivate", chains=chains,
                  excel_base="/api/cultivate/match" + (f"?{query}" if query else ""))


@router.post("/api/cultivate/match/needs", tags=["cultivate"], responses=ERRORS, status_code=201,
             openapi_extra=body_doc({k: {"type": "string"} for k in ("need_id", "buyer_uscc", "segment_code",
                                                                     "product", "city")}, ["segment_code"]))
def api_enter_need(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Enter a need (the province; the chain office of the need's chain; a chain master for itself)."""
    st = get_state(request)
    with answers(), st.lock:
        return N.enter(st.store, user, body)


@router.post("/api/cultivate/match/events", tags=["cultivate"], responses=ERRORS, status_code=201,
             openapi_extra=body_doc({k: {"type": "string"} for k in ("need_id", "supplier_uscc", "stage", "date",
                                                                     "note")}, ["need_id", "supplier_uscc", "stage"]))
def api_event(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Record what happened to a proposal: proposed, contacted, trial_order, supplier or declined."""
    st = get_state(request)
    with answers(), st.lock:
        return {"id": N.record_event(st.store, user, body), "date": dt.date.today().isoformat()}
