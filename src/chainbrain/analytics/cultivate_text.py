"""Vectorized text for the assessment's reasons and what-ifs (numpy ``StringDType``, no Python loop per firm).

- :func:`fmt`: numbers rounded to 0.01, whole numbers without decimals ("35", "2.5", "0.01");
- :func:`cat`: element-wise concatenation of text arrays and literals;
- :func:`join`: row-wise join of text columns with a separator, skipping empty pieces.
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
    """``sep``-joined names of the true flags, row by row."""
    n = len(next(iter(flags.values()))) if flags else 0
    out = np.full(n, "", dtype=S)
    for k, v in flags.items():
        idx = np.flatnonzero(v)
        if idx.size:
            _append(out, idx, k, sep)
    return out


def _append(out: np.ndarray, idx: np.ndarray, text, sep: str) -> None:
    cur = out[idx]
    out[idx] = np.strings.add(np.strings.add(cur, np.where(cur != "", sep, "").astype(S)), text)
