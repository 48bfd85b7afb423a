"""The SME self-assessment CSV of ``chainbrain cultivate assess`` (one row per firm; issue #15).

Columns (money in 万元, ratios in percent, an empty cell = none)::

    case_id, employees, revenue_prev_year_wan, revenue_growth_prev_year_pct, debt_ratio_pct,
    rd_expense_prev_year_wan, rd_ratio_pct, rd_expense_2y_avg_wan, main_business_share_pct,
    ip_class (I_high_value|I_self|I|II|none), sei_field (0/1), years_in_niche,
    equity_financing_2y_wan, equity_financing_3y_wan, has_hightech_cert (0/1),
    st_award_3y (none|provincial|national), st_award_rank, provincial_rd_institution (0/1),
    maker_china_rank_3y, net_margin_pct, digital_level (1–4), quality_items (0–4),
    two_year_avg_main_growth_pct, field_contribution (key|basic|none)

"Empty = none" reads as: a class → ``none``, a 0/1 flag → 0, an amount (R&D, equity) → 0,
a rank → no rank (in a number column the word ``none`` reads as empty); a measured figure (employees, revenue, growth, ratios, years, digital
level) → not reported (NaN): the indicator that needs it is unknown.  An empty
``rd_ratio_pct`` is derived as R&D ÷ revenue × 100 when both are given (revenue > 0).
Other columns are ignored.  Any bad value stops the whole file with one bilingual error
naming the file, the row (the file's line, header = row 1) and the field.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

# kind: measured (NaN when empty), amount (0 when empty), flag (0/1), rank (positive integer, NaN when empty),
# level (integer in a range, NaN when empty), count (integer in a range, 0 when empty), class (text)
COLUMNS: dict[str, tuple] = {
    "case_id": ("id",),
    "employees": ("measured", 0, None, True),
    "revenue_prev_year_wan": ("measured", 0, None, False),
    "revenue_growth_prev_year_pct": ("measured", -100, None, False),
    "debt_ratio_pct": ("measured", 0, None, False),
    "rd_expense_prev_year_wan": ("amount",),
    "rd_ratio_pct": ("measured", 0, None, False),
    "rd_expense_2y_avg_wan": ("amount",),
    "main_business_share_pct": ("measured", 0, 100, False),
    "ip_class": ("class", ("I_high_value", "I_self", "I", "II", "none")),
    "sei_field": ("flag",),
    "years_in_niche": ("measured", 0, None, False),
    "equity_financing_2y_wan": ("amount",),
    "equity_financing_3y_wan": ("amount",),
    "has_hightech_cert": ("flag",),
    "st_award_3y": ("class", ("none", "provincial", "national")),
    "st_award_rank": ("rank",),
    "provincial_rd_institution": ("flag",),
    "maker_china_rank_3y": ("rank",),
    "net_margin_pct": ("measured", None, None, False),
    "digital_level": ("level", 1, 4),
    "quality_items": ("count", 0, 4),
    "two_year_avg_main_growth_pct": ("measured", -100, None, False),
    "field_contribution": ("class", ("key", "basic", "none")),
}
NAMES = list(COLUMNS)


class AssessInputError(ValueError):
    """One bilingual message naming the file, row and field."""


def _fail(path, row: int | None, field: str, msg: str) -> None:
    at = f"row {row}, " if row is not None else ""
    raise AssessInputError(f"{path}: {at}field {field}: {msg}")


def read(path: str | Path) -> pd.DataFrame:
    """The checked, typed firms of one CSV file (raises :class:`AssessInputError`)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    if not Path(path).is_file():
        raise AssessInputError(f"{path}: file not found (文件不存在)")
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header}, strings_can_be_null=False,
            quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        _ragged(path)
        raise AssessInputError(f"{path}: not a readable UTF-8 CSV file: {str(exc).splitlines()[0]} "
                               f"(不是可读取的 UTF-8 CSV 文件)") from None
    return parse(table, path)


