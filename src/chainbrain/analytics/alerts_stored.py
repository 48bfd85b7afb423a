"""The alerts of EVERY period at once, kept in the store at the current data (issue #20).

:func:`chainbrain.analytics.alerts.alerts` computes one period's alerts with about ten queries
(≈ 2 s at province scale, most of it compiling Ibis expressions); the server asked it again for
every period a user opened, and the load test spent 41 % of the server's interpreter lock there.
:func:`every_period` gives the same alerts for many periods from three passes:

- ``below_path``: the chain KPI records of each period and the two before it, from one
  :func:`chainbrain.analytics.kpi_stored.inputs` panel (:func:`~chainbrain.analytics.kpi_stored.chain_table`:
  the records ``kpi_table(P, by="chain")`` gives, made by the same code);
- ``loss_share_rising`` and ``city_share_shrinking``: the indicator records of every chain, the
  province and every city × chain of each period, from one
  :func:`chainbrain.analytics.panel.evaluate_periods` query (the same figures as
  :func:`~chainbrain.analytics.indicators.evaluate`, which its tests check on every engine);
- ``chain_master_drop``: per period as the live call (one small query each).

The rules themselves are the live ones (:func:`~chainbrain.analytics.alerts.below_path_of`,
:func:`~chainbrain.analytics.alerts.loss_share_of`, :func:`~chainbrain.analytics.alerts.city_share_of`),
applied to these inputs, so a kept period's alerts are the live call's (tested period by period).

:func:`keep` stores them as the kept figures ``(version, "alerts", P)`` — the name
:func:`chainbrain.web.model.period_alerts` reads — at the data key read BEFORE the pass
(:func:`chainbrain.store.patterns.data_key`; a change while it runs leaves them stale, never
served), with a marker saying every period is kept at that key.
"""

from __future__ import annotations

import time

from chainbrain.analytics import alerts as A
from chainbrain.periods import parse_period

#: the marker's name (after the version): every period's alerts are kept at its data key
MARKER = "alerts of every period"

#: what the alerts are computed from: the KPI figures' tables, the chain-master designations, the
#: enterprises' names and the chains' (unchanged, the kept alerts move to new data at once,
#: :mod:`chainbrain.store.figures_carry`; checked by perturbation, ``tests/test_figure_inputs.py``)
SOURCES = ("monthly_report", "enterprise_attr", "enterprise_segment", "industry", "region", "segment",
           "segment_chain", "sei_share", "price_index", "target", "pack_meta", "designation", "chain",
           "(SELECT id, name FROM enterprise)")


def every_period(store, periods: list[str] | None = None, progress=None) -> dict[str, list[dict]]:
    """``{period: alerts}`` of every period on file (or of ``periods``), each list as
    :func:`chainbrain.analytics.alerts.alerts` gives it (module docstring)."""
    from chainbrain.analytics import kpi_stored
    from chainbrain.analytics.panel import evaluate_periods

    labels = list(periods) if periods else kpi_stored.periods_on_file(store)
    ps = [parse_period(x) for x in labels]
    if not ps:
        return {}
    chains, regions = A.names(store)
    k = A.RULES["below_path"]["months"]
    need = sorted({q.label for p in ps for q in A.previous_periods(p, k)})
    if progress:
        progress(0, len(ps) + 2, "alerts: KPI sums")
    inp = kpi_stored.inputs(store, need)
    tables = {q.label: kpi_stored.chain_table(inp, q) for q in inp.ps}
    if progress:
        progress(1, len(ps) + 2, "alerts: indicators of every period")
    ev = evaluate_periods(store, ps, bys=("all", "chain", "city_chain"))
    out = {}
    for i, p in enumerate(ps):
        if progress:
            progress(i + 2, len(ps) + 2, f"alerts {p.label}")
        rows = ev[p.label]
        out[p.label] = (A.below_path_of(p, lambda q: tables[q.label], chains)
                        + A.chain_master_drop(store, p)
                        + A.loss_share_of(p, rows["chain"] + rows["all"][:1], chains)
                        + A.city_share_of(p, rows["city_chain"], chains, regions))
    return out


def _marker() -> tuple:
    import chainbrain

    return (chainbrain.__version__, MARKER)


def kept_at(store) -> dict | None:
    """The summary of the alerts of every period kept at the store's current data key, or None."""
    from chainbrain.store import figures
    from chainbrain.store.patterns import data_key

    return figures.load(store, _marker(), data_key(store))


def keep(store, periods: list[str] | None = None, progress=None, force: bool = True) -> dict:
    """Compute :func:`every_period` and keep each period's alerts as ``(version, "alerts", P)`` in one
    transaction (every period: the earlier keys' alerts replaced, and the marker written).
    ``force=False``: nothing is done when every period's alerts are kept at the current data
    (:func:`kept_at`; the server's warm-up), and they are moved to it when the rows they are computed
    from (:data:`SOURCES`) are unchanged. ``{"periods", "alerts", "seconds", "data_key", "computed"}``."""
    import chainbrain
    from chainbrain.store import figures, figures_carry

    if not force and periods is None:
        done = kept_at(store)
        if done is not None:
            return {**done, "computed": False}
        got = figures_carry.carried(store, _marker(), ((chainbrain.__version__, "alerts"),), (), list(SOURCES))
        if got is not None:                      # the rows they are computed from unchanged: moved
            return {**got, "computed": False}
    t0 = time.perf_counter()
    before = figures_carry.inputs_before(store, list(SOURCES))
    key = before[0]                              # before the pass: a change while it runs makes them stale
    found = every_period(store, periods, progress)
    version = chainbrain.__version__
    out = {"periods": len(found), "alerts": sum(map(len, found.values())), "data_key": key,
           "inputs": figures_carry.inputs_after(store, before)}
    named = {(version, "alerts", label): rows for label, rows in found.items()}
    if periods is None:
        named[_marker()] = out
    figures.save_many(store, named, key, replace=((version, "alerts"),) if periods is None else ())
    return {**out, "seconds": round(time.perf_counter() - t0, 2), "computed": True}
