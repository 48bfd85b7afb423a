"""The cockpit's figures, assembled from analytics (the page and /api/cockpit share it).

Nothing here computes a statistic: every figure is a record from
:func:`chainbrain.analytics.kpi.kpi` / :func:`~chainbrain.analytics.kpi.kpi_table`,
passed through disclosure control (:mod:`chainbrain.web.disclosure`) and
labelled with catalog names. Ranking is ordering for display only.

Drill-down: province → the 11 cities; a city → its counties; a county → its
city's counties with the county selected.
"""

from __future__ import annotations

from chainbrain.analytics.kpi import kpi, kpi_table, latest_period
from chainbrain.analytics.monitoring_figures import annual_series as _annual_series
from chainbrain.analytics.monitoring_figures import targets_projection as _targets_projection
from chainbrain.analytics.scope import SCOPES
from chainbrain.periods import Period, PeriodError, parse_period
from chainbrain.web import data, kept
from chainbrain.web.disclosure import MIN_CELL, guard_of


class BadRequest(ValueError):
    """A request parameter the cockpit cannot serve; the message is bilingual."""


def resolve_period(store, period: str | None) -> Period | None:
    """The requested period, or the newest one on file (None when the store is empty)."""
    text = (period or "").strip() or latest_period(store)
    if text is None:
        return None
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise BadRequest(str(exc)) from exc


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise BadRequest(f"scope {scope!r}: must be one of {', '.join(SCOPES)} "
                         f"(行业范围应为 {' 或 '.join(SCOPES)})")
    return scope


def check_region(store, code: str | None) -> dict | None:
    if not code:
        return None
    reg = data.region(store, code)
    if reg is None:
        raise BadRequest(f"unknown region code {code} (未知地区代码 {code})")
    return reg


def check_chain(store, code: str | None) -> str | None:
    if code and code not in {c["code"] for c in data.chains(store)}:
        raise BadRequest(f"unknown chain code {code} (未知产业链代码 {code})")
    return code or None


IDENTITY = ("period", "period_end", "basis", "scope", "chain", "region", "unit")


def empty_like(template: dict, key: str) -> dict:
    """The record of a unit without reports: the template's keys, no figures, zero counts."""
    rec = {k: (template[k] if k in IDENTITY else None) for k in template}
    rec.update({k: 0 for k in rec if k.endswith("_count")})
    if "revenue_ytd_yuan" in rec:
        rec["revenue_ytd_yuan"] = 0.0            # as analytics reports an empty scope
    rec["key"] = key
    return rec


def cell_min(min_cell, chain: str | None, region: str | None) -> int:
    """``min_cell`` for one cell: an int, or a viewer's rule ``(chain, region) -> int``
    (:func:`chainbrain.web.policy.cell_rule`)."""
    return min_cell(chain, region) if callable(min_cell) else min_cell


def protect(store, rec: dict, min_cell, chain: str | None, region: str | None) -> dict:
    """``rec`` (the KPI record of cell chain × region) through the viewer's suppression pattern
    (:class:`~chainbrain.web.disclosure.Guard`; an int ``min_cell``: an anonymous viewer's)."""
    return guard_of(store, min_cell).protect(rec, chain, region)


def _units(store, p: Period, by: str, region: str | None, scope: str, catalog: list[dict],
           min_cell, template: dict, chain: str | None = None, keep: bool = False) -> list[dict]:
    """One protected KPI record per catalog unit (units without reports get an empty record)."""
    table = kept.figure(store, ("kpi_table", p.label, by, region, scope, chain),
                        lambda: kpi_table(store, p, by=by, region=region, scope=scope, chain=chain), keep)
    rows = {r["key"]: dict(r) for r in table}
    min_cell = guard_of(store, min_cell)
    out = []
    for unit in catalog:
        rec = rows.pop(unit["code"], None)
        if rec is None:
            rec = empty_like(template, unit["code"])
        cell = (unit["code"], region) if by == "chain" else (chain, unit["code"])
        rec = protect(store, rec, min_cell, *cell)
        rec.update({k: unit[k] for k in unit if k != "code"})
        out.append(rec)
    for key, rec in rows.items():          # reports outside the catalog (should not happen)
        out.append({**protect(store, rec, min_cell, chain, region), "name": key})
    return out


def rank(records: list[dict], order: str = "seq") -> list[dict]:
    """Largest shown revenue first; withheld or empty units after, in ``order``."""
    shown = [r for r in records if r.get("revenue_ytd_yuan")]
    rest = [r for r in records if not r.get("revenue_ytd_yuan")]
    shown.sort(key=lambda r: -r["revenue_ytd_yuan"])
    rest.sort(key=lambda r: r.get(order) or 0)
    for i, r in enumerate(shown, 1):
        r["rank"] = i
    for r in rest:
        r["rank"] = None
    return shown + rest


