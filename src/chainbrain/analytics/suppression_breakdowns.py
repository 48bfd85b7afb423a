"""The operations page's breakdown tables in the viewer's one suppression pattern, audited exactly.

The 运行分析 page splits the scope's KPI cell three ways at once (41 divisions, size classes,
high-tech / equipment), each along the region tree, both industry scopes and the in-record
relation ``cur = cc + entrants`` (cells and relations: :mod:`chainbrain.analytics.suppression_ops`).
Overlapping partitions defeat the one-relation rule of :func:`chainbrain.analytics.suppression.pattern`:
a withheld cell can be a *bridge* of the table — every relation through it has two unknowns, yet
the relations solved together give it back (sdcTable / τ-ARGUS call this the linear audit). So the
breakdown cells get a pattern of their own, built on top of the viewer's published pattern and
checked by the exact linear audit (:mod:`chainbrain.analytics.suppression_audit`):

1. **The published pattern is fixed.** The KPI family's cells (``cur``, ``cc``, ``cb``, ``prev``,
   ``base``, segments) keep exactly the state the viewer's pattern linked across periods gives them
   (:mod:`chainbrain.analytics.suppression_periods`) — the same cell is never shown on one page and
   withheld on another. Only breakdown cells (``("ops", …)``) are added below.
2. **Primary**: a breakdown cell of 1 … ``min_cell`` − 1 enterprises the viewer cannot see.
3. **The one-relation rule** (as in :mod:`suppression`), choosing only breakdown cells: no
   relation with a single unknown member, no known parent over a small unknown sum.
4. **Exact audit and repair** (the GAUSS idea of sdcTable): the relations as one linear system
   over GF(2⁶¹ − 1), unknowns = withheld cells with unseen enterprises and rests with unseen
   enterprises. The system falls into independent connected components (a shown KPI cell cuts the
   tables apart), reduced one by one (:func:`chainbrain.analytics.gf_kernel.determined_rows`); after
   a repair only the components it touched are reduced again. A *sensitive* unknown — a cell or a
   rest of 1 … ``min_cell`` − 1 unseen enterprises — is determined iff its reduced row has no other
   entry; a determined secondary cell (≥ ``min_cell`` unseen enterprises) discloses nothing itself,
   and what it would give further is in the same reduced system. What the published pattern's own
   relations determine already (without any breakdown relation) is not the breakdowns' doing and is
   reported apart (``already``). Repair of a determined unknown k: withhold the published breakdown
   cell of k's relations that lies in the most relations of k's component (it closes a cycle
   around the bridge), the smallest value first; then step 3 again; at most ``rounds`` rounds.
5. **Safe or not published.** :attr:`Result.safe` is true only when the final audit finds nothing
   (``left`` empty). The page publishes the breakdowns to a partial viewer only then; otherwise the
   viewer gets the enterprise counts only, as before (``web.operations_page.COVERED_ONLY``). Above
   :data:`MAX_CELLS` breakdown cells the repair is not attempted (time; the province demo's 82,768
   cells took 80 s for six rounds without converging — docs/web.md).

The result is a :class:`~chainbrain.analytics.suppression.Pattern` whose ``hidden`` is the
published pattern's plus the breakdown cells withheld; :func:`stats` counts the breakdown cells.
"""

from __future__ import annotations

import collections
import dataclasses

from chainbrain.analytics.suppression import MIN_CELL, Pattern, Universe
from chainbrain.analytics import gf_kernel
from chainbrain.analytics.suppression_audit import P


_DEBUG = bool(__import__("os").environ.get("CHAINBRAIN_SUPPRESSION_DEBUG"))


def is_breakdown(k) -> bool:
    """A breakdown cell: ``("ops", …)``, or ``(label, "ops", …)`` in a family of periods."""
    return isinstance(k, tuple) and bool(k) and (k[0] == "ops" or (len(k) > 1 and k[1] == "ops"))


