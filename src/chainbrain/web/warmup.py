"""What the server precomputes in the background: at start-up, after every data change, and for a
signed-in scope new to it (:meth:`chainbrain.web.state.WebState.start_warmup`).

:func:`warm_up` lists the anonymous viewer's answers (public deployments) with the default query
parameters (period = newest, scope all, Chinese), most requested first, then the same default
answers of the signed-in scopes the server keeps ready (:mod:`chainbrain.web.viewers`:
:func:`viewer_jobs`), the KPI figures of every period × region, the city and chain pages and the
disclosure patterns of the newest period. Every key is the one the endpoint uses, so a request
finds the answer (or joins its computation: single flight).
"""

from __future__ import annotations

from chainbrain.store.migrate import current_revision
from chainbrain.web import data, model, pages, profiles
from chainbrain.web.api import cockpit_full
from chainbrain.web.policy import cell_rule, disclosure_key, scope_key
from chainbrain.web.schemas import KPI, Cockpit, Health

ZH = "zh"


def _cockpit_plus(st, store, user) -> dict:
    """The default cockpit with targets, projection and alerts for ``user`` (None: anonymous), from
    the warmed parts when they are in (:func:`chainbrain.web.api.cockpit_full` otherwise)."""
    version, dk = st.versions.current(), disclosure_key(user)
    d = st.cache.lookup(version, ("cockpit", None, None, "all", dk))
    mon = st.cache.lookup(version, ("monitoring", None, None, "all"))
    al = st.cache.lookup(version, ("alerts", None))
    if not all(isinstance(x, dict) for x in (d, mon, al)):     # a part failed or the data moved on
        return cockpit_full(st, user, None, None, "all")
    mon = {**mon, "alerts": al["alerts"], "alerts_source": al["alerts_source"]}
    if not d.get("period"):
        return {**d, "targets": [], "projection": None, "alerts": [], "alerts_source": None}
    mon = model.protect_monitoring(store, mon, cell_rule(store, user, st.min_cell), None, "all")
    return {**d, "targets": mon["targets"], "projection": mon["projection"],
            "alerts": model.alerts_for(store, mon["alerts"], user), "alerts_source": mon["alerts_source"]}


def _essentials(st, store, user) -> list:
    """The default cockpit (page data and JSON), KPI (JSON) and chain list of ``user``'s scope."""
    dk, sk = disclosure_key(user), scope_key(user)
    rule = cell_rule(store, user, st.min_cell)
    return [
        (("cockpit", None, None, "all", dk), lambda: model.build(store, None, None, "all", rule)),
        (("json", "kpi", None, None, None, "all", dk),
         lambda: KPI.model_validate(model.kpi_record(store, None, None, None, "all", rule)).model_dump_json().encode()),
        (("chains", None, "all", ZH, sk), lambda: pages.chains_list(store, None, "all", rule, ZH)),
    ]


def _cockpit_jobs(st, store, user) -> list:
    dk, sk = disclosure_key(user), scope_key(user)
    return [(("cockpit+", None, None, "all", dk, sk), lambda: _cockpit_plus(st, store, user)),
            (("json", "cockpit+", None, None, "all", dk, sk),
             lambda: Cockpit.model_validate(_cockpit_plus(st, store, user)).model_dump_json().encode())]


def _pages(st, store, user, cities, chains) -> list:
    """The city pages and chain pages of ``user``'s scope (a city or county user: its own region's; a
    chain office: its own chain's; else every city's and chain's), then the city cockpits."""
    sk, rule = scope_key(user), cell_rule(store, user, st.min_cell)
    role = getattr(user, "role", None)
    regions = [user.region_code] if role in ("city", "county") and user.region_code else cities
    own_chains = [user.chain_code] if role == "chain_office" and user.chain_code else chains
    jobs = [(("region", code, None, "all", ZH, sk),
             lambda code=code: pages.region_page(store, code, None, "all", rule, user, ZH)) for code in regions]
    jobs += [(("chain", code, None, "all", ZH, sk),
              lambda code=code: pages.chain_page(store, code, None, "all", rule, user, ZH)) for code in own_chains]
    if user is None:
        jobs += [(("cockpit", None, code, "all", disclosure_key(None)),
                  lambda code=code: model.build(store, None, code, "all", rule)) for code in cities]
    return jobs


