"""Plan targets of the pack as paths: required value per year and month, gap, growth still required.

Growth targets (kind ``growth``, e.g. revenue +9 % a year from base year B = 2022
to target year T = 2026), for a scope with base-year YTD values ``YTD_B(m)``:

- annual path ``A(Y) = YTD_B(12) × (1 + r)^(Y − B)``, target value ``A(T)``;
- monthly path ``path(Y, m) = YTD_B(m) × (1 + r)^(Y − B)`` — the base year's
  seasonal share ``s(m) = YTD_B(m) / YTD_B(12)`` times the annual path;
- gap ``actual(Y, m) − path(Y, m)``, ratio ``actual / path``; status green at
  or above the path, yellow within the band (3 %) below, red below that;
- growth still required this year: the rest of the year (months m+1..12) must
  reach ``A(Y) − actual(Y, m)``, against last year's rest
  ``YTD_{Y−1}(12) − YTD_{Y−1}(m)``: ``g_rest = need / last_rest − 1``;
- growth still required to the target year: annualize this year
  ``Â(Y) = actual(Y, m) / s(m)``, then ``g_req = (A(T) / Â(Y))^{1/(T−Y)} − 1``.

Share targets (kind ``share``, e.g. SEI share of value added ≥ 28 %): value
from :mod:`indicators` (``sei_va_share`` with its bounds), gap in percentage
points; level targets (kind ``level``, e.g. 吉安 electronics ≥ 300 bn yuan in
2026): annualized value vs the level and the compound growth still required;
coverage targets: reported as ``no data`` until coverage data is stored.
Values on the YTD basis use each year's sample (as published); a year's
monthly YTD series uses the membership at its last month's end (one query).
"""

from __future__ import annotations

import math

import pandas as pd

from chainbrain.analytics.indicators import COLUMN, Scope, evaluate_one
from chainbrain.analytics.kpi import status_of
from chainbrain.analytics.periods import Period, parse_period
from chainbrain.analytics.scope import latest, members

DEFAULT_BAND = 0.03


def ytd_series(store, year: int, months: list[int] | None = None, sc: Scope = Scope(),
               measure: str = "revenue") -> pd.DataFrame:
    """Σ YTD of ``measure`` per month of ``year`` for the scope, one query.

    Members are those in scope at the end of the last requested month (an
    enterprise moving region mid-year counts where it is at that date).
    Returns columns month, value, n (months without reports are absent).
    """
    months = months or list(range(2, 13))
    end = Period(f"{year}-{max(months):02d}", year, max(months))
    t = store.table("monthly_report")
    r = latest(t.filter((t.year == year) & t.month.isin(months)), ["enterprise_id", "year", "month"])
    mem = members(store, end.end_date, sc.scope, sc.region, sc.chain, "all", segment=sc.segment,
                  cluster=sc.cluster, sei=sc.sei, park=sc.park)
    x = r.join(mem, "enterprise_id")
    v = x[COLUMN[measure]].cast("float64")
    df = x.group_by("month").aggregate(value=v.sum(), n=v.count()).execute()
    df = df[df["n"] > 0].sort_values("month").reset_index(drop=True)
    df["value"] = df["value"].astype(float)
    df["month"] = df["month"].astype(int)
    return df


def _band(t: dict) -> float:
    b = t.get("yellow_band")
    return float(b) if b is not None and not pd.isna(b) else DEFAULT_BAND


def _targets(store) -> list[dict]:
    rows = store.table("target").execute()
    return [{k: (None if (not isinstance(v, str) and pd.isna(v)) else v) for k, v in r.items()}
            for r in rows.to_dict("records")]


def growth_progress(store, p: Period, t: dict, sc: Scope) -> dict:
    """Progress of a growth target for scope ``sc`` at period ``p`` (module docstring)."""
    base, rate = int(t["base_year"]), float(t["annual_rate"])
    target_year = int(t["target_year"]) if t.get("target_year") else p.year
    measure = t["indicator"] if t["indicator"] in COLUMN else "revenue"
    b = ytd_series(store, base, sc=sc, measure=measure).set_index("month")["value"]
    last = ytd_series(store, p.year - 1, [p.month, 12], sc=sc, measure=measure).set_index("month")["value"]
    cur = evaluate_one(store, p, only=[measure], scope=sc.scope, region=sc.region, chain=sc.chain,
                       segment=sc.segment, cluster=sc.cluster, sei=sc.sei, park=sc.park)
    actual = cur.get(measure)
    base_annual = float(b.get(12)) if 12 in b.index else None
    share = (float(b[p.month]) / base_annual) if base_annual and p.month in b.index else None

    def annual(y):
        return base_annual * (1 + rate) ** (y - base) if base_annual else None

    path = float(b[p.month]) * (1 + rate) ** (p.year - base) if p.month in b.index else None
    monthly_path = [{"period": f"{p.year}-{m:02d}", "required": float(v) * (1 + rate) ** (p.year - base)}
                    for m, v in b.items()]
    g_rest = None
    if actual is not None and annual(p.year) and p.month < 12 and {p.month, 12} <= set(last.index):
        rest_last = float(last[12]) - float(last[p.month])
        if rest_last > 0:
            g_rest = (annual(p.year) - actual) / rest_last - 1
    g_req = None
    target_value = annual(target_year)
    if actual and share and target_value and target_year > p.year:
        g_req = (target_value / (actual / share)) ** (1 / (target_year - p.year)) - 1
    elif target_year == p.year:
        g_req = g_rest
    return {
        "code": t["code"], "kind": "growth", "indicator": measure, "name_zh": t["name_zh"], "name_en": t["name_en"],
        "period": p.label, "scope": sc.scope, **sc.filters(), "base_year": base, "annual_rate": rate,
        "target_year": target_year, "base_annual": base_annual, "target_value": target_value,
        "annual_path": [{"year": y, "required": annual(y)} for y in range(base, target_year + 1)] if base_annual else [],
        "monthly_path": monthly_path, "actual": actual, "n": cur.get(f"{measure}_n", 0), "path": path,
        "gap": (actual - path) if actual is not None and path else None,
        "ratio": (actual / path) if actual is not None and path else None,
        "status": status_of(actual, path, _band(t)), "seasonal_share": share,
        "required_growth_rest_of_year": g_rest, "required_annual_growth_to_target": g_req, "unit": t.get("unit"),
    }


