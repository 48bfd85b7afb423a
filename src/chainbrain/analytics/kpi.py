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
- Target verdict on the comparable basis (issue #12; :mod:`chained`): for
  the pack's revenue growth target (+r a year from base year B to target
  year T) ``target_index_comparable`` I = Π_{y=B+1}^{Y−1} (1 + g_y) ×
  (1 + g_Y(M)), the chained full-year comparable growth of every completed
  year and this year's YTD comparable growth; ``target_ratio`` =
  I / (1 + r)^(Y − B); ``target_status`` green when the ratio ≥ 1, yellow
  when ≥ 1 − band (pack ``yellow_band``, 3 %), red below; null when a link
  has no comparable data or Y ≤ B. ``target_index_count``: the smallest
  comparable sample among the links (the figure's disclosure n).
  ``target_required_growth`` = ((1 + r)^(T−B) / I)^(1/(T−Y)) − 1 for Y < T;
  ``target_required_growth_rest_of_year``: the comparable growth months
  M+1..12 still need for year Y to end on the path (formula in
  :mod:`chained`; the one that applies when Y = T); both null after T.
- Level path, a second labelled figure (总量口径): ``target_path_yuan`` =
  YTD_B(M) × (1 + r)^(Y − B), the same scope's base-year revenue through
  month M compounded; ``target_ratio_level`` = revenue_ytd / path and
  ``target_status_level`` graded as above; ``target_base_count`` the
  base-year reporters behind the path.

Money is in yuan; growth rates are fractions.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pandas as pd

from chainbrain.analytics import chained
from chainbrain.analytics.indicators import Scope, _exact, _run, aggregate_many, split_parts
from chainbrain.analytics.scope import Shared, latest_reports, members
from chainbrain.periods import Period, parse_period
from chainbrain.rounding import fen


@dataclass(frozen=True)
class Query:
    period: str
    chain: str | None = None
    region: str | None = None
    scope: str = "all"


def _base_expr(store, base: Period, specs, sh: Shared):
    """Σ revenue_ytd and report count per (spec, key) at the base period, in one query."""
    t = sh.table("monthly_report")
    t = t.filter((t.year == base.year) & (t.month == base.month))
    r = latest_reports(t.select("enterprise_id", "year", "month", "revision", "revenue_ytd"),
                       ["enterprise_id", "year", "month"]).alias("cb_kpi_base_reports")
    sh.universe = r.select("enterprise_id")           # only reporters can survive the join below
    stacks = []
    for i, (by, sc) in enumerate(specs):
        m = members(store, base.end_date, sc.scope, sc.region, sc.chain, by, shared=sh)
        stacks.append(m.select("enterprise_id", key=m.key.cast("string"), _part=ibis.literal(i, "int16")))
    mem = stacks[0].union(*stacks[1:], distinct=False) if len(stacks) > 1 else stacks[0]
    x = mem.join(r, "enterprise_id")
    return x.group_by("_part", "key").aggregate(total=_exact(x.revenue_ytd.sum()), n=x.count())


def _base_totals(store, base: Period, specs) -> list[pd.DataFrame]:
    sh = Shared(store)
    levels = tuple(sorted({(sc.region, sh.region_level(sc.region)) for _, sc in specs if sc.region}))
    df = _run(store, ("kpi_base", base.year, base.month, tuple(specs), levels),
              lambda: _base_expr(store, base, specs, sh))
    return split_parts(df, len(specs))


def growth_targets(store) -> pd.DataFrame:
    """The pack's revenue growth targets (rows of ``target``)."""
    t = store.table("target")
    return t.filter((t.kind == "growth") & (t.indicator == "revenue")).execute()


def growth_target(store, chain: str | None, region: str | None, scope: str,
                  rows: pd.DataFrame | None = None) -> dict | None:
    """The revenue growth target that applies: the most specific pack entry (``rows``: the
    :func:`growth_targets` already read)."""
    rows = (growth_targets(store) if rows is None else rows).copy()
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
    """Grade value / path: green ≥ 1, yellow ≥ 1 − band, red below (:func:`chained.grade`)."""
    if value is None or path is None or path <= 0:
        return None
    return chained.grade(value / path, band)


def _comparable_fields(target: dict, ix: dict, v: dict, band: float) -> dict:
    ty = target.get("target_year")
    return {"target_year": int(ty) if ty is not None and not pd.isna(ty) else None,
            "target_index_comparable": ix["index"], "target_index_count": ix["count"],
            "target_index_missing_years": ix["missing_years"], "target_ratio": v["ratio"],
            "target_status": chained.grade(v["ratio"], band), "target_required_growth": v["required_growth"],
            "target_required_growth_rest_of_year": v["required_growth_rest_of_year"]}


def _record(p: Period, scope: str, chain: str | None, region: str | None, **values) -> dict:
    """A KPI record; fields not given are empty (no reports in scope)."""
    rec = {"period": p.label, "period_end": p.ytd_label, "basis": "ytd", "scope": scope,
           "chain": chain, "region": region, "above_scale_count": 0, "revenue_ytd_yuan": 0.0,
           "revenue_ytd_prev_yuan": None, "prev_count": 0, "comparable_count": 0,
           "comparable_current_yuan": None, "comparable_base_yuan": None, "yoy_naive": None,
           "yoy_comparable": None, "target_code": None, "target_base_year": None,
           "target_annual_rate": None, "target_path_yuan": None, "target_base_count": 0,
           "target_ratio": None, "target_status": None, "target_year": None,
           "target_ratio_level": None, "target_status_level": None, "target_index_comparable": None,
           "target_index_count": 0, "target_index_missing_years": [], "target_required_growth": None,
           "target_required_growth_rest_of_year": None, "target_basis": "comparable", "unit": "yuan"}
    rec.update(values)
    for k in rec:                      # money in yuan, half up to the fen (the sums are exact already)
        if k.endswith("_yuan"):
            rec[k] = fen(rec[k])
    return rec


def kpi_tables(store, period: str | Period, bys=("all",), chain: str | None = None,
               region: str | None = None, scope: str = "all", target: dict | None = None,
               memo: dict | None = None) -> dict[str, list[dict]]:
    """KPI records for each grouping in ``bys`` (all|chain|city|county) within one scope.

    Three queries whatever the number of groupings: the current, previous-year
    and comparable sums of every grouping come from one
    :func:`chainbrain.analytics.indicators.aggregate_many` pass (shared
    membership), the level path's base-year totals from a second one and the
    chained index's completed years from a third (:func:`chained.links`).
    ``target``: the growth target to judge against (default: :func:`growth_target`).
    ``memo``: a dict shared by the calls of one computation (e.g. the alert rule's three
    periods): the completed years' links are read once for the same years and specs.
    """
    p = parse_period(period) if isinstance(period, str) else period
    sc = Scope(scope, region, chain)
    specs = [(by, sc) for by in dict.fromkeys(bys)]
    frames = dict(zip(specs, aggregate_many(store, p, "ytd", specs, measures=("revenue",))))
    target = target if target is not None else growth_target(store, chain, region, scope)
    bases = {s: pd.DataFrame(columns=["total", "n"]) for s in specs}
    if target is not None and target.get("base_year") and not pd.isna(target["base_year"]):
        bases = dict(zip(specs, _base_totals(store, p.shifted(int(target["base_year"]) - p.year), specs)))
    band = float(target["yellow_band"]) if target is not None and target.get("yellow_band") else 0.03
    years = [{} for _ in specs]
    if target is not None and target.get("base_year") and not pd.isna(target["base_year"]):
        ys = chained.link_years(p, int(target["base_year"]))
        key = ("links", tuple(ys), tuple(specs))
        if memo is not None and key in memo:
            years = memo[key]
        else:
            years = chained.links(store, ys, specs)
            if memo is not None:
                memo[key] = years
    years = dict(zip(specs, years))
    return {spec[0]: records_of(p, frames[spec], bases[spec], years[spec], target, band, scope, chain, region)
            for spec in specs}


def records_of(p: Period, g: pd.DataFrame, base_g: pd.DataFrame, years: dict, target: dict | None, band: float,
               scope: str, chain: str | None, region: str | None) -> list[dict]:
    """The KPI records (sorted by key) of one grouping from its sums: ``g`` the period's current,
    previous-year and comparable revenue sums by key (:func:`~chainbrain.analytics.indicators.aggregate_many`),
    ``base_g`` the base period's (total, n) by key, ``years`` the chained index's December links
    (:func:`chained.links`). Shared by :func:`kpi_tables` and the stored figures of every period
    (:mod:`chainbrain.analytics.kpi_stored`), so both give the same digits."""
    recs = []
    base_g = base_g.to_dict("index")                     # dict look-ups: .loc per key is slow
    years = {y: f.to_dict("index") for y, f in years.items()}
    for k, row in g.to_dict("index").items():
        def get(col, default=None, row=row):
            v = row.get(col)
            return default if v is None or pd.isna(v) else float(v)

        n, pn, cn = int(get("above_scale_count", 0)), int(get("prev_count", 0)), int(get("revenue_cn", 0))
        rev = get("revenue", 0.0) if n else 0.0
        rev_prev = get("revenue_prev") if pn else None
        c_cur, c_base = (get("revenue_cc"), get("revenue_cb")) if cn else (None, None)
        path, ix, v = None, None, None
        if target is not None and target.get("base_year") and not pd.isna(target["base_year"]):
            ty = target.get("target_year")
            ty = int(ty) if ty is not None and not pd.isna(ty) else None
            ix = chained.index_of(p, int(target["base_year"]), row, years, k)
            v = chained.verdict(p, int(target["base_year"]), float(target["annual_rate"]), ty, ix)
        if target is not None and k in base_g:
            path = float(base_g[k]["total"]) * (1 + float(target["annual_rate"])) ** (
                p.year - int(target["base_year"]))
        recs.append(_record(
            p, scope, chain, region, key=k, above_scale_count=n, revenue_ytd_yuan=rev,
            revenue_ytd_prev_yuan=rev_prev, prev_count=pn, comparable_count=cn,
            comparable_current_yuan=c_cur, comparable_base_yuan=c_base,
            yoy_naive=(rev / rev_prev - 1) if rev_prev else None,
            yoy_comparable=(c_cur / c_base - 1) if c_base else None,
            target_code=target["code"] if target is not None else None,
            target_base_year=int(target["base_year"]) if target is not None else None,
            target_annual_rate=float(target["annual_rate"]) if target is not None else None,
            target_path_yuan=path,
            target_base_count=int(base_g[k]["n"]) if k in base_g else 0,
            target_ratio_level=(rev / path) if path else None,
            target_status_level=status_of(rev, path, band),
            **(_comparable_fields(target, ix, v, band) if ix is not None else {}),
        ))
    return sorted(recs, key=lambda r: r["key"])


def kpi_table(store, period: str | Period, by: str = "all", chain: str | None = None,
              region: str | None = None, scope: str = "all", memo: dict | None = None) -> list[dict]:
    """KPI records for each group of ``by`` (all|chain|city|county) within the scope."""
    return kpi_tables(store, period, (by,), chain, region, scope, memo=memo)[by]


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
    from chainbrain.analytics.indicators import remembered

    return remembered(store, ("latest period",), lambda: _latest_period(store))


def _latest_period(store) -> str | None:
    t = store.table("monthly_report")
    row = t.aggregate(ym=(t.year * 100 + t.month).max()).execute()
    ym = row["ym"].iloc[0]
    if ym is None or pd.isna(ym):
        return None
    ym = int(ym)
    return f"{ym // 100}-{ym % 100:02d}"