@dataclasses.dataclass
class Result:
    pattern: Pattern            # the published pattern + the withheld breakdown cells
    left: list                  # unknowns still determined (empty unless something could not be withheld)
    rounds: int
    already: list               # unknowns the published pattern's own relations determine (not the breakdowns')
    ops_cells: int              # non-empty breakdown cells
    ops_primary: int
    ops_hidden: int

    @property
    def safe(self) -> bool:
        return not self.left

    def stats(self) -> dict:
        n = max(self.ops_cells, 1)
        sec = self.ops_hidden - self.ops_primary
        return {"ops_cells": self.ops_cells, "ops_primary": self.ops_primary, "ops_secondary": sec,
                "ops_primary_share": self.ops_primary / n, "ops_secondary_share": sec / n,
                "rounds": self.rounds, "determined_left": len(self.left),
                "determined_by_the_published_pattern": len(self.already)}


#: above this many breakdown cells the pattern is not attempted (not safe: counts only) — a time limit
MAX_CELLS = int(__import__("os").environ.get("CHAINBRAIN_BREAKDOWN_CELLS", "40000"))


class _Table:
    """The universe's relations with the viewer's unseen sets, and the rule's fixed-point loop."""

    def __init__(self, u: Universe, visible: frozenset, min_cell: int):
        self.u, self.min_cell = u, min_cell
        self.unseen = {k: (v - visible) if visible else v for k, v in u.sets.items()}
        self.res = [(r.residual - visible) if visible else r.residual for r in u.relations]
        self.rels_of = collections.defaultdict(list)
        for i, r in enumerate(u.relations):
            self.rels_of[r.parent].append(i)
            for k in r.children:
                self.rels_of[k].append(i)

    def small(self, n: int) -> bool:
        return 0 < n < self.min_cell

    def can_hide(self, k, hidden) -> bool:
        return is_breakdown(k) and k not in hidden and bool(self.unseen.get(k))

    def close(self, hidden: set, todo) -> None:
        """Step 3 from ``todo`` (relation indices) until no relation needs another cell (in place)."""
        u = self.u
        todo = collections.deque(dict.fromkeys(todo))
        queued = set(todo)
        while todo:
            i = todo.popleft()
            queued.discard(i)
            r, ru = u.relations[i], self.res[i]
            members = (r.parent,) + r.children
            unknown = [k for k in members if k in hidden and self.unseen.get(k)]
            n = len(unknown) + (1 if ru else 0)
            need = False
            if n == 1:
                need = bool(unknown) or self.small(len(ru))
            elif n >= 2 and r.parent not in unknown:
                union = set(ru)
                for k in unknown:
                    union |= self.unseen[k]
                need = self.small(len(union))
            if not need:
                continue
            choices = [k for k in members if self.can_hide(k, hidden)]
            if not choices:
                continue                                  # the audit decides
            pick = min(choices, key=lambda k: (k == r.parent, u.values.get(k, 0.0), str(k)))
            hidden.add(pick)
            for j in self.rels_of[pick] + [i]:
                if j not in queued:
                    todo.append(j)
                    queued.add(j)

    # ------------------------------------------------------------ the linear system by components
    def components(self, hidden, only=None) -> list[tuple[dict, list[dict], set]]:
        """[(unknown → column, rows, relation indices)] per connected component of the system
        (``only``: these relations only)."""
        u = self.u
        parent: dict = {}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        rows = []
        for i, r in enumerate(u.relations):
            if only is not None and i not in only:
                continue
            row = {}
            for k, c in [(r.parent, 1)] + [(k, -1) for k in r.children]:
                if k in hidden and self.unseen.get(k):
                    row[k] = (row.get(k, 0) + c) % P
            if self.res[i]:
                row[("rest", i)] = (row.get(("rest", i), 0) - 1) % P
            row = {k: c for k, c in row.items() if c}
            if not row:
                continue
            rows.append((i, row))
            keys = list(row)
            for k in keys:
                parent.setdefault(k, k)
            a = find(keys[0])
            for k in keys[1:]:
                b = find(k)
                if a != b:
                    parent[b] = a
        comp: dict = collections.defaultdict(lambda: ({}, [], set()))
        for i, row in rows:
            cols, rws, rels = comp[find(next(iter(row)))]
            rws.append({cols.setdefault(k, len(cols)): c for k, c in row.items()})
            rels.add(i)
        return list(comp.values())

    def determined(self, cols: dict, rows: list[dict]) -> list:
        name = {j: k for k, j in cols.items()}
        out = [name[c] for c, _ in gf_kernel.determined_rows(rows, len(cols), len(cols))]     # alone in its reduced row
        # a determined secondary cell (≥ min_cell unseen enterprises) discloses nothing by itself, and
        # what it gives further is in the same reduced system: only sensitive unknowns count
        return [k for k in out if self.small(len(self.res[k[1]]) if k[0] == "rest" else len(self.unseen[k]))]


