"""Supply links as they come (``chainbrain import supply``): partners outside the library, monthly links.

Columns: ``supplier_uscc, buyer_uscc, year, amount`` (+ ``unit``, as for every
money file), optional ``month`` and each side's ``*_name`` / ``*_province``.

- A side whose USCC is in the enterprise library is that enterprise.
- A side with a valid USCC that is not in the library is kept as an **external
  partner** (an ``enterprise`` row with ``is_partner``): its registration
  region is characters 3–8 of the USCC (GB 32100-2015, the registering
  authority's region code; ``registered_region``), its province the first two
  of them (a stated ``*_province`` wins: where the partner is, not where it was
  registered); its name when given, else the USCC.  A USCC whose characters
  3–4 are no province (e.g. ``10`` — registered by a national authority) needs
  a stated province (rule ``uscc_region``).
- A side without USCC needs name + province (rule ``partner``), as before.
- ``month`` (1–12, rule ``month``): the link is that month's amount (当月, not
  year-to-date); stored in ``supply_link_month``, and the pair's ``supply_link``
  row for the year becomes the sum of its latest monthly amounts.  Empty: the
  amount is the whole year's.  A file may not give both a yearly and monthly
  amounts for the same pair and year (rule ``month_mix``).
- Duplicates (same supplier, buyer, year and month) and self links are errors;
  the import is all-or-nothing (:mod:`chainbrain.ingest.load`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.ingest import rules as R
from chainbrain.ingest.parse import PROVINCES, Parsed, province_code
from chainbrain.store import schema as S


def _side_columns(p: Parsed, side: str):
    codes = R.to_np_str(p.cols[f"{side}_uscc"])
    names = R.to_np_str(p.cols[f"{side}_name"]) if f"{side}_name" in p.cols else np.array([None] * p.n, object)
    provs = R.to_np_str(p.cols[f"{side}_province"]) if f"{side}_province" in p.cols else np.array([None] * p.n, object)
    return codes, names, provs


def uscc_province(code: str | None) -> str | None:
    """The province (``xx0000``) of a USCC's registration region, or None when characters 3–4 are none."""
    if code is None or len(code) < 8 or code[2:4] not in PROVINCES:
        return None
    return code[2:4] + "0000"


def check_supply(store, conn, p: Parsed, ids) -> dict:
    from chainbrain.ingest.checks import _duplicates, _hdr

    if p.issues.fatal():
        return {}
    rn = p.raw.rownum
    sides = {}
    for side in ("supplier", "buyer"):
        codes, names, provs = _side_columns(p, side)
        eid = np.array([ids.get(c, -1) if c is not None else -1 for c in codes], np.int64)
        has_code = np.array([c is not None for c in codes])
        by_name = (eid < 0) & ~has_code & np.array([n is not None and pv is not None for n, pv in zip(names, provs)])
        by_code = (eid < 0) & has_code
        already = p.issues.bad_rows(p.n)
        p.issues.add_mask((eid < 0) & ~has_code & ~by_name & ~already, "partner", rownum=rn,
                          column=_hdr(p, f"{side}_uscc"))
        no_region = by_code & np.array([uscc_province(c) is None and pv is None for c, pv in zip(codes, provs)])
        p.issues.add_mask(no_region & ~already, "uscc_region", rownum=rn, column=_hdr(p, f"{side}_uscc"),
                          values=codes, detail=[c[2:8] if c else "" for c in codes])
        sides[side] = (eid, codes, names, provs)
    same = (sides["supplier"][0] >= 0) & (sides["supplier"][0] == sides["buyer"][0])
    same |= np.array([a is not None and a == b for a, b in zip(sides["supplier"][1], sides["buyer"][1])])
    p.issues.add_mask(same, "self_link", rownum=rn, column=_hdr(p, "buyer_uscc"))
    month = _months(p)
    if "month" in p.cols:
        given = ~np.asarray(p.cols["month"].is_null().to_numpy(zero_copy_only=False), bool)
        bad = given & ((month < 1) | (month > 12))
        p.issues.add_mask(bad, "month", rownum=rn, column=_hdr(p, "month"),
                          values=R.to_np_str(pc.cast(p.cols["month"], pa.string())))
    key = [np.array([f"{c or ''}|{n or ''}|{v or ''}" for c, n, v in zip(*sides[s][1:])], object) for s in sides]
    year = np.asarray(p.cols["year"])
    _duplicates(p, [*key, year, month], _hdr(p, "supplier_uscc"))
    ok = ~p.issues.bad_rows(p.n)
    if (month[ok] > 0).any() and (month[ok] == 0).any():   # a yearly and monthly amounts for one pair-year
        pair = np.array([f"{a}#{b}#{y}" for a, b, y in zip(*key, year)], object)
        monthly = set(pair[ok & (month > 0)])
        yearly = set(pair[ok & (month == 0)])
        mix = np.array([pr in monthly and pr in yearly for pr in pair]) & (month == 0) & ok
        p.issues.add_mask(mix, "month_mix", rownum=rn, column=_hdr(p, "month"))
    return {"sides": sides, "month": month}


