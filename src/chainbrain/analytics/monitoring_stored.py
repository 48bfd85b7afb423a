"""The cockpit's targets and projection of EVERY period × region (issue #20), from grouped queries.

``web.model.monitoring`` for (period P = (Y, M), region R, scope ``all``) runs
:func:`chainbrain.analytics.monitoring_figures.targets_projection`: the growth target's
progress (the region's KPI record and the base year's monthly YTD path) and the revenue
projection (the region's YTD totals of every year since the base year, and of this year through
M). Every series it reads is a :func:`chainbrain.analytics.targets.ytd_series`: Σ revenue_ytd
per month m of year y over the enterprises in the region at the end of the series' last month L
— so for each year y and each L it needs V(y, L, m) for m ≤ L. :func:`series` computes all of
them at once: per year, one query stacks the membership at every month end L of the year
(:meth:`~chainbrain.analytics.scope.Shared.base`, as ``members``) and joins it to the year's
latest reports of months m ≤ L, summed exactly (DECIMAL) by county, by city and for the province.

:func:`figures` then fills the series memo (:func:`~chainbrain.analytics.targets.shared_series`)
with them and runs the live code for each period × region with the region's stored KPI record
(:mod:`chainbrain.analytics.kpi_stored`) — no query per pair, the same digits as a live request.
Regions to which a share or level target applies (evaluated in the target's own scope: the
province and the level target's region with the Jiangxi pack) are left to the live path.
Names as the cockpit asks them: ``("monitoring", P, R, scope)``.
"""

from __future__ import annotations

import ibis
import pandas as pd
import sqlalchemy as sa

from chainbrain.analytics.indicators import Scope, _exact, _run
from chainbrain.analytics.scope import Shared, latest_reports
from chainbrain.periods import Period, parse_period


def _year_expr(store, year: int, months: list[int], scope: str):
    """V(year, L, m) by county, city and province for every L in ``months`` and m ≤ L (one query)."""
    sh = Shared(store)
    t = sh.table("monthly_report")
    r = latest_reports(t.filter((t.year == year) & (t.month <= max(months)))
                       .select("enterprise_id", "year", "month", "revision", "revenue_ytd"),
                       ["enterprise_id", "year", "month"]).alias(f"cb_mon_reports_{year}")
    sh.universe = r.select("enterprise_id")
    stacks = []
    for last in months:
        end = Period(f"{year}-{last:02d}", year, last).end_date        # as ytd_series (January too)
        m = sh.base(end, scope, False)
        stacks.append(m.select("enterprise_id", "region_code", "prefecture_code", _L=ibis.literal(last, "int16")))
    mem = stacks[0].union(*stacks[1:], distinct=False) if len(stacks) > 1 else stacks[0]
    x = mem.join(r, (mem.enterprise_id == r.enterprise_id) & (r.month <= mem._L))
    parts = []
    for level, key in (("county", x.region_code), ("city", x.prefecture_code), ("all", ibis.literal("all"))):
        g = x.mutate(_key=key.cast("string")).group_by(["_L", "month", "_key"]).aggregate(
            value=_exact(x.revenue_ytd.sum()), n=x.revenue_ytd.count())
        parts.append(g.mutate(_level=ibis.literal(level)))
    return ibis.union(*parts, distinct=False)


def series(store, years: dict[int, list[int]], scope: str = "all") -> dict[tuple, pd.DataFrame]:
    """``{(year, L, level, key): frame(month, value, n)}`` — what ``ytd_series(year, months ⊆ 1..L,
    the region)`` returns (months with n > 0), for every year and series end L in ``years``."""
    out = {}
    for year, months in sorted(years.items()):
        df = _run(store, ("monitoring_series", year, tuple(months), scope),
                  lambda year=year, months=months: _year_expr(store, year, months, scope))
        df = df[df["n"] > 0]
        df = df.astype({"_L": "int64", "month": "int64", "n": "int64"})
        df["value"] = df["value"].astype(float)
        for (last, level, key), g in df.groupby(["_L", "_level", "_key"], sort=False):
            out[(year, int(last), level, str(key))] = g[["month", "value", "n"]].sort_values("month").reset_index(
                drop=True)
    return out


def _live_only(store) -> set:
    """Regions (None: the province) to which a share or level target applies (``target_progress``
    adds such a target to the province's and to its own region's cockpit): left to the live path."""
    from chainbrain.analytics.targets import _targets

    return {r for t in _targets(store) if t["kind"] in ("share", "level") for r in (None, t.get("region_code"))}


def figures(store, kpi_figures: dict, labels: list[str], scope: str = "all", progress=None) -> dict[tuple, object]:
    """``{("monitoring", P, R, scope): {"targets", "projection"}}`` for every period in ``labels`` and
    every region whose targets are all growth or coverage targets (module docstring); ``kpi_figures``:
    :func:`chainbrain.analytics.kpi_stored.figures` of the same data (the regions' KPI records)."""
    from chainbrain.analytics.monitoring_figures import targets_projection
    from chainbrain.analytics.targets import _SERIES, shared_series

    skip = _live_only(store)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT code, level FROM region ORDER BY code")).all()
        on_file = conn.execute(sa.text("SELECT DISTINCT year, month FROM monthly_report")).all()
    level_of = {c: {"prefecture": "city", "county": "county"}.get(lv) for c, lv in rows}
    regions = [r for r in [None] + [c for c, lv in level_of.items() if lv] if r not in skip]
    ps = [parse_period(x) for x in labels]
    with_reports = {int(y) for y, _ in on_file}
    # every series end L of every year the pairs may ask (the projection and the chart go back to the
    # base year or three years): a year without reports has empty series whatever the membership
    years = {y: list(range(1, 13)) for y in range(min(with_reports, default=0) - 4, max(with_reports, default=0) + 1)}
    if progress:
        progress(0, len(ps), "targets and projection: YTD series")
    s = series(store, {y: ms for y, ms in years.items() if y in with_reports}, scope)
    out: dict[tuple, object] = {}
    empty = pd.DataFrame({"month": pd.Series([], dtype="int64"), "value": pd.Series([], dtype=float),
                          "n": pd.Series([], dtype="int64")})
    for i, p in enumerate(ps):
        if progress:
            progress(i, len(ps), f"targets and projection {p.label}")
        for r in regions:
            rec = kpi_figures.get(("kpi", p.label, r, scope))
            if rec is None:
                continue
            level, key = ("all", "all") if r is None else (level_of[r], r)
            sc = Scope(scope, r, None)
            with shared_series():
                memo = _SERIES.get()
                for y, ms in years.items():
                    for last in ms:
                        memo[(id(store), y, last, sc, "revenue")] = (set(range(1, 13)),
                                                                      s.get((y, last, level, key), empty))
                out[("monitoring", p.label, r, scope)] = targets_projection(store, p, r, scope, kpi_rec=rec)
    return out


__all__ = ["figures", "series"]
