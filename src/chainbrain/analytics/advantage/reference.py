"""External (e.g. national) reference tables for the subnational method, location quotients and shift-share.

Two CSV layouts (UTF-8, header row; an optional ``note`` column is kept as
the table's label — the demo's synthetic table says so there):

- ``product,pci`` (``segment,pci`` is accepted too): an external PCI per
  segment.  Used for the *subnational* ECI (a region's ECI = mean reference
  PCI over its segments with M = 1; ``complexity.eci_from_pci``) and, where a
  segment has one, for the PCI term of the scores — PCI from a dozen
  counties is unstable, a national PCI is not.
- ``industry_code,value[,growth][,year]``: a national value (revenue, yuan)
  per GB/T 4754 industry class, and optionally its growth rate (fraction)
  over the shift-share period.  Mapped to segments through the catalog's
  ``segment_industry`` (an industry mapped to n segments gives 1/n of its
  value to each), it replaces the province as the reference of location
  quotients (national shares) and shift-share (national rates).

Validation names the file, the row (as a spreadsheet shows it: header = 1)
and the field of the first problem: missing columns, empty or duplicate keys,
non-numeric or non-finite numbers, negative values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

KINDS = ("pci", "industry")


class ReferenceError(ValueError):
    """A reference file that does not validate (message names file, row and field)."""


@dataclass
class Reference:
    kind: str                      # pci | industry
    table: pd.DataFrame            # pci: segment, pci; industry: industry_code, value[, growth]
    note: str | None = None
    source: str | None = None

    def summary(self) -> dict:
        out = {"kind": self.kind, "rows": int(len(self.table)), "note": self.note, "source": self.source}
        if self.kind == "pci":
            out["pci_min"] = float(self.table["pci"].min())
            out["pci_max"] = float(self.table["pci"].max())
        else:
            out["value_total"] = float(self.table["value"].sum())
            out["has_growth"] = "growth" in self.table
            if "year" in self.table:
                out["years"] = sorted(int(y) for y in self.table["year"].dropna().unique())
        return out

    # -------------------------------------------------------------- as segment series
    def pci_by_segment(self) -> pd.Series | None:
        if self.kind != "pci":
            return None
        return self.table.set_index("segment")["pci"].astype(float)

    def by_segment(self, segment_industry: pd.DataFrame, column: str = "value") -> pd.Series | None:
        """segment → reference value (or value-weighted growth) through ``segment_industry``.

        ``segment_industry``: (segment, industry_code).  An industry mapped to n
        segments gives 1/n of its value to each; growth is the value-weighted
        mean of the segment's industries' rates.
        """
        if self.kind != "industry" or segment_industry is None or segment_industry.empty:
            return None
        t = self.table
        if column == "growth" and "growth" not in t:
            return None
        si = segment_industry[["segment", "industry_code"]].drop_duplicates()
        n = si.groupby("industry_code")["segment"].transform("size")
        m = si.assign(n=n).merge(t, on="industry_code", how="inner")
        if m.empty:
            return None
        share = m["value"] / m["n"]
        if column == "value":
            return share.groupby(m["segment"]).sum()
        w = share.groupby(m["segment"]).sum()
        return (share * m["growth"]).groupby(m["segment"]).sum() / w.where(w > 0)

    def total_growth(self) -> float | None:
        """The reference's overall growth rate (value-weighted over all its industries)."""
        if self.kind != "industry" or "growth" not in self.table:
            return None
        t = self.table
        return float((t["value"] * t["growth"]).sum() / t["value"].sum()) if t["value"].sum() > 0 else None


def _fail(path, row: int | None, field: str | None, msg: str):
    where = ", ".join(x for x in (str(path), f"row {row}" if row else None, f"field {field}" if field else None) if x)
    raise ReferenceError(f"{where}: {msg}")


def _numbers(df: pd.DataFrame, col: str, path, allow_missing: bool = False,
             nonneg: bool = False) -> pd.Series:
    raw = df[col]
    v = pd.to_numeric(raw, errors="coerce")
    bad = (v.isna() & raw.notna() & (raw.astype(str).str.strip() != "")) | ~np.isfinite(v.fillna(0))
    if not allow_missing:
        bad |= v.isna()
    if nonneg:
        bad |= v < 0
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        what = "negative number" if nonneg and pd.notna(v.iloc[i]) and v.iloc[i] < 0 else "not a finite number"
        _fail(path, i + 2, col, f"{what} {raw.iloc[i]!r} (数值无效)")
    return v.astype(float)