def build(store, period: str | None = None, region: str | None = None, scope: str = "all",
          min_cell=MIN_CELL, keep: bool | None = None) -> dict:
    """Everything the cockpit shows for one period × region × scope.

    The KPI figures come from the store when ``chainbrain compute`` (or an earlier request) kept
    them at the current data (:mod:`chainbrain.web.kept`), else from the analytics; ``keep``
    (default: for the newest period, ``period`` None) keeps what is computed."""
    keep = period is None if keep is None else keep
    scope = check_scope(scope)
    reg = check_region(store, region)
    p = resolve_period(store, period)
    prov = data.province(store)
    min_cell = guard_of(store, min_cell)
    out = {"period": p.label if p else None, "period_end": p.ytd_label if p else None,
           "scope": scope, "region": reg, "province": prov,
           "min_cell": min_cell.min_cell,
           "demo": data.is_demo(store), "pack": data.pack_meta(store),
           "available_periods": data.periods(store), "kpi": None, "cities": [], "counties": [],
           "chains": [], "map": None, "breadcrumb": breadcrumb(store, reg, prov)}
    if p is None:
        return out
    code = reg["code"] if reg and reg["level"] != "province" else None
    headline = kept.figure(store, ("kpi", p.label, code, scope), lambda: kpi(store, p.label, region=code, scope=scope),
                           keep)
    out["kpi"] = protect(store, headline, min_cell, None, code)
    out["cities"] = _units(store, p, "city", code, scope,
                           [c for c in data.regions(store, "prefecture")
                            if code is None or c["code"] == (reg["prefecture_code"] or reg["code"])],
                           min_cell, headline, keep=keep)
    if code is None:
        out["map"] = {"level": "city", "parent": None, "selected": None}
    else:
        city = reg["prefecture_code"] or reg["code"]
        out["counties"] = _units(store, p, "county", city, scope, data.regions(store, "county", city),
                                 min_cell, headline, keep=keep)
        out["map"] = {"level": "county", "parent": city,
                      "selected": code if reg["level"] == "county" else None}
    chains = _units(store, p, "chain", code, scope, data.chains(store), min_cell, headline, keep=keep)
    out["chains"] = rank(chains, "seq")
    return out


def breadcrumb(store, reg: dict | None, prov: dict | None) -> list[dict]:
    """Province → city → county links for the selected region."""
    crumbs = [{"code": prov["code"] if prov else None, "name": prov["name"] if prov else None}]
    if reg is None or reg["level"] == "province":
        return crumbs
    if reg["level"] == "county" and reg["prefecture_code"]:
        city = data.region(store, reg["prefecture_code"])
        if city:
            crumbs.append({"code": city["code"], "name": city["name"]})
    crumbs.append({"code": reg["code"], "name": reg["name"]})
    return crumbs


def kpi_record(store, period: str | None, chain: str | None, region: str | None, scope: str,
               min_cell=MIN_CELL) -> dict:
    """The /api/kpi record: ``kpi()`` for the scope, with disclosure control applied; without a chain
    it is read from the figures kept at the current data (:mod:`chainbrain.web.kept`: ``chainbrain
    compute`` and the server's warm-up keep every period × region) when they are there."""
    scope = check_scope(scope)
    chain = check_chain(store, chain)
    reg = check_region(store, region)
    p = resolve_period(store, period)
    if p is None:
        raise BadRequest("no monthly reports in the store; give a period (库中没有月报数据，请指定统计期)")
    code = reg["code"] if reg else None
    rec = kpi_of(store, p, chain, code, scope, period is None and chain is None)
    return protect(store, rec, min_cell, chain, code if reg and reg["level"] != "province" else None)


def kpi_of(store, p: Period, chain: str | None, region: str | None, scope: str, keep: bool = False) -> dict:
    """``kpi(P, chain, region, scope)``, read from the figures kept at the current data when
    ``chainbrain compute`` or the warm-up kept them (analytics.kpi_stored: every period × region
    without a chain, ``("kpi", …)``, and every period × chain of the province, ``("kpi_chain", …)``),
    else live (kept when ``keep``)."""
    if chain is None:
        return kept.figure(store, ("kpi", p.label, region, scope),
                           lambda: kpi(store, p.label, region=region, scope=scope), keep)
    if region is None:
        return kept.figure(store, ("kpi_chain", p.label, chain, scope),
                           lambda: kpi(store, p.label, chain=chain, scope=scope), keep)
    return kpi(store, p.label, chain=chain, region=region, scope=scope)


