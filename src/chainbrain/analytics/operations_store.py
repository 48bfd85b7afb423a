"""The department's indicator set (运行分析) in long form, for ``chainbrain compute`` (``indicator_value``).

:func:`long_operations` gives, for every period, the rows ``(period, basis, scope, by, key, indicator,
value, n)`` — the same columns as :func:`chainbrain.analytics.panel.long_values` — of every indicator
of :data:`~chainbrain.analytics.operations_registry.OPERATIONS_REGISTRY`:

- per record of :func:`chainbrain.analytics.operations.operations_many` (YTD basis, one query per
  period) for the groupings :data:`GROUPINGS` (``all``, ``chain``, ``city``, ``county``,
  ``city_chain`` as the core indicators, plus ``division`` and ``size``): the amounts with
  ``_base`` / ``_yoy``, the ratios with ``_base`` / ``_change``, 亏损企业亏损额, the turnover days,
  electricity; ``n`` = the record's ``<indicator>_n``;
- for the scope's total (``by = all``, key ``all``): 增长面 ``growth_breadth`` (over the ``division``
  records, :func:`chainbrain.analytics.breakdowns.growth_breadth`, n = divisions counted) and the
  high-tech / equipment shares and growth (:func:`~chainbrain.analytics.breakdowns.structure_of`);
- for cities and counties: ``rank`` by comparable value-added growth
  (:func:`~chainbrain.analytics.breakdowns.rank`, n = the growth's ``_n``).

Values are the analytics' own (unsuppressed, like the core indicators in ``indicator_value``);
pages withhold what their viewer may not see. A value that does not exist is NaN (NULL in the store).
"""

from __future__ import annotations

import math

import pandas as pd

from chainbrain.analytics.breakdowns import growth_breadth, rank, structure_of
from chainbrain.analytics.operations import operations_many
from chainbrain.analytics.operations_registry import OPERATIONS_REGISTRY
from chainbrain.periods import parse_period

GROUPINGS = ("all", "chain", "city", "county", "city_chain", "division", "size")
COLUMNS = ("period", "basis", "scope", "by", "key", "indicator", "value", "n")
#: computed from several records (the breakdowns), not from one record's fields
DERIVED = ("growth_breadth", "rank") + tuple(k for k in OPERATIONS_REGISTRY
                                             if k.startswith(("hightech_", "equipment_")))
PER_RECORD = tuple(k for k in OPERATIONS_REGISTRY if k not in DERIVED)


def _num(x) -> float:
    return math.nan if x is None else float(x)


def period_rows(store, period, scope: str = "all") -> list[tuple]:
    """The long rows of one period (module docstring)."""
    p = parse_period(period) if isinstance(period, str) else period
    g = operations_many(store, p, GROUPINGS + ("hightech", "equipment"), scope=scope)
    out: list[tuple] = []
    head = (p.label, "ytd", scope)
    for by in GROUPINGS:
        for r in g[by]:
            out += [(*head, by, r["key"], k, _num(r.get(k)), int(r.get(f"{k}_n") or 0))
                    for k in PER_RECORD if k in r]
    gb = growth_breadth(g["division"])
    out.append((*head, "all", "all", "growth_breadth", _num(gb["growth_breadth"]), gb["growth_breadth_n"]))
    st = structure_of(g["all"], g["hightech"], g["equipment"])
    out += [(*head, "all", "all", k, _num(st.get(k)), int(st.get(f"{k}_n") or 0))
            for k in DERIVED if k in st]
    for by in ("city", "county"):
        for r in rank(g[by], "value_added_yoy", "value_added_yoy_n"):
            out.append((*head, by, r["key"], "rank", _num(r["rank"]), r["rank_n"]))
    return out


def long_operations(store, periods, scope: str = "all", progress=None) -> pd.DataFrame:
    """:func:`period_rows` of every period, as one frame with :data:`COLUMNS`."""
    rows: list[tuple] = []
    for i, p in enumerate(periods, start=1):
        rows += period_rows(store, p, scope)
        if progress:
            progress(i, len(periods))
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["value"] = df["value"].astype("float64")
    df["n"] = df["n"].astype("int64")
    return df


__all__ = ["long_operations", "period_rows", "GROUPINGS", "PER_RECORD", "DERIVED"]
