"""Statistical inputs from the bureau: ``sei-shares`` and ``deflators`` (tables of migration 0006).

- ``sei-shares`` (``industry_code, year, share``): the product-level share of
  strategic emerging industries in a ``partial`` SEI class's value added, a
  fraction 0–1 (a value above 1 is refused: rule ``share_range``; write 0.35,
  not 35). The class must be a GB/T 4754 class (4 digits) the SEI catalogue
  flags ``partial`` (rule ``sei_not_partial``: a ``true`` class already counts
  fully, a ``false`` one not at all).
- ``deflators`` (``division, period, ppi_ytd``): producer price index of a
  GB/T 4754 division (行业大类, two digits, e.g. ``39``), year-to-date through
  the period's month, previous year = 100 (e.g. 98.7). Allowed 50–200 (rule
  ``ppi_range``: an index of 1.05 or −1.3 is a percentage written wrongly).

Keys: (class, year) and (division, year, month); a key twice in one file is an
error (``duplicate``). Stored as revisions like every import (the diff rule of
:mod:`chainbrain.ingest.load`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from chainbrain.catalog.industries import by_code
from chainbrain.ingest import rules as R
from chainbrain.ingest.parse import Parsed

PPI_RANGE = (50.0, 200.0)


def _hdr(p: Parsed, key: str) -> str:
    from chainbrain.ingest.headers import match_headers
    m = match_headers(p.kind, p.raw.headers).columns
    return p.raw.headers[m[key]] if key in m else key


def _floats(col) -> np.ndarray:
    return R.to_float(col) if not isinstance(col, np.ndarray) else col.astype(float)


def check_sei_shares(store, conn, p: Parsed, ids) -> dict:
    from chainbrain.ingest.checks import _duplicates

    if p.issues.fatal():
        return {}
    rn = p.raw.rownum
    share = _floats(p.cols["share"])
    p.issues.add_mask(~np.isnan(share) & ((share < 0) | (share > 1)), "share_range", rownum=rn,
                      column=_hdr(p, "share"), values=R.to_np_str(pa.array(share.astype(str))))
    codes = R.to_np_str(p.cols["industry_code"])
    cat = by_code()
    flag = np.array([cat[c].sei if c is not None and c in cat else "" for c in codes], dtype=object)
    p.issues.add_mask((codes != None) & (flag != "partial"), "sei_not_partial", rownum=rn,  # noqa: E711
                      column=_hdr(p, "industry_code"), values=codes, detail=flag)
    _duplicates(p, [codes, p.cols["year"]], _hdr(p, "industry_code"))
    return {}


def check_deflators(store, conn, p: Parsed, ids) -> dict:
    from chainbrain.ingest.checks import _duplicates

    if p.issues.fatal():
        return {}
    rn = p.raw.rownum
    raw = R.to_np_str(p.cols["division"])
    div = np.array([None if v is None else v.strip().lstrip("ABCDabcd").zfill(2) for v in raw], dtype=object)
    cat = by_code()
    ok = np.array([v is not None and v in cat and cat[v].level == "division" for v in div], bool)
    p.issues.add_mask(~ok & (raw != None), "division_unknown", rownum=rn, column=_hdr(p, "division"),  # noqa: E711
                      values=raw, detail=raw)
    p.cols["division"] = div
    ppi = _floats(p.cols["ppi_ytd"])
    lo, hi = PPI_RANGE
    p.issues.add_mask(~np.isnan(ppi) & ((ppi < lo) | (ppi > hi)), "ppi_range", rownum=rn,
                      column=_hdr(p, "ppi_ytd"), values=R.to_np_str(pa.array(ppi.astype(str))))
    _duplicates(p, [div, p.cols["year"], p.cols["month"]], _hdr(p, "division"))
    return {}


def write_sei_shares(store, conn, p: Parsed, keep, batch, ctx, res):
    from chainbrain.ingest.write import _take, write_revisioned

    cols = {"industry_code": _take(p.cols["industry_code"], keep),
            "year": pa.array(np.asarray(p.cols["year"])[keep].astype(np.int32)),
            "share": pa.array(_floats(p.cols["share"])[keep])}
    write_revisioned(store, conn, "sei_share", ["industry_code", "year"], {"share": "float"}, pa.table(cols),
                     batch, res, p.present)


def write_deflators(store, conn, p: Parsed, keep, batch, ctx, res):
    from chainbrain.ingest.write import write_revisioned

    cols = {"division": pa.array(p.cols["division"][keep], pa.string()),
            "year": pa.array(p.cols["year"][keep].astype(np.int32)),
            "month": pa.array(p.cols["month"][keep].astype(np.int32)),
            "ppi_ytd": pa.array(_floats(p.cols["ppi_ytd"])[keep])}
    write_revisioned(store, conn, "price_index", ["division", "year", "month"], {"ppi_ytd": "float"},
                     pa.table(cols), batch, res, p.present)