# ---------------------------------------------------------------- targets, projection, alerts
#
# Slow analytics (a few seconds: target paths need the base year's series, the
# projection fits an ETS model). They are computed once per period × region ×
# scope and cached (``monitoring``); alerts come from the stored aggregates of
# ``chainbrain compute`` when present. Only the confidential alerts depend on
# the viewer (``alerts_for``).

TARGET_FIGURES = ("actual", "actual_low", "actual_high", "path", "gap", "gap_pp", "ratio", "status",
                  "base_annual", "target_value", "annual_path", "monthly_path", "annualized",
                  "required_growth_rest_of_year", "required_annual_growth_to_target", "seasonal_share",
                  "value", "low", "high", "required_growth", "index_comparable")
#: which sums each target figure is built from: the current sum, the base-year sum (growth paths), both
TARGET_CURRENT = ("actual", "actual_low", "actual_high", "annualized")
TARGET_BASE = ("path", "base_annual", "annual_path", "monthly_path", "seasonal_share", "target_value")
TARGET_BOTH = ("gap", "gap_pp", "ratio", "status", "required_growth_rest_of_year", "required_annual_growth_to_target",
               "value", "low", "high", "required_growth", "index_comparable")
#: a growth target's comparable index (targets JSON ``value``) also contains this year's comparable growth
TARGET_INDEX = ("value", "low", "high", "ratio", "status", "gap", "gap_pp", "required_growth",
                "required_growth_rest_of_year", "required_annual_growth_to_target", "index_comparable")
PROJECTION_FIGURES = ("projected", "interval_low", "interval_high", "target_value", "ratio", "status",
                      "explanation_zh", "explanation_en", "series")


def stored_alerts(store, period: str) -> list[dict] | None:
    """Alerts ``chainbrain compute`` stored for ``period`` (None when it did not compute them)."""
    import json

    import sqlalchemy as sa

    from chainbrain.analytics.alerts import RULES
    from chainbrain.store import schema_monitoring as M

    try:
        with store.engine.connect() as conn:
            runs = conn.execute(sa.select(M.compute_run.c.periods)
                                .where(M.compute_run.c.status == "done")).scalars().all()
            if not any((r or "").split(",")[-1] == period for r in runs):
                return None                   # no run computed this period's alerts
            rows = conn.execute(sa.select(M.monitor_alert).where(M.monitor_alert.c.period == period)
                                .order_by(M.monitor_alert.c.seq)).mappings().all()
    except Exception:                         # store without the monitoring tables
        return None
    out = []
    for r in rows:
        out.append({"rule": r["rule"], "severity": r["severity"], "subject_kind": r["subject_kind"],
                    "subject": r["subject"], "subject_name": None, "period": r["period"],
                    "figures": json.loads(r["figures"]), "message_zh": r["message_zh"],
                    "message_en": r["message_en"], "n": int(r["n"]), "confidential": bool(r["confidential"]),
                    "threshold": RULES.get(r["rule"])})
    return out


def period_alerts(store, period: str | None, keep: bool = True) -> dict:
    """``{"period", "alerts", "alerts_source"}``: every alert of the period (province level,
    confidential ones included — filter with :func:`alerts_for`), stored by ``chainbrain
    compute`` (``stored``, its period) or computed (``computed``: another period's, kept in the store
    at the current data key as the cockpit's figures are, :func:`chainbrain.web.kept.figure` — the
    load test spent an eighth of the server's interpreter lock computing the alerts of the periods
    asked for again after every import, #20; ``keep=False``: computed, not kept)."""
    from chainbrain.analytics.alerts import alerts as compute_alerts

    p = resolve_period(store, period)
    if p is None:
        return {"period": None, "alerts": [], "alerts_source": None}
    stored = stored_alerts(store, p.label)
    if stored is None:
        return {"period": p.label, "alerts_source": "computed",
                "alerts": kept.figure(store, ("alerts", p.label), lambda: compute_alerts(store, p), keep)}
    return {"period": p.label, "alerts": stored, "alerts_source": "stored"}