def read_reference(path: str | Path) -> Reference:
    """Read and validate a reference CSV (see the module docstring)."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        _fail(path, None, None, f"cannot read CSV (无法读取 CSV): {exc}")
    df.columns = [str(c).strip().lower() for c in df.columns]
    cols = set(df.columns)
    note = None
    if "note" in cols:
        notes = [n for n in df["note"].dropna().astype(str).str.strip().unique() if n]
        note = "; ".join(notes) or None
    if "pci" in cols and ({"product", "segment"} & cols):
        key = "product" if "product" in cols else "segment"
        kind, out_key, value_col = "pci", "segment", "pci"
    elif {"industry_code", "value"} <= cols:
        kind, key, out_key, value_col = "industry", "industry_code", "industry_code", "value"
    else:
        _fail(path, None, None, "columns must be product,pci (or segment,pci) or industry_code,value "
                                f"(列应为 product,pci 或 industry_code,value); found {', '.join(df.columns)}")
    if df.empty:
        _fail(path, None, None, "no rows (无数据行)")
    keys = df[key].fillna("").astype(str).str.strip()
    empty = keys == ""
    if empty.any():
        _fail(path, int(np.flatnonzero(empty.to_numpy())[0]) + 2, key, "empty code (代码为空)")
    if kind == "industry":
        bad = ~keys.str.fullmatch(r"\d{4}")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            _fail(path, i + 2, key, f"not a 4-digit GB/T 4754 industry class {keys.iloc[i]!r} (行业小类代码应为4位)")
    group = [keys] + ([df["year"].astype(str)] if kind == "industry" and "year" in cols else [])
    dup = pd.DataFrame({f"k{i}": g for i, g in enumerate(group)}).duplicated()
    if dup.any():
        _fail(path, int(np.flatnonzero(dup.to_numpy())[0]) + 2, key, f"duplicate code {keys[dup].iloc[0]!r} (代码重复)")
    out = pd.DataFrame({out_key: keys.to_numpy()})
    out[value_col] = _numbers(df, value_col, path, nonneg=(kind == "industry")).to_numpy()
    if kind == "industry":
        if "growth" in cols:
            g = _numbers(df, "growth", path)
            if (g <= -1).any():
                i = int(np.flatnonzero((g <= -1).to_numpy())[0])
                _fail(path, i + 2, "growth", "growth rate must be > -1 (a fraction; 增长率以小数表示且大于 -1)")
            out["growth"] = g.to_numpy()
        if "year" in cols:
            out["year"] = _numbers(df, "year", path).astype(int).to_numpy()
            if out["year"].nunique() > 1:
                _fail(path, None, "year", "one year per file (每个文件只含一个年份)")
    return Reference(kind=kind, table=out, note=note, source=str(path))


def segment_industry(store) -> pd.DataFrame:
    """(segment, industry_code) from the catalog, sub-segments rolled up to their parent segment."""
    si = store.table("segment_industry").execute()
    seg = store.table("segment").select("code", "level", "parent_code").execute()
    parent = dict(zip(seg["code"], np.where((seg["level"] == "sub_segment") & seg["parent_code"].notna(),
                                            seg["parent_code"], seg["code"])))
    out = pd.DataFrame({"segment": si["segment_code"].map(parent).fillna(si["segment_code"]),
                        "industry_code": si["industry_code"]})
    return out.drop_duplicates(ignore_index=True)


# ------------------------------------------------------------------ store table (store/schema_advantage.py)
TABLE = "advantage_reference"

def has_table(store) -> bool:
    import sqlalchemy as sa

    return sa.inspect(store.engine).has_table(TABLE)


def to_rows(ref: Reference, name: str) -> pd.DataFrame:
    """The rows ``ref`` occupies in the ``advantage_reference`` table."""
    t = ref.table
    code = t["segment"] if ref.kind == "pci" else t["industry_code"]
    return pd.DataFrame({
        "name": name, "kind": ref.kind, "code": code.astype(str),
        "year": t["year"] if "year" in t else None,
        "value": t["pci"] if ref.kind == "pci" else t["value"],
        "growth": t["growth"] if "growth" in t else None, "note": ref.note, "source": ref.source})
