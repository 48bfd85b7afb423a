"""搜索 — search page (JSON twin: ``/api/search?q=``): enterprises (scoped), chains, regions."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from chainbrain.web import search as S
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import require_aggregates
from chainbrain.web.render import render
from chainbrain.web.state import get_state

router = APIRouter()
Q = Query("", description="enterprise name, USCC or pinyin initials; chain or region name")


def _search(request, q):
    if current_user(request) is None:       # anonymous: only where aggregates are public
        require_aggregates(request)
    st = get_state(request)
    with st.lock:
        return S.search(st.store, st.search_index, q, current_user(request), lang_of(request.query_params.get("lang")))


@router.get("/api/search", tags=["api"])
def api_search(request: Request, q: str = Q) -> dict:
    """Matches: ``chains``, ``regions``, ``enterprises`` (those in the viewer's scope) and
    ``enterprises_withheld`` (matches outside it)."""
    return _search(request, q)


@router.get("/search", summary="搜索 search page")
def search_page(request: Request, q: str = Q):
    return render(request, "search.html", d=_search(request, q), nav="search")
