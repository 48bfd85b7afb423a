"""The firm-level audit's exact solve, compiled (Numba), without the interpreter lock.

The same reduced row echelon form as :func:`chainbrain.analytics.gf_reduce.reduce_rows` over
GF(P), P = 2⁶¹ − 1, of one block ``[A | −I]`` (row ``k``: the atoms of published cell ``k`` with
coefficient 1 and the cell's own column ``na + k`` with −1). The RREF of a row space is unique for a
column order, so any elimination gives the same rows, and the pivot that row ``k`` adds is the one
new leading column of the span of rows 0 … k — the same, in the same order, as the incremental
Gauss–Jordan of ``reduce_rows`` (tested against it). Two phases:

1. *forward*: each row, scattered into a dense accumulator, is reduced by the echelon rows of its
   pivot columns in increasing column order (a binary heap of the touched columns) until its first
   column that is no pivot yet: that is its pivot; the row is kept from there, scaled to 1;
2. *back*: in decreasing pivot order each echelon row loses its entries at later pivot columns,
   using those rows' final form (which hold no pivot column but their own, so nothing cascades).

An atom of ``small`` is disclosed when its final row holds no other atom; its support is the
cell columns of that row. Arithmetic: 61-bit products by 32-bit halves (2⁶¹ ≡ 1, 2⁶⁴ ≡ 8 mod P).
Compiled once (cached beside the module), ``nogil``: a server's request threads run while it
solves. Province demo, the 27 blocks of a month family (≈ 3,000 cells × 12,000 atoms each): 1.3 s
against 28.4 s in the pure-Python reference (``benchmarks/bench_gf.py``).
"""

from __future__ import annotations

import numba
import numpy as np

P = (1 << 61) - 1
_P = np.uint64(P)
_M32 = np.uint64(0xFFFFFFFF)
_M29 = np.uint64((1 << 29) - 1)
_S32, _S29, _S61, _S3 = np.uint64(32), np.uint64(29), np.uint64(61), np.uint64(3)


@numba.njit(cache=True, nogil=True, inline="always")
def _red(x):
    """x mod P for x < 2⁶⁴."""
    x = (x & _P) + (x >> _S61)
    return x - _P if x >= _P else x


@numba.njit(cache=True, nogil=True, inline="always")
def mulmod(a, b):
    """a·b mod P for a, b < P (uint64)."""
    a1, a0 = a >> _S32, a & _M32
    b1, b0 = b >> _S32, b & _M32
    lo = a0 * b0
    mid = a1 * b0 + a0 * b1
    hi = a1 * b1
    r = (hi << _S3) + (mid >> _S29) + ((mid & _M29) << _S32) + (lo >> _S61) + (lo & _P)
    return _red(r)


@numba.njit(cache=True, nogil=True)
def invmod(a):
    """a⁻¹ mod P (Fermat)."""
    e = _P - np.uint64(2)
    r = np.uint64(1)
    while e:
        if e & np.uint64(1):
            r = mulmod(r, a)
        a = mulmod(a, a)
        e >>= np.uint64(1)
    return r


@numba.njit(cache=True, nogil=True, inline="always")
def _push(heap, n, x):
    i = n
    heap[i] = x
    while i > 0:
        j = (i - 1) >> 1
        if heap[j] <= x:
            break
        heap[i] = heap[j]
        i = j
    heap[i] = x
    return n + 1