def viewer_jobs(st, store, user, full: bool = True) -> list:
    """The default answers of one signed-in scope (:mod:`chainbrain.web.viewers`), its pages with ``full``."""
    jobs = _essentials(st, store, user) + _cockpit_jobs(st, store, user)
    if full:
        jobs += _pages(st, store, user, [c["code"] for c in data.regions(store, "prefecture")],
                       [c["code"] for c in data.chains(store)])
    return jobs


def warm_up(st, store=None, full: bool = True) -> list[tuple[tuple, object]]:
    """What to precompute at start-up and after a data change, most requested first (module docstring)."""
    from chainbrain.analytics import alerts_stored, kpi_stored
    from chainbrain.analytics.kpi import latest_period
    from chainbrain.web.auth import read_store
    from chainbrain.web.disclosure import scopes
    from chainbrain.web.viewers import account_scopes

    store = store or st.store
    if st.warm_passes == 0:                      # every account's scope at start-up (web/viewers.py)
        st.viewers.seed(account_scopes(store))
    viewers = st.viewers.recent()
    cities = [c["code"] for c in data.regions(store, "prefecture")]
    chains = [c["code"] for c in data.chains(store)]
    jobs = [
        # the search index is read beside the warm-up, on the lock-free reader (first read ≈ 14 s of pinyin)
        (("search index",), lambda: st.search_index.start(read_store(st.store), st.versions.current())),
        *_essentials(st, store, None),
        (("json", "health"), lambda: Health.model_validate(
            {"status": "ok", "engine": store.kind,
             "pack": {k: v for k, v in (data.pack_meta(store) or {}).items() if k != "title"} or None,
             "schema_revision": current_revision(store)}).model_dump_json().encode()),
        (("monitoring", None, None, "all"), lambda: model.monitoring(store, None, None, "all", with_alerts=False)),
        (("alerts", None), lambda: model.period_alerts(store, None)),
        (("profile index",), lambda: profiles.build(st, store)),        # enterprise pages (web.profiles)
        *_cockpit_jobs(st, store, None),
    ]
    for user in viewers:                          # the signed-in scopes' default answers
        jobs += _essentials(st, store, user) + _cockpit_jobs(st, store, user)
    # the KPI figures of every period × region (one pass, analytics.kpi_stored: ≈ 10 s at province
    # scale), kept in the store at the current data — at start-up only when ``chainbrain compute`` did
    # not, and after every import, where only the periods whose inputs changed are recomputed and the
    # others moved to the new data key (analytics.kpi_rekey); the targets and projection of every pair
    # (≈ 2 min more) are left to ``chainbrain compute``
    figures = [(("kpi figures", "all"), lambda: kpi_stored.keep(store, force=False, monitoring=False)),
               # the alerts of every period (analytics.alerts_stored: ≈ 25 s at province scale, instead of
               # ≈ 2 s per period each time a user opens one after an import), unless kept at the current data
               (("alerts figures",), lambda: alerts_stored.keep(store, force=False))]
    # after a data change first: until the figures are kept at the new data, every period × region
    # answer is computed live (seconds under load) and the answers before them cost more; the default
    # answers have their earlier ones to be served meanwhile (web/stale.py)
    jobs = jobs[:1] + figures + jobs[1:] if st.warm_passes else jobs + figures
    if not full:
        return jobs
    jobs += _pages(st, store, None, cities, chains)
    for user in viewers:
        jobs += _pages(st, store, user, cities, chains)
    # last: every account's disclosure pattern of the newest period (kept by ``chainbrain compute``
    # or computed here once and kept), so that no one's first page waits for the audit
    label = latest_period(store)
    for key, user in (scopes(store).items() if label else ()):
        jobs.append((("disclosure scope", label, key),
                     lambda user=user: cell_rule(store, user, st.min_cell).pattern(label).cells))
    return jobs