def _ragged(path) -> None:
    """Name the first row whose number of fields differs from the header's (Arrow's error does not)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = csv.reader(f)
            header = next(rows, None)
            if not header:
                return
            for i, row in enumerate(rows, start=2):
                if row and len(row) != len(header):
                    field = header[len(row)] if len(row) < len(header) else f"(column {len(row)})"
                    _fail(path, i, field, f"{len(row)} fields where the header has {len(header)} "
                                          f"(字段数 {len(row)} 与表头 {len(header)} 不符)")
    except (UnicodeDecodeError, csv.Error):
        return


def parse(raw, path="input") -> pd.DataFrame:
    """Check and type a table of text cells (a ``pyarrow.Table`` or a DataFrame; the columns above)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(raw, pd.DataFrame):
        raw = pa.Table.from_pandas(raw.astype(str), preserve_index=False)
    cols = {str(c).strip(): raw.column(k) for k, c in enumerate(raw.column_names)}
    for c in NAMES:
        if c not in cols:
            _fail(path, 1, c, f"required column missing (缺少必需列 {c})")
    out = {}
    for c in NAMES:
        spec = COLUMNS[c]
        col = pc.utf8_trim_whitespace(cols[c].combine_chunks() if cols[c].num_chunks != 1 else cols[c].chunk(0))
        kind = spec[0]
        if kind not in ("id", "class"):            # a number column: "none" is written out as empty
            col = pc.if_else(pc.equal(pc.utf8_lower(col), "none"), "", col)
        empty = pc.equal(col, "").to_numpy(zero_copy_only=False)
        if kind in ("id", "class"):
            s = col.to_numpy(zero_copy_only=False)
            if kind == "id":
                _first(path, empty, c, lambda i: "case_id is empty (case_id 为空)")
                dup = pd.Series(s).duplicated().to_numpy()
                _first(path, dup, c, lambda i: f"case_id {s[i]!r} repeats an earlier row (case_id 重复)")
                out[c] = s
                continue
            allowed = spec[1]
            v = np.where(empty, "none", s).astype(object)
            bad = ~pc.is_in(pa.array(v, pa.string()), value_set=pa.array(allowed)).to_numpy(zero_copy_only=False)
            _first(path, bad, c, lambda i: f"{s[i]!r} is not one of {'|'.join(allowed)} "
                                           f"(取值须为 {'|'.join(allowed)} 之一)")
            out[c] = v
            continue
        x = _numbers(col, empty)
        text = lambda i: col[i].as_py()  # noqa: E731
        notnum = ~empty & (np.isnan(x) | np.isinf(x))
        _first(path, notnum, c, lambda i: f"{text(i)!r} is not a number (不是数字)")
        if kind == "flag":
            bad = ~empty & ~np.isin(x, (0.0, 1.0))
            _first(path, bad, c, lambda i: f"{text(i)!r} must be 0 or 1 (须为 0 或 1)")
            x = np.where(empty, 0.0, x)
        elif kind == "amount":
            _first(path, ~empty & (x < 0), c, lambda i: f"{text(i)!r} must not be negative (万元, 不得为负)")
            x = np.where(empty, 0.0, x)
        elif kind == "rank":
            bad = ~empty & ((x < 1) | (x != np.floor(x)))
            _first(path, bad, c, lambda i: f"{text(i)!r} must be a whole number ≥ 1 (名次须为 ≥1 的整数)")
        elif kind in ("level", "count"):
            lo, hi = spec[1], spec[2]
            bad = ~empty & ((x < lo) | (x > hi) | (x != np.floor(x)))
            _first(path, bad, c, lambda i: f"{text(i)!r} must be a whole number {lo}–{hi} "
                                           f"(须为 {lo}–{hi} 的整数)")
            if kind == "count":
                x = np.where(empty, 0.0, x)
        else:                                   # measured
            lo, hi, whole = spec[1], spec[2], spec[3]
            if lo is not None:
                _first(path, ~empty & (x < lo), c, lambda i: f"{text(i)!r} is below {lo} (不得小于 {lo})")
            if hi is not None:
                _first(path, ~empty & (x > hi), c, lambda i: f"{text(i)!r} is above {hi} (不得大于 {hi})")
            if whole:
                _first(path, ~empty & (x != np.floor(x)), c,
                       lambda i: f"{text(i)!r} must be a whole number (须为整数)")
        out[c] = x
    df = pd.DataFrame(out)
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = df.rd_expense_prev_year_wan / df.revenue_prev_year_wan * 100
    fill = df.rd_ratio_pct.isna() & (df.revenue_prev_year_wan > 0)
    df["rd_ratio_pct"] = df.rd_ratio_pct.where(~fill, derived)
    return df


def _numbers(col, empty: np.ndarray) -> np.ndarray:
    """Floats of a text column (NaN where empty or not a number), cast by Arrow when every cell parses."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), col), pa.float64()) \
            .to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(pd.Series(col.to_numpy(zero_copy_only=False)).where(~empty, None),
                             errors="coerce").to_numpy(dtype=float)


def _first(path, bad: np.ndarray, field: str, message) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i + 2, field, message(i))


def write(out: pd.DataFrame, path: str | Path) -> None:
    """The assessment as UTF-8 CSV (Arrow's writer, quoting only where needed), or .xlsx by suffix."""
    if str(path).lower().endswith(".xlsx"):
        out.to_excel(path, index=False, sheet_name="assessment")
        return
    import pyarrow as pa
    from pyarrow import csv as pacsv

    table = pa.Table.from_pandas(out, preserve_index=False)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
