"""All-or-nothing imports: validate the whole file, then apply it in one transaction.

Flow: read → parse (typed columns + issues) → checks needing the store
(registered enterprise, YTD monotonicity, unit mistakes against history) →
if any error and not ``skip_invalid``: reject (no data table changes; the
batch is logged as ``rejected``) → else one transaction: batch row, diff
against the latest revisions, inserts, commit.

Diff rule per key (enterprise: USCC; monthly: enterprise+year+month; annual:
enterprise+year; supply: supplier+buyer+year; designation:
enterprise+kind+level+chain code+valid_from, ``schema.DESIGNATION_KEY``): no stored row → *new* (revision 1); same
values as the latest revision → *unchanged* (nothing written); different →
*updated* (a new revision, the previous one kept). Columns absent from the
file are carried over from the previous revision. Enterprises are master
data: changed fields are updated in place, and region/industry changes are
kept as ``enterprise_attr`` history.

Unit-mistake rule: a row's average monthly revenue (YTD / months, or annual /
12) compared with the median of the enterprise's stored history; a ratio
≥ 500 or ≤ 1/500 is rejected (a 千元↔元 or 万元↔元 slip is 1000× or 10000×).

Test hook: when ``CHAINBRAIN_INGEST_PAUSE`` names a file, the import writes
that file and sleeps inside the open transaction after the first insert,
so a test can kill the process mid-write.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.ingest import rules as R
from chainbrain.ingest.errors import Issues, write_error_file
from chainbrain.ingest.parse import Parsed, RegionLookup, parse
from chainbrain.ingest.readers import RawTable, ReadError, read_table
from chainbrain.store import schema as S
from chainbrain.store.engine import fetch_arrow as _fetch_arrow

UNIT_RATIO = 500.0
WRITE_CHUNK = 250_000                 # rows per insert statement (progress granularity)
KINDS = ("enterprises", "monthly", "annual", "supply", "designations", "external")


@dataclass
class Result:
    kind: str
    file: str
    status: str                      # loaded|partial|rejected
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    batch_id: int | None = None
    issues: Issues | None = None
    error_file: str | None = None
    extra: dict = field(default_factory=dict)
    progress: object = field(default=None, repr=False, compare=False)   # see import_file

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    def summary_en(self) -> str:
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged" + (
            f", {self.skipped} skipped" if self.skipped else "")

    def summary_zh(self) -> str:
        return f"新增 {self.new}，更新 {self.updated}，未变 {self.unchanged}" + (f"，跳过 {self.skipped}" if self.skipped else "")


# ---------------------------------------------------------------- store helpers
def fetch_df(store, conn, sql: str, **params) -> pd.DataFrame:
    res = conn.execute(sa.text(sql), params)
    return pd.DataFrame(res.fetchall(), columns=list(res.keys()))


def fetch_arrow(store, conn, sql: str) -> pa.Table:
    return _fetch_arrow(conn, sql)


def uscc_ids(store, conn) -> dict[str, int]:
    return {u: int(i) for u, i in conn.execute(sa.text("SELECT uscc, id FROM enterprise WHERE uscc IS NOT NULL"))}


def new_batch_id(store, conn) -> int:
    return store.next_id(conn, "import_batch")


def log_batch(store, conn, batch_id: int, kind: str, source: str, rows: int, status: str, note: str = "") -> None:
    conn.execute(S.import_batch.insert().values(id=batch_id, kind=kind, source=source,
                                                 created_at=dt.datetime.now().replace(microsecond=0),
                                                 row_count=rows, status=status, note=note[:4000]))


def _pause_hook() -> None:
    path = os.environ.get("CHAINBRAIN_INGEST_PAUSE")
    if path:
        Path(path).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("CHAINBRAIN_INGEST_PAUSE_S", "60")))


def cents(a) -> np.ndarray:
    """Money (decimal, 2 places) → float64 of cents for exact comparison (NaN for null)."""
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if not isinstance(a, pa.Array):
        a = pa.array(a)
    if pa.types.is_decimal(a.type):
        a = pc.cast(a, pa.decimal128(30, 2))
        a = pc.cast(pc.multiply(a, pa.scalar(100, pa.decimal128(3, 0))), pa.float64())
    else:
        a = pc.cast(a, pa.float64())
    return np.round(a.fill_null(np.nan).to_numpy(zero_copy_only=False), 0)


def _np(a) -> np.ndarray:
    if isinstance(a, np.ndarray):
        return a
    return a.to_numpy(zero_copy_only=False)


# ---------------------------------------------------------------- entry point
def import_file(store, kind: str, path: str | Path, *, unit: str | None = None, skip_invalid: bool = False,
                errors_path: str | Path | None = None, sheet: str | None = None, actor: str = "cli",
                progress=None) -> Result:
    """Import ``path`` as ``kind`` into ``store``; see the module docstring.

    ``progress(stage, done, total)`` is called as the import goes: ``stage`` is
    ``read``, ``validate`` or ``write``; ``done``/``total`` count rows (``total`` is
    None while the file is being read). The library never prints.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    path = Path(path)
    step = progress or (lambda stage, done=None, total=None: None)
    step("read", 0, None)
    try:
        raw = read_table(path, kind, sheet)
    except ReadError as e:
        issues = Issues(str(path))
        issues.add("read", detail=str(e))
        return _reject(store, kind, path, None, issues, errors_path)
    n = raw.num_rows
    step("read", n, n)
    step("validate", 0, n)
    p = parse(raw, kind, unit, RegionLookup(), progress=lambda frac: step("validate", int(frac * n * 0.8), n))
    with store.engine.connect() as conn:
        ids = uscc_ids(store, conn)
        ctx = CHECKS[kind](store, conn, p, ids)
    step("validate", n, n)
    issues = p.issues
    bad = issues.bad_rows(p.n)
    if issues.fatal() or (bad.any() and not skip_invalid) or (p.n == 0 and issues.errors):
        return _reject(store, kind, path, raw, issues, errors_path)
    keep = np.flatnonzero(~bad)
    step("write", 0, len(keep))
    with store.begin() as conn:
        batch = new_batch_id(store, conn)
        status = "partial" if bad.any() else "loaded"
        res = Result(kind, str(path), status, rows=int(p.n), skipped=int(bad.sum()), batch_id=batch, issues=issues,
                     progress=step)
        WRITERS[kind](store, conn, p, keep, batch, ctx, res)
        log_batch(store, conn, batch, kind, str(path), len(keep), status,
                  f"{res.summary_en()}; warnings {len(issues.warnings)}")
    step("write", len(keep), len(keep))
    if bad.any() and errors_path:
        write_error_file(errors_path, raw, issues)
        res.error_file = str(errors_path)
    return res


