"""Read an input–output table from CSV files (Z, Y and optionally x) and check it.

Layouts (the ``chainbrain io linkages`` contract):

- Z: columns ``region,sector`` then one column per buying region-sector named
  ``region|sector``, in the same order as the rows;
- Y: the same rows (same order) and one column per final-demand category named
  ``region|category``; final demand f = Y·1 (all columns);
- x (optional): ``region,sector,x``, one row per row of Z (any order).

An x that disagrees with Z·1 + f beyond rounding is refused: a row passes when
|x − (Z·1 + f)| ≤ max(ABS_TOL, REL_TOL·|x|) — one unit of the table's money
unit, or 0.01 % of the row's output, whichever is larger (rounding of the
published cells; unsourced, chosen so the published tables' rounding passes
and a wrong row does not).  Every problem is one bilingual
``ValueError`` naming file, row (1-based line in the file, header = line 1)
and field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ABS_TOL = 1.0
REL_TOL = 1e-4


class TableError(ValueError):
    """A bad input–output file (message bilingual, names file, row, field)."""


@dataclass
class IOTable:
    regions: list[str]
    sectors: list[str]
    Z: np.ndarray
    f: np.ndarray
    x: np.ndarray | None
    Y: np.ndarray | None = None                     # n × m final demand by column
    y_columns: list[tuple[str, str]] | None = None  # (region, category) of Y's columns


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise TableError(f"{path}: cannot read CSV: {exc} (无法读取 CSV 文件)") from None


def _keys(df: pd.DataFrame, path: Path) -> list[tuple[str, str]]:
    for c in ("region", "sector"):
        if c not in df.columns:
            raise TableError(f"{path}: required column {c!r} is missing (缺少必需列「{c}」)")
    keys = list(zip(df["region"].str.strip(), df["sector"].str.strip()))
    seen: dict[tuple[str, str], int] = {}
    for i, k in enumerate(keys):
        if not k[0] or not k[1]:
            field = "region" if not k[0] else "sector"
            raise TableError(f"{path}: row {i + 2}, field {field}: required value is empty (必填项为空)")
        if k in seen:
            raise TableError(f"{path}: row {i + 2}, field sector: {k[0]}|{k[1]} repeats row {seen[k]} "
                             f"(与第 {seen[k]} 行重复)")
        seen[k] = i + 2
    return keys


def _numbers(df: pd.DataFrame, cols: list[str], path: Path) -> np.ndarray:
    out = np.empty((len(df), len(cols)))
    for j, c in enumerate(cols):
        raw = df[c].str.strip().str.replace(",", "", regex=False)
        raw = raw.replace("", "0")
        try:
            v = raw.to_numpy().astype(float)             # Python's float(): exact decimal → binary
        except ValueError:
            v = pd.to_numeric(raw, errors="coerce").to_numpy(float)
        bad = ~np.isfinite(v)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise TableError(f"{path}: row {i + 2}, field {c}: not a number {df[c].iloc[i]!r} (不是数字)")
        out[:, j] = v
    return out


def read_io_table(z_path: Path, y_path: Path, x_path: Path | None = None) -> IOTable:
    z_path, y_path = Path(z_path), Path(y_path)
    Zdf = _read(z_path)
    keys = _keys(Zdf, z_path)
    if not keys:
        raise TableError(f"{z_path}: no rows (没有数据行)")
    expected = [f"{r}|{s}" for r, s in keys]
    cols = [c.strip() for c in Zdf.columns[2:]] if list(Zdf.columns[:2]) == ["region", "sector"] else None
    if cols is None:
        raise TableError(f"{z_path}: the first two columns must be region,sector (前两列应为 region,sector)")
    if cols != expected:
        pos = next((i for i, (a, b) in enumerate(zip(cols, expected)) if a != b), min(len(cols), len(expected)))
        got = cols[pos] if pos < len(cols) else "(none)"
        want = expected[pos] if pos < len(expected) else "(none)"
        raise TableError(f"{z_path}: row 1, column {pos + 3}: header {got!r} should be {want!r} — one column per "
                         f"row, named region|sector, in the rows' order (列名应为 {want}，与行顺序一致)")
    Z = _numbers(Zdf, list(Zdf.columns[2:]), z_path)

    Ydf = _read(y_path)
    ykeys = _keys(Ydf, y_path)
    if ykeys != keys:
        pos = next((i for i, (a, b) in enumerate(zip(ykeys, keys)) if a != b), min(len(ykeys), len(keys)))
        raise TableError(f"{y_path}: row {pos + 2}, field sector: rows must be Z's rows in Z's order "
                         f"({len(ykeys)} rows, Z has {len(keys)}) (行须与 Z 的行及顺序一致)")
    ycols = [c for c in Ydf.columns if c not in ("region", "sector")]
    if not ycols:
        raise TableError(f"{y_path}: no final-demand column (region|category) (缺少最终使用列)")
    for j, c in enumerate(ycols):
        if "|" not in c:
            raise TableError(f"{y_path}: row 1, column {c!r}: final-demand columns are named region|category "
                             f"(最终使用列名应为 地区|类别)")
    Y = _numbers(Ydf, ycols, y_path)
    f = Y.sum(axis=1)

    x = None
    if x_path is not None:
        x_path = Path(x_path)
        Xdf = _read(x_path)
        xkeys = _keys(Xdf, x_path)
        if "x" not in Xdf.columns:
            raise TableError(f"{x_path}: required column 'x' is missing (缺少必需列「x」)")
        xv = _numbers(Xdf, ["x"], x_path)[:, 0]
        where = {k: i for i, k in enumerate(xkeys)}
        missing = [k for k in keys if k not in where]
        if missing:
            raise TableError(f"{x_path}: field x: no row for {missing[0][0]}|{missing[0][1]} "
                             f"({len(missing)} rows of Z missing) (缺少 Z 中的行)")
        extra = [i for i, k in enumerate(xkeys) if k not in set(keys)]
        if extra:
            i = extra[0]
            raise TableError(f"{x_path}: row {i + 2}, field sector: {xkeys[i][0]}|{xkeys[i][1]} is not a row of Z "
                             f"(不是 Z 中的行)")
        order = np.array([where[k] for k in keys])
        x = xv[order]
        implied = Z.sum(axis=1) + f
        diff = np.abs(x - implied)
        tol = np.maximum(ABS_TOL, REL_TOL * np.abs(x))
        bad = np.flatnonzero(diff > tol)
        if bad.size:
            i = int(bad[0])
            line = int(order[i]) + 2
            raise TableError(
                f"{x_path}: row {line} ({keys[i][0]}|{keys[i][1]}), field x: {_g(x[i])} disagrees with "
                f"Z·1 + f = {_g(implied[i])} by {_g(diff[i])} (more than rounding, tolerance {_g(tol[i])}; "
                f"{bad.size} row(s) disagree) (总产出与中间使用合计加最终使用不一致，超出舍入误差)")
    return IOTable(regions=[k[0] for k in keys], sectors=[k[1] for k in keys], Z=Z, f=f, x=x, Y=Y,
                   y_columns=[tuple(c.split("|", 1)) for c in ycols])


def _g(v: float) -> str:
    return f"{v:.10g}" if math.isfinite(v) else str(v)
