"""The cockpit's targets and projection of one period × region × scope (``web.model.monitoring``).

``targets``: :func:`chainbrain.analytics.targets.target_progress`; ``projection``:
:func:`chainbrain.analytics.projection.projection` with its chart series (:func:`annual_series`)
and ``n`` (the growth target's disclosure n). The live cockpit and the stored figures of every
period × region (:mod:`chainbrain.analytics.monitoring_stored`) run this same code.
"""

from __future__ import annotations

from chainbrain.periods import Period


def annual_series(store, p: Period, growth: dict | None, proj: dict, sc) -> dict:
    """The projection chart's series by year: actual (annual totals; the current year YTD),
    the required path (target), the projection with its 80 % interval."""
    from chainbrain.analytics.targets import ytd_series

    path = {r["year"]: r["required"] for r in (growth or {}).get("annual_path", [])}
    first = min(path) if path else p.year - 3
    last = max(proj.get("target_year") or p.year, max(path) if path else p.year)
    years = list(range(first, last + 1))
    actual = {}
    for y in range(first, p.year):
        s = ytd_series(store, y, [12], sc)
        if len(s):
            actual[y] = float(s["value"].iloc[0])
    ytd = (growth or {}).get("actual")
    ty = proj.get("target_year")
    rows = []
    for y in years:
        rows.append({"year": y, "actual_yuan": actual.get(y), "actual_ytd_yuan": ytd if y == p.year else None,
                     "required_yuan": path.get(y),
                     "projected_yuan": proj.get("projected") if y == ty else None,
                     "interval_low_yuan": proj.get("interval_low") if y == ty else None,
                     "interval_high_yuan": proj.get("interval_high") if y == ty else None})
    return {"years": years, "rows": rows, "ytd_year": p.year, "ytd_period": p.label}


def targets_projection(store, p: Period, code: str | None, scope: str, kpi_rec: dict | None = None) -> dict:
    """``{"targets", "projection"}`` of the cockpit for region ``code`` (None: the province).
    ``kpi_rec``: the region's KPI record when already at hand (used for the growth target it was
    judged against, :func:`~chainbrain.analytics.targets.target_progress`)."""
    from chainbrain.analytics.indicators import Scope
    from chainbrain.analytics.projection import projection
    from chainbrain.analytics.targets import target_progress

    targets = target_progress(store, p, region=code, scope=scope, kpi_rec=kpi_rec)
    growth = next((t for t in targets if t["kind"] == "growth"), None)
    proj = projection(store, p.label, region=code, scope=scope)
    proj["series"] = annual_series(store, p, growth, proj, Scope(scope, code, None))
    proj["n"] = growth.get("n") if growth else None
    return {"targets": targets, "projection": proj}