def breakdown_pattern(u: Universe, base: Pattern, visible: frozenset | None, min_cell: int = MIN_CELL,
                      rounds: int = 6, max_cells: int | None = None) -> Result:
    """The viewer's pattern with the operations breakdown cells of ``u`` (a universe built with
    ``breakdowns=True``) added to ``base`` (the viewer's published pattern of the period, whose
    states stay as they are). See the module docstring."""
    ops = [k for k in u.sets if is_breakdown(k)]
    max_cells = MAX_CELLS if max_cells is None else max_cells
    if visible is None or min_cell <= 1:
        return Result(base, [], 0, [], len(ops), 0, 0)
    if len(ops) > max_cells:
        return Result(base, [("too many cells", len(ops))], 0, [], len(ops), 0, 0)
    t = _Table(u, visible, min_cell)
    primary = {k for k in ops if t.small(len(t.unseen[k]))}
    hidden = {k for k in base.hidden if not is_breakdown(k)} | primary
    t.close(hidden, range(len(u.relations)))
    # what the published pattern's own relations determine already is not the breakdowns' doing (and
    # stays determined whatever they withhold): the audit looks for anything beyond it
    own = {i for i, r in enumerate(u.relations) if not any(map(is_breakdown, (r.parent, *r.children)))}
    already = {k for cols, rows, _ in t.components(hidden, own) for k in t.determined(cols, rows)}
    todo = t.components(hidden)
    left: list = []
    done_rounds = 0
    for rnd in range(rounds + 1):
        done_rounds = rnd
        bad = []
        for cols, rows, rels in todo:
            det = [k for k in t.determined(cols, rows) if k not in already]
            if det:
                bad.append((cols, rels, det))
        if _DEBUG:
            print("round", rnd, "components", len(todo), "bad", len(bad), "determined", sum(len(b[2]) for b in bad),
                  "hidden", len(hidden), flush=True)
        if not bad or rnd == rounds:
            left += [k for _, _, det in bad for k in det]
            break
        before = set(hidden)
        for cols, rels, det in bad:
            grew: set = set()
            others = collections.Counter()
            for k in cols:
                if k[0] != "rest":
                    for i in t.rels_of[k]:
                        others[i] += 1
            for k in det:
                rels_k = [k[1]] if k[0] == "rest" else t.rels_of[k]
                cand = {m for i in rels_k for m in (u.relations[i].parent, *u.relations[i].children)
                        if t.can_hide(m, hidden) and m not in grew}
                if cand:
                    grew.add(min(cand, key=lambda m: (-sum(others[i] > 0 for i in t.rels_of[m]),
                                                      u.values.get(m, 0.0), str(m))))
            if not grew:
                left += det                                 # nothing left to withhold here
            hidden |= grew
        new = hidden - before
        if not new:
            break
        t.close(hidden, {i for k in new for i in t.rels_of[k]})
        touched = {i for k in hidden - before for i in t.rels_of[k]}
        todo = [c for c in t.components(hidden) if c[2] & touched]     # the others are unchanged
    ops_hidden = {k for k in hidden if is_breakdown(k)}
    pat = dataclasses.replace(base, primary=frozenset(base.primary | primary), hidden=frozenset(base.hidden | ops_hidden),
                              unseen_empty=frozenset(base.unseen_empty | {k for k in ops if not t.unseen[k]}),
                              cells=base.cells + len(ops))
    return Result(pat, sorted(set(left), key=str), done_rounds, sorted(already, key=str), len(ops), len(primary),
                  len(ops_hidden))


