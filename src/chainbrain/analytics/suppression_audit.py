"""Exact linear audit of a suppression pattern, and a pattern repaired until it passes.

The rule of :func:`chainbrain.analytics.suppression.pattern` looks at one relation at a time. An
attacker may solve all relations at once: with the shown cells and the cells the viewer sees whole
as constants, the relations ``parent − Σ children − rest = 0`` are a linear system in the unknowns
(withheld cells with unseen enterprises, rests with unseen enterprises). An unknown is
*determined* iff its unit vector lies in the row space of the system. Coefficients are small
integers, so the system is reduced exactly over the prime field GF(p), p = 2⁶¹ − 1 (a rank over
the rationals differs only if p divides a minor of the ±1 matrix — not for tables of this size),
sparsely: Gauss–Jordan with the rows kept fully reduced; an unknown is determined iff it is a
pivot whose reduced row has no other entry. On the tiny demo with the operations breakdowns
(8,775 relations × 5,768 unknowns) this takes 0.14 s and agrees with the SVD audit of the tests
(which takes minutes).

:func:`audited` repairs a pattern until the audit passes (sdcTable's GAUSS idea, τ-ARGUS's
audit-and-repair loop), and is what every page publishes (``suppression_periods.audited_pattern``):

1. the rule (:class:`chainbrain.analytics.suppression.Rule`) to its fixed point;
2. the system split into connected components — two relations are connected when they share an
   unknown; a published cell is a constant and cuts the table apart — each reduced on its own,
   with the published cells as extra columns *after* the unknowns: a determined unknown's reduced
   row then names the published cells its solution uses (its *support*);
3. for each *sensitive* determined unknown (a withheld cell or a rest of 1 … min_cell − 1 unseen
   enterprises; a determined cell of ≥ min_cell discloses nothing by itself, and what it would give
   further is in the same system), withhold one cell of its support — a cell of its own relations
   if there is one, else any — the smallest value first; one pick per support per round, since one
   pick may break several solutions;
4. the rule again from the relations those cells touch, and the audit again on the components
   they touch only. Suppression only grows, so it ends;
5. on a linked family of at most :data:`FIRM_AUDIT_CELLS` cells, the firm-level audit
   (:mod:`chainbrain.analytics.suppression_firms`: what the relations do not state — overlapping
   chains, segments across regions, unrevised prior values) and the same repair from its supports.

Measured on the province demo (family of 2026-10: 6 years, 86,815 cells, 127,620 relations,
anonymous viewer): the rule leaves 142 sensitive unknowns determined (all of them rests: single
entrants or exits given back by cycles through the years, scopes and the region tree); the repair
converges in 37 rounds and 4.5 s, withholding 1,402 more cells (1.6 %).
"""

from __future__ import annotations

import logging

from chainbrain.analytics.gcpause import paused
from chainbrain.analytics import gf_kernel
from chainbrain.analytics.gf_reduce import P, reduce_rows as _reduce
from chainbrain.analytics.suppression import MIN_CELL, Pattern, Rule, Universe, _index, pattern


def system(u: Universe, hidden, visible: frozenset) -> tuple[dict, list[dict]]:
    """(unknown → column, rows {column: coefficient mod P}) of the relations' linear system."""
    unknown: dict = {}
    rows = []
    for i, r in enumerate(u.relations):
        row: dict = {}
        for k, c in [(r.parent, 1)] + [(k, -1) for k in r.children]:
            if k in hidden and (u.sets.get(k, frozenset()) - visible):
                j = unknown.setdefault(k, len(unknown))
                row[j] = (row.get(j, 0) + c) % P
        if r.residual - visible:
            j = unknown.setdefault(("rest", i), len(unknown))
            row[j] = (row.get(j, 0) - 1) % P
        row = {j: c for j, c in row.items() if c}
        if row:
            rows.append(row)
    return unknown, rows


def determined(u: Universe, hidden, visible: frozenset | None, min_cell: int = MIN_CELL) -> list:
    """Withheld cells, and rests of 1 … min_cell − 1 unseen enterprises (``("rest", i)``), that the
    relations solved together give back."""
    visible = visible or frozenset()
    unknown, rows = system(u, hidden, visible)
    col = {j: k for k, j in unknown.items()}
    out = [col[c] for c, r in _reduce(rows).items() if len(r) == 1]
    return sorted((k for k in out if k[0] != "rest" or 0 < len(u.relations[k[1]].residual - visible) < min_cell),
                  key=str)


