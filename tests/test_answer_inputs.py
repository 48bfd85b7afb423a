"""The cockpit, KPI, chain and city answers outlive a change that none of their declared inputs sees (#20).

``web/answer_inputs.SOURCES`` declares what the answers of ``FAMILIES`` read; after a data change the
server keeps those answers (``WebState.carry_over``) when the fingerprint of the declared rows is
unchanged. A read not declared would keep answers that are no longer right, so on the tiny demo,
for the anonymous public viewer and every demo account's scope:

- every warm-up answer of those families, plus other periods, a county, a page of a city's
  enterprises, a chain seen from a city, a chain's KPI in a county and a city's full cockpit, is computed; then every undeclared table is emptied and every undeclared column changed (the kept
  figures and disclosure patterns deleted), and every answer computed again is equal;
- a registry correction (an employee count) keeps those answers in a running server's cache without
  computing them, equal to a fresh computation, and computes the others again; a revenue correction
  keeps none.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from chainbrain.web import answer_inputs, model, pages
from chainbrain.web.cache import MISSING
from chainbrain.web.policy import cell_rule, disclosure_key, scope_key
from perturb import batch, change_outside, declared_tables, fresh, store, tiny_db  # noqa: F401 — fixtures


def _state(store, accounts: bool = True):
    """A server's state over ``store`` (no warm-up thread; its own empty cache), with the demo accounts."""
    from chainbrain.web.demo_users import create_demo_users
    from chainbrain.web.state import WebState

    if accounts:
        create_demo_users(store)
    return WebState(store=store, public_aggregates=True, warm=False)


def _users(store) -> list:
    from chainbrain.web.viewers import account_scopes

    return [None] + account_scopes(store)


def _jobs(st, store, users) -> list:
    """The warm-up's jobs of the carried families, and answers a request computes with other parameters
    for each of ``users`` (read before the accounts are changed)."""
    from chainbrain.web import data
    from chainbrain.web.api import cockpit_full
    from chainbrain.web.paging import Paging
    from chainbrain.web.warmup import warm_up

    jobs = [(k, c) for k, c in warm_up(st, store) if answer_inputs.carried(k)]
    county = data.regions(store, "county")[0]["code"]
    city, chain = data.regions(store, "prefecture")[0]["code"], data.chains(store)[0]["code"]
    paged = Paging(limit=7, offset=3, sort="name", prefix="ents_")
    jobs += [(("monitoring", "2025-06", city, "all"), lambda: model.monitoring(store, "2025-06", city, "all")),
             (("alerts", "2025-09"), lambda: model.period_alerts(store, "2025-09"))]
    for user in users[:3]:          # the public viewer, the province and one more scope (each a minute on CI)
        rule, sk, dk = cell_rule(store, user, st.min_cell), scope_key(user), disclosure_key(user)
        jobs += [
            (("region", county, "2025-12", "all", "zh", sk),
             lambda u=user, r=rule: pages.region_page(store, county, "2025-12", "all", r, u, "zh")),
            (("region", city, "2026-03", "all", 7, 3, "name", True, "en", sk),      # a page of its enterprises
             lambda u=user, r=rule: pages.region_enterprise_page(
                 store, pages.region_page(store, city, "2026-03", "all", r, u, "en"), r, u, "en", paged, True)),
            (("chain", chain, "2026-03", "manufacturing", "zh", sk, city),
             lambda u=user, r=rule: pages.chain_page(store, chain, "2026-03", "manufacturing", r, u, "zh", city)),
            (("chains", "2025-12", "manufacturing", "en", sk),
             lambda r=rule: pages.chains_list(store, "2025-12", "manufacturing", r, "en")),
            (("cockpit", "2025-06", city, "all", dk), lambda r=rule: model.build(store, "2025-06", city, "all", r)),
            (("kpi", "2025-06", chain, county, "all", dk),
             lambda r=rule: model.kpi_record(store, "2025-06", chain, county, "all", r)),
            (("cockpit+", "2025-06", city, "all", dk, sk), lambda u=user: cockpit_full(st, u, "2025-06", city, "all")),
        ]
    return jobs


