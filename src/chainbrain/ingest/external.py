"""Out-of-province candidate enterprises (``chainbrain import external``).

Columns: ``name,province`` (required), ``uscc,city,industry_code,main_products,
revenue,year,unit,segment`` (optional). Each row becomes an ``enterprise`` with
the stated ``province_code`` — never the pack's own province (those belong in the
enterprise list or a registry import: rule ``province_home``). Rows match stored
enterprises by USCC, else by name within the province; changed fields are updated
in place, empty cells never erase.

- ``city`` is kept as text in ``address`` (GB/T 2260 codes outside the province
  are not in the pack);
- ``revenue`` needs ``year`` (rule ``year_missing``) and a unit; it is stored as an
  ``annual_report`` revision for that year (revenue only); one file may give several years
  of one enterprise (one row per year; the same enterprise twice in one year is ``duplicate``),
  as national lists do — investment attraction reads growth from two years
  (:mod:`chainbrain.analytics.attract`);
- ``segment`` (code or name) is a manual assignment: a ``segment_override`` (add),
  so it survives re-imports; the keyword mapping runs as for every enterprise.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.ingest import rules as R
from chainbrain.ingest.parse import Parsed
from chainbrain.store import schema as S


def _col(p: Parsed, key: str) -> np.ndarray:
    if key not in p.cols:
        return np.full(p.n, None, dtype=object)
    return R.to_np_str(p.cols[key]) if not isinstance(p.cols[key], np.ndarray) else p.cols[key]


def _hdr(p: Parsed, key: str) -> str:
    from chainbrain.ingest.headers import match_headers
    m = match_headers(p.kind, p.raw.headers).columns
    return p.raw.headers[m[key]] if key in m else key


def check_external(store, conn, p: Parsed, ids) -> dict:
    from chainbrain.catalog.pack import load_pack
    from chainbrain.ingest.checks import _duplicates

    if p.issues.fatal():
        return {}
    home = load_pack().province_code
    rn = p.raw.rownum
    prov = _col(p, "province")
    p.issues.add_mask(np.array([v == home for v in prov], bool), "province_home", rownum=rn,
                      column=_hdr(p, "province"), values=prov, detail=home)
    year = p.cols["year"] if "year" in p.cols else np.zeros(p.n, np.int64)
    if "revenue" in p.cols:
        has_rev = ~np.asarray(p.cols["revenue"].is_null().to_numpy(zero_copy_only=False), bool)
        p.issues.add_mask(has_rev & (year == 0) & ~p.issues.bad_rows(p.n), "year_missing", rownum=rn,
                          column=_hdr(p, "year"))
    codes, names = _col(p, "uscc"), _col(p, "name")
    key = np.array([c if c is not None else f"{n}|{v}" for c, n, v in zip(codes, names, prov)], dtype=object)
    # one row per enterprise and year: a national list may bring several years' revenue (growth)
    _duplicates(p, [key, np.asarray(year)], _hdr(p, "uscc") if "uscc" in p.cols else _hdr(p, "name"))
    return {}


FIELDS = ("name", "province_code", "industry_code", "main_products", "address")


def write_external(store, conn, p: Parsed, keep, batch, ctx, res):
    from chainbrain.ingest import mapping
    from chainbrain.ingest.write import _norm_val, write_revisioned

    codes, names, prov = _col(p, "uscc"), _col(p, "name"), _col(p, "province")
    cities = _col(p, "city")
    ind, prods, segs = _col(p, "industry_code"), _col(p, "main_products"), _col(p, "segment")
    cols = ["id", "uscc", *FIELDS]
    old = [dict(zip(cols, r)) for r in conn.execute(sa.select(*[S.enterprise.c[c] for c in cols]))]
    by_uscc = {r["uscc"]: r for r in old if r["uscc"] is not None}
    by_name = {(r["name"], r["province_code"]): r for r in old if r["uscc"] is None}
    next_id = store.next_id(conn, "enterprise")
    row_id = np.full(p.n, -1, np.int64)
    inserts, touched = [], []
    for i in keep:
        rec = {"name": names[i], "province_code": prov[i], "industry_code": ind[i], "main_products": prods[i],
               "address": cities[i]}
        cur = by_uscc.get(codes[i]) if codes[i] else by_name.get((names[i], prov[i]))
        if cur is None:
            row = {"id": next_id, "uscc": codes[i], "is_industrial": True, "batch_id": batch, "revision": 1, **rec}
            inserts.append(row)
            (by_uscc.__setitem__(codes[i], row) if codes[i] else by_name.__setitem__((names[i], prov[i]), row))
            row_id[i] = next_id
            touched.append(next_id)
            next_id += 1
            res.new += 1
            continue
        row_id[i] = int(cur["id"])
        changes = {k: v for k, v in rec.items() if v is not None and _norm_val(v) != _norm_val(cur.get(k))}
        if changes:
            conn.execute(S.enterprise.update().where(S.enterprise.c.id == int(cur["id"])).values(**changes))
            cur.update(changes)
            touched.append(int(cur["id"]))
            res.updated += 1
        else:
            res.unchanged += 1
    if inserts:
        cols = ["id", "uscc", "name", "province_code", "industry_code", "main_products", "address", "is_industrial",
                "batch_id", "revision"]
        types = [pa.int64(), pa.string(), pa.string(), pa.string(), pa.string(), pa.string(), pa.string(), pa.bool_(),
                 pa.int64(), pa.int32()]
        store.bulk_insert(conn, "enterprise", pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in inserts],
                                                                  schema=pa.schema(list(zip(cols, types)))))
    # manual segment assignments
    now = dt.datetime.now().replace(microsecond=0)
    for i in keep:
        if segs[i] is None:
            continue
        eid = int(row_id[i])
        exists = conn.execute(sa.select(S.segment_override.c.action).where(
            (S.segment_override.c.enterprise_id == eid) & (S.segment_override.c.segment_code == segs[i]))).scalar()
        if exists == "add":
            continue
        conn.execute(S.segment_override.delete().where((S.segment_override.c.enterprise_id == eid)
                                                       & (S.segment_override.c.segment_code == segs[i])))
        conn.execute(S.segment_override.insert().values(enterprise_id=eid, segment_code=segs[i], action="add",
                                                        note=f"external import batch {batch}", actor="import",
                                                        created_at=now))
        touched.append(eid)
    if touched:
        res.extra["mapping"] = mapping.map_enterprises(store, conn, sorted(set(touched)), batch)
    # revenue as an annual revision
    if "revenue" in p.cols and "year" in p.cols:
        rev_rows = np.array([i for i in keep if p.cols["year"][i] > 0
                             and p.cols["revenue"][int(i)].is_valid], dtype=np.int64)
        if len(rev_rows):
            sub = type(res)(res.kind, res.file, res.status)
            write_revisioned(store, conn, "annual_report", ["enterprise_id", "year"], {"revenue": "money"},
                             pa.table({"enterprise_id": pa.array(row_id[rev_rows]),
                                       "year": pa.array(p.cols["year"][rev_rows].astype(np.int32)),
                                       "revenue": pc.take(p.cols["revenue"], pa.array(rev_rows))}),
                             batch, sub, {"revenue"})
            res.extra["revenue"] = {"new": sub.new, "updated": sub.updated, "unchanged": sub.unchanged}