def audited(u: Universe, visible: frozenset | None, min_cell: int = MIN_CELL, rounds: int = 300,
            base=frozenset(), allowed=None, firms: str = "repair") -> tuple[Pattern, list]:
    """The viewer's pattern repaired until the audit passes: (pattern, what is still determined —
    empty unless nothing published was left to withhold). See the module docstring. ``base``:
    cells withheld from the start; ``allowed(cell)``: whether the rule and the repair may withhold
    a cell besides those and the primary ones (None: any) — a published pattern kept as it is, with
    breakdown cells added on top (:mod:`chainbrain.analytics.suppression_breakdowns`). ``firms``:
    the firm-level audit of a linked family (:func:`_firm_rounds`) with its repair (``repair``),
    as a check whose findings are returned as left (``check``), or not at all (``off``)."""
    if visible is None or min_cell <= 1:
        return pattern(u, visible, min_cell), []
    with paused():
        return _audited(u, visible, min_cell, rounds, base, allowed, firms)


def _audited(u: Universe, visible: frozenset, min_cell: int, rounds: int, base=frozenset(),
             allowed=None, firms: str = "repair") -> tuple[Pattern, list]:
    ix = _index(u)
    ok = None if allowed is None else {i for i, k in enumerate(ix["cells"]) if allowed(k)}
    rule = Rule(u, visible, min_cell, ok)
    rule.withhold({rule.idx[k] for k in base if k in rule.idx})
    rule.close()
    n_cell = len(rule.cells)
    todo = None                                          # relations to audit again (None: all)
    stuck: set = set()
    for rnd in range(rounds + 1):
        found = [f for rels in _components(rule, todo) for f in _solve(rule, rels)]
        if _DEBUG:
            print("audit round", rnd, "determined", len(found), "withheld", len(rule.hidden), flush=True)
        if not found or rnd == rounds:
            stuck.update(k for k, _ in found)
            break
        picks: set = set()
        for k, support in found:
            if support & picks:
                continue                                 # this round's pick already breaks it
            if ok is not None:
                support = support & ok
            if not support:
                stuck.add(k)                             # nothing published left to withhold
                continue
            own = support & _own(rule, k)
            picks.add(min(own or support, key=lambda m: (rule.values[m], str(rule.cells[m]))))
        if not picks:
            break
        rule.withhold(picks)
        added = picks | rule.close({i for m in picks for i in rule.rels_of[m]})
        todo = {i for m in added for i in rule.rels_of[m]}
    name = lambda k: rule.cells[k] if k < n_cell else ("rest", k - n_cell)  # noqa: E731
    stuck_firms = (_firm_rounds(u, rule, visible, min_cell, ok, 0 if firms == "check" else rounds)
                   if u.parts and firms != "off" else [])
    return rule.result(), sorted((name(k) for k in stuck), key=str) + stuck_firms


#: the firm-level audit runs on families of at most this many cells: a time limit, not a policy
#: (province demo, 86,815 cells: ≈ 40 s of CPU for the anonymous viewer, 5 rounds; docs/web.md)
FIRM_AUDIT_CELLS = int(__import__("os").environ.get("CHAINBRAIN_FIRM_AUDIT_CELLS", "250000"))


def _firm_rounds(u: Universe, rule: Rule, visible: frozenset, min_cell: int, ok, rounds: int) -> list:
    """The firm-level audit (:mod:`chainbrain.analytics.suppression_firms`) and its repair, after
    the cell audit passes: withhold a published cell of each disclosed atom's support (the smallest
    value, with the cells showing the same figure — :meth:`System.twins`; one pick per support and
    round), the rule again, until nothing is disclosed. Withholding
    more never makes anything determined, so the cell audit's result stands. Families above
    :data:`FIRM_AUDIT_CELLS` cells are not audited here (logged)."""
    from chainbrain.analytics import suppression_firms

    if len(u.sets) > FIRM_AUDIT_CELLS:
        _log.info("firm-level audit skipped: %d cells > %d (CHAINBRAIN_FIRM_AUDIT_CELLS)", len(u.sets), FIRM_AUDIT_CELLS)
        return []
    system = suppression_firms.System(u, visible, min_cell)
    for rnd in range(rounds + 1):
        hidden = {rule.cells[k] for k in rule.hidden}
        found = system.disclosed(hidden)
        if _DEBUG:
            print("firm audit round", rnd, "disclosed", len(found), "withheld", len(rule.hidden), flush=True)
        if not found or rnd == rounds:
            return [("firms", tuple(sorted(a))) for a, _ in found]
        picks: set = set()
        left = []
        for firms, support in found:
            cand = {rule.idx[k] for k in support if k in rule.idx}
            if ok is not None:
                cand &= ok
            if cand & picks:
                continue
            if not cand:
                left.append(("firms", tuple(sorted(firms))))
                continue
            pick = min(cand, key=lambda m: (rule.values[m], str(rule.cells[m])))
            picks.update(rule.idx[k] for k in system.twins(rule.cells[pick]) if k in rule.idx)
            picks.add(pick)
        if not picks:
            return left
        rule.withhold(picks)
        rule.close({i for m in picks for i in rule.rels_of[m]})
    return []


