"""The headline KPI: above-scale industrial revenue, YTD, with growth and target status.

For a period P = (year Y, month M) and a scope (region × chain × industry):

- ``above_scale_count``: enterprises in scope with a report for Y-M.
- ``revenue_ytd``: Σ revenue_ytd of those reports (latest revision each).
- ``revenue_ytd_prev``: Σ revenue_ytd of the reports for (Y−1)-M of the
  enterprises in scope then — the previous year's sample (naive basis).
- Comparable basis (DESIGN.md §4): current-sample enterprises with a
  prior-year value — the report's own 上年同期 (``revenue_ytd_prev``) where
  present, else their own report for (Y−1)-M; enterprises with neither are
  left out of both sides.
  ``yoy_comparable = Σ current / Σ prior − 1`` over those enterprises;
  ``yoy_naive = revenue_ytd / revenue_ytd_prev − 1``.
- Target path (pack target of kind ``growth`` on revenue, e.g. +9 % a year
  from base year 2022): ``path = YTD_base(M) × (1 + r)^(Y − base)``, where
  YTD_base(M) is the same scope's base-year revenue through month M — i.e. the
  base year's annual actual × the compound factor × the base year's cumulative
  seasonal share of month M.
- ``target_status``: green when revenue_ytd ≥ path, yellow when within the
  pack's yellow band (3 %) below it, red below that.

Money is in yuan; growth rates are fractions.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pandas as pd

from chainbrain.analytics.periods import Period, parse_period
from chainbrain.analytics.scope import latest, membership


@dataclass(frozen=True)
class Query:
    period: str
    chain: str | None = None
    region: str | None = None
    scope: str = "all"


def _reports(store, year: int, month: int):
    t = store.table("monthly_report")
    t = t.filter((t.year == year) & (t.month == month))
    return latest(t, ["enterprise_id", "year", "month"])


def _sum_by_key(expr, value: str) -> pd.DataFrame:
    g = expr.group_by("key").aggregate(total=expr[value].cast("float64").sum(), n=expr.count())
    return g.execute().set_index("key")


def growth_target(store, chain: str | None, region: str | None, scope: str) -> dict | None:
    """The revenue growth target that applies: the most specific pack entry."""
    t = store.table("target")
    rows = t.filter((t.kind == "growth") & (t.indicator == "revenue")).execute()
    if rows.empty:
        return None

    def fits(r) -> int:
        rank = 0
        for col, want in (("chain_code", chain), ("region_code", region)):
            have = r[col] if isinstance(r[col], str) and r[col] else None
            if have is None:
                continue
            if have != want:
                return -1
            rank += 1
        return rank

    rows["rank"] = rows.apply(fits, axis=1)
    rows = rows[rows["rank"] >= 0].sort_values("rank", ascending=False)
    return rows.iloc[0].to_dict() if len(rows) else None


def status_of(value: float | None, path: float | None, band: float) -> str | None:
    if value is None or path is None or path <= 0:
        return None
    ratio = value / path
    if ratio >= 1:
        return "green"
    return "yellow" if ratio >= 1 - band else "red"


def _record(p: Period, scope: str, chain: str | None, region: str | None, **values) -> dict:
    """A KPI record; fields not given are empty (no reports in scope)."""
    rec = {"period": p.label, "period_end": p.ytd_label, "basis": "ytd", "scope": scope,
           "chain": chain, "region": region, "above_scale_count": 0, "revenue_ytd_yuan": 0.0,
           "revenue_ytd_prev_yuan": None, "prev_count": 0, "comparable_count": 0,
           "comparable_current_yuan": None, "comparable_base_yuan": None, "yoy_naive": None,
           "yoy_comparable": None, "target_code": None, "target_base_year": None,
           "target_annual_rate": None, "target_path_yuan": None, "target_base_count": 0,
           "target_ratio": None,
           "target_status": None, "unit": "yuan"}
    rec.update(values)
    return rec


def kpi_table(store, period: str | Period, by: str = "all", chain: str | None = None,
              region: str | None = None, scope: str = "all") -> list[dict]:
    """KPI records for each group of ``by`` (all|chain|city|county) within the scope."""
    p = parse_period(period) if isinstance(period, str) else period
    prev = p.shifted(-1)
    cur_r = _reports(store, p.year, p.month)
    prev_r = _reports(store, prev.year, prev.month)

    mem_cur = membership(store, p.end_date, scope, region, chain, by)
    mem_prev = membership(store, prev.end_date, scope, region, chain, by)

    cur = cur_r.join(mem_cur, "enterprise_id")
    cur_g = _sum_by_key(cur, "revenue_ytd")
    prev_g = _sum_by_key(prev_r.join(mem_prev, "enterprise_id"), "revenue_ytd")

    own_prev = prev_r.select("enterprise_id", own_prev=prev_r.revenue_ytd)
    comp = cur.left_join(own_prev, "enterprise_id")
    comp = comp.mutate(prior=ibis.coalesce(comp.revenue_ytd_prev, comp.own_prev))
    comp = comp.filter(comp.prior.notnull())
    comp_g = comp.group_by("key").aggregate(
        current=comp.revenue_ytd.cast("float64").sum(), prior=comp.prior.cast("float64").sum(), n=comp.count()
    ).execute().set_index("key")

    target = growth_target(store, chain, region, scope)
    base_g = pd.DataFrame(columns=["total", "n"])
    if target is not None and target.get("base_year") and not pd.isna(target["base_year"]):
        base = p.shifted(int(target["base_year"]) - p.year)
        base_r = _reports(store, base.year, base.month)
        base_g = _sum_by_key(base_r.join(membership(store, base.end_date, scope, region, chain, by),
                                         "enterprise_id"), "revenue_ytd")

    keys = sorted(set(cur_g.index) | set(prev_g.index))
    out = []
    for k in keys:
        def get(df, col, default=None):
            return float(df.at[k, col]) if k in df.index and not pd.isna(df.at[k, col]) else default

        rev = get(cur_g, "total", 0.0)
        rev_prev = get(prev_g, "total")
        c_cur, c_base = get(comp_g, "current"), get(comp_g, "prior")
        path = None
        if target is not None and k in base_g.index:
            path = float(base_g.at[k, "total"]) * (1 + float(target["annual_rate"])) ** (
                p.year - int(target["base_year"]))
        band = float(target["yellow_band"]) if target is not None and target.get("yellow_band") else 0.03
        out.append(_record(
            p, scope, chain, region, key=k,
            above_scale_count=int(get(cur_g, "n", 0)),
            revenue_ytd_yuan=rev,
            revenue_ytd_prev_yuan=rev_prev,
            prev_count=int(get(prev_g, "n", 0)),
            comparable_count=int(get(comp_g, "n", 0)),
            comparable_current_yuan=c_cur,
            comparable_base_yuan=c_base,
            yoy_naive=(rev / rev_prev - 1) if rev_prev else None,
            yoy_comparable=(c_cur / c_base - 1) if c_base else None,
            target_code=target["code"] if target is not None else None,
            target_base_year=int(target["base_year"]) if target is not None else None,
            target_annual_rate=float(target["annual_rate"]) if target is not None else None,
            target_path_yuan=path,
            target_base_count=int(base_g.at[k, "n"]) if k in base_g.index else 0,
            target_ratio=(rev / path) if path else None,
            target_status=status_of(rev, path, band),
        ))
    return out


def kpi(store, period: str, chain: str | None = None, region: str | None = None,
        scope: str = "all") -> dict:
    """The KPI record for one scope (see module docstring for every field)."""
    p = parse_period(period)
    rows = kpi_table(store, p, "all", chain, region, scope)
    rec = rows[0] if rows else _record(p, scope, chain, region)
    rec.pop("key", None)
    return rec


def latest_period(store) -> str | None:
    """The newest ``YYYY-MM`` with monthly reports in the store (None when empty)."""
    t = store.table("monthly_report")
    row = t.aggregate(ym=(t.year * 100 + t.month).max()).execute()
    ym = row["ym"].iloc[0]
    if ym is None or pd.isna(ym):
        return None
    ym = int(ym)
    return f"{ym // 100}-{ym % 100:02d}"