def monitoring(store, period: str | None, region: str | None = None, scope: str = "all",
               with_alerts: bool = True, keep: bool | None = None) -> dict:
    """Targets (progress on every pack target that applies), projection, alerts for one scope.

    ``targets``: :func:`chainbrain.analytics.targets.target_progress` records;
    ``projection``: :func:`chainbrain.analytics.projection.projection` plus its
    chart series (``series.rows``: year, actual annual, current YTD, required,
    projected with interval); ``alerts``: every alert of the period (province
    level, confidential ones included — filter with :func:`alerts_for`);
    ``alerts_source``: ``stored`` (``chainbrain compute``) or ``computed``.
    Targets and projection are kept in the store as :func:`build`'s figures are (``keep``).
    """
    keep = period is None if keep is None else keep
    scope = check_scope(scope)
    reg = check_region(store, region)
    p = resolve_period(store, period)
    out = {"period": p.label if p else None, "targets": [], "projection": None, "alerts": [], "alerts_source": None}
    if p is None:
        return out
    code = reg["code"] if reg and reg["level"] != "province" else None
    out.update(kept.figure(store, ("monitoring", p.label, code, scope),
                           lambda: _targets_projection(store, p, code, scope), keep))
    if with_alerts:
        out.update({k: v for k, v in period_alerts(store, p.label).items() if k != "period"})
    return out


def _withhold(rec: dict, fields, small: bool) -> dict:
    rec = dict(rec)
    rec["suppressed"] = [f for f in fields if f in rec] if small else []
    for f in rec["suppressed"]:
        rec[f] = None if not isinstance(rec[f], list) else []
    return rec


def protect_monitoring(store, mon: dict, min_cell, region: str | None, scope: str = "all",
                       chain: str | None = None) -> dict:
    """Disclosure control for target and projection figures, with the viewer's pattern.

    A revenue target (growth, level) and the projection show the current sum and the base-year
    path of cell (``chain`` × province or ``region``, ``scope``; ``chain`` None on the pages): they are withheld with either sum (or when
    their ``n`` is small and the viewer does not see every enterprise); other targets (shares)
    by their ``n``. The projection chart's past annual totals are the December cells of earlier
    years: each is withheld with that period's pattern."""
    g = guard_of(store, min_cell)
    period = mon.get("period")
    out = dict(mon)
    if not period:
        return out
    known = g.knows(period, chain, region, scope)
    level_hidden = g.hidden(period, "cur", chain, region, scope) or g.hidden(period, "base", chain, region, scope)

    def small(n) -> bool:
        return n is not None and 0 < int(n) < g.min_cell and not known

    cur_hidden = g.hidden(period, "cur", chain, region, scope)
    base_hidden = g.hidden(period, "base", chain, region, scope)
    comparable_hidden = g.hidden(period, "cc", chain, region, scope) or g.hidden(period, "cb", chain, region, scope)

    def target(t: dict) -> dict:
        if small(t.get("n")):
            return _withhold(t, TARGET_FIGURES, True)
        if t.get("indicator", "revenue") != "revenue" or t.get("kind") not in ("growth", "level"):
            return _withhold(t, TARGET_FIGURES, False)
        base = base_hidden and t.get("kind") == "growth"
        growth = comparable_hidden and t.get("kind") == "growth"
        gone = (TARGET_CURRENT if cur_hidden else ()) + (TARGET_BASE if base else ()) + \
            (TARGET_BOTH if cur_hidden or base else ()) + (TARGET_INDEX if growth else ())
        return _withhold(t, [f for f in TARGET_FIGURES if f in gone], bool(gone))

    out["targets"] = [target(t) for t in mon.get("targets", [])]
    proj = mon.get("projection")
    if proj:
        proj = _withhold(proj, PROJECTION_FIGURES, small(proj.get("n")) or level_hidden)
        series = proj.get("series")
        if isinstance(series, dict) and series.get("rows"):
            rows = []
            for r in series["rows"]:
                r = dict(r)
                if r.get("actual_yuan") is not None and g.hidden(f"{r['year']}-12", "cur", chain, region, scope):
                    r["actual_yuan"] = None
                rows.append(r)
            proj["series"] = {**series, "rows": rows}
        out["projection"] = proj
    return out


def alerts_for(store, alerts: list[dict], user) -> list[dict]:
    """The alerts ``user`` may see: confidential (enterprise) alerts only when their scope covers it."""
    from chainbrain.web.policy import sees_enterprises, visible_ids

    secret = [a for a in alerts if a.get("confidential")]
    allowed: set[int] = set()
    if secret and sees_enterprises(user):
        ids = [int(a["subject"]) for a in secret if str(a["subject"]).isdigit()]
        allowed = visible_ids(store, user, ids)
    return [a for a in alerts if not a.get("confidential")
            or (str(a["subject"]).isdigit() and int(a["subject"]) in allowed)]
