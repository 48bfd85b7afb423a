"""产业链图 — the chain map: stages → segments → sub-segments with what colours them.

For a chain C, a period P and a supply year Y (default: the newest year with
supply links up to P's year, :func:`chainbrain.analytics.supply_view.supply_year`):

- presence per segment (:func:`chainbrain.analytics.presence.segment_presence`):
  ``enterprise_count`` (firms of the segment, any size), ``above_scale_count``,
  ``revenue_ytd_yuan`` (Σ revenue YTD of P; a top segment counts the firms of
  its sub-segments once) and ``heat`` (revenue ÷ the level's largest);
- supply flows of each top segment's firms in Y
  (:func:`chainbrain.analytics.supply_view.flows`, by segment, one query):
  the rows from which the page shows the local supporting rate (本地配套率 =
  Σ in-province inflows / Σ inflows, the value-weighted rate of
  :mod:`chainbrain.analytics.supply_local`) after disclosure control;
- gap status per segment from ``chainbrain.analytics.supply_gaps.gaps``
  (缺链 missing / 弱链 weak / 断链 risk broken_risk / ok, with reasons), when that
  module is installed (``gaps_available``).

Nothing here is filtered for a viewer: the web layer applies the disclosure
rules (segment revenue by the viewer's pattern, flows by
:mod:`chainbrain.analytics.flow_disclosure`).
"""

from __future__ import annotations

from chainbrain.analytics import presence
from chainbrain.analytics.scope import latest, members
from chainbrain.analytics.supply_view import flows, supply_year
from chainbrain.periods import parse_period

GAP_STATUSES = ("missing", "weak", "broken_risk", "ok")


def gap_table(store, year: int, chain: str, region: str | None = None) -> dict[str, dict] | None:
    """``{segment_code: {"status", "reasons"}}`` from the gap function, or None when it is not installed."""
    try:
        from chainbrain.analytics.supply_gaps import gaps
    except ImportError:
        return None
    df = gaps(store, year, chain, region)
    out = {}
    for r in df.to_dict("records"):
        reasons = r.get("reasons")
        out[str(r["segment_code"])] = {"status": r.get("status"),
                                       "reasons": [str(x) for x in reasons] if reasons is not None else []}
    return out


def chain_map(store, chain: str, period, scope: str = "all", year: int | None = None, gap_of=None) -> dict:
    """``{"period", "supply_year", "segments": [...], "flows": {segment: [rows]}, "gaps_available"}``:
    every segment record of :func:`presence.segment_presence` with ``gap_status`` / ``gap_reasons``
    (None when the gap function is not installed or there is no year).  ``gap_of(year, chain)``: where the
    gap table comes from (default :func:`gap_table`; a caller may pass a cached one)."""
    p = parse_period(period) if isinstance(period, str) else period
    segs = presence.segment_presence(store, chain, p, scope=scope)
    sy = year if year is not None else supply_year(store, p.year)
    by_seg: dict[str, list[dict]] = {}
    if sy is not None:
        df = flows(store, sy, "segment", None, chain=chain)
        for r in df.to_dict("records"):
            by_seg.setdefault(r["key"], []).append(r)
    gap_year = sy if sy is not None else p.year
    gaps = gap_of(gap_year, chain) if gap_of is not None else gap_table(store, gap_year, chain)
    for s in segs:
        g = (gaps or {}).get(s["code"])
        s["gap_status"] = g["status"] if g else None
        s["gap_reasons"] = g["reasons"] if g else []
    return {"period": p.label, "supply_year": sy, "gap_year": gap_year, "segments": segs, "flows": by_seg,
            "gaps_available": gaps is not None}


def segment_firms(store, chain: str, segment: str, period, scope: str = "all") -> list[dict]:
    """The firms of ``segment`` (a top segment includes its sub-segments) in ``chain`` on the period's last
    day with their revenue YTD (None without a report), largest first — enterprise-level: callers filter
    them by the viewer's scope."""
    p = parse_period(period) if isinstance(period, str) else period
    m = members(store, p.end_date, scope, chain=chain, segment=segment, by="chain")
    m = m.select("enterprise_id").distinct()
    t = store.table("monthly_report")
    t = latest(t.filter((t.year == p.year) & (t.month == p.month)), ["enterprise_id", "year", "month"])
    rep = t.select(_rid=t.enterprise_id, revenue=t.revenue_ytd.cast("float64"))
    j = m.left_join(rep, m.enterprise_id == rep._rid)
    df = j.select(j.enterprise_id, j.revenue).execute()
    df = df.sort_values(["revenue", "enterprise_id"], ascending=[False, True], na_position="last")
    return [{"enterprise_id": int(r.enterprise_id),
             "revenue_ytd_yuan": None if r.revenue != r.revenue or r.revenue is None else float(r.revenue)}
            for r in df.itertuples()]
