"""Turn a :class:`RawTable` into typed Arrow columns for one import kind, collecting issues.

Field kinds (see :mod:`chainbrain.ingest.headers`) map to parsers in
:mod:`chainbrain.ingest.rules`. Money columns need a unit: a header unit
(``营业收入(千元)``), a ``unit`` column, or the ``--unit`` option — otherwise the
file is rejected; the importer never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chainbrain.catalog.industries import by_code
from chainbrain.catalog.pack import load_pack
from chainbrain.catalog.regions import resolve
from chainbrain.ingest import rules as R
from chainbrain.ingest.errors import ERROR_COLUMN, Issues
from chainbrain.ingest.headers import DESIGNATION_KINDS, DESIGNATION_LEVELS, KINDS, match_headers, norm
from chainbrain.ingest.readers import RawTable
from chainbrain.ingest.units import FACTORS, normalize_unit
from chainbrain.periods import PeriodError, parse_period

PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}


def province_code(text: str):
    s = (text or "").strip()
    if re.fullmatch(r"\d{6}", s) and s[:2] in PROVINCES and s.endswith("0000"):
        return s, None
    for code, name in PROVINCES.items():
        if s.startswith(name):
            return code + "0000", None
    return None, s


@dataclass
class Parsed:
    kind: str
    raw: RawTable
    issues: Issues
    cols: dict[str, object] = field(default_factory=dict)     # key → Arrow array or numpy array
    present: set[str] = field(default_factory=set)
    unit: str | None = None

    @property
    def n(self) -> int:
        return self.raw.num_rows


class RegionLookup:
    """Region code or name → current code (retired codes map to successors)."""

    def __init__(self, pack=None):
        self.pack = pack or load_pack()
        self.index = self.pack.region_index
        self.by_name: dict[str, list[str]] = {}
        for r in self.pack.regions:
            if r.status == "current":
                for nm in {r.name, _short(r.name)}:
                    self.by_name.setdefault(nm, []).append(r.code)

    def __call__(self, text: str):
        s = text.strip()
        if re.fullmatch(r"\d{6}(\.0*)?", s):
            s = s[:6]
            cur = resolve(self.index, s)
            if cur is None:
                return None, ("region_unknown", s)
            if cur != s:
                return cur, ("region_retired", cur)
            return cur, None
        codes = self.by_name.get(s) or self.by_name.get(_short(s))
        if codes and len(set(codes)) == 1:
            return codes[0], None
        return None, ("region_unknown", s)


def _short(name: str) -> str:
    return re.sub(r"(省|市|县|区|自治县)$", "", name) if len(name) > 2 else name


def _industry(text: str):
    s = re.sub(r"^[A-Ta-t]", "", text.strip())
    s = re.sub(r"\.0*$", "", s)
    c = by_code().get(s)
    if c is not None and c.level == "class":
        return s, None
    return None, ("industry_unknown", text)


def _segment_lookup():
    """Segment code or Chinese name → code (codes case-insensitive)."""
    segs = load_pack().segments
    lut = {s.code.upper(): s.code for s in segs}
    for s in segs:
        lut.setdefault(norm(s.name_zh), s.code)

    def fn(text):
        t = text.strip()
        v = lut.get(t.upper()) or lut.get(norm(t))
        return (v, None) if v else (None, ("segment_unknown", t))
    return fn


def _enum(table: dict[str, tuple[str, ...]]):
    lut = {}
    for key, names in table.items():
        for nm in (key, *names):
            lut[norm(nm)] = key

    def fn(text):
        v = lut.get(norm(text))
        return (v, None) if v else (None, ("enum", text))
    return fn


def _period(text: str):
    try:
        p = parse_period(text)            # YYYY-MM, YYYY-Qn, YYYY and the bureau's labels (2024年1-2月, …)
        return (p.year, p.month), None
    except PeriodError as e:
        return None, ("period", str(e))


def _calendar_month(text: str):
    """``YYYY-MM`` (or ``YYYY年M月``) as a calendar month 1–12 (the grid company's 当月, January included)."""
    m = re.fullmatch(r"(\d{4})\s*[-年/.]?\s*(\d{1,2})\s*月?", (text or "").strip())
    if m and 1 <= int(m[2]) <= 12 and 1900 <= int(m[1]) <= 2100:
        return (int(m[1]), int(m[2])), None
    return None, ("period", f"{text}: expected YYYY-MM with month 01–12 (应为 YYYY-MM，月份 01–12)")


def parse(raw: RawTable, kind: str, unit: str | None = None, regions: RegionLookup | None = None,
          progress=None) -> Parsed:
    """Typed columns and issues; ``progress(fraction)`` is called after each column."""
    issues = Issues(raw.file, raw.sheet)
    out = Parsed(kind, raw, issues)
    for row, reason in raw.read_issues:
        issues.add("columns", row=row, detail=reason)
    headers = [h for h in raw.headers]
    m = match_headers(kind, headers)
    for f in m.missing:
        issues.add("missing_column", column=f.key, detail=f"{f.zh} ({f.key})")
    for key in m.duplicate:
        issues.add("duplicate_column", column=key, detail=key)
    fields = {f.key: f for f in KINDS[kind]}
    out.present = set(m.columns)
    rn = raw.rownum
    n = raw.num_rows

    # ---- unit
    opt_unit = None
    if unit is not None:
        opt_unit = normalize_unit(unit)
        if opt_unit is None:
            issues.add("unit_unknown", column="--unit", value=unit, detail=unit)
    money_keys = [k for k in m.columns if fields[k].kind == "money"]
    row_factor = np.full(n, 0, dtype=np.int64)
    if opt_unit:
        row_factor[:] = FACTORS[opt_unit]
    if "unit" in m.columns:
        vals, bad, _ = R.map_values(raw.columns[m.columns["unit"]],
                                    lambda s: (normalize_unit(s), None))
        hdr = headers[m.columns["unit"]]
        col_vals = R.to_np_str(R.clean(raw.columns[m.columns["unit"]]))
        issues.add_mask(bad, "unit_unknown", rownum=rn, column=hdr, values=col_vals, detail=col_vals)
        f_unit = pd.Series(vals, dtype=object).map(FACTORS).fillna(0).to_numpy(dtype=np.int64)
        if opt_unit:
            conflict = (f_unit != 0) & (f_unit != FACTORS[opt_unit])
            issues.add_mask(conflict, "unit_conflict", rownum=rn, column=hdr, values=col_vals,
                            detail=f"--unit {opt_unit}")
        row_factor = np.where(f_unit != 0, f_unit, row_factor)
        out.unit = "column"
    else:
        out.unit = opt_unit
    for k, u in m.units.items():
        if opt_unit and u != opt_unit:
            issues.add("unit_conflict", column=headers[m.columns[k]], detail=f"{headers[m.columns[k]]} vs --unit {opt_unit}")
    if money_keys and "unit" not in m.columns and not opt_unit and not all(k in m.units for k in money_keys):
        issues.add("unit_missing", column="unit")
    if money_keys and "unit" in m.columns and not opt_unit:
        no_unit = (row_factor == 0) & ~np.zeros(n, bool)
        # rows without a unit value: an error unless every money header states its unit
        if not all(k in m.units for k in money_keys):
            blank = R.nulls(R.clean(raw.columns[m.columns["unit"]]))
            has_money = np.zeros(n, bool)          # a row without any amount needs no unit
            for k in money_keys:
                if k not in m.units:
                    has_money |= ~R.nulls(R.clean(raw.columns[m.columns[k]]))
            issues.add_mask(no_unit & blank & has_money, "unit_missing", rownum=rn, column=headers[m.columns["unit"]])

    n_cols = max(1, len(m.columns))
    for done, (key, ci) in enumerate(m.columns.items()):
        if progress is not None:
            progress(done / n_cols)
        f = fields[key]
        hdr = headers[ci]
        col = raw.columns[ci]
        txt = R.clean(col)
        isnull = R.nulls(txt)
        if f.not_null:
            issues.add_mask(isnull, "required", rownum=rn, column=hdr)
        values = None

        def texts():
            nonlocal values
            if values is None:
                values = R.to_np_str(txt)
            return values

        if f.kind == "uscc":
            codes, bad, changed = R.check_uscc(col)
            if bad.any():
                v = texts()
                issues.add_mask(bad, "uscc", rownum=rn, column=hdr, values=v,
                                detail=[R.uscc_detail(x) if x is not None else "" for x in R.to_np_str(codes)])
            if changed.any():
                issues.add_mask(changed, "uscc_normalized", rownum=rn, column=hdr,
                                values=R.to_np_str(R.as_array(col)), severity="warning")
            out.cols[key] = codes
        elif f.kind == "text":
            out.cols[key] = txt
        elif f.kind == "money":
            fac = np.full(n, FACTORS[m.units[key]], np.int64) if key in m.units else np.where(row_factor == 0, 1, row_factor)
            y, bad, big = R.parse_money(txt, fac)
            issues.add_mask(bad, "number", rownum=rn, column=hdr, values=texts() if bad.any() else None)
            issues.add_mask(big, "too_large", rownum=rn, column=hdr, values=texts() if big.any() else None)
            out.cols[key] = y
            if f.nonneg:
                neg = np.asarray(pc.fill_null(pc.less(y, pa.scalar(0, R.MONEY)), False).to_numpy(zero_copy_only=False), bool)
                issues.add_mask(neg, "negative", rownum=rn, column=hdr, values=texts() if neg.any() else None)
        elif f.kind in ("int", "number"):
            v, bad = R.parse_int(txt) if f.kind == "int" else R.parse_number(txt)
            issues.add_mask(bad, "integer" if f.kind == "int" else "number", rownum=rn, column=hdr,
                            values=texts() if bad.any() else None)
            out.cols[key] = v
            if f.nonneg:
                neg = np.asarray(pc.fill_null(pc.less(v, 0), False).to_numpy(zero_copy_only=False), bool)
                issues.add_mask(neg, "negative", rownum=rn, column=hdr, values=texts() if neg.any() else None)
        elif f.kind == "date":
            v, bad = R.parse_date(txt)
            issues.add_mask(bad, "date", rownum=rn, column=hdr, values=texts() if bad.any() else None)
            out.cols[key] = v
        elif f.kind == "year":
            y, bad = R.parse_year(txt)
            issues.add_mask(bad, "year", rownum=rn, column=hdr, values=texts() if bad.any() else None)
            out.cols[key] = y
        elif f.kind == "period" and kind == "power":          # calendar months (当月), not YTD periods
            vals, bad, det = R.map_values(txt, _calendar_month)
            issues.add_mask(bad, "period", rownum=rn, column=hdr, values=texts() if bad.any() else None,
                            detail=[d[1] if d else "" for d in det])
            out.cols["year"] = np.array([v[0] if v else 0 for v in vals], np.int64)
            out.cols["month"] = np.array([v[1] if v else 0 for v in vals], np.int64)
        elif f.kind == "period":
            vals, bad, det = R.map_values(txt, _period)
            issues.add_mask(bad, "period", rownum=rn, column=hdr, values=texts() if bad.any() else None,
                            detail=[d[1] if d else "" for d in det])
            a = R.clean(txt)
            idx, res = R.map_unique(a, _period)
            ys = np.array([r[0][0] if r[0] else 0 for r in res] + [0], np.int64)
            ms = np.array([r[0][1] if r[0] else 0 for r in res] + [0], np.int64)
            out.cols["year"], out.cols["month"] = ys[idx], ms[idx]
        elif f.kind in ("region", "industry", "enum", "province", "segment"):
            if f.kind == "segment":
                fn = _segment_lookup()
            elif f.kind == "region":
                fn = regions or RegionLookup()
            elif f.kind == "industry":
                fn = _industry
            elif f.kind == "province":
                fn = lambda s: (lambda c, bad: (c, None) if c else (None, ("province", bad)))(*province_code(s))  # noqa: E731
            else:
                fn = _enum(DESIGNATION_KINDS if key == "kind" else DESIGNATION_LEVELS)
            vals, bad, det = R.map_values(txt, fn)
            if bad.any():
                issues.add_mask(bad, det[int(np.flatnonzero(bad)[0])][0], rownum=rn, column=hdr, values=texts(),
                                detail=[d[1] if d else "" for d in det])
            warn = (vals != None) & (det != None)  # noqa: E711  (element-wise on object arrays)
            if warn.any():
                issues.add_mask(warn, "region_retired", rownum=rn, column=hdr, values=texts(),
                                detail=[d[1] if d else "" for d in det], severity="warning")
            out.cols[key] = pa.array(vals, pa.string())
    for h in m.unknown:
        if norm(h) in (norm(ERROR_COLUMN), norm("源行号/source_row")):
            continue
    return out
