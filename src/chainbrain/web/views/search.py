"""搜索 — search page (JSON twin: ``/api/search?q=``): enterprises (scoped), chains, regions.

Answers are cached per data version, query, language and the viewer's scope
(:meth:`chainbrain.web.state.WebState.cached`), and the JSON twin keeps its
encoded body: a repeated search takes neither the analytics lock nor a query.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainbrain.web import search as S
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import require_aggregates, scope_key, sees_enterprises
from chainbrain.web.render import render
from chainbrain.web.state import get_state

router = APIRouter()
Q = Query("", description="enterprise name, USCC or pinyin initials; chain or region name")


def _key(request, q) -> tuple:
    user = current_user(request)
    return ("search", S.normalize(q), lang_of(request.query_params.get("lang")), scope_key(user))


def _search(request, q):
    user = current_user(request)
    if user is None:                        # anonymous: only where aggregates are public
        require_aggregates(request)
    st = get_state(request)
    lang = lang_of(request.query_params.get("lang"))
    return st.cached(_key(request, q), lambda: S.search(st.store, st.search_index, q, user, lang))


@router.get("/api/search", tags=["api"], response_model=dict)
def api_search(request: Request, q: str = Q):
    """Matches: ``chains``, ``regions``, ``enterprises`` (those in the viewer's scope; nothing tells
    whether others matched)."""
    if current_user(request) is None:
        require_aggregates(request)
    st = get_state(request)
    body = st.cache.derived(st.versions.current(), ("json",) + _key(request, q),
                            lambda: S.encode(_search(request, q)))
    return Response(body, media_type="application/json")


@router.get("/search", summary="搜索 search page")
def search_page(request: Request, q: str = Q):
    return render(request, "search.html", d=_search(request, q), nav="search",
                  sees_enterprises=sees_enterprises(current_user(request)))