def _rounded(value):
    """Floats to 12 significant digits: a sum over the engine's rows in another order (the rows rewritten
    by the changes) differs in the last binary digit (261087888.61 and 261087888.60999998)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def _canon(value) -> str:
    if isinstance(value, bytes):
        value = json.loads(value)
    value = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return json.dumps(_rounded(value), sort_keys=True, ensure_ascii=False)


def _answers(store, users) -> dict:
    fresh(store)
    with store.engine.begin() as c:                  # the figures and patterns kept per data key: computed again
        c.execute(sa.text("DELETE FROM cockpit_figure"))
        c.execute(sa.text("DELETE FROM disclosure_pattern"))
    st = _state(store, accounts=False)               # nothing cached from before
    st.viewers.seed(users[1:])                       # the scopes as before the accounts were changed
    st.warm_passes = 1                               # (warm_up seeds them from the accounts at its first pass)
    return {k: _canon(c()) for k, c in _jobs(st, store, users)}


def test_the_declaration_is_a_subset_of_the_schema_and_covers_the_kept_figures():
    from chainbrain.analytics import alerts_stored, kpi_rekey, suppression_inputs

    declared = declared_tables(answer_inputs.SOURCES)
    for table in [*kpi_rekey.SOURCES, *alerts_stored.SOURCES, *(t for t, _, _ in suppression_inputs.SOURCES)]:
        name = table if table in declared else declared_tables([table]).popitem()[0]
        assert name in declared, table
    assert answer_inputs.family(("json", "chain", "NE")) == "chain"
    assert answer_inputs.carried(("region", "360100")) and not answer_inputs.carried(("profile index",))


def test_answers_are_unchanged_by_everything_outside_the_declaration(store):
    _state(store)
    users = _users(store)
    before = _answers(store, users)
    families = {answer_inputs.family(k) for k in before}
    assert families == set(answer_inputs.FAMILIES), families ^ set(answer_inputs.FAMILIES)
    assert len(before) > 40
    touched = change_outside(store, answer_inputs.SOURCES)
    assert {"enterprise", "supply_link", "user_account"} <= set(touched)
    after = _answers(store, users)
    assert after.keys() == before.keys()
    bad = [k for k in before if after[k] != before[k]]
    assert not bad, bad[:3]


def _cache_jobs(st, store) -> dict:
    """Every warm-up answer cached at the current version, as the warm-up puts them."""
    from chainbrain.web.warmup import warm_up

    version, out = st.versions.current(), {}
    for key, compute in warm_up(st, store):
        if key[0] in ("search index", "profile index"):
            continue
        value = compute()
        st.cache.put(version, key, value, hot=True)
        out[key] = value
    return out


def test_a_registry_correction_keeps_the_answers_a_revenue_correction_does_not(store):
    st = _state(store)
    fresh(store)
    st.versions.refresh()
    cached = _cache_jobs(st, store)
    basis = st._basis(store)
    assert basis is not None and basis[2] is not None
    batch(store, 900, "UPDATE enterprise SET employees = coalesce(employees, 0) + 1 "
                       "WHERE id = (SELECT min(id) FROM enterprise)")
    st.invalidate()
    st.versions.refresh()
    assert st.carry_over(store, basis) == 0                  # something read changed: not everything carried
    now = st.versions.current()
    assert now != basis[0]
    kept = {k for k in cached if st.cache.lookup(now, k) is not MISSING}
    assert kept == {k for k in cached if answer_inputs.carried(k)} and len(kept) > 20
    assert st.carried == len(kept)
    again = {k: _canon(c()) for k, c in _jobs(_state(store, accounts=False), store, _users(store)) if k in kept}
    assert again and all(again[k] == _canon(st.cache.lookup(now, k)) for k in again)

    basis = st._basis(store)
    batch(store, 901, "UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1000 "
                       "WHERE enterprise_id = (SELECT min(enterprise_id) FROM monthly_report)")
    st.invalidate()
    st.versions.refresh()
    carried = st.carried
    assert st.carry_over(store, basis) == 0
    assert st.carried == carried
    assert all(st.cache.lookup(st.versions.current(), k) is MISSING for k in kept)
