"""Checks that need the store: registered enterprises, duplicate keys, YTD falling within a year, unit
mistakes against the enterprise's own history, supply partners (the rules: :mod:`chainbrain.ingest.load`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chainbrain.ingest import rules as R
from chainbrain.ingest.batch import cents, fetch_df, only_ids
from chainbrain.ingest.parse import Parsed

UNIT_RATIO = 500.0


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
                              "FROM monthly_report WHERE revenue_ytd > 0" + only_ids(ids))
    a = fetch_df(store, conn, "SELECT enterprise_id, CAST(revenue AS DOUBLE PRECISION) / 12 AS v "
                              "FROM annual_report WHERE revenue > 0" + only_ids(ids))
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
                WHERE year IN ({','.join(map(str, years))}){only_ids(eid[valid])} GROUP BY enterprise_id, year, month) l
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
    from chainbrain.ingest.supply import check_supply as _check
    return _check(store, conn, p, ids)


def check_external(store, conn, p, ids):
    from chainbrain.ingest.external import check_external as _check
    return _check(store, conn, p, ids)


def check_monthly_forms(store, conn, p: Parsed, ids) -> dict:
    """:func:`check_monthly` plus the balance-sheet rules of :mod:`chainbrain.ingest.forms`."""
    from chainbrain.ingest.forms import check_balance
    check_balance(p)
    return check_monthly(store, conn, p, ids)


def check_power(store, conn, p, ids):
    from chainbrain.ingest.forms import check_power as _check
    return _check(store, conn, p, ids)


CHECKS = {"enterprises": check_enterprises, "monthly": check_monthly_forms, "annual": check_annual,
          "designations": check_designations, "supply": check_supply, "external": check_external,
          "power": check_power}

from chainbrain.ingest.statistics import check_deflators, check_sei_shares  # noqa: E402

CHECKS |= {"sei-shares": check_sei_shares, "deflators": check_deflators}

from chainbrain.ingest.digital import check_digital  # noqa: E402  (issue #16)

CHECKS["digital"] = check_digital
from chainbrain.ingest.digital_scenarios import check_digital_scenarios  # noqa: E402

CHECKS["digital-scenarios"] = check_digital_scenarios
from chainbrain.ingest.digital_providers import check_digital_providers  # noqa: E402

CHECKS["digital-providers"] = check_digital_providers
