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
import itertools
from dataclasses import dataclass

import numpy as np

from chainbrain.analytics.gcpause import paused
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
    """:func:`_pattern` with the garbage collector paused (:mod:`chainbrain.analytics.gcpause`)."""
    with paused():
        return _pattern(u, visible, min_cell, force)


def _pattern(u: Universe, visible: frozenset | None, min_cell: int = MIN_CELL, force=frozenset()) -> Pattern:
    """The withheld cells for a viewer who sees ``visible`` enterprises individually
    (``None``: every enterprise, e.g. the province administrator — nothing is withheld); ``force``:
    cells to withhold besides the primary ones (:mod:`chainbrain.analytics.suppression_audit`)."""
    if visible is None or min_cell <= 1:
        return Pattern(u.period, min_cell, frozenset(), frozenset(), frozenset(u.sets), len(u.sets))
    rule = Rule(u, visible, min_cell)
    rule.withhold({rule.idx[k] for k in force if k in rule.idx})
    rule.close()
    return rule.result()


class Rule:
    """The rule of the module docstring for one viewer, as a state that can grow: :meth:`withhold`
    more cells, then :meth:`close` from the relations they touch (the audit's repair does so).

    Relations are examined in their order, then again whenever one of their members is withheld
    (a queue); a relation none of whose members is withheld and whose rest is not sensitive
    cannot need anything and is passed over at its turn. Only counts of unseen enterprises and the
    sets of the small ones (fewer than ``min_cell``) are needed: a union with a member of
    ``min_cell`` or more unseen enterprises is not sensitive (:func:`unseen_counts`). Cells are
    numbers (:func:`_index`); ``hidden`` holds the withheld ones with unseen enterprises."""

    def __init__(self, u: Universe, visible: frozenset, min_cell: int = MIN_CELL, allowed=None):
        """``allowed``: the cells (numbers) the rule may withhold beyond the primary ones and those
        it is given (None: any) — e.g. only breakdown cells on top of a published pattern."""
        self.u, self.min_cell, self.allowed = u, min_cell, allowed
        self.ix = ix = _index(u)
        self.cells, self.idx, self.members, self.rels_of = ix["cells"], ix["idx"], ix["members"], ix["rels_of"]
        self.values = ix["values"]
        self.count, self.small = unseen_counts(ix["cell_sets"], visible, min_cell)
        self.rcount, self.rsmall = unseen_counts(ix["residuals"], visible, min_cell)
        self.primary = {i for i, n in enumerate(self.count) if self.sensitive(n)}
        self.hidden: set = set()
        self.touched: set = set()                  # relations with a withheld member
        self.withhold(self.primary)
        self._names: dict = {}

    def sensitive(self, n: int) -> bool:
        return 0 < n < self.min_cell

    def withhold(self, cells) -> None:
        for k in cells:
            if self.count[k] and k not in self.hidden:
                self.hidden.add(k)
                self.touched.update(self.rels_of[k])

    def _name(self, k) -> str:
        if k not in self._names:
            self._names[k] = str(self.cells[k])
        return self._names[k]

    def close(self, todo=None) -> set:
        """Run the queue from ``todo`` (relation indices; all when None) to the fixed point; the
        cells it withheld."""
        count, small, rcount, rsmall = self.count, self.small, self.rcount, self.rsmall
        hidden, touched, members, min_cell = self.hidden, self.touched, self.members, self.min_cell
        sensitive = self.sensitive
        todo = collections.deque(range(len(members)) if todo is None else sorted(todo))
        queued = set(todo)
        added = set()
        while todo:
            i = todo.popleft()
            queued.discard(i)
            rn = rcount[i]
            if i not in touched and not sensitive(rn):
                continue                                 # nothing withheld and a safe rest: nothing to do
            ms = members[i]
            parent = ms[0]
            unknown = [k for k in ms if k >= 0 and k in hidden]
            n = len(unknown) + (1 if rn else 0)
            need = False
            if n == 1:
                need = bool(unknown) or sensitive(rn)
            elif n >= 2 and parent not in unknown:
                if rn < min_cell and all(count[k] < min_cell for k in unknown):
                    union = set(rsmall.get(i, ()))
                    for k in unknown:
                        union |= small[k]
                    need = sensitive(len(union))
            if not need:
                continue
            choices = [k for k in ms if k >= 0 and k not in hidden and count[k]
                       and (self.allowed is None or k in self.allowed)]
            if not choices:
                continue                      # nothing left to withhold here (the audit decides)
            pick = min(choices, key=lambda k: (k == parent, self.values[k], self._name(k)))
            self.withhold((pick,))
            added.add(pick)
            for j in self.rels_of[pick] + [i]:
                if j not in queued:
                    todo.append(j)
                    queued.add(j)
        return added

    def result(self) -> Pattern:
        cells = self.cells
        known = frozenset(cells[i] for i, n in enumerate(self.count) if not n)
        return Pattern(self.u.period, self.min_cell, frozenset(cells[i] for i in self.primary),
                       frozenset(cells[i] for i in self.hidden), known, len(self.u.sets))


