"""What the web's chain, city and cockpit answers read, declared so that they outlive a change elsewhere (#20).

After a data change every cached answer was computed again (:meth:`chainbrain.web.state.WebState.carry_over`
kept them only when *nothing* an answer may read had changed). A registry correction — one
enterprise's employee count, the load test's import — changes none of the rows these answers are
computed from, yet the re-warm rebuilt every chain and city page of every warm scope (11.5 s of
DuckDB at province scale without load, 28 s under it; 45 s on PostgreSQL).

:data:`SOURCES` lists the tables (whole) and the enterprise columns the answers of
:data:`FAMILIES` read — the pages themselves, the KPI and alert figures kept for them
(:data:`chainbrain.analytics.kpi_rekey.SOURCES`, :data:`chainbrain.analytics.alerts_stored.SOURCES`)
and the disclosure patterns (:data:`chainbrain.analytics.suppression_inputs.SOURCES`), every one a
subset. Equal :func:`key` before and after a change means equal answers for every viewer, period and
parameter, so the answers of these families computed before it are the current ones
(:meth:`chainbrain.web.cache.ResultCache.adopt` with ``only``). ``tests/test_answer_inputs.py``
computes every warm-up answer of these families on the tiny demo for every scope, changes every
undeclared table and column, and checks each answer is unchanged; a read this list missed fails it.
"""

from __future__ import annotations

#: the answers carried (a cache key's first part; the JSON twin's second): cockpit, KPI, chain list,
#: chain page, city / county page, monitoring figures and a period's alerts
FAMILIES = frozenset({"cockpit", "cockpit+", "kpi", "chains", "chain", "region", "monitoring", "alerts"})

#: tables read whole, and the enterprise registry's columns read (the cockpit's demo banner: ``is_demo``; not
#: the employee count, address, legal representative …)
SOURCES = ("monthly_report", "annual_report", "enterprise_attr", "enterprise_segment", "enterprise_scale",
           "designation", "industry", "region", "segment", "segment_chain", "chain", "park", "sei_share",
           "price_index", "target", "pack_meta",
           "(SELECT id, uscc, name, region_code, industry_code, is_demo FROM enterprise)")


def family(key: tuple) -> str | None:
    """The family of a cache key: its first part, or the second of a JSON twin ``("json", …)``."""
    if not key:
        return None
    head = key[1] if key[0] == "json" and len(key) > 1 else key[0]
    return head if isinstance(head, str) else None


def carried(key: tuple) -> bool:
    """Whether the answer under ``key`` is one of :data:`FAMILIES`."""
    return family(key) in FAMILIES


def key(store) -> str | None:
    """The fingerprint of :data:`SOURCES` (:func:`chainbrain.store.content.sources_key`); None when it
    cannot be read (an engine without row hashes, an old schema)."""
    from chainbrain.store.content import sources_key

    return sources_key(store, list(SOURCES))