_DEBUG = bool(__import__("os").environ.get("CHAINBRAIN_SUPPRESSION_DEBUG"))
_log = logging.getLogger(__name__)


def _own(rule: Rule, k: int) -> set:
    """The cells of the relations an unknown belongs to (a rest: its relation's)."""
    n = len(rule.cells)
    rels = [k - n] if k >= n else rule.rels_of[k]
    return {m for i in rels for m in rule.members[i] if m >= 0}


def components(u: Universe, hidden, visible: frozenset | None, min_cell: int = MIN_CELL) -> list[list[int]]:
    """The relations (indices) of each connected component of the viewer's linear system."""
    rule = Rule(u, visible or frozenset(), min_cell)
    rule.withhold({rule.idx[k] for k in hidden if k in rule.idx})
    return _components(rule)


def _components(rule: Rule, only=None) -> list[list[int]]:
    """Two relations are connected when they share an unknown (a withheld cell with unseen
    enterprises; a rest belongs to its relation alone). Published cells are constants and connect
    nothing, so a shown cell cuts the table apart. ``only``: the components holding one of these
    relations (a search from them; all when None)."""
    members, rels_of, hidden, rcount = rule.members, rule.rels_of, rule.hidden, rule.rcount
    seen: set = set()
    out = []
    for start in (range(len(members)) if only is None else sorted(only)):
        if start in seen:
            continue
        seen.add(start)
        comp, stack = [], [start]
        while stack:
            i = stack.pop()
            cells = [k for k in members[i] if k >= 0 and k in hidden]
            if not cells and not rcount[i]:
                continue                                 # no unknown: a check among constants
            comp.append(i)
            for k in cells:
                for j in rels_of[k]:
                    if j not in seen:
                        seen.add(j)
                        stack.append(j)
        if comp:
            out.append(sorted(comp))
    return out


def _solve(rule: Rule, rels: list[int]) -> list[tuple[int, set]]:
    """[(unknown, support)] for the sensitive unknowns of one component that its relations solved
    together give back: unknown = a cell number, or ``len(cells) + i`` for the rest of relation i;
    support = the published cells (with unseen enterprises) the solution uses. Columns: unknowns
    first, then published cells, so every pivot is an unknown while the row has one; an unknown is
    determined iff its reduced row holds no other unknown."""
    members, n_cell, count, rcount, hid = rule.members, len(rule.cells), rule.count, rule.rcount, rule.hidden
    col: dict = {}
    pub: dict = {}
    raw = []
    for i in rels:
        ms = members[i]
        row = []
        for pos, k in enumerate(ms):
            if k < 0 or not count[k]:
                continue                                  # a cell the viewer knows whole: a constant
            row.append((k, k in hid, 1 if pos == 0 else P - 1))
        if rcount[i]:
            row.append((n_cell + i, True, P - 1))
        raw.append(row)
        for k, unknown, _ in row:
            (col if unknown else pub).setdefault(k, None)
    nu = len(col)
    col = {k: j for j, k in enumerate(col)}
    col.update({k: nu + j for j, k in enumerate(pub)})
    rows = []
    for row in raw:
        d: dict = {}
        for k, _, c in row:
            j = col[k]
            d[j] = (d.get(j, 0) + c) % P
        d = {j: c for j, c in d.items() if c}
        if d:
            rows.append(d)
    name = {j: k for k, j in col.items()}
    out = []
    for c, rest in gf_kernel.determined_rows(rows, len(col), nu):
        k = name[c]
        if rule.sensitive(rcount[k - n_cell] if k >= n_cell else count[k]):
            out.append((k, {name[j] for j in rest}))
    return out


__all__ = ["system", "determined", "audited", "components", "P"]
