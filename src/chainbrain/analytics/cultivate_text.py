"""Vectorized text for the assessment's reasons and what-ifs (numpy ``StringDType``, no Python loop per firm).

- :func:`fmt`: numbers rounded to 0.01, whole numbers without decimals ("35", "2.5", "0.01");
- :func:`cat`: element-wise concatenation of text arrays and literals;
- :func:`join`: row-wise join of text columns with a separator, skipping empty pieces;
- :func:`codes`, :func:`by_combination`: texts that depend on a few discrete values, built once per
  combination and looked up.
"""

from __future__ import annotations

import numpy as np

S = np.dtypes.StringDType()


def blank(n: int) -> np.ndarray:
    return np.full(n, "", dtype=S)


def fmt(a) -> np.ndarray:
    """Numbers as short text (0.01 precision; "" where missing)."""
    r = np.round(np.asarray(a, dtype=float), 2) + 0.0          # + 0.0: no "-0"
    bad = ~np.isfinite(r)
    r = np.where(bad, 0.0, r)
    whole = r == np.floor(r)
    out = np.where(whole, r.astype(np.int64).astype(S), r.astype(S))
    return np.where(bad, "", out).astype(S)


def cat(*parts) -> np.ndarray:
    """Concatenate arrays (and literal strings), element by element."""
    out = None
    for p in parts:
        p = np.asarray(p).astype(S) if not isinstance(p, str) else p
        out = p if out is None else np.strings.add(out, p)
    return np.asarray(out, dtype=S)


def join(pieces: list, sep: str = "; ") -> np.ndarray:
    """Row-wise join of text columns, skipping empty pieces (work only on the rows a piece fills)."""
    out = np.asarray(pieces[0]).astype(S)
    for p in pieces[1:]:
        p = np.asarray(p)
        idx = np.flatnonzero(p != "")
        if idx.size:
            _append(out, idx, p[idx].astype(S), sep)
    return out


def codes(flags: dict[str, np.ndarray], sep: str = ";") -> np.ndarray:
    """``sep``-joined names of the true flags, row by row: each row's flags as bits of one integer,
    looked up in the table of all 2^k joins (k flags; no text work per row)."""
    names = list(flags)
    if not names:
        return np.zeros(0, dtype=object)
    key = np.zeros(len(flags[names[0]]), dtype=np.int64)
    for i, k in enumerate(names):
        key |= np.asarray(flags[k], dtype=bool).astype(np.int64) << i
    table = np.array([sep.join(k for i, k in enumerate(names) if c >> i & 1) for c in range(1 << len(names))],
                     dtype=object)
    return table[key]


def by_combination(columns: list[np.ndarray], text) -> np.ndarray:
    """``text(*values)`` for each distinct combination of the (integer-valued) columns, spread to every row:
    the texts are built once per combination in Python, not once per row (the columns are packed into one
    integer key, mixed radix, and hashed)."""
    import pandas as pd

    cols = [np.asarray(c, dtype=np.int64) for c in columns]
    n = len(cols[0])
    if not n:
        return np.zeros(0, dtype=object)
    lows = [int(c.min()) for c in cols]
    spans = [int(c.max()) - lo + 1 for c, lo in zip(cols, lows)]
    if float(np.prod([float(s) for s in spans])) >= 2.0 ** 62:
        raise ValueError("too many combinations to pack into one key")
    key = np.zeros(n, dtype=np.int64)
    for c, lo, span in zip(cols, lows, spans):
        key = key * span + (c - lo)
    codes_, uniq = pd.factorize(key)
    table = []
    for k in np.asarray(uniq).tolist():
        values = []
        for lo, span in zip(reversed(lows), reversed(spans)):
            k, v = divmod(k, span)
            values.append(v + lo)
        table.append(text(*reversed(values)))
    return np.array(table, dtype=object)[codes_]


def _append(out: np.ndarray, idx: np.ndarray, text, sep: str) -> None:
    cur = out[idx]
    out[idx] = np.strings.add(np.strings.add(cur, np.where(cur != "", sep, "").astype(S)), text)