def _reject(store, kind, path, raw: RawTable | None, issues: Issues, errors_path) -> Result:
    res = Result(kind, str(path), "rejected", rows=raw.num_rows if raw else 0, issues=issues)
    if errors_path and raw is not None:
        write_error_file(errors_path, raw, issues)
        res.error_file = str(errors_path)
    elif errors_path:
        Path(errors_path).write_text("错误说明/errors\n" + "\n".join(i.line() for i in issues.errors) + "\n",
                                     encoding="utf-8-sig")
        res.error_file = str(errors_path)
    with store.begin() as conn:            # the log only; no data table changes
        res.batch_id = new_batch_id(store, conn)
        log_batch(store, conn, res.batch_id, kind, str(path), 0, "rejected",
                  f"{len(issues.errors)} errors: " + "; ".join(i.line() for i in issues.errors[:20]))
    return res


# ---------------------------------------------------------------- checks needing the store
def _enterprise_ids(p: Parsed, key: str, ids: dict[str, int], must_exist=True) -> np.ndarray:
    if key not in p.cols:
        return np.full(p.n, -1, np.int64)
    return lookup_ids(p.cols[key], ids)


def lookup_ids(codes, ids: dict[str, int]) -> np.ndarray:
    """Enterprise id per code (-1 when unknown or empty), looked up once per distinct code."""
    a = codes if not isinstance(codes, np.ndarray) else pa.array(codes, pa.string())
    idx, uniq = R.map_unique(R.as_array(a), lambda c: ids.get(c, -1))
    table = np.array(uniq + [-1], dtype=np.int64)
    return table[idx]


