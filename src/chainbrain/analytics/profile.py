"""One enterprise's profile (企业画像): indicator history, segments with evidence, partners, designations.

Indicator history (monthly reports, latest revision per year × month):

- ``revenue_ytd`` as reported (1–N 月累计) and the reported 上年同期
  ``revenue_ytd_prev``;
- ``revenue_month`` by differencing (DESIGN.md §4): YTD(N) − YTD(N−1) of the
  same year, YTD itself for the first report of a year when it is month 2
  (January is published with February); None when the previous month is missing;
- ``yoy`` = revenue_ytd / prior − 1 with prior = the report's 上年同期, else
  the enterprise's own report a year earlier (the comparable-basis rule of
  :mod:`chainbrain.analytics.kpi`, for one enterprise).

Annual figures come from ``annual_report`` (latest revision per year).
Supply partners are ``supply_link`` rows (latest revision per supplier ×
buyer × year) where the enterprise is supplier or buyer. Results are
enterprise-level and confidential: callers check the viewer's scope first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.analytics.scope import latest

MONTHLY = ("revenue_ytd", "revenue_ytd_prev", "profit_ytd", "value_added_ytd", "export_ytd", "employees")


def _df(expr) -> pd.DataFrame:
    return expr.execute()


def _plain(v):
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _records(df: pd.DataFrame) -> list[dict]:
    df = df.astype(object).where(df.notna(), None)
    return [{k: _plain(v) for k, v in r.items()} for r in df.to_dict("records")]


def monthly_history(store, enterprise_id: int) -> list[dict]:
    """Monthly reports of one enterprise, oldest first, with derived ``revenue_month`` and ``yoy``."""
    t = store.table("monthly_report")
    t = latest(t.filter(t.enterprise_id == enterprise_id), ["enterprise_id", "year", "month"])
    df = _df(t.select("year", "month", **{c: (t[c].cast("float64") if c != "employees" else t[c]) for c in MONTHLY}))
    if df.empty:
        return []
    df = df.sort_values(["year", "month"]).reset_index(drop=True)
    prev = df.set_index(["year", "month"])["revenue_ytd"]
    month_before = [prev.get((y, m - 1)) for y, m in zip(df.year, df.month)]
    df["revenue_month"] = [
        (v - b) if b is not None and not pd.isna(b) else (v if m <= 2 else None)
        for v, b, m in zip(df.revenue_ytd, month_before, df.month)]
    own_prior = [prev.get((y - 1, m)) for y, m in zip(df.year, df.month)]
    prior = [p if p is not None and not pd.isna(p) else o for p, o in zip(df.revenue_ytd_prev, own_prior)]
    df["prior_ytd"] = prior
    df["yoy"] = [(v / p - 1) if p is not None and not pd.isna(p) and p else None
                 for v, p in zip(df.revenue_ytd, prior)]
    df["period"] = [f"{y}-{m:02d}" for y, m in zip(df.year, df.month)]
    df = df.replace({np.nan: None})
    return _records(df)


def annual_history(store, enterprise_id: int) -> list[dict]:
    t = store.table("annual_report")
    t = latest(t.filter(t.enterprise_id == enterprise_id), ["enterprise_id", "year"])
    df = _df(t.select("year", revenue=t.revenue.cast("float64"), profit=t.profit.cast("float64"),
                      value_added=t.value_added.cast("float64"), rd_expense=t.rd_expense.cast("float64"),
                      employees=t.employees))
    return _records(df.sort_values("year"))


def segments(store, enterprise_id: int) -> list[dict]:
    """Segment mappings (latest revision) with segment names, chains and the mapping evidence."""
    es = store.table("enterprise_segment")
    es = latest(es.filter(es.enterprise_id == enterprise_id), ["enterprise_id", "segment_code", "valid_from"])
    seg = store.table("segment")
    sc = store.table("segment_chain")
    ch = store.table("chain")
    j = es.join(seg, es.segment_code == seg.code).join(sc, es.segment_code == sc.segment_code) \
          .join(ch, sc.chain_code == ch.code)
    df = _df(j.select(segment_code=es.segment_code, segment_zh=seg.name_zh, segment_en=seg.name_en,
                      stage=seg.stage, chain_code=sc.chain_code, chain_zh=ch.name_zh, chain_en=ch.name_en,
                      is_primary=sc.is_primary, method=es.method, confidence=es.confidence,
                      revenue_share=es.revenue_share, evidence=es.evidence,
                      valid_from=es.valid_from, valid_to=es.valid_to))
    return _records(df.sort_values(["is_primary", "chain_code", "segment_code"], ascending=[False, True, True]))


def designations(store, enterprise_id: int) -> list[dict]:
    d = store.table("designation")
    d = latest(d.filter(d.enterprise_id == enterprise_id), ["enterprise_id", "kind", "level", "valid_from"])
    df = _df(d.select("kind", "level", "chain_code", "valid_from", "valid_to"))
    return _records(df.sort_values(["valid_from", "kind"]))


def scale_history(store, enterprise_id: int) -> list[dict]:
    """Above-scale status per year (规上 / 规下)."""
    t = store.table("enterprise_scale")
    t = latest(t.filter(t.enterprise_id == enterprise_id), ["enterprise_id", "year"])
    return _records(_df(t.select("year", "above_scale")).sort_values("year"))


def partners(store, enterprise_id: int) -> list[dict]:
    """Suppliers and buyers: partner id, direction, year, amount (yuan), newest year first."""
    s = store.table("supply_link")
    s = latest(s.filter((s.supplier_id == enterprise_id) | (s.buyer_id == enterprise_id)),
               ["supplier_id", "buyer_id", "year"])
    df = _df(s.select("supplier_id", "buyer_id", "year", amount=s.amount.cast("float64")))
    if df.empty:
        return []
    df["direction"] = np.where(df.supplier_id == enterprise_id, "buyer", "supplier")   # what the partner is
    df["partner_id"] = np.where(df.supplier_id == enterprise_id, df.buyer_id, df.supplier_id)
    df = df.sort_values(["year", "amount"], ascending=[False, False])
    return _records(df[["partner_id", "direction", "year", "amount"]])


def revenue_for(store, enterprise_ids, period) -> dict[int, float]:
    """Each listed enterprise's reported revenue YTD for ``period`` (latest revision), by id."""
    from chainbrain.analytics.periods import parse_period

    p = parse_period(period) if isinstance(period, str) else period
    ids = [int(i) for i in enterprise_ids]
    if not ids:
        return {}
    t = store.table("monthly_report")
    t = t.filter((t.year == p.year) & (t.month == p.month) & t.enterprise_id.isin(ids))
    t = latest(t, ["enterprise_id", "year", "month"])
    df = t.select("enterprise_id", rev=t.revenue_ytd.cast("float64")).execute()
    return {int(i): float(v) for i, v in zip(df.enterprise_id, df.rev)}