def _index(u: Universe) -> dict:
    """The viewer-independent part of :func:`pattern` for ``u`` (cell numbers, each relation's
    members as numbers, the relations of each cell, costs, the sets as flat arrays), kept in
    ``u.index`` until cells or relations are added."""
    sig = (len(u.sets), len(u.relations))
    if u.index.get("sig") != sig:
        cells = list(u.sets)
        idx = {k: i for i, k in enumerate(cells)}
        members = [(idx.get(r.parent, -1),) + tuple(idx[k] for k in r.children) for r in u.relations]
        rels_of = collections.defaultdict(list)
        for i, ms in enumerate(members):
            for k in ms:
                if k >= 0:
                    rels_of[k].append(i)
        u.index.clear()
        u.index.update(sig=sig, cells=cells, idx=idx, members=members, rels_of=rels_of,
                       values=[u.values.get(k, 0.0) for k in cells], cell_sets=_Sets([u.sets[k] for k in cells]),
                       residuals=_Sets([r.residual for r in u.relations]))
    return u.index


class _Sets:
    """A list of enterprise sets, with their members as one flat array (built on first use)."""

    def __init__(self, sets: list):
        self.sets = sets
        self._flat = None

    def flat(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sizes, members, owner): all members in set order and the set number of each."""
        if self._flat is None:
            sizes = np.fromiter((len(x) for x in self.sets), dtype=np.int64, count=len(self.sets))
            members = np.fromiter(itertools.chain.from_iterable(self.sets), dtype=np.int64, count=int(sizes.sum()))
            if members.max(initial=0) < 2**31:     # half the memory: the arrays are kept with the universe
                members = members.astype(np.int32)
            self._flat = (sizes, members, np.repeat(np.arange(len(self.sets), dtype=np.int32), sizes))
        return self._flat


def unseen_counts(sets: _Sets, visible: frozenset, min_cell: int) -> tuple[list[int], dict]:
    """For each set: how many of its enterprises the viewer does not see (``visible``: those it
    sees), and, for the sets with 1 … ``min_cell`` − 1 unseen, those enterprises (index → frozenset).
    One vectorized membership test over all members."""
    if not visible:
        count = [len(x) for x in sets.sets]
        return count, {i: x for i, (x, n) in enumerate(zip(sets.sets, count)) if 0 < n < min_cell}
    sizes, flat, owner = sets.flat()
    vis = np.fromiter(visible, dtype=np.int64, count=len(visible))
    top = int(max(flat.max(initial=0), vis.max(initial=0)))
    if top < 50_000_000:                           # enterprise ids are dense: a lookup table
        table = np.zeros(top + 1, dtype=bool)
        table[vis] = True
        seen = table[flat]
    else:
        seen = np.isin(flat, vis)
    count = np.bincount(owner[~seen], minlength=len(sizes))
    few = np.flatnonzero((count > 0) & (count < min_cell))
    small = {}
    if len(few):
        starts = np.r_[0, np.cumsum(sizes)]
        for i in few.tolist():
            a, b = starts[i], starts[i + 1]
            small[i] = frozenset(flat[a:b][~seen[a:b]].tolist())
    return count.tolist(), small


def share_report(store, period: str, min_cell: int = MIN_CELL) -> dict:
    """Cells, primary and secondary suppressions for an anonymous viewer (docs: the measured share)."""
    pat = pattern(universe(store, period), frozenset(), min_cell)
    out = pat.stats()
    by = collections.Counter(k[0] for k in pat.hidden - pat.primary)
    out["secondary_by_measure"] = dict(by)
    out["period"] = period
    return out


__all__ = ["MIN_CELL", "MEASURES", "Relation", "Universe", "Pattern", "Rule", "universe", "pattern", "share_report", "FIELDS",
           "INDEX_FIELDS", "_target_base_year"]