@numba.njit(cache=True, nogil=True, inline="always")
def _pop(heap, n):
    top = heap[0]
    n -= 1
    x = heap[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and heap[c + 1] < heap[c]:
            c += 1
        if heap[c] >= x:
            break
        heap[i] = heap[c]
        i = c
    if n > 0:
        heap[i] = x
    return top, n


@numba.njit(cache=True, nogil=True, inline="always")
def _touch(seen, touched, nt, j):
    """Note column ``j`` as touched by the row in hand (once): (the new count, whether it was new)."""
    if seen[j]:
        return nt, False
    seen[j] = True
    touched[nt] = j
    return nt + 1, True


@numba.njit(cache=True, nogil=True)
def _grow(a, need):
    if need <= len(a):
        return a
    b = np.empty(max(need, 2 * len(a)), a.dtype)
    b[:len(a)] = a
    return b


@numba.njit(cache=True, nogil=True)
def _rref(indptr, cols, vals, n):
    """Rows (CSR over ``n`` columns, values < P, a column may repeat within a row) → the pivot column of
    each row (−1: it adds nothing) and the final rows without their pivot entry (start, length, cols,
    vals). The two phases of the module docstring."""
    m = len(indptr) - 1
    acc = np.zeros(n, np.uint64)
    seen = np.zeros(n, np.bool_)
    heap = np.empty(n, np.int64)
    touched = np.empty(n, np.int64)
    row_of = np.full(n, -1, np.int64)           # pivot column → its row
    piv = np.full(m, -1, np.int64)               # row → its pivot column
    e_start = np.zeros(m + 1, np.int64)
    e_col = np.empty(max(16, 2 * len(cols)), np.int64)
    e_val = np.empty(len(e_col), np.uint64)
    ne = 0
    # ---- 1. forward: echelon rows, each starting at its pivot with coefficient 1
    for k in range(m):
        nh = 0
        nt = 0
        for t in range(indptr[k], indptr[k + 1]):
            c = cols[t]
            nt, new = _touch(seen, touched, nt, c)
            if new:
                nh = _push(heap, nh, c)
            acc[c] = _red(acc[c] + vals[t])
        p = -1
        while nh > 0:
            c, nh = _pop(heap, nh)
            f = acc[c]
            if f == 0:
                continue
            r = row_of[c]
            if r < 0:
                p = c
                break
            for t in range(e_start[r] + 1, e_start[r + 1]):
                j = e_col[t]
                nt, new = _touch(seen, touched, nt, j)
                if new:
                    nh = _push(heap, nh, j)
                acc[j] = _red(acc[j] + _P - mulmod(f, e_val[t]))
            acc[c] = 0
        # keep the row from its pivot on (columns ≥ p, in increasing order), scaled to 1 at p
        inv = invmod(acc[p]) if p >= 0 else np.uint64(0)
        sorted_cols = np.sort(touched[:nt])
        e_col = _grow(e_col, ne + nt)
        e_val = _grow(e_val, ne + nt)
        for i in range(nt):
            j = sorted_cols[i]
            v = acc[j]
            if p >= 0 and j >= p and v != 0:
                e_col[ne] = j
                e_val[ne] = mulmod(v, inv)
                ne += 1
            acc[j] = 0
            seen[j] = False
        e_start[k + 1] = ne
        piv[k] = p
        if p >= 0:
            row_of[p] = k
    # ---- 2. back: final rows in decreasing pivot order
    order = np.argsort(piv)[::-1]
    f_start = np.zeros(m, np.int64)
    f_len = np.zeros(m, np.int64)
    f_col = np.empty(max(16, ne), np.int64)
    f_val = np.empty(len(f_col), np.uint64)
    nf = 0
    for r in order:
        if piv[r] < 0:
            continue
        nt = 0
        for t in range(e_start[r] + 1, e_start[r + 1]):
            j = e_col[t]
            v = e_val[t]
            q = row_of[j]
            if q < 0:
                nt, _ = _touch(seen, touched, nt, j)
                acc[j] = _red(acc[j] + v)
            else:
                for s in range(f_start[q], f_start[q] + f_len[q]):
                    jj = f_col[s]
                    nt, _ = _touch(seen, touched, nt, jj)
                    acc[jj] = _red(acc[jj] + _P - mulmod(v, f_val[s]))
        sorted_cols = np.sort(touched[:nt])
        f_col = _grow(f_col, nf + nt)
        f_val = _grow(f_val, nf + nt)
        f_start[r] = nf
        for i in range(nt):
            j = sorted_cols[i]
            if acc[j] != 0:
                f_col[nf] = j
                f_val[nf] = acc[j]
                nf += 1
            acc[j] = 0
            seen[j] = False
        f_len[r] = nf - f_start[r]
    return piv, f_start, f_len, f_col[:nf], f_val[:nf]


@numba.njit(cache=True, nogil=True)
def _determined(indptr, cols, vals, n, nu):
    """The pivots < ``nu`` whose final row holds no other column < ``nu``, in pivot order, with the
    columns ≥ ``nu`` of that row (CSR)."""
    piv, f_start, f_len, f_col, _ = _rref(indptr, cols, vals, n)
    m = len(piv)
    out = np.empty(m, np.int64)
    start = np.zeros(m + 1, np.int64)
    rest = np.empty(max(16, len(f_col)), np.int64)
    no = 0
    nc = 0
    for r in range(m):
        p = piv[r]
        if p < 0 or p >= nu:
            continue
        other = False
        for s in range(f_start[r], f_start[r] + f_len[r]):
            if f_col[s] < nu:
                other = True
                break
        if other:
            continue
        out[no] = p
        for s in range(f_start[r], f_start[r] + f_len[r]):
            rest[nc] = f_col[s]
            nc += 1
        no += 1
        start[no] = nc
    return out[:no], start[:no + 1], rest[:nc]


def determined(indptr, cols, vals, n: int, nu: int) -> list[tuple[int, list[int]]]:
    """[(pivot column c < nu, [columns ≥ nu of its reduced row])] for every c whose reduced row (the
    RREF of the rows, CSR over ``n`` columns, values mod P) holds no other column < nu — in pivot
    order, as :func:`chainbrain.analytics.gf_reduce.reduce_rows` gives its pivots."""
    c, start, rest = _determined(np.asarray(indptr, np.int64), np.asarray(cols, np.int64),
                                 np.asarray(vals, np.uint64), int(n), int(nu))
    rest = rest.tolist()
    return [(a, rest[start[i]:start[i + 1]]) for i, a in enumerate(c.tolist())]


#: systems with at least this many coefficients go to the compiled kernel; smaller ones cost less in
#: Python than the call (the same answer either way: the RREF is unique)
KERNEL_NNZ = 64


def determined_rows(rows: list[dict], n: int, nu: int) -> list[tuple[int, list[int]]]:
    """:func:`determined` of rows given as ``{column: coefficient mod P}`` (the cell audit's and the
    breakdowns' systems); systems under :data:`KERNEL_NNZ` coefficients by ``reduce_rows``."""
    from chainbrain.analytics.gf_reduce import reduce_rows

    nnz = sum(len(r) for r in rows)
    if nnz < KERNEL_NNZ:
        return [(c, [j for j in r if j != c]) for c, r in reduce_rows(rows).items()
                if c < nu and not any(j < nu for j in r if j != c)]
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    cols = np.fromiter((j for r in rows for j in r), np.int64, nnz)
    vals = np.fromiter((v for r in rows for v in r.values()), np.uint64, nnz)
    return determined(indptr, cols, vals, n, nu)


def firm_solutions(indptr, indices, na: int, small) -> list[tuple[int, list[int]]]:
    """As :func:`chainbrain.analytics.gf_reduce.firm_solutions` (the same atoms, in the same order, with
    the same supports), compiled and without the interpreter lock: row ``k`` of the block is its atoms
    (coefficient 1) and its cell's column ``na + k`` (−1)."""
    indptr = np.asarray(indptr, np.int64)
    m = len(indptr) - 1
    lens = np.diff(indptr) + 1
    ptr = np.r_[0, np.cumsum(lens)]
    cols = np.empty(ptr[-1], np.int64)
    vals = np.ones(ptr[-1], np.uint64)
    last = ptr[1:] - 1
    body = np.ones(ptr[-1], bool)
    body[last] = False
    cols[body] = np.asarray(indices, np.int64)
    cols[last] = na + np.arange(m)
    vals[last] = np.uint64(P - 1)
    keep = set(np.asarray(small, np.int64).tolist())
    return [(a, [c - na for c in rest]) for a, rest in determined(ptr, cols, vals, na + m, na) if a in keep]


__all__ = ["P", "determined", "determined_rows", "firm_solutions", "invmod", "mulmod"]