def _registered(p: Parsed, key: str, ids, rule_bad: np.ndarray | None = None) -> np.ndarray:
    eid = _enterprise_ids(p, key, ids)
    codes = R.to_np_str(p.cols[key]) if key in p.cols else None
    already = p.issues.bad_rows(p.n)
    miss = (eid < 0) & ~already
    if codes is not None:
        miss &= ~pd.isna(codes)
    hdr = p.raw.headers[_col(p, key)] if key in p.present else key
    p.issues.add_mask(miss, "not_registered", rownum=p.raw.rownum, column=hdr, values=codes)
    return eid


def _col(p: Parsed, key: str) -> int:
    from chainbrain.ingest.headers import match_headers
    return match_headers(p.kind, p.raw.headers).columns[key]


def _hdr(p: Parsed, key: str) -> str:
    return p.raw.headers[_col(p, key)] if key in p.present else key


def _duplicates(p: Parsed, keys: list[np.ndarray], column: str) -> None:
    first = R.first_duplicates(keys)
    dup = first >= 0
    p.issues.add_mask(dup, "duplicate", rownum=p.raw.rownum, column=column,
                      detail=[str(p.raw.rownum[f]) if f >= 0 else "" for f in first])


def _history(store, conn, eids: np.ndarray) -> pd.Series:
    """Median average-monthly revenue per enterprise from stored monthly and annual reports."""
    ids = np.unique(eids[eids >= 0])
    if not len(ids):
        return pd.Series(dtype=float)
    m = fetch_df(store, conn, "SELECT enterprise_id, CAST(revenue_ytd AS DOUBLE PRECISION) / month AS v "
                              "FROM monthly_report WHERE revenue_ytd > 0")
    a = fetch_df(store, conn, "SELECT enterprise_id, CAST(revenue AS DOUBLE PRECISION) / 12 AS v "
                              "FROM annual_report WHERE revenue > 0")
    h = pd.concat([m, a])
    if h.empty:
        return pd.Series(dtype=float)
    h = h[h.enterprise_id.isin(ids)]
    return h.groupby("enterprise_id")["v"].median()


def _unit_suspect(p: Parsed, store, conn, eid: np.ndarray, monthly_value: np.ndarray, column: str) -> None:
    hist = _history(store, conn, eid)
    if hist.empty:
        return
    h = pd.Series(eid).map(hist).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = monthly_value / h
    sus = np.isfinite(ratio) & (monthly_value > 0) & ((ratio >= UNIT_RATIO) | (ratio <= 1 / UNIT_RATIO))
    sus &= ~p.issues.bad_rows(p.n)
    detail = [f"{ratio[i]:.0f}" if ratio[i] >= 1 else f"1/{1 / ratio[i]:.0f}" if ratio[i] > 0 else "" for i in range(p.n)] if sus.any() else None
    p.issues.add_mask(sus, "unit_suspect", rownum=p.raw.rownum, column=column, detail=detail)


def check_enterprises(store, conn, p: Parsed, ids) -> dict:
    if "uscc" in p.cols:
        codes = R.to_np_str(p.cols["uscc"])
        _duplicates(p, [codes], _hdr(p, "uscc"))
    return {}


