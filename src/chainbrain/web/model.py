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
from chainbrain.analytics.periods import Period, PeriodError, parse_period
from chainbrain.analytics.scope import SCOPES
from chainbrain.web import data
from chainbrain.web.disclosure import MIN_CELL, protect


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


def _units(store, p: Period, by: str, region: str | None, scope: str, catalog: list[dict],
           min_cell, template: dict, chain: str | None = None) -> list[dict]:
    """One protected KPI record per catalog unit (units without reports get an empty record)."""
    rows = {r["key"]: r for r in kpi_table(store, p, by=by, region=region, scope=scope, chain=chain)}
    out = []
    for unit in catalog:
        rec = rows.pop(unit["code"], None)
        if rec is None:
            rec = empty_like(template, unit["code"])
        cell = (unit["code"], region) if by == "chain" else (chain, unit["code"])
        rec = protect(rec, cell_min(min_cell, *cell))
        rec.update({k: unit[k] for k in unit if k != "code"})
        out.append(rec)
    for key, rec in rows.items():          # reports outside the catalog (should not happen)
        out.append({**protect(rec, cell_min(min_cell, None, None)), "name": key})
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
          min_cell=MIN_CELL) -> dict:
    """Everything the cockpit shows for one period × region × scope."""
    scope = check_scope(scope)
    reg = check_region(store, region)
    p = resolve_period(store, period)
    prov = data.province(store)
    out = {"period": p.label if p else None, "period_end": p.ytd_label if p else None,
           "scope": scope, "region": reg, "province": prov,
           "min_cell": min_cell if isinstance(min_cell, int) else MIN_CELL,
           "demo": data.is_demo(store), "pack": data.pack_meta(store),
           "available_periods": data.periods(store), "kpi": None, "cities": [], "counties": [],
           "chains": [], "map": None, "breadcrumb": breadcrumb(store, reg, prov)}
    if p is None:
        return out
    code = reg["code"] if reg and reg["level"] != "province" else None
    headline = kpi(store, p.label, region=code, scope=scope)
    out["kpi"] = protect(headline, cell_min(min_cell, None, code))
    out["cities"] = _units(store, p, "city", code, scope,
                           [c for c in data.regions(store, "prefecture")
                            if code is None or c["code"] == (reg["prefecture_code"] or reg["code"])],
                           min_cell, headline)
    if code is None:
        out["map"] = {"level": "city", "parent": None, "selected": None}
    else:
        city = reg["prefecture_code"] or reg["code"]
        out["counties"] = _units(store, p, "county", city, scope, data.regions(store, "county", city),
                                 min_cell, headline)
        out["map"] = {"level": "county", "parent": city,
                      "selected": code if reg["level"] == "county" else None}
    chains = _units(store, p, "chain", code, scope, data.chains(store), min_cell, headline)
    out["chains"] = rank(chains, "seq")
    return out


def breadcrumb(store, reg: dict | None, prov: dict | None) -> list[dict]:
    """Province → city → county links for the selected region."""
    crumbs = [{"code": None, "name": prov["name"] if prov else None}]
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
    """The /api/kpi record: ``kpi()`` for the scope, with disclosure control applied."""
    scope = check_scope(scope)
    chain = check_chain(store, chain)
    reg = check_region(store, region)
    p = resolve_period(store, period)
    if p is None:
        raise BadRequest("no monthly reports in the store; give a period (库中没有月报数据，请指定统计期)")
    code = reg["code"] if reg else None
    return protect(kpi(store, p.label, chain=chain, region=code, scope=scope),
                   cell_min(min_cell, chain, code if reg and reg["level"] != "province" else None))
