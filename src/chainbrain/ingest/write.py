"""Writers: each kind's rows into the store as revisions of the latest stored ones (the diff rule:
:mod:`chainbrain.ingest.load`), enterprises as master data with their attribute history."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.ingest import rules as R
from chainbrain.ingest.batch import (
    IN_LIST_MAX,
    Result,
    _np,
    _pause_hook,
    cents,
    fetch_arrow,
    fetch_df,
)
from chainbrain.ingest.forms import ANNUAL_FORM_INT, ANNUAL_FORM_MONEY, MONTHLY_FORM_INT, MONTHLY_FORM_MONEY
from chainbrain.ingest.parse import Parsed
from chainbrain.store import schema as S

WRITE_CHUNK = 250_000                 # rows per insert statement (progress granularity)


# ---------------------------------------------------------------- revisioned facts
def _take(col, keep: np.ndarray):
    if isinstance(col, np.ndarray):
        return pa.array(col[keep])
    return pc.take(col, pa.array(keep))


def write_revisioned(store, conn, table: str, keys: list[str], values: dict[str, str], new: pa.Table,
                     batch: int, res: Result, present: set[str]) -> None:
    """Insert rows of ``new`` whose values differ from the latest stored revision (see module docstring).

    ``values`` maps value column → comparison type (money|int|float|text|date).
    """
    if new.num_rows == 0:
        return
    cols = list(keys) + list(values)
    nullable = {k for k in keys if S.metadata.tables[table].c[k].nullable}     # NULL keys match each other
    key_sql = " AND ".join(f"COALESCE(t.{k}, '') = COALESCE(l.{k}, '')" if k in nullable else f"t.{k} = l.{k}"
                           for k in keys)
    klist = ", ".join(keys)
    filt = ""
    if "year" in keys:
        ys = sorted(set(int(y) for y in pc.unique(new.column("year")).to_pylist()))
        filt = f"WHERE year IN ({','.join(map(str, ys))})"
    old = fetch_arrow(store, conn, f"""SELECT {', '.join('t.' + c for c in cols)}, t.revision FROM {table} t
        JOIN (SELECT {klist}, MAX(revision) AS r FROM {table} {filt} GROUP BY {klist}) l
        ON {key_sql} AND t.revision = l.r""")
    nd = pd.DataFrame({k: _np(new.column(k).combine_chunks() if k != "valid_from" else pc.cast(new.column(k), pa.string())) for k in keys})
    nd["_i"] = np.arange(new.num_rows)
    if old.num_rows:
        od = pd.DataFrame({k: _np(old.column(k).combine_chunks()) if k != "valid_from" else
                           _np(pc.cast(old.column(k), pa.string()).combine_chunks()) for k in keys})
        for k in keys:
            if k != "valid_from":
                od[k] = od[k].astype(nd[k].dtype)
        od["_j"] = np.arange(old.num_rows)
        od["_rev"] = _np(old.column("revision").combine_chunks())
        m = nd.merge(od, on=keys, how="left")
    else:
        m = nd.assign(_j=-1, _rev=0)
    m["_j"] = m["_j"].fillna(-1).astype(np.int64)
    m["_rev"] = m["_rev"].fillna(0).astype(np.int64)
    m = m.sort_values("_i")
    has_old = (m["_j"] >= 0).to_numpy()
    jj = m["_j"].to_numpy()
    same = has_old.copy()
    out_cols = {k: new.column(k) for k in keys}
    for c, typ in values.items():
        if c in new.column_names and (c in present or not old.num_rows):
            col = new.column(c)
        elif not old.num_rows:
            col = pa.nulls(new.num_rows, _VTYPE[typ])
        else:   # carried over from the previous revision
            src = old.column(c).combine_chunks()
            idx = pa.array(np.where(has_old, jj, 0))
            col = pc.if_else(pa.array(has_old), pc.take(src, idx), pa.nulls(new.num_rows, src.type))
        out_cols[c] = col
        if has_old.any():
            o = old.column(c).combine_chunks()
            ov = pc.take(o, pa.array(np.where(has_old, jj, 0)))
            if typ == "money":
                a, b = cents(col), cents(ov)
                eq = (a == b) | (np.isnan(a) & np.isnan(b))
            elif typ in ("int", "float"):
                a = pc.cast(col, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False) if not isinstance(col, np.ndarray) else col.astype(float)
                b = pc.cast(ov, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
                eq = (a == b) | (np.isnan(a) & np.isnan(b))
            else:
                a = R.to_np_str(pc.cast(col, pa.string()))
                b = R.to_np_str(pc.cast(ov, pa.string()))
                eq = np.array([x == y for x, y in zip(a, b)], bool)
            same &= eq
    res.unchanged += int(same.sum())
    res.updated += int((has_old & ~same).sum())
    res.new += int((~has_old).sum())
    write = np.flatnonzero(~same)
    if not len(write):
        return
    tbl = pa.table({c: pc.take(v if not isinstance(v, pa.ChunkedArray) else v.combine_chunks(), pa.array(write))
                    for c, v in out_cols.items()})
    tbl = tbl.append_column("batch_id", pa.array(np.full(len(write), batch, np.int64)))
    tbl = tbl.append_column("revision", pa.array((m["_rev"].to_numpy()[write] + 1).astype(np.int32)))
    # in chunks (row-level progress); the kill-test hook pauses after the first one
    chunk = max(1, min(WRITE_CHUNK, (len(write) + 1) // 2))
    for k, start in enumerate(range(0, len(write), chunk)):
        store.bulk_insert(conn, table, tbl.slice(start, chunk))
        if k == 0:
            _pause_hook()
        res.tick("write", min(len(write), start + chunk), len(write))


_VTYPE = {"money": R.MONEY, "int": pa.int64(), "float": pa.float64(), "text": pa.string(), "date": pa.date32()}


def write_monthly(store, conn, p: Parsed, keep, batch, ctx, res):
    money = ["revenue_ytd", "revenue_ytd_prev", "profit_ytd", "profit_ytd_prev", "value_added_ytd", "export_ytd", "rd_expense_ytd"]
    cols = {"enterprise_id": pa.array(ctx["eid"][keep]), "year": pa.array(p.cols["year"][keep].astype(np.int32)),
            "month": pa.array(p.cols["month"][keep].astype(np.int32))}
    money += list(MONTHLY_FORM_MONEY)                  # the bureau's form fields (ingest.forms)
    for c in money + ["employees", *MONTHLY_FORM_INT]:
        if c in p.cols:
            cols[c] = _take(p.cols[c], keep)
    vals = {c: "money" for c in money} | {"employees": "int"} | {c: "int" for c in MONTHLY_FORM_INT}
    write_revisioned(store, conn, "monthly_report", ["enterprise_id", "year", "month"], vals, pa.table(cols),
                     batch, res, p.present)


def write_annual(store, conn, p: Parsed, keep, batch, ctx, res):
    money = ["revenue", "profit", "value_added", "export_value", "rd_expense"]
    cols = {"enterprise_id": pa.array(ctx["eid"][keep]), "year": pa.array(p.cols["year"][keep].astype(np.int32))}
    money += list(ANNUAL_FORM_MONEY)
    for c in money + ["employees", "energy_tce", *ANNUAL_FORM_INT]:
        if c in p.cols:
            cols[c] = _take(p.cols[c], keep)
    vals = {c: "money" for c in money} | {"employees": "int", "energy_tce": "float"} | {c: "int" for c in ANNUAL_FORM_INT}
    write_revisioned(store, conn, "annual_report", ["enterprise_id", "year"], vals, pa.table(cols), batch, res, p.present)


def write_designations(store, conn, p: Parsed, keep, batch, ctx, res):
    cols = {"enterprise_id": pa.array(ctx["eid"][keep]), "kind": _take(p.cols["kind"], keep),
            "level": _take(p.cols["level"], keep), "valid_from": _take(p.cols["valid_from"], keep),
            "chain_code": (_take(p.cols["chain_code"], keep) if "chain_code" in p.cols
                           else pa.nulls(len(keep), pa.string()))}
    if "valid_to" in p.cols:
        cols["valid_to"] = _take(p.cols["valid_to"], keep)
    write_revisioned(store, conn, "designation", list(S.DESIGNATION_KEY), {"valid_to": "date"}, pa.table(cols),
                     batch, res, p.present)


def write_supply(store, conn, p: Parsed, keep, batch, ctx, res):
    from chainbrain.ingest.supply import write_supply as _write
    return _write(store, conn, p, keep, batch, ctx, res)


ENTERPRISE_FIELDS = ("name", "region_code", "industry_code", "founded_on", "employees", "main_products",
                     "business_scope", "park_code", "parent_group")


def write_enterprises(store, conn, p: Parsed, keep, batch, ctx, res, extra_cols: dict | None = None,
                      province: str | None = None, fresh: np.ndarray | None = None, mapped: list | None = None):
    """Enterprise rows as master data: a new USCC (or, without one, a new name) creates an enterprise,
    a known one is updated field by field (an empty cell never erases stored data); then their mapping.

    ``fresh`` (registry imports; a mask over ``keep`` from ``write_fresh.fresh_mask``): those rows can only
    create an enterprise and are written as Arrow columns (:mod:`chainbrain.ingest.write_fresh`, same rows
    and ids), their mapping from ``mapped`` (``chainmap.Kept`` per row of ``p``; the list is emptied) where given; the rest row
    by row. Returns the fresh rows' positions in ``keep`` and ids (``write_fresh.Fresh``), else ``None``.
    ``extra_cols`` values are lists, NumPy or Arrow arrays with one value per row of ``p``."""
    from chainbrain.catalog.pack import load_pack
    from chainbrain.ingest import mapping, write_fresh

    province = province or load_pack().province_code
    keep = np.asarray(keep, dtype=np.int64)
    uscc = R.to_np_str(p.cols["uscc"])[keep] if "uscc" in p.cols else np.array([None] * len(keep), object)
    fields = [f for f in ENTERPRISE_FIELDS if f in p.cols] + list((extra_cols or {}).keys())
    fresh_from = store.next_id(conn, "enterprise")
    fast = np.zeros(len(keep), bool) if fresh is None else np.asarray(fresh, bool)
    slow = np.flatnonzero(~fast)
    fast_before = np.cumsum(fast) - fast            # fresh rows before each position (they take ids in row order)
    created = np.zeros(len(keep), bool)
    touched: list[int] = []
    attrs: list[dict] = []
    inserts: list[dict] = []
    if len(slow):
        inserts, attrs, touched = _write_rows(store, conn, p, keep, slow, uscc, fields, extra_cols, province, batch,
                                              res, fresh_from, fast_before, created)
    tables = []
    if inserts:
        cols = sorted({k for r in inserts for k in r})
        tables.append(pa.table({c: pa.array([r.get(c) for r in inserts], _arrow_type(c)) for c in cols}))   # column-wise: no second list of dicts
    del inserts
    made = new = None
    if fast.any():
        pos = np.flatnonzero(fast)
        ids = fresh_from + (np.cumsum(fast | created) - 1)[pos]
        cols = {"uscc": write_fresh.column(uscc, pa.string(), pos)}
        for f in ENTERPRISE_FIELDS:
            if f in p.cols:
                cols[f] = write_fresh.column(p.cols[f], _arrow_type(f), keep[pos])
        for f, v in (extra_cols or {}).items():
            cols[f] = write_fresh.column(v, _arrow_type(f), keep[pos])
        new = write_fresh.enterprise_table(cols, ids, province, batch, _arrow_type)
        tables.append(new)
        del cols
        res.new += len(pos)
        made = write_fresh.Fresh(pos, ids)
    if tables:
        tbl = tables[0] if len(tables) == 1 else pa.concat_tables(
            [t.select(tables[0].column_names) for t in tables]).sort_by("id")
        half = max(1, tbl.num_rows // 2)
        store.bulk_insert(conn, "enterprise", tbl.slice(0, half))
        _pause_hook()
        store.bulk_insert(conn, "enterprise", tbl.slice(half))
        del tbl, tables
    if attrs:
        store.bulk_insert(conn, "enterprise_attr", pa.Table.from_pylist(attrs, schema=write_fresh.ATTR_SCHEMA))
    del attrs
    if new is not None:
        store.bulk_insert(conn, "enterprise_attr", write_fresh.attr_table(new, batch))
    if touched:
        res.extra["mapping"] = mapping.map_enterprises(store, conn, touched, batch, fresh_from)
    if new is not None:
        mine = None if mapped is None else [mapped[i] for i in keep[made.pos]]
        if mapped is not None:
            mapped.clear()                  # consumed: each result is freed once its firm's mapping is written
        got = write_fresh.map_fresh(store, conn, new, batch, fresh_from, mine)
        del mine
        before = res.extra.get("mapping") or {}
        res.extra["mapping"] = {k: before.get(k, 0) + v for k, v in got.items()}
    return made


def _stored_matches(store, conn, df: pd.DataFrame, fields, province: str) -> pd.DataFrame:
    """The stored enterprises the rows of ``df`` can match: by USCC (any province: a supply partner
    joins the library), else by name among the province's firms without one. A file with at most
    :data:`~chainbrain.ingest.batch.IN_LIST_MAX` codes and names reads only those (a 3-row import
    read and turned into dicts all 100,000 firms of the province: ≈ 4 s); a larger one the table once."""
    cols = ", ".join(["id", "uscc", "name", "province_code", "is_partner"]
                     + [c for c in fields if c not in ("id", "uscc", "name", "province_code", "is_partner")])
    codes = sorted({u for u in df["uscc"] if isinstance(u, str) and u})
    names = sorted({n for u, n in zip(df["uscc"], df["name"]) if not (isinstance(u, str) and u) and isinstance(n, str)}
                   if "name" in df else ())
    if len(codes) + len(names) > IN_LIST_MAX:
        return fetch_df(store, conn, f"SELECT {cols} FROM enterprise WHERE uscc IS NOT NULL OR province_code = :p",
                        p=province)
    q = sa.text(f"SELECT {cols} FROM enterprise WHERE uscc IN :c "
                "OR (uscc IS NULL AND province_code = :p AND name IN :n)").bindparams(
        sa.bindparam("c", expanding=True), sa.bindparam("n", expanding=True))
    return fetch_df(store, conn, q, c=codes or [""], n=names or [""], p=province)


def _write_rows(store, conn, p, keep, slow, uscc, fields, extra_cols, province, batch, res, fresh_from, fast_before,
                created):
    """The per-row rules for the rows at ``slow`` (positions in ``keep``): updates run here; returns
    the enterprise rows to insert, attribute rows and the ids touched. ``created`` is set where a row
    created an enterprise; its id counts the fresh rows before it (``fast_before``)."""
    rows = keep[slow]
    data = {"uscc": uscc[slow]}
    for f in ENTERPRISE_FIELDS:
        if f in p.cols:
            col = p.cols[f]
            data[f] = (col[rows] if isinstance(col, np.ndarray) else _take(col, rows).to_pylist())
    for f, v in (extra_cols or {}).items():
        data[f] = _take(v, rows).to_pylist() if isinstance(v, (pa.Array, pa.ChunkedArray)) else [v[i] for i in rows]
    df = pd.DataFrame({k: list(v) for k, v in data.items()})
    del data
    old = _stored_matches(store, conn, df, fields, province) if fields else pd.DataFrame()
    # a NULL USCC may come back as None or NaN (pandas): test with isna, or firms without a USCC are
    # never matched by name and every re-import creates them again
    by_uscc = {u: r for u, r in zip(old.uscc, old.to_dict("records")) if not pd.isna(u)}
    by_name = {r["name"]: r for r in old.to_dict("records") if pd.isna(r["uscc"]) and r["province_code"] == province}
    del old
    made = 0
    today = dt.date.today()
    inserts, attrs, touched = [], [], []
    def records():                                   # in slices: a 1 M-row file is not turned into dicts at once
        for start in range(0, len(df), 50_000):
            yield from df.iloc[start:start + 50_000].to_dict("records")
    for at, rec in zip(slow, records()):
        rec = {k: (None if (v is None or (isinstance(v, float) and np.isnan(v))) else v) for k, v in rec.items()}
        u = rec.get("uscc")
        cur = by_uscc.get(u) if u else by_name.get(rec.get("name"))
        if cur is None:
            next_id = fresh_from + int(fast_before[at]) + made
            row = {"id": next_id, "province_code": province, "batch_id": batch, "revision": 1, **rec}
            row["is_industrial"] = bool(rec.get("is_industrial", True)) if rec.get("is_industrial") is not None else True
            inserts.append(row)
            for a in ("region_code", "industry_code"):
                if rec.get(a):
                    attrs.append({"enterprise_id": next_id, "attr": a, "attr_value": rec[a], "valid_from": None,
                                  "valid_to": None, "batch_id": batch, "revision": 1})
            touched.append(next_id)
            if u:
                by_uscc[u] = row
            else:
                by_name[rec.get("name")] = row
            made += 1
            created[at] = True
            res.new += 1
            continue
        changes = {}
        for f in fields:
            v = rec.get(f)
            if v is None:
                continue                                # an empty cell never erases stored data
            ov = cur.get(f)
            if isinstance(ov, float) and np.isnan(ov):
                ov = None
            if _norm_val(v) != _norm_val(ov):
                changes[f] = v
        ip = cur.get("is_partner")                     # a supply partner (kept by its USCC) joins the library
        adopted = ip is not None and not (isinstance(ip, float) and np.isnan(ip)) and bool(ip)
        if adopted:
            changes |= {"province_code": province, "is_partner": False}
        if not changes:
            res.unchanged += 1
            continue
        res.updated += 1
        touched.append(int(cur["id"]))
        conn.execute(S.enterprise.update().where(S.enterprise.c.id == int(cur["id"])).values(**changes))
        for a in ("region_code", "industry_code"):
            if a in changes and adopted:               # no location history yet: valid since always
                attrs.append({"enterprise_id": int(cur["id"]), "attr": a, "attr_value": changes[a],
                              "valid_from": None, "valid_to": None, "batch_id": batch, "revision": 1})
            elif a in changes:
                conn.execute(S.enterprise_attr.update().where(
                    (S.enterprise_attr.c.enterprise_id == int(cur["id"])) & (S.enterprise_attr.c.attr == a)
                    & S.enterprise_attr.c.valid_to.is_(None)).values(valid_to=today - dt.timedelta(days=1)))
                attrs.append({"enterprise_id": int(cur["id"]), "attr": a, "attr_value": changes[a],
                              "valid_from": today, "valid_to": None, "batch_id": batch, "revision": 1})
        cur.update(changes)
    return inserts, attrs, touched


def _norm_val(v):
    if v is None:
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if hasattr(v, "as_tuple"):                 # Decimal
        return float(v)
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v


def _arrow_type(col: str) -> pa.DataType:
    t = S.enterprise.c[col].type
    if isinstance(t, sa.BigInteger) or isinstance(t, sa.Integer):
        return pa.int64()
    if isinstance(t, sa.Boolean):
        return pa.bool_()
    if isinstance(t, sa.Date):
        return pa.date32()
    if isinstance(t, sa.Numeric):
        return R.MONEY
    return pa.string()


def write_external(store, conn, p, keep, batch, ctx, res):
    from chainbrain.ingest.external import write_external as _write
    return _write(store, conn, p, keep, batch, ctx, res)


WRITERS = {"enterprises": write_enterprises, "monthly": write_monthly, "annual": write_annual,
           "designations": write_designations, "supply": write_supply, "external": write_external}


def write_power(store, conn, p, keep, batch, ctx, res):
    from chainbrain.ingest.forms import write_power as _write
    _write(store, conn, p, keep, batch, ctx, res)


WRITERS["power"] = write_power

from chainbrain.ingest.statistics import write_deflators, write_sei_shares  # noqa: E402

WRITERS |= {"sei-shares": write_sei_shares, "deflators": write_deflators}

from chainbrain.ingest.digital import write_digital  # noqa: E402  (issue #16)

WRITERS["digital"] = write_digital
from chainbrain.ingest.digital_scenarios import write_digital_scenarios  # noqa: E402

WRITERS["digital-scenarios"] = write_digital_scenarios
from chainbrain.ingest.digital_providers import write_digital_providers  # noqa: E402

WRITERS["digital-providers"] = write_digital_providers
