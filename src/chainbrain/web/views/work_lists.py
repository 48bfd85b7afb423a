"""五清单 — the five lists of a chain (enterprises, projects, clusters, problems, policies) on one
page, its JSON twin ``/api/lists?chain=`` and one Excel workbook with a sheet per list
(``/api/lists?chain=…&format=xlsx``, audited as an export). Work layer
:mod:`chainbrain.work.five_lists`; the enterprises' figures come from the monitoring engine
(:func:`chainbrain.analytics.presence.key_enterprises`, latest period).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.analytics import presence
from chainbrain.web import model
from chainbrain.web.auth import require_user
from chainbrain.web.model import BadRequest
from chainbrain.web.render import render, reply
from chainbrain.web.state import get_state
from chainbrain.web.views.work_rd import _lang, _visible
from chainbrain.web.views.work_tasks import _reader, today
from chainbrain.web.workhttp import ERRORS, answers
from chainbrain.work.five_lists import five_lists

router = APIRouter()


def _chain(request, user, chain):
    store = get_state(request).store
    if not chain:
        chain = user.chain_code if user.role == "chain_office" else None
    if not chain:
        from chainbrain.web import data

        chain = data.chains(store)[0]["code"]
    return model.check_chain(store, chain)


def _data(request, user, chain):
    store, full = _reader(request), get_state(request).store          # analytics run on the full store
    code = _chain(request, user, chain)
    st = get_state(request)

    def rank():                                   # the same for every viewer: cached per data version
        p = model.resolve_period(full, None)
        return presence.key_enterprises(full, code, p, scope="all") if p is not None else []

    ranked = st.cached(("five-lists-ranked", code), rank)
    with answers():
        return five_lists(store, user, code, today(), ranked, _visible(request, user), _lang(request))


@router.get("/api/lists", tags=["work"], responses=ERRORS)
def api_lists(request: Request, user=Depends(require_user), chain: str | None = Query(None, description="chain code"),
              format: str | None = Query(None, description="xlsx: the workbook, one sheet per list")):
    """The chain's five lists (五清单); ``format=xlsx`` answers the workbook."""
    if format not in (None, "", "xlsx"):
        raise BadRequest("format must be xlsx (format 只能为 xlsx)")
    return reply(request, _data(request, user, chain), f"lists-{_chain(request, user, chain)}")


@router.get("/lists", summary="五清单 the chain's five lists (twin: /api/lists)")
def lists_page(request: Request, user=Depends(require_user), chain: str | None = None):
    from chainbrain.web.views.work_pages import options

    d = _data(request, user, chain)
    lang = "&lang=en" if request.query_params.get("lang") == "en" else ""
    return render(request, "lists.html", nav="lists", d=d, excel_base=f"/api/lists?chain={d['chain']}{lang}",
                  **options(request))
