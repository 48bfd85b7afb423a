"""Local presence of a chain: enterprises and revenue per segment, and the chain's key enterprises.

For a chain C, a period P (YTD through year Y, month M) and an optional
region R (prefecture or county):

- the enterprises in scope are :func:`chainbrain.analytics.scope.membership`
  (C, R, industry scope, as of P's last day);
- an enterprise belongs to segment S when it has a valid ``enterprise_segment``
  row for S (latest revision) and S is listed under C (``segment_chain``); a
  top-level segment also counts the enterprises of its sub-segments, each once;
- ``enterprise_count``: enterprises of S (any size);
  ``above_scale_count``: those with a monthly report for P;
  ``revenue_ytd_yuan``: Σ of those reports' ``revenue_ytd`` (latest revision);
- ``heat`` = revenue_ytd / max over segments of the same level (0–1), falling
  back to enterprise_count / max when no segment has revenue — a relative
  intensity for colouring the chain map, not a statistic to quote.

:func:`key_enterprises` ranks the chain's enterprises by revenue YTD and marks
chain masters (``designation.kind = 'chain_master'`` valid on P's last day).
Results are enterprise-level: callers filter them by the viewer's scope.

Both are the same for every viewer: with :func:`chainbrain.analytics.indicators.remember_results`
on (the web application's stores) each is computed once per data version and given to each
caller as its own copy (:data:`~chainbrain.analytics.indicators.SHARED`).
"""

from __future__ import annotations

import ibis
import pandas as pd

from chainbrain.analytics.indicators import SHARED, remembered
from chainbrain.analytics.scope import _valid_on, latest, membership
from chainbrain.periods import Period, parse_period


def _period(period) -> Period:
    return parse_period(period) if isinstance(period, str) else period


def _reports(store, p: Period):
    t = store.table("monthly_report")
    t = latest(t.filter((t.year == p.year) & (t.month == p.month)), ["enterprise_id", "year", "month"])
    return t.select("enterprise_id", revenue=t.revenue_ytd.cast("float64"))


def chain_segments(store, chain: str) -> pd.DataFrame:
    """Segments listed under ``chain``: code, parent_code, level, stage, names, flags, is_primary."""
    seg = store.table("segment")
    sc = store.table("segment_chain").filter(lambda t: t.chain_code == chain)
    j = seg.join(sc, seg.code == sc.segment_code)
    return j.select(seg.code, seg.parent_code, seg.level, seg.stage, seg.name_zh, seg.name_en, seg.flags,
                    sc.is_primary).execute().sort_values(["stage", "code"]).reset_index(drop=True)


def segment_presence(store, chain: str, period, region: str | None = None, scope: str = "all") -> list[dict]:
    """One record per segment of ``chain`` (see module docstring), in stage then code order; the
    caller's own records (it may change them)."""
    p = _period(period)
    recs = remembered(store, ("segment presence", chain, p.label, region, scope),
                      lambda: _segment_presence(store, chain, p, region, scope), SHARED)
    return [dict(r) for r in recs]


def _segment_presence(store, chain: str, p: Period, region: str | None, scope: str) -> list[dict]:
    segs = chain_segments(store, chain)
    if segs.empty:
        return []
    members = membership(store, p.end_date, scope, region, chain).select("enterprise_id")
    es = latest(_valid_on(store.table("enterprise_segment"), p.end_date),
                ["enterprise_id", "segment_code", "valid_from"])
    sc = store.table("segment_chain").filter(lambda t: t.chain_code == chain)
    seg = store.table("segment")
    es = es.join(sc, es.segment_code == sc.segment_code).join(seg, es.segment_code == seg.code)
    es = es.select(es.enterprise_id, own=es.segment_code, top=ibis.coalesce(seg.parent_code, es.segment_code))
    es = es.join(members, "enterprise_id")
    # each enterprise once per segment: its own (sub-)segment and the top-level segment above it
    pairs = es.select("enterprise_id", code=es.own).union(es.select("enterprise_id", code=es.top)).distinct()
    rep = _reports(store, p)
    j = pairs.left_join(rep, "enterprise_id")
    g = j.group_by("code").aggregate(enterprise_count=j.enterprise_id.nunique(),
                                     above_scale_count=j.revenue.count(),
                                     revenue=j.revenue.sum()).execute().set_index("code")
    out = segs.copy()
    out["enterprise_count"] = [int(g.at[c, "enterprise_count"]) if c in g.index else 0 for c in out.code]
    out["above_scale_count"] = [int(g.at[c, "above_scale_count"]) if c in g.index else 0 for c in out.code]
    out["revenue_ytd_yuan"] = [float(g.at[c, "revenue"]) if c in g.index and not pd.isna(g.at[c, "revenue"])
                               else 0.0 for c in out.code]
    out["heat"] = 0.0
    for level, idx in out.groupby("level").groups.items():
        rev, cnt = out.loc[idx, "revenue_ytd_yuan"], out.loc[idx, "enterprise_count"]
        if rev.max() > 0:
            out.loc[idx, "heat"] = rev / rev.max()
        elif cnt.max() > 0:
            out.loc[idx, "heat"] = cnt / cnt.max()
    order = {"upstream": 0, "midstream": 1, "downstream": 2}
    out["_o"] = out.stage.map(order).fillna(3)
    out = out.sort_values(["_o", "code"]).drop(columns="_o")
    recs = out.astype(object).where(out.notna(), None).to_dict("records")
    for r in recs:
        r["period"] = p.label
        r["chain"] = chain
        r["region"] = region
        r["is_primary"] = bool(r["is_primary"])
    return recs


def key_enterprises(store, chain: str, period, region: str | None = None, scope: str = "all") -> list[dict]:
    """The chain's enterprises with revenue YTD for the period and a chain-master flag: chain masters
    first, then by revenue (largest first, none last), then by enterprise id."""
    p = _period(period)
    df = remembered(store, ("key enterprises", chain, p.label, region, scope),
                    lambda: _ranked(store, chain, p, region, scope), SHARED)
    return [{"enterprise_id": int(r.enterprise_id),
             "revenue_ytd_yuan": None if pd.isna(r.revenue_ytd_yuan) else float(r.revenue_ytd_yuan),
             "chain_master": bool(r.chain_master), "period": p.label} for r in df.itertuples()]


def _ranked(store, chain: str, p: Period, region: str | None, scope: str) -> pd.DataFrame:
    members = membership(store, p.end_date, scope, region, chain).select("enterprise_id")
    rep = _reports(store, p)
    d = _valid_on(store.table("designation"), p.end_date)
    d = d.filter((d.kind == "chain_master") & (d.chain_code.isnull() | (d.chain_code == chain)))
    masters = d.select("enterprise_id").distinct().mutate(chain_master=ibis.literal(True))
    j = members.left_join(rep, "enterprise_id").left_join(masters, "enterprise_id")
    df = j.select(j.enterprise_id, revenue_ytd_yuan=j.revenue,
                  chain_master=j.chain_master.fill_null(False)).execute()
    # ties (no revenue this period) by enterprise id, not in the engine's row order: the same data give
    # the same list (tests/test_answer_inputs.py saw the order move when unrelated rows were rewritten)
    return df.sort_values(["chain_master", "revenue_ytd_yuan", "enterprise_id"], ascending=[False, False, True],
                          na_position="last", kind="mergesort")