def share_progress(store, p: Period, t: dict, sc: Scope) -> dict:
    key = {"sei_value_added_share": "sei_va_share"}.get(t["indicator"], t["indicator"])
    rec = evaluate_one(store, p, only=[key, f"{key}_low", f"{key}_high"] if key == "sei_va_share" else [key],
                       scope=sc.scope, region=sc.region, chain=sc.chain)
    value, target = rec.get(key), float(t["target_value"])
    return {"code": t["code"], "kind": "share", "indicator": key, "name_zh": t["name_zh"], "name_en": t["name_en"],
            "period": p.label, "scope": sc.scope, **sc.filters(),
            "target_year": int(t["target_year"]) if t.get("target_year") else None,
            "target_value": target, "actual": value, "actual_low": rec.get(f"{key}_low"),
            "actual_high": rec.get(f"{key}_high"), "n": rec.get(f"{key}_n", 0),
            "gap_pp": (value - target) * 100 if value is not None else None,
            "status": status_of(value, target, _band(t)), "unit": "share"}


def level_progress(store, p: Period, t: dict, sc: Scope) -> dict:
    measure = t["indicator"] if t["indicator"] in COLUMN else "revenue"
    rec = evaluate_one(store, p, only=[measure], scope=sc.scope, region=sc.region, chain=sc.chain)
    actual = rec.get(measure)
    last = ytd_series(store, p.year - 1, [p.month, 12], sc=sc, measure=measure).set_index("month")["value"]
    share = float(last[p.month]) / float(last[12]) if {p.month, 12} <= set(last.index) and last[12] else None
    annualized = actual / share if actual and share else None
    target, ty = float(t["target_value"]), int(t["target_year"])
    g_req = None
    if annualized and ty > p.year:
        g_req = (target / annualized) ** (1 / (ty - p.year)) - 1
    return {"code": t["code"], "kind": "level", "indicator": measure, "name_zh": t["name_zh"],
            "name_en": t["name_en"], "period": p.label, "scope": sc.scope, **sc.filters(), "target_year": ty,
            "target_value": target, "actual": actual, "n": rec.get(f"{measure}_n", 0),
            "annualized": annualized, "seasonal_share": share,
            "required_annual_growth_to_target": g_req, "status": None, "unit": t.get("unit")}


def target_progress(store, period: str | Period, chain: str | None = None, region: str | None = None,
                    scope: str = "all") -> list[dict]:
    """Progress on every pack target (JSON-ready records for the cockpit).

    Growth targets are applied to the requested scope (the plan's rate holds for
    every chain and region); share, level and coverage targets are evaluated in
    their own scope, and only when it matches the requested chain/region.
    """
    p = parse_period(period) if isinstance(period, str) else period
    out = []
    for t in _targets(store):
        own_chain, own_region = t.get("chain_code"), t.get("region_code")
        if t["kind"] == "growth":
            if (own_chain and own_chain != chain) or (own_region and own_region != region):
                continue
            out.append(growth_progress(store, p, t, Scope(scope, region, chain)))
            continue
        if (chain and own_chain != chain) or (region and own_region != region):
            continue
        sc = Scope(t.get("scope") if t.get("scope") in ("all", "manufacturing") else "all", own_region, own_chain)
        if t["kind"] == "share":
            out.append(share_progress(store, p, t, sc))
        elif t["kind"] == "level":
            out.append(level_progress(store, p, t, sc))
        else:
            out.append({"code": t["code"], "kind": t["kind"], "indicator": t["indicator"], "name_zh": t["name_zh"],
                        "name_en": t["name_en"], "period": p.label, "target_value": t.get("target_value"),
                        "deadline": str(t["deadline"])[:10] if t.get("deadline") else None, "actual": None, "n": 0,
                        "status": None, "note": "no coverage data stored yet (尚无覆盖率数据)"})
    return out


def required_path(base_ytd: dict[int, float], base_year: int, rate: float, years: range) -> list[dict]:
    """The required YTD value for every (year, month) of ``years`` from base-year YTDs (pure function)."""
    return [{"period": f"{y}-{m:02d}", "required": v * (1 + rate) ** (y - base_year)}
            for y in years for m, v in sorted(base_ytd.items()) if not math.isnan(v)]