def check_monthly(store, conn, p: Parsed, ids) -> dict:
    if p.issues.fatal():
        return {}
    eid = _registered(p, "uscc", ids)
    year, month = p.cols["year"], p.cols["month"]
    _duplicates(p, [eid if eid.size else eid, year, month], _hdr(p, "uscc"))
    rev = cents(p.cols["revenue_ytd"]) / 100.0
    # YTD must not fall within a year: file rows plus stored latest revisions
    valid = (eid >= 0) & (year > 0)
    years = sorted(set(int(y) for y in np.unique(year[valid])))
    stored = pd.DataFrame(columns=["enterprise_id", "year", "month", "rev"])
    if years:
        stored = fetch_df(store, conn, f"""
            SELECT m.enterprise_id, m.year, m.month, CAST(m.revenue_ytd AS DOUBLE PRECISION) AS rev
            FROM monthly_report m JOIN (SELECT enterprise_id, year, month, MAX(revision) AS r FROM monthly_report
                WHERE year IN ({','.join(map(str, years))}) GROUP BY enterprise_id, year, month) l
              ON m.enterprise_id = l.enterprise_id AND m.year = l.year AND m.month = l.month AND m.revision = l.r""")
    f = pd.DataFrame({"enterprise_id": eid, "year": year, "month": month, "rev": rev, "i": np.arange(p.n)})[valid & ~np.isnan(rev)]
    if not stored.empty:
        stored = stored.merge(f[["enterprise_id", "year", "month"]], how="left", indicator=True,
                              on=["enterprise_id", "year", "month"])
        stored = stored[stored["_merge"] == "left_only"].drop(columns="_merge")
        stored["i"] = -1
    allr = pd.concat([f, stored], ignore_index=True) if not stored.empty else f
    if len(allr):
        allr = allr.sort_values(["enterprise_id", "year", "month"])
        g = allr.groupby(["enterprise_id", "year"], sort=False)
        keys = ["enterprise_id", "year"]
        allr["_cm"] = g["rev"].cummax()
        allr["prev_max"] = allr.groupby(keys, sort=False)["_cm"].shift(1)
        rev_order = allr.iloc[::-1]
        allr["_cn"] = rev_order.groupby(keys, sort=False)["rev"].cummin().iloc[::-1]
        allr["next_min"] = allr.groupby(keys, sort=False)["_cn"].shift(-1)
        bad = allr[(allr.i >= 0) & ((allr.rev < allr.prev_max - 1e-9) | (allr.rev > allr.next_min + 1e-9))]
        mask = np.zeros(p.n, bool)
        det = [""] * p.n
        for r in bad.itertuples():
            mask[r.i] = True
            det[r.i] = (f"{r.rev:,.2f} < {r.prev_max:,.2f}" if r.rev < (r.prev_max if r.prev_max == r.prev_max else -1)
                        else f"{r.rev:,.2f} > {r.next_min:,.2f} (later month)")
        p.issues.add_mask(mask, "ytd_decrease", rownum=p.raw.rownum, column=_hdr(p, "revenue_ytd"), detail=det)
    with np.errstate(divide="ignore", invalid="ignore"):
        _unit_suspect(p, store, conn, eid, rev / np.where(month > 0, month, np.nan), _hdr(p, "revenue_ytd"))
    return {"eid": eid}


def check_annual(store, conn, p: Parsed, ids) -> dict:
    if p.issues.fatal():
        return {}
    eid = _registered(p, "uscc", ids)
    _duplicates(p, [eid, p.cols["year"]], _hdr(p, "uscc"))
    rev = cents(p.cols["revenue"]) / 100.0
    _unit_suspect(p, store, conn, eid, rev / 12.0, _hdr(p, "revenue"))
    return {"eid": eid}


def check_designations(store, conn, p: Parsed, ids) -> dict:
    if p.issues.fatal():
        return {}
    eid = _registered(p, "uscc", ids)
    vf, vt = p.cols["valid_from"], p.cols.get("valid_to")
    if vt is not None:
        order = np.asarray(pc.fill_null(pc.less(vt, vf), False).to_numpy(zero_copy_only=False), bool)
        p.issues.add_mask(order, "date_order", rownum=p.raw.rownum, column=_hdr(p, "valid_to"))
    chain = p.cols.get("chain_code")
    _duplicates(p, [eid, R.to_np_str(p.cols["kind"]), R.to_np_str(p.cols["level"]),
                    R.to_np_str(pc.cast(vf, pa.string())),
                    R.to_np_str(chain) if chain is not None else np.full(len(eid), "")], _hdr(p, "uscc"))
    return {"eid": eid}


