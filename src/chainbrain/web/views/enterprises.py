"""企业画像 — the enterprise profile (JSON twin: ``/api/enterprises/{uscc}``).

Individual enterprise data: only for signed-in users whose scope covers the
enterprise (401 anonymous, 404 otherwise; :func:`chainbrain.web.policy.visible_enterprise`,
checked on every request, before any cached answer is used). Every read and every refusal
is written to the audit log (``profile_read``, ``scope_refused``; :mod:`chainbrain.store.audit`).
``{uscc}`` also accepts the numeric id of partners without a USCC.

The profile (:func:`chainbrain.web.pages.enterprise_page`) is built without the
analytics lock, on a connection of its own (:func:`chainbrain.web.auth.read_store`),
and cached per data version under the enterprise, the language and the viewer's
full scope (:func:`chainbrain.web.views.chains.page_key`): partners outside the
scope are anonymised, so viewers with different scopes never share an answer.
The catalog names a profile shows are read once per data version (kept in the same cache); the
enterprise's rows come from the application's profile index while it matches the data
(:mod:`chainbrain.web.profiles`), else from the database.
Profiles have an LRU of their own (:class:`chainbrain.web.cache.ResultCache`, the
application's data version and on/off setting), so browsing many enterprises
never evicts the aggregate answers, which cost far more to rebuild.
"""

from __future__ import annotations


from fastapi import APIRouter, Request
from fastapi.responses import Response

from chainbrain.analytics.profile import catalog_names
from chainbrain.web import format as fmt
from chainbrain.web import pages, profiles
from chainbrain.store.audit import append_soon
from chainbrain.web.auth import current_user, read_store
from chainbrain.web.cache import MISSING, ResultCache, per_store
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import NotVisible, scope_key, visible_enterprise
from chainbrain.web.paging import Paging
from chainbrain.web.render import chart_json, page_url, render, reply
from chainbrain.web.search import encode
from chainbrain.web.state import get_state
from chainbrain.web.views.chains import page_key

router = APIRouter()
PROFILES = 512                      # profiles kept per application (with their encoded JSON bodies)


def profile_cache(st) -> ResultCache:
    """The application's profile cache (one per open store; on/off like :attr:`WebState.cache`)."""
    return per_store(st.store, "profiles", lambda: ResultCache(size=PROFILES, enabled=st.cache.enabled))


def _profile(request, eid: int) -> dict:
    """The profile of the (already checked) enterprise ``eid`` for this viewer, cached per data version."""
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    cache, version, key = profile_cache(st), st.versions.current(), page_key(request, "enterprise", eid)
    d = cache.lookup(version, key)
    if d is MISSING:
        names = cache.derived(version, ("catalog names",), lambda: catalog_names(read_store(st.store)))
        d = pages.enterprise_page(read_store(st.store), eid, lang, user, names, profiles.current(st))
        cache.put(version, key, d)
    return d


def _visible(request, uscc: str) -> int:
    """:func:`visible_enterprise` (401 / 404), its answer cached per data version and viewer scope."""
    st, user = get_state(request), current_user(request)
    if user is None:
        return visible_enterprise(request, uscc)                 # raises: sign-in required
    cache, version, key = profile_cache(st), st.versions.current(), ("visible", uscc, scope_key(user))
    eid = cache.lookup(version, key)
    if eid is MISSING:
        try:
            eid = visible_enterprise(request, uscc)
        except NotVisible:
            eid = None
        cache.put(version, key, eid)
    if eid is None:
        raise NotVisible(f"enterprise:{uscc}")                 # audited by the 404 handler, cached or not
    api = request.url.path.startswith("/api")
    append_soon(st.store, user.username, "profile_read", f"enterprise:{uscc}", path=request.url.path,
                enterprise_id=eid, format=request.query_params.get("format") or ("json" if api else "html"))
    return eid


#: the supply links' sort fields (``partners_sort``; newest year first by default)
PARTNER_SORTS = ("year", "amount", "name", "direction_text")
PARTNER_FIELDS = ("name", "direction_text", "uscc")          # what ``partners_q`` looks in


def _paged(request, d: dict) -> dict:
    """The profile with its supply links paged, sorted and filtered (:mod:`chainbrain.web.paging`,
    ``partners_limit`` / ``partners_offset`` / ``partners_sort`` / ``partners_q``; the answer's
    ``partners_page`` says ``limit``, ``offset``, ``total``). The Excel download gives every link."""
    if request.query_params.get("format") == "xlsx":
        return d
    pg = Paging.from_query(request.query_params, prefix="partners_", sorts=PARTNER_SORTS, default_sort="-year")
    rows, meta = pg.apply(d["partners"], PARTNER_FIELDS)
    url = lambda **kw: page_url(request, keep=("lang",) + tuple("partners_" + k for k in  # noqa: E731
                                                              ("limit", "sort", "q")), **kw)
    tables = [{**tb, "rows": rows} if tb["id"] == "partners" else tb for tb in d["tables"]]
    return {**d, "partners": rows, "partners_page": {**meta, **pg.links(url, meta["total"])}, "tables": tables}


@router.get("/api/enterprises/{uscc}", tags=["api"],
            responses={401: {"description": "sign-in required"}, 404: {"description": "not found or out of scope"}})
def api_enterprise(request: Request, uscc: str, format: str | None = None, table: str | None = None,
                   partners_limit: str | None = None, partners_offset: str | None = None,
                   partners_sort: str | None = None, partners_q: str | None = None):
    """One enterprise: identity, segments with mapping evidence, indicator history, designations, and
    its supply links paged (``partners_limit`` ≤ 500, default 50; ``partners_offset``; ``partners_sort``
    year|amount|name|direction_text, ``-`` descending; ``partners_q`` filters by name or direction;
    ``partners_page`` gives ``limit``, ``offset``, ``total``). ``format=xlsx``: every link."""
    eid = _visible(request, uscc)
    if format == "xlsx":
        return reply(request, _profile(request, eid), f"enterprise-{uscc}")
    st = get_state(request)
    pg = Paging.from_query(request.query_params, prefix="partners_", sorts=PARTNER_SORTS, default_sort="-year")
    body = profile_cache(st).derived(st.versions.current(), ("json", pg) + page_key(request, "enterprise", eid),
                                     lambda: encode(_paged(request, _profile(request, eid))))
    return Response(body, media_type="application/json")


@router.get("/enterprises/{uscc}", summary="企业画像 enterprise profile page")
def enterprise_page(request: Request, uscc: str, partners_limit: str | None = None,
                    partners_offset: str | None = None, partners_sort: str | None = None,
                    partners_q: str | None = None):
    d = _paged(request, _profile(request, _visible(request, uscc)))
    m = d["monthly"]
    line = {"x": [r["period"] for r in m],
            "ytd": [None if r["revenue_ytd"] is None else float(fmt.half_up(r["revenue_ytd"], 2, -4)) for r in m],
            "month": [None if r["revenue_month"] is None else float(fmt.half_up(r["revenue_month"], 2, -4))
                      for r in m]}
    return render(request, "enterprise.html", d=d, nav="", charts=chart_json({"line": line}))
