"""Complementary (secondary) cell suppression: one pattern per viewer scope and period.

Primary rule (Statistics Law; DESIGN.md §4): a figure built from fewer than
``min_cell`` (3) enterprises the viewer cannot see individually is withheld.
Withholding those cells alone is not enough: a published parent minus its
published children gives the hidden child back (a city minus its other
counties, scope ``all`` minus ``manufacturing``, revenue minus comparable
revenue = the entrants). Statistical offices therefore suppress further cells
(τ-ARGUS, sdcTable: "secondary suppression" over the table's linear
relations). This module does it with a simple rule that can be checked.

**Cells.** Every figure the KPI record family can show is a sum over a set of
enterprises: cell = (measure, chain|None, region|None, scope) with measures

- ``cur``  Σ revenue YTD of the current sample (``revenue_ytd_yuan``),
- ``cc``   comparable current (``comparable_current_yuan``; the comparable set),
- ``cb``   comparable base (``comparable_base_yuan``; same set, prior values),
- ``prev`` Σ revenue of the previous-year sample (``revenue_ytd_prev_yuan``),
- ``base`` Σ revenue of the base-year sample behind target paths (``target_path_yuan``),

each on the membership (region, chain, industry class) of its own date, as
:mod:`chainbrain.analytics.kpi` computes them; plus the chain page's segment
cells ``("seg", chain, segment, scope)`` (current sample, province), and the operations page's
breakdown cells ``("ops", measure, group, chain, region, scope)`` with their relations
(:mod:`chainbrain.analytics.suppression_ops`: divisions, size classes, high-tech / equipment).

**Relations** (parent = Σ children + residual; the residual is never published
and is built from the enterprises whose net coefficient is not 0):

- region: province = Σ cities; city = Σ its counties (per measure, chain, scope);
- scope: ``all`` = ``manufacturing`` + the rest (sections B, D);
- inside a record: ``cur`` = ``cc`` + entrants; ``prev`` = ``cb`` + exits (and
  revisions of the prior value);
- chain → its top segments → their sub-segments (a firm in k segments counts k times).

**Rule** (iterated to a fixed point, per viewer; ``unseen(x)`` = enterprises of
x the viewer cannot see individually — cells with none are known to the viewer
anyway and are never withheld):

1. primary: withhold x when 0 < |unseen(x)| < min_cell;
2. in every relation let U be its unknown members (withheld cells with unseen
   enterprises, and the residual when it has any). If |U| = 1 and that member
   is a withheld cell or a sensitive residual, it could be recovered; if the
   parent is known and the unknown children together (their union of unseen
   enterprises) number 1 … min_cell − 1, their sum is sensitive. In both cases
   also withhold the published member with the smallest value (a child before
   the parent), then re-check every relation that member belongs to.

Suppression only grows, so the iteration ends. At the fixed point, every
relation with a withheld cell has ≥ 2 unknown members and the sum the
relation reveals (parent − Σ known children) covers 0 or ≥ min_cell unseen
enterprises; every derived field (growth rates, ratios, status, the target
index) is withheld with any sum it is computed from.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from chainbrain.analytics.suppression_cells import MEASURES, Relation, Universe, _target_base_year, universe

MIN_CELL = 3

#: KPI fields → the measures (sums) each is computed from
FIELDS = {
    "revenue_ytd_yuan": ("cur",),
    "comparable_current_yuan": ("cc",),
    "comparable_base_yuan": ("cb",),
    "revenue_ytd_prev_yuan": ("prev",),
    "target_path_yuan": ("base",),
    "yoy_naive": ("cur", "prev"),
    "yoy_comparable": ("cc", "cb"),
    "target_ratio_level": ("cur", "base"),
    "target_status_level": ("cur", "base"),
}
#: fields derived from the chained comparable index (helper *targets*' contract): withheld when
#: ``target_index_count`` is small or the current year's comparable growth is withheld
INDEX_FIELDS = ("target_ratio", "target_status", "target_index_comparable", "target_required_growth",
                "target_required_growth_rest_of_year")
#: before the comparable index exists, target_ratio / target_status are the level ones
LEVEL_TARGET = ("target_ratio", "target_status")


@dataclass
class Pattern:
    """The withheld cells for one viewer and period (``hidden`` ⊇ ``primary``)."""
    period: str
    min_cell: int
    primary: frozenset
    hidden: frozenset
    unseen_empty: frozenset     # cells the viewer knows from the enterprises it sees
    cells: int                  # cells with at least one enterprise

    def hidden_measures(self, chain, region, scope) -> set[str]:
        return {m for m in MEASURES if (m, chain, region, scope) in self.hidden}

    def fields(self, rec: dict, chain, region, scope) -> list[str]:
        """The fields of a KPI record for cell (chain, region, scope) to withhold, in record order."""
        gone = self.hidden_measures(chain, region, scope)
        out = {f for f, ms in FIELDS.items() if gone & set(ms)}
        if "target_index_count" in rec:
            n = int(rec.get("target_index_count") or 0)
            known = ("cur", chain, region, scope) in self.unseen_empty
            if (0 < n < self.min_cell and not known) or gone & {"cc", "cb"}:
                out |= set(INDEX_FIELDS)
        elif gone & {"cur", "base"}:
            out |= set(LEVEL_TARGET)
        return [f for f in rec if f in out]

    def segment_hidden(self, chain, segment, scope) -> bool:
        return ("seg", chain, segment, scope) in self.hidden

    def stats(self) -> dict:
        n = max(self.cells, 1)
        return {"cells": self.cells, "primary": len(self.primary), "secondary": len(self.hidden - self.primary),
                "primary_share": len(self.primary) / n, "secondary_share": len(self.hidden - self.primary) / n}


# ---------------------------------------------------------------- the pattern of one viewer
def pattern(u: Universe, visible: frozenset | None, min_cell: int = MIN_CELL, force=frozenset()) -> Pattern:
    """The withheld cells for a viewer who sees ``visible`` enterprises individually
    (``None``: every enterprise, e.g. the province administrator — nothing is withheld); ``force``:
    cells to withhold besides the primary ones (:mod:`chainbrain.analytics.suppression_audit`)."""
    if visible is None or min_cell <= 1:
        return Pattern(u.period, min_cell, frozenset(), frozenset(), frozenset(u.sets), len(u.sets))
    unseen = {k: (v - visible) if visible else v for k, v in u.sets.items()}

    def sensitive(n: int) -> bool:
        return 0 < n < min_cell

    primary = {k for k, v in unseen.items() if sensitive(len(v))}
    hidden = set(primary) | {k for k in force if unseen.get(k)}
    rels_of = collections.defaultdict(list)
    for i, r in enumerate(u.relations):
        rels_of[r.parent].append(i)
        for k in r.children:
            rels_of[k].append(i)
    res_unseen = [(r.residual - visible) if visible else r.residual for r in u.relations]
    todo = collections.deque(range(len(u.relations)))
    queued = set(todo)
    while todo:
        i = todo.popleft()
        queued.discard(i)
        r, ru = u.relations[i], res_unseen[i]
        members = (r.parent,) + r.children
        unknown = [k for k in members if k in hidden and unseen.get(k)]
        n = len(unknown) + (1 if ru else 0)
        need = False
        if n == 1:
            need = bool(unknown) or sensitive(len(ru))
        elif n >= 2 and r.parent not in unknown:
            union = set(ru)
            for k in unknown:
                union |= unseen[k]
            need = sensitive(len(union))
        if not need:
            continue
        choices = [k for k in members if k not in hidden and unseen.get(k)]
        if not choices:
            continue                      # nothing left to withhold here (the audit in the tests checks)
        pick = min(choices, key=lambda k: (k == r.parent, u.values.get(k, 0.0), str(k)))
        hidden.add(pick)
        for j in rels_of[pick] + [i]:
            if j not in queued:
                todo.append(j)
                queued.add(j)
    known = frozenset(k for k, v in unseen.items() if not v)
    return Pattern(u.period, min_cell, frozenset(primary), frozenset(hidden), known, len(u.sets))


def share_report(store, period: str, min_cell: int = MIN_CELL) -> dict:
    """Cells, primary and secondary suppressions for an anonymous viewer (docs: the measured share)."""
    pat = pattern(universe(store, period), frozenset(), min_cell)
    out = pat.stats()
    by = collections.Counter(k[0] for k in pat.hidden - pat.primary)
    out["secondary_by_measure"] = dict(by)
    out["period"] = period
    return out


__all__ = ["MIN_CELL", "MEASURES", "Relation", "Universe", "Pattern", "universe", "pattern", "share_report", "FIELDS",
           "INDEX_FIELDS", "_target_base_year"]