def check_supply(store, conn, p: Parsed, ids) -> dict:
    if p.issues.fatal():
        return {}
    rn = p.raw.rownum
    sides = {}
    for side in ("supplier", "buyer"):
        codes = R.to_np_str(p.cols[f"{side}_uscc"])
        names = R.to_np_str(p.cols[f"{side}_name"]) if f"{side}_name" in p.cols else np.array([None] * p.n, object)
        provs = R.to_np_str(p.cols[f"{side}_province"]) if f"{side}_province" in p.cols else np.array([None] * p.n, object)
        eid = np.array([ids.get(c, -1) if c is not None else -1 for c in codes], np.int64)
        partner = (eid < 0) & np.array([n is not None and pv is not None for n, pv in zip(names, provs)])
        missing = (eid < 0) & ~partner
        already = p.issues.bad_rows(p.n)
        has_code = np.array([c is not None for c in codes])
        p.issues.add_mask(missing & has_code & ~already, "not_registered", rownum=rn, column=_hdr(p, f"{side}_uscc"), values=codes)
        p.issues.add_mask(missing & ~has_code & ~already, "partner", rownum=rn, column=_hdr(p, f"{side}_uscc"))
        sides[side] = (eid, codes, names, provs)
    same = (sides["supplier"][0] >= 0) & (sides["supplier"][0] == sides["buyer"][0])
    p.issues.add_mask(same, "self_link", rownum=rn, column=_hdr(p, "buyer_uscc"))
    key = [np.array([f"{c or ''}|{n or ''}|{v or ''}" for c, n, v in zip(*sides[s][1:])], object) for s in sides]
    _duplicates(p, [*key, p.cols["year"]], _hdr(p, "supplier_uscc"))
    return {"sides": sides}


def check_external(store, conn, p, ids):
    from chainbrain.ingest.external import check_external as _check
    return _check(store, conn, p, ids)


def write_external(store, conn, p, keep, batch, ctx, res):
    from chainbrain.ingest.external import write_external as _write
    return _write(store, conn, p, keep, batch, ctx, res)


CHECKS = {"enterprises": check_enterprises, "monthly": check_monthly, "annual": check_annual,
          "designations": check_designations, "supply": check_supply, "external": check_external}


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
    for c in money + ["employees"]:
        if c in p.cols:
            cols[c] = _take(p.cols[c], keep)
    vals = {c: "money" for c in money} | {"employees": "int"}
    write_revisioned(store, conn, "monthly_report", ["enterprise_id", "year", "month"], vals, pa.table(cols),
                     batch, res, p.present)


def write_annual(store, conn, p: Parsed, keep, batch, ctx, res):
    money = ["revenue", "profit", "value_added", "export_value", "rd_expense"]
    cols = {"enterprise_id": pa.array(ctx["eid"][keep]), "year": pa.array(p.cols["year"][keep].astype(np.int32))}
    for c in money + ["employees", "energy_tce"]:
        if c in p.cols:
            cols[c] = _take(p.cols[c], keep)
    vals = {c: "money" for c in money} | {"employees": "int", "energy_tce": "float"}
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
    sides = ctx["sides"]
    ids = {}
    partners = 0
    next_id = store.next_id(conn, "enterprise")
    existing = {(n, pv): int(i) for i, n, pv in conn.execute(sa.text(
        "SELECT id, name, province_code FROM enterprise"))}
    from chainbrain.ingest.parse import province_code
    for side, (eid, codes, names, provs) in sides.items():
        out = eid.copy()
        for i in keep:
            if out[i] >= 0:
                continue
            pc_ = province_code(provs[i])[0]
            key = (names[i], pc_)
            if key not in existing:
                conn.execute(S.enterprise.insert().values(id=next_id, uscc=codes[i], name=names[i], province_code=pc_,
                                                          is_industrial=True, batch_id=batch, revision=1))
                existing[key] = next_id
                next_id += 1
                partners += 1
            out[i] = existing[key]
        ids[side] = out
    res.extra["partners_created"] = partners
    cols = {"supplier_id": pa.array(ids["supplier"][keep]), "buyer_id": pa.array(ids["buyer"][keep]),
            "year": pa.array(p.cols["year"][keep].astype(np.int32)), "amount": _take(p.cols["amount"], keep)}
    write_revisioned(store, conn, "supply_link", ["supplier_id", "buyer_id", "year"], {"amount": "money"},
                     pa.table(cols), batch, res, p.present)


