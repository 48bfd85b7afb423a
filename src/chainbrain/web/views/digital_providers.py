"""智改数转 service providers — ``/digital/providers`` ⇄ ``/api/digital/providers?date&chain&scenario&provider``
(``format=xlsx`` downloads the tables): the providers serving a chain / scenario with their completed projects
and the firms' mean rating (withheld by the disclosure rule of
:mod:`chainbrain.analytics.digital_providers`), and the projects of one provider or of the chain / scenario —
the firms only as far as the viewer sees them one by one (:func:`chainbrain.web.policy.visible_ids`).
Aggregates as everywhere (:func:`require_aggregates`)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request

from chainbrain.analytics.digital_provider_report import providers_answer
from chainbrain.web import data, model
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import require_aggregates, visible_ids
from chainbrain.web.render import render, reply
from chainbrain.web.state import get_state

router = APIRouter()


def _answer(request: Request, date: str | None, chain: str | None, scenario: str | None,
            provider: str | None) -> dict:
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    user = current_user(request)
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise BadRequest(f"date {date!r} is not YYYY-MM-DD (日期格式应为 YYYY-MM-DD)") from None
    scenario = (scenario or "").strip() or None
    provider = (provider or "").strip() or None
    with st.lock:
        chain = model.check_chain(st.store, chain)
        try:
            return providers_answer(st.store, day, chain, scenario, provider,
                                    lambda ids: visible_ids(st.store, user, ids), lang)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None


@router.get("/api/digital/providers", tags=["digital"], dependencies=[Depends(require_aggregates)],
            response_model=dict)
def api_providers(request: Request, date: str | None = None, chain: str | None = None, scenario: str | None = None,
                  provider: str | None = None, format: str | None = None):
    """Service providers (服务商) serving the chain / scenario: completed projects, firms served (counts) and the
    firms' mean rating (withheld when 1–2 rating firms are outside the caller's view); the projects the caller
    may see one by one."""
    return reply(request, _answer(request, date, chain, scenario, provider), "digital-providers")


@router.get("/digital/providers", dependencies=[Depends(require_aggregates)], summary="数字化服务商 providers")
def providers_page(request: Request, date: str | None = None, chain: str | None = None, scenario: str | None = None,
                   provider: str | None = None):
    d = _answer(request, date, chain, scenario, provider)
    st = get_state(request)
    with st.lock:
        chains = data.chains(st.store)
    query = str(request.url.query)
    return render(request, "digital_providers.html", d=d, nav="digital", chains=chains,
                  excel_base="/api/digital/providers" + (f"?{query}" if query else ""))
