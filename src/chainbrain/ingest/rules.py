"""Vectorised parsers and checks over Arrow string columns.

Each parser returns the parsed values and a boolean mask of rows that failed,
so a whole file is checked in one pass and every problem is reported at once.
Values that repeat (periods, dates, codes, units) are parsed once per distinct
value (dictionary encoding) rather than once per row.

- USCC (GB 32100-2015): C18 = (31 − Σ value(Cᵢ)·wᵢ mod 31) mod 31 with
  wᵢ = 3^(i−1) mod 31, computed on an (n × 18) byte matrix.
- Money: ``1,234.5`` → exact decimal; yuan = value × unit factor, rounded half
  away from zero to 0.01 (NUMERIC(20,2)).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chainbrain.catalog import uscc as U

MONEY = pa.decimal128(20, 2)
_PARSE = pa.decimal128(24, 6)
_LUT = np.full(256, -1, dtype=np.int64)
for _c, _v in U.VALUE.items():
    _LUT[ord(_c)] = _v
_W = np.array(U.WEIGHTS, dtype=np.int64)


def as_array(col) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col.cast(pa.string()) if col.type != pa.string() else col


def clean(col) -> pa.Array:
    """Trim whitespace — what Python's ``str.strip`` trims (full-width space U+3000, U+00A0, U+0085, …),
    so that the vectorised checks agree with the row-wise ones (``catalog.uscc.normalize``); empty → null."""
    a = as_array(col)
    a = pc.utf8_trim_whitespace(a)
    return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)


def nulls(a: pa.Array) -> np.ndarray:
    return np.asarray(a.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def to_np_str(a) -> np.ndarray:
    if isinstance(a, np.ndarray):
        return a.astype(object)
    return np.asarray(a.to_numpy(zero_copy_only=False), dtype=object)


def map_unique(a: pa.Array, fn):
    """Apply ``fn`` to each distinct non-null value; returns (indices into results, results list)."""
    enc = pc.dictionary_encode(a)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    results = [fn(v) for v in enc.dictionary.to_pylist()]
    idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return idx, results


# ---------------------------------------------------------------- USCC
def _uscc_bad(up: pa.Array) -> np.ndarray:
    """Bad mask for upper-cased codes (null → True): check character on an (n × 18) byte matrix."""
    n = len(up)
    bad = np.ones(n, dtype=bool)
    lens = pc.binary_length(up).fill_null(0).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(lens == 18)
    if len(idx):
        sub = pc.take(up, pa.array(idx))
        if isinstance(sub, pa.ChunkedArray):
            sub = sub.combine_chunks()
        sub = pa.array(sub.to_pylist(), pa.string()) if sub.offset else sub
        buf = sub.buffers()[2]
        off = sub.buffers()[1]
        start = np.frombuffer(off, dtype=np.int32, count=1)[0]
        mat = np.frombuffer(buf, dtype=np.uint8, count=18 * len(idx), offset=int(start)).reshape(-1, 18)
        vals = _LUT[mat]
        valid_chars = (vals >= 0).all(axis=1)
        total = (np.where(vals[:, :17] < 0, 0, vals[:, :17]) * _W).sum(axis=1)
        expect = (31 - total % 31) % 31
        good = valid_chars & (vals[:, 17] == expect)
        bad[idx[good]] = False
    return bad


def check_uscc(col):
    """(normalised codes, bad mask, changed-by-normalisation mask).

    Codes repeat in report files (one enterprise, many periods), so the check runs
    once per distinct code and is mapped back to the rows.
    """
    raw = as_array(col)
    a = clean(raw)
    up = pc.utf8_upper(a)
    changed = np.asarray(pc.fill_null(pc.not_equal(up, as_array(raw)), False).to_numpy(zero_copy_only=False), bool)
    enc = pc.dictionary_encode(up)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    bad = np.append(_uscc_bad(enc.dictionary), False)[idx]      # idx -1 (null) → not bad
    isnull = idx < 0
    return up, bad, changed & ~bad & ~isnull


def uscc_detail(code: str) -> str:
    return U.problem(code) or ""


# ---------------------------------------------------------------- numbers
_NUM = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def _num_text(col) -> pa.Array:
    a = clean(col)
    a = pc.replace_substring_regex(a, "[,，\\s\u3000]", "")   # thousands separators, spaces
    a = pc.replace_substring(a, "＋", "+")
    return pc.replace_substring(a, "－", "-")


def parse_money(col, factor) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(yuan as decimal128(20,2), not-a-number mask, too-large mask). ``factor``: int or int array."""
    a = _num_text(col)
    ok = pc.fill_null(pc.match_substring_regex(a, _NUM), True)
    bad = ~np.asarray(ok.to_numpy(zero_copy_only=False), bool)
    a = pc.if_else(ok, a, pa.scalar(None, pa.string()))
    big = np.zeros(len(a), bool)
    try:
        d = pc.cast(a, _PARSE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # too many digits somewhere: parse row by row, mark the offenders
        vals = []
        for i, s in enumerate(a.to_pylist()):
            try:
                v = decimal.Decimal(s) if s is not None else None
                if v is not None and abs(v) >= 10 ** 17:
                    raise decimal.InvalidOperation
                vals.append(None if v is None else v.quantize(decimal.Decimal("0.000001")))
            except (decimal.InvalidOperation, ValueError):
                vals.append(None)
                big[i] = True
        d = pa.array(vals, _PARSE)
    f = pa.array(np.broadcast_to(np.asarray(factor, dtype=np.int32), (len(a),)), pa.int32()).cast(pa.decimal128(10, 0))
    y = pc.round(pc.multiply(d, f), 2, round_mode="half_towards_infinity")
    fl = np.abs(pc.cast(y, pa.float64()).fill_null(0).to_numpy(zero_copy_only=False))
    over = fl >= 1e18
    big |= over
    y = pc.if_else(pa.array(over), pa.scalar(None, y.type), y)
    return pc.cast(y, MONEY), bad, big


def parse_number(col) -> tuple[pa.Array, np.ndarray]:
    a = _num_text(col)
    ok = pc.fill_null(pc.match_substring_regex(a, _NUM), True)
    a = pc.if_else(ok, a, pa.scalar(None, pa.string()))
    return pc.cast(a, pa.float64()), ~np.asarray(ok.to_numpy(zero_copy_only=False), bool)


def parse_int(col) -> tuple[pa.Array, np.ndarray]:
    a = _num_text(col)
    ok = pc.fill_null(pc.match_substring_regex(a, r"^[+-]?\d{1,12}(\.0*)?$"), True)
    a = pc.if_else(ok, pc.replace_substring_regex(a, r"\.0*$", ""), pa.scalar(None, pa.string()))
    return pc.cast(a, pa.int64()), ~np.asarray(ok.to_numpy(zero_copy_only=False), bool)


def to_float(a: pa.Array) -> np.ndarray:
    return pc.cast(a, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)


# ---------------------------------------------------------------- dates, years
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date_text(s: str) -> dt.date | None:
    s = s.strip()
    m = _DATE.match(s) or _DATE8.match(s)
    if not m:
        if re.fullmatch(r"\d{5}(\.0+)?", s):            # an Excel serial day number
            d = dt.date(1899, 12, 30) + dt.timedelta(days=int(float(s)))
            return d if 1900 <= d.year <= 2100 else None
        return None
    try:
        d = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return d if 1900 <= d.year <= 2100 else None


def parse_date(col) -> tuple[pa.Array, np.ndarray]:
    a = clean(col)
    idx, res = map_unique(a, parse_date_text)
    vals = [None if i < 0 else res[i] for i in idx]
    arr = pa.array(vals, pa.date32())
    bad = (idx >= 0) & nulls(arr)
    return arr, bad


def parse_year(col) -> tuple[np.ndarray, np.ndarray]:
    a = clean(col)

    def one(s):
        m = re.fullmatch(r"(\d{4})(\.0*)?\s*年?", s)
        y = int(m[1]) if m else None
        return y if y and 1950 <= y <= 2100 else None

    idx, res = map_unique(a, one)
    y = np.array([0 if (i < 0 or res[i] is None) else res[i] for i in idx], dtype=np.int64) if len(idx) else np.zeros(0, np.int64)
    bad = (idx >= 0) & (y == 0)
    return y, bad


def _obj(items) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, v in enumerate(items):
        out[i] = v
    return out


def map_values(col, fn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``fn(text) -> (value, detail|None)`` per distinct value: (values, bad mask, details).

    Values and details are object arrays (None for empty cells); the per-row work is
    a NumPy take, so a column of a million rows with few distinct values costs little.
    """
    a = clean(col)
    idx, res = map_unique(a, fn)
    vals = _obj([r[0] for r in res] + [None])[idx]          # idx -1 → the trailing None
    det = _obj([r[1] for r in res] + [None])[idx]
    ok = np.array([r[0] is not None for r in res] + [True], dtype=bool)[idx]
    return vals, ~ok, det


def first_duplicates(keys: list[np.ndarray]) -> np.ndarray:
    """For each row, the index of the first earlier row with the same key, or -1."""
    n = len(keys[0]) if keys else 0
    if n == 0:
        return np.zeros(0, np.int64)
    import pandas as pd

    df = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    dup = df.duplicated(keep="first").to_numpy()
    out = np.full(n, -1, np.int64)
    if dup.any():
        first = df.reset_index().groupby([f"k{i}" for i in range(len(keys))], dropna=False)["index"].transform("min").to_numpy()
        out[dup] = first[dup]
    return out
