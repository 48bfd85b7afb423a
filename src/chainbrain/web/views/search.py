"""搜索 — search page (JSON twin: ``/api/search?q=``): enterprises (scoped), chains, regions.

Answers are cached per data version, query, language and the viewer's scope, and the JSON
twin keeps its encoded body: a repeated search takes no query. Answers from a search index of
older data (``"search_index"`` in the answer, :mod:`chainbrain.web.search`) are not kept. A new search never waits for
the analytics lock either: its few indexed reads run on the lock-free reader
(:func:`chainbrain.web.auth.read_store`), bounded per caller only (``admit(light=True)``,
web/admission.py) — the load test (benchmarks/bench_load.py) found every search refused
503 or queued for 30 s behind province-scale computations when they took the lock.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chainbrain.web import search as S
from chainbrain.web.auth import current_user, read_store
from chainbrain.web.cache import MISSING
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
    key, version = _key(request, q), st.versions.current()
    value = st.cache.lookup(version, key)
    if value is MISSING:                    # a few indexed reads: on a reader, never behind the analytics lock
        with st.admission.admit(light=True):
            value = S.search(read_store(st.store), st.search_index, q, user, lang, version)
        if "search_index" not in value:     # an answer of the previous (or no) index is not kept
            st.cache.put(version, key, value)
    return value


@router.get("/api/search", tags=["api"], response_model=dict)
def api_search(request: Request, q: str = Q):
    """Matches: ``chains``, ``regions``, ``enterprises`` (those in the viewer's scope; nothing tells
    whether others matched)."""
    if current_user(request) is None:
        require_aggregates(request)
    st = get_state(request)
    version = st.versions.current()
    value = _search(request, q)
    body = S.encode(value) if "search_index" in value else \
        st.cache.derived(version, ("json",) + _key(request, q), lambda: S.encode(value))
    return Response(body, media_type="application/json")


@router.get("/search", summary="搜索 search page")
def search_page(request: Request, q: str = Q):
    return render(request, "search.html", d=_search(request, q), nav="search",
                  sees_enterprises=sees_enterprises(current_user(request)))
