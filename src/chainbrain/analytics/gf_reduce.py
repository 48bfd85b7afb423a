"""Sparse Gauss–Jordan elimination over GF(p), p = 2⁶¹ − 1, for the disclosure audits.

:func:`reduce_rows` is the exact reduction every audit uses (:mod:`chainbrain.analytics.suppression_audit`,
:mod:`chainbrain.analytics.suppression_breakdowns`): rows are ``{column: coefficient mod P}``, kept
fully reduced; the result maps each pivot column to its reduced row. The audits send their larger
systems to the compiled :mod:`chainbrain.analytics.gf_kernel`, which gives the same rows (the RREF is
unique); :func:`firm_solutions` is the firm-level audit's solve of one block in pure Python, the
kernel's reference in the tests and the benchmark (``benchmarks/bench_gf.py``).
"""

from __future__ import annotations

import collections

P = (1 << 61) - 1


def reduce_rows(rows: list[dict]) -> dict[int, dict]:
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


def firm_solutions(indptr, indices, na: int, small) -> list[tuple[int, list[int]]]:
    """The firm-level audit's solve of one block: row ``k`` holds the atoms ``indices[indptr[k]:indptr[k+1]]``
    (coefficient 1) and its own published-cell column ``na + k`` (coefficient −1). For each atom of
    ``small`` whose reduced row holds no other atom: ``(atom, [k, …])``, the rows (published cells) its
    solution uses — in pivot order, as :func:`reduce_rows` gives them."""
    rows = []
    for k in range(len(indptr) - 1):
        row = dict.fromkeys(indices[indptr[k]:indptr[k + 1]].tolist(), 1)
        row[na + k] = P - 1
        rows.append(row)
    small = set(int(x) for x in small)
    out = []
    for c, r in reduce_rows(rows).items():
        if c in small and not any(j < na for j in r if j != c):
            out.append((c, [j - na for j in r if j != c]))
    return out


__all__ = ["P", "firm_solutions", "reduce_rows"]