# ---------------------------------------------------------------- linked across the years of a month
def linked_family(universes: dict, base_year: int | None) -> Universe:
    """The family's universes built with ``breakdowns=True`` (label → Universe) as one table
    (:func:`chainbrain.analytics.suppression_periods.linked`), plus the breakdowns' own link across
    years: a group's comparable base this year and its current sum last year are the same firms'
    values but for exits, entrants to the group, and revised prior values —
    ``("ops", "cur", g, …)@Y−1 = ("ops", "cb", g, …)@Y + rest``, the rest being the firms in only one
    of the two and the revised ones (``Universe.revised``). Without it, a group's 上年同期 this year
    shown beside last year's figure gives its exits back."""
    from chainbrain.analytics.suppression import Relation
    from chainbrain.analytics.suppression_periods import linked

    out = linked(universes, base_year)
    years = {int(label[:4]): label for label in universes}
    for y, label in sorted(years.items()):
        if y - 1 not in years:
            continue
        prev, revised = years[y - 1], universes[label].revised
        for k in sorted((k for k in universes[label].sets if k[0] == "ops" and k[1] == "cb"), key=str):
            a, b = (prev, "ops", "cur", *k[2:]), (label, *k)
            if a in out.sets:
                x, z = out.sets[a], out.sets[b]
                out.relations.append(Relation(a, (b,), (x ^ z) | (x & z & revised)))
    out.parts = {label: len(u.sets) for label, u in universes.items()}
    return out


def family_base(patterns: dict) -> Pattern:
    """The viewer's published patterns of a family (label → :class:`Pattern`) as one pattern with
    cells ``(label, *cell)``."""
    def lab(attr):
        return frozenset((x, *k) for x, p in patterns.items() for k in getattr(p, attr))
    return Pattern("+".join(sorted(patterns)), next(iter(patterns.values())).min_cell, lab("primary"), lab("hidden"),
                   lab("unseen_empty"), sum(p.cells for p in patterns.values()))


def family_pattern(u: Universe, base: Pattern, visible: frozenset | None, min_cell: int = MIN_CELL,
                   max_cells: int | None = None) -> Result:
    """The breakdown cells' pattern over a linked family (:func:`linked_family`) on top of the
    viewer's published pattern of the family (``base``, cells ``(label, *cell)``, kept as it is),
    by the audit's repair restricted to breakdown cells
    (:func:`chainbrain.analytics.suppression_audit.audited` with ``allowed``). ``already``: the
    sensitive figures the relations determine even with *every* breakdown cell withheld — not the
    breakdowns' doing, since publishing none would not change them; what is left beyond them makes
    the result unsafe (then the viewer gets the counts only)."""
    from chainbrain.analytics import suppression_audit

    ops = [k for k in u.sets if is_breakdown(k)]
    max_cells = MAX_CELLS * 6 if max_cells is None else max_cells
    if visible is None or min_cell <= 1:
        return Result(base, [], 0, [], len(ops), 0, 0)
    if len(ops) > max_cells:
        return Result(base, [("too many cells", len(ops))], 0, [], len(ops), 0, 0)
    pat, left = suppression_audit.audited(u, visible, min_cell, base=base.hidden, allowed=is_breakdown,
                                          firms="check")
    already: list = []
    if left and not any(k[0] == "firms" for k in left):     # (a disclosed firm: unsafe, whatever else)
        # what would stay with every breakdown cell withheld is not the breakdowns' doing
        never = lambda k: False                                               # noqa: E731
        _, already = suppression_audit.audited(u, visible, min_cell, base=base.hidden | frozenset(ops),
                                               allowed=never, firms="check")
        left = [k for k in left if k not in set(already)]
    kept = {k for k in pat.hidden if not is_breakdown(k)}
    if kept != set(base.hidden) - set(ops):
        raise RuntimeError("breakdown pattern: the published pattern changed")          # an invariant
    primary = {k for k in pat.primary if is_breakdown(k)}
    hidden = {k for k in pat.hidden if is_breakdown(k)}
    out = dataclasses.replace(base, primary=frozenset(base.primary | primary), hidden=frozenset(base.hidden | hidden),
                              unseen_empty=frozenset(base.unseen_empty | (pat.unseen_empty & set(ops))),
                              cells=base.cells + len(ops))
    return Result(out, sorted(left, key=str), 0, sorted(already, key=str), len(ops), len(primary), len(hidden))


__all__ = ["breakdown_pattern", "family_pattern", "family_base", "linked_family", "Result", "is_breakdown", "MAX_CELLS"]