ENTERPRISE_FIELDS = ("name", "region_code", "industry_code", "founded_on", "employees", "main_products",
                     "business_scope", "park_code", "parent_group")


def write_enterprises(store, conn, p: Parsed, keep, batch, ctx, res, extra_cols: dict | None = None,
                      province: str | None = None):
    from chainbrain.catalog.pack import load_pack
    from chainbrain.ingest import mapping

    province = province or load_pack().province_code
    data = {"uscc": R.to_np_str(p.cols["uscc"])[keep] if "uscc" in p.cols else np.array([None] * len(keep), object)}
    fields = [f for f in ENTERPRISE_FIELDS if f in p.cols] + list((extra_cols or {}).keys())
    for f in ENTERPRISE_FIELDS:
        if f in p.cols:
            col = p.cols[f]
            data[f] = (col[keep] if isinstance(col, np.ndarray) else _take(col, keep).to_pylist())
    for f, v in (extra_cols or {}).items():
        data[f] = [v[i] for i in keep]
    df = pd.DataFrame({k: list(v) for k, v in data.items()})
    old = fetch_df(store, conn, f"SELECT id, uscc, name, province_code, {', '.join(c for c in fields if c != 'name')} FROM enterprise "
                               "WHERE uscc IS NOT NULL OR province_code = :p", p=province) if fields else pd.DataFrame()
    by_uscc = {u: r for u, r in zip(old.uscc, old.to_dict("records")) if u is not None}
    by_name = {r["name"]: r for r in old.to_dict("records") if r["uscc"] is None and r["province_code"] == province}
    next_id = store.next_id(conn, "enterprise")
    today = dt.date.today()
    inserts, attrs, touched = [], [], []
    for rec in df.to_dict("records"):
        rec = {k: (None if (v is None or (isinstance(v, float) and np.isnan(v))) else v) for k, v in rec.items()}
        u = rec.get("uscc")
        cur = by_uscc.get(u) if u else by_name.get(rec.get("name"))
        if cur is None:
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
            next_id += 1
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
        if not changes:
            res.unchanged += 1
            continue
        res.updated += 1
        touched.append(int(cur["id"]))
        conn.execute(S.enterprise.update().where(S.enterprise.c.id == int(cur["id"])).values(**changes))
        for a in ("region_code", "industry_code"):
            if a in changes:
                conn.execute(S.enterprise_attr.update().where(
                    (S.enterprise_attr.c.enterprise_id == int(cur["id"])) & (S.enterprise_attr.c.attr == a)
                    & S.enterprise_attr.c.valid_to.is_(None)).values(valid_to=today))
                attrs.append({"enterprise_id": int(cur["id"]), "attr": a, "attr_value": changes[a],
                              "valid_from": today, "valid_to": None, "batch_id": batch, "revision": 1})
        cur.update(changes)
    if inserts:
        cols = sorted({k for r in inserts for k in r})
        tbl = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in inserts],
                                   schema=pa.schema([(c, _arrow_type(c)) for c in cols]))
        half = max(1, len(inserts) // 2)
        store.bulk_insert(conn, "enterprise", tbl.slice(0, half))
        _pause_hook()
        store.bulk_insert(conn, "enterprise", tbl.slice(half))
    if attrs:
        store.bulk_insert(conn, "enterprise_attr", pa.Table.from_pylist(attrs, schema=pa.schema([
            ("enterprise_id", pa.int64()), ("attr", pa.string()), ("attr_value", pa.string()),
            ("valid_from", pa.date32()), ("valid_to", pa.date32()), ("batch_id", pa.int64()), ("revision", pa.int32())])))
    if touched:
        res.extra["mapping"] = mapping.map_enterprises(store, conn, touched, batch)


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


WRITERS = {"enterprises": write_enterprises, "monthly": write_monthly, "annual": write_annual,
           "designations": write_designations, "supply": write_supply, "external": write_external}
