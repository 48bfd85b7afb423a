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

:func:`audited` repairs a pattern the way τ-ARGUS iterates its audit: while some withheld cell or
small rest is determined, withhold one more published cell (with unseen enterprises, the
smallest value, a child before a parent) of a relation it belongs to — one per group of relations
each round, as one cell may cover several — re-run the rule with those cells forced, and audit
again. Suppression only grows, so it ends.
"""

from __future__ import annotations

import collections

from chainbrain.analytics.suppression import MIN_CELL, Pattern, Universe, pattern

P = (1 << 61) - 1


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


def _reduce(rows: list[dict]) -> dict[int, dict]:
    """Pivot column → its fully reduced row (Gauss–Jordan over GF(P), sparse)."""
    piv: dict[int, dict] = {}
    holds = collections.defaultdict(set)          # column → pivots whose row holds it
    for row in rows:
        row = dict(row)
        todo = [c for c in row if c in piv]
        while todo:
            c = todo.pop()
            f = row.get(c)
            if not f:
                continue
            for cc, v in piv[c].items():
                x = (row.get(cc, 0) - f * v) % P
                if x:
                    if cc not in row and cc in piv:
                        todo.append(cc)
                    row[cc] = x
                else:
                    row.pop(cc, None)
        if not row:
            continue
        p = min(row)
        inv = pow(row[p], P - 2, P)
        row = {c: v * inv % P for c, v in row.items()}
        for q in list(holds.get(p, ())):               # keep the other rows free of the new pivot
            r2 = piv[q]
            f = r2.get(p)
            if not f:
                continue
            for cc, v in row.items():
                x = (r2.get(cc, 0) - f * v) % P
                if x:
                    if cc not in r2:
                        holds[cc].add(q)
                    r2[cc] = x
                else:
                    r2.pop(cc, None)
                    holds[cc].discard(q)
        piv[p] = row
        for cc in row:
            holds[cc].add(p)
    return piv


def determined(u: Universe, hidden, visible: frozenset | None, min_cell: int = MIN_CELL) -> list:
    """Withheld cells, and rests of 1 … min_cell − 1 unseen enterprises (``("rest", i)``), that the
    relations solved together give back."""
    visible = visible or frozenset()
    unknown, rows = system(u, hidden, visible)
    col = {j: k for k, j in unknown.items()}
    out = [col[c] for c, r in _reduce(rows).items() if len(r) == 1]
    return sorted((k for k in out if k[0] != "rest" or 0 < len(u.relations[k[1]].residual - visible) < min_cell),
                  key=str)


def audited(u: Universe, visible: frozenset | None, min_cell: int = MIN_CELL, rounds: int = 50) -> tuple[Pattern, list]:
    """The viewer's pattern repaired until the audit passes: (pattern, what is still determined —
    empty unless no published cell was left to withhold)."""
    if visible is None or min_cell <= 1:
        return pattern(u, visible, min_cell), []
    rels_of = collections.defaultdict(list)
    for i, r in enumerate(u.relations):
        for k in (r.parent, *r.children):
            rels_of[k].append(i)
    force: set = set()
    pat = pattern(u, visible, min_cell)
    for _ in range(rounds):
        det = determined(u, pat.hidden, visible, min_cell)
        if not det:
            return pat, []
        grew, touched = False, set()
        for k in det:
            rels = [k[1]] if k[0] == "rest" else rels_of[k]
            if touched & set(rels):              # a cell withheld this round may already cover it
                continue
            choices = {m for i in rels for m in (u.relations[i].parent, *u.relations[i].children)
                       if m not in pat.hidden and m not in force and (u.sets.get(m, frozenset()) - visible)}
            if choices:
                parents = {u.relations[i].parent for i in rels}
                pick = min(choices, key=lambda m: (m in parents, u.values.get(m, 0.0), str(m)))
                force.add(pick)
                touched |= set(rels) | set(rels_of[pick])
                grew = True
        if not grew and det:
            det = [k for k in det if not touched & set([k[1]] if k[0] == "rest" else rels_of[k])]
        if not grew:
            return pat, det
        pat = pattern(u, visible, min_cell, frozenset(force))
    return pat, determined(u, pat.hidden, visible, min_cell)


__all__ = ["system", "determined", "audited", "P"]