def _months(p: Parsed) -> np.ndarray:
    """The month column as int64, 0 where empty (a yearly link)."""
    if "month" not in p.cols:
        return np.zeros(p.n, np.int64)
    return pc.fill_null(p.cols["month"], 0).to_numpy(zero_copy_only=False).astype(np.int64)


def _partner_ids(store, conn, sides: dict, keep: np.ndarray, batch: int) -> tuple[dict, int]:
    """Enterprise ids of both sides, creating partners (by USCC, or by name + province) as needed."""
    next_id = store.next_id(conn, "enterprise")
    by_name = {(n, pv): int(i) for i, n, pv in conn.execute(sa.text(
        "SELECT id, name, province_code FROM enterprise"))}
    by_code: dict[str, int] = {}
    created = 0
    ids = {}
    for side, (eid, codes, names, provs) in sides.items():
        out = eid.copy()
        for i in keep:
            if out[i] >= 0:
                continue
            code, name = codes[i], names[i]
            stated = province_code(provs[i])[0] if provs[i] is not None else None
            if code is not None:                       # external partner kept by its USCC
                if code not in by_code:
                    conn.execute(S.enterprise.insert().values(
                        id=next_id, uscc=code, name=name or code, province_code=stated or uscc_province(code),
                        registered_region=code[2:8], is_partner=True, is_industrial=True, batch_id=batch,
                        revision=1))
                    by_code[code] = next_id
                    next_id += 1
                    created += 1
                out[i] = by_code[code]
                continue
            key = (name, stated)
            if key not in by_name:
                conn.execute(S.enterprise.insert().values(id=next_id, uscc=None, name=name, province_code=stated,
                                                          is_partner=True, is_industrial=True, batch_id=batch,
                                                          revision=1))
                by_name[key] = next_id
                next_id += 1
                created += 1
            out[i] = by_name[key]
        ids[side] = out
    return ids, created


def write_supply(store, conn, p: Parsed, keep, batch, ctx, res):
    from chainbrain.ingest.batch import Result, fetch_arrow
    from chainbrain.ingest.write import _take, write_revisioned

    ids, created = _partner_ids(store, conn, ctx["sides"], keep, batch)
    res.extra["partners_created"] = created
    month = ctx["month"]
    yearly = keep[month[keep] == 0]
    monthly = keep[month[keep] > 0]
    year = np.asarray(p.cols["year"])

    def links(rows, with_month=False):
        cols = {"supplier_id": pa.array(ids["supplier"][rows]), "buyer_id": pa.array(ids["buyer"][rows]),
                "year": pa.array(year[rows].astype(np.int32))}
        if with_month:
            cols["month"] = pa.array(month[rows].astype(np.int32))
        cols["amount"] = _take(p.cols["amount"], rows)
        return pa.table(cols)

    if len(yearly):
        write_revisioned(store, conn, "supply_link", ["supplier_id", "buyer_id", "year"], {"amount": "money"},
                         links(yearly), batch, res, p.present)
    if not len(monthly):
        return
    write_revisioned(store, conn, "supply_link_month", ["supplier_id", "buyer_id", "year", "month"],
                     {"amount": "money"}, links(monthly, True), batch, res, p.present)
    res.extra["monthly_links"] = int(len(monthly))
    # the year's amount of each pair with monthly links: the sum of its latest monthly amounts
    pairs = sorted({(int(s), int(b), int(y)) for s, b, y in
                    zip(ids["supplier"][monthly], ids["buyer"][monthly], year[monthly])})
    ys = ",".join(sorted({str(y) for _, _, y in pairs}))
    sums = fetch_arrow(store, conn, f"""
        SELECT t.supplier_id, t.buyer_id, t.year, SUM(t.amount) AS amount FROM supply_link_month t
        JOIN (SELECT supplier_id, buyer_id, year, month, MAX(revision) AS r FROM supply_link_month
              WHERE year IN ({ys}) GROUP BY supplier_id, buyer_id, year, month) l
          ON t.supplier_id = l.supplier_id AND t.buyer_id = l.buyer_id AND t.year = l.year
         AND t.month = l.month AND t.revision = l.r
        GROUP BY t.supplier_id, t.buyer_id, t.year""")
    want = set(pairs)
    got = list(zip(*(sums.column(c).to_pylist() for c in ("supplier_id", "buyer_id", "year"))))
    sel = [i for i, k in enumerate(got) if (int(k[0]), int(k[1]), int(k[2])) in want]
    t = sums.take(pa.array(sel, pa.int64()))
    derived = pa.table({"supplier_id": pc.cast(t.column("supplier_id"), pa.int64()),
                        "buyer_id": pc.cast(t.column("buyer_id"), pa.int64()),
                        "year": pc.cast(t.column("year"), pa.int32()),
                        "amount": pc.cast(t.column("amount"), R.MONEY)})
    yearly_res = Result("supply", res.file, res.status)          # counted apart: not rows of the file
    write_revisioned(store, conn, "supply_link", ["supplier_id", "buyer_id", "year"], {"amount": "money"},
                     derived, batch, yearly_res, {"amount"})
    res.extra["yearly_from_months"] = {"new": yearly_res.new, "updated": yearly_res.updated,
                                       "unchanged": yearly_res.unchanged}
