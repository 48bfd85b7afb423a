"""The cockpit's figures served from the store while the data are the same (issue #23).

The cockpit's inputs — the KPI record of the region, the KPI tables by city / county / chain and
the targets and projection (:func:`chainbrain.web.model.monitoring`) — are analytics results
that do not depend on the viewer: disclosure control is applied to them afterwards, on every
request, exactly as to a live computation. :func:`figure` returns the figure kept in the store
(:mod:`chainbrain.store.figures`) when it was computed at the current data key (the digest of
the data counters, :func:`chainbrain.store.patterns.data_key` — any import, correction or pack
load changes it) and by this version of ChainBrain; otherwise it computes the figure live and,
for the default view (the newest period), keeps it for the next request and process.

``chainbrain compute`` keeps the default period's figures of the province and of every city
(:func:`precompute`); the server's warm-up after an import keeps the province's by computing it.
The KPI figures of EVERY period × region, and (``compute``) their targets and projection, are
kept by one pass in the analytics (:mod:`chainbrain.analytics.kpi_stored`) under the same names:
:func:`figure` finds them the same way.
"""

from __future__ import annotations

import contextvars
import logging

import chainbrain
from chainbrain.store import figures

log = logging.getLogger(__name__)

#: a data key: figures are read as kept at that key (the data from before an import, web/stale.py), None: now
AS_OF: contextvars.ContextVar = contextvars.ContextVar("chainbrain_kept_as_of", default=None)


class NotKept(Exception):
    """An answer "as of" an earlier data key needs something not kept at that key: it cannot be given."""


def before_key(store, scope: str = "all") -> str | None:
    """The data key the figures of every period × region were last kept at (the marker row of
    :mod:`chainbrain.analytics.kpi_stored`), or None."""
    from chainbrain.analytics.kpi_stored import _marker
    from chainbrain.store import figures

    try:
        return figures.key_of(store, _marker(scope))
    except Exception:                                    # noqa: BLE001 — no table (old schema)
        return None


def _data_key(store) -> str:
    """The data key, read once per data version (shared with the disclosure patterns' cache)."""
    from chainbrain.web.disclosure import cache_version

    return cache_version(store)[1]


def figure(store, name: tuple, compute, keep: bool):
    """The figure ``name`` (a tuple of plain values) kept at the current data, else ``compute()``
    (kept when ``keep``; best effort: a read-only store keeps nothing)."""
    name = (chainbrain.__version__,) + tuple(name)
    as_of = AS_OF.get()
    if as_of is not None:                                # the figure as kept before the data changed, or nothing
        value = figures.load(store, name, as_of)
        if value is None:
            raise NotKept(name)
        return value
    try:
        key = _data_key(store)
        value = figures.load(store, name, key)
    except Exception:                                    # noqa: BLE001 — no table (old schema): compute
        log.debug("no kept cockpit figure", exc_info=True)
        key, value = None, None
    if value is not None:
        return value
    value = compute()
    if keep and key is not None:
        try:
            if not figures.save(store, name, key, value):
                log.info("cockpit figure %s is not plain data: not kept", name)
        except Exception:                                # noqa: BLE001
            log.info("cockpit figure not kept (read-only store?)", exc_info=True)
    return value


def precompute(store, period: str | None = None, progress=None, regions: list | None = None) -> list[dict]:
    """Compute and keep the cockpit's figures of ``period`` (default the newest) for the province
    and every city (scope ``all``, the default view): what ``chainbrain compute`` runs so that the
    first visitor reads them; figures already kept at the current data are left as they are.
    ``regions``: only these (None in the list: the province). [{region, seconds}]"""
    import time

    from chainbrain.web import data, model
    from chainbrain.web.disclosure import Guard

    everyone = Guard(store, None, 1)              # no disclosure here: the figures are kept before it
    if regions is None:
        regions = [None] + [c["code"] for c in data.regions(store, "prefecture")]
    out = []
    for i, code in enumerate(regions):
        if progress:
            progress(i, len(regions), f"cockpit {code or 'province'}")
        t0 = time.perf_counter()
        model.build(store, period, code, "all", everyone, keep=True)
        model.monitoring(store, period, code, "all", with_alerts=False, keep=True)
        out.append({"region": code or "province", "seconds": round(time.perf_counter() - t0, 1)})
    if progress:
        progress(len(regions), len(regions), "cockpit")
    return out
