"""Plan targets of the pack: one record per target with a verdict, bounds and the growth still required.

Every record carries the common fields ``code, kind, value, low, high,
target, status, basis`` (+ ``name_zh``, ``name_en``, ``unit``, ``n``);
``status`` ∈ green | yellow | red | undetermined | null (no data).

Growth targets (kind ``growth``, e.g. revenue +9 % a year from base year B =
2022 to target year T = 2026), judged on the comparable basis (可比口径,
:mod:`chained`): ``value`` = the chained comparable index I =
Π_{y=B+1}^{Y−1}(1 + g_y) × (1 + g_Y(M)), ``target`` = (1 + r)^(Y−B),
``ratio = value / target``; status green at ratio ≥ 1, yellow at ratio ≥
1 − band (pack ``yellow_band``, 3 %), red below; ``basis = "comparable"``;
``n_index`` = the smallest comparable sample among the chained links and
``n`` = the smallest non-zero count among it, the current and the base-year
samples (every figure of the record is built from at least ``n`` firms; 0 =
no figure);
``required_annual_growth_to_target`` = ((1+r)^(T−B)/I)^(1/(T−Y)) − 1 (Y < T)
and ``required_growth_rest_of_year`` (formula in :mod:`chained`). The level
figures stay as second, labelled figures (总量口径, ``basis_level = "level"``):

- annual path ``A(Y) = YTD_B(12) × (1 + r)^(Y − B)``, target value ``A(T)``;
- monthly path ``path(Y, m) = YTD_B(m) × (1 + r)^(Y − B)``;
- ``actual`` (YTD, yuan), ``gap = actual − path``, ``ratio_level =
  actual / path``, ``status_level`` graded like the ratio; ``n_level`` the
  smaller of the current and base-year samples.

Share targets (kind ``share``, e.g. SEI share of value added ≥ 28 %):
``value`` = the estimate, ``low`` / ``high`` its bounds (``sei_va_share``,
``_low``, ``_high`` from :mod:`indicators`). Status (:func:`share_status`):
green when low ≥ target; ``undetermined`` when low < target ≤ high (the
bounds straddle or touch the target from below: the data cannot say); when
high < target, graded on the upper bound: yellow when high ≥ target ×
(1 − band), red below. Without bounds the estimate itself is graded.

Level targets (kind ``level``, e.g. 吉安 electronics ≥ 300 bn yuan in 2026):
``value`` = the annualized value Â(Y) = actual(Y, M) / s(M), with last
year's seasonal share s(M) = YTD_{Y−1}(M) / YTD_{Y−1}(12) (s = 1 at M = 12);
``target`` = the level path for year Y: the constant-growth path from last
year's actual A(Y−1) to the level V in year T,
``path(Y) = A(Y−1) × (V / A(Y−1))^(1/(T−Y+1))`` (= V when Y = T; V after T);
status graded on ``value / target`` as above; ``required_annual_growth_to_target``
= (V / Â(Y))^(1/(T−Y)) − 1 for Y < T.

Coverage targets: ``status`` null (no coverage data is stored yet).
Values on the YTD basis use each year's sample (as published); a year's
monthly YTD series uses the membership at its last month's end (one query).
Inside :func:`shared_series` a series already read for the same scope, measure, year and
last month is reused for any subset of its months (the membership depends on the last
month only, so the figures are the same): the monthly report asks the same years for the
target path, the projection and its chart.
"""

from __future__ import annotations

import contextlib
import contextvars
import math

import pandas as pd

from chainbrain.analytics.chained import grade
from chainbrain.analytics.indicators import Scope, _exact, _run, evaluate_one
from chainbrain.analytics.kpi import kpi_tables, status_of
from chainbrain.analytics.registry import COLUMN
from chainbrain.analytics.scope import Shared, latest, members
from chainbrain.periods import Period, parse_period

DEFAULT_BAND = 0.03


_SERIES: contextvars.ContextVar = contextvars.ContextVar("chainbrain_ytd_series", default=None)


@contextlib.contextmanager
def shared_series():
    """Within the block, :func:`ytd_series` answers from a series it already read (module docstring)."""
    token = _SERIES.set({})
    try:
        yield
    finally:
        _SERIES.reset(token)


def ytd_series(store, year: int, months: list[int] | None = None, sc: Scope = Scope(),
               measure: str = "revenue") -> pd.DataFrame:
    """Σ YTD of ``measure`` per month of ``year`` for the scope, one query.

    Members are those in scope at the end of the last requested month (an
    enterprise moving region mid-year counts where it is at that date).
    Returns columns month, value, n (months without reports are absent).
    """
    months = months or list(range(2, 13))
    memo = _SERIES.get()
    mkey = (id(store), year, max(months), sc, measure)
    if memo is not None and mkey in memo and set(months) <= memo[mkey][0]:
        df = memo[mkey][1]
        return df[df["month"].isin(months)].reset_index(drop=True)
    end = Period(f"{year}-{max(months):02d}", year, max(months))

    def build():
        t = store.table("monthly_report")
        r = latest(t.filter((t.year == year) & t.month.isin(months)), ["enterprise_id", "year", "month"])
        mem = members(store, end.end_date, sc.scope, sc.region, sc.chain, "all", segment=sc.segment,
                      cluster=sc.cluster, sei=sc.sei, park=sc.park)
        x = r.join(mem, "enterprise_id")
        v = x[COLUMN[measure]]                              # exact sum, one conversion after it
        return x.group_by("month").aggregate(value=_exact(v.sum()), n=v.count())

    level = Shared(store).region_level(sc.region) if sc.region else None
    df = _run(store, ("ytd_series", year, tuple(months), sc, measure, level), build)
    df = df[df["n"] > 0].sort_values("month").reset_index(drop=True)
    df["value"] = df["value"].astype(float)
    df["month"] = df["month"].astype(int)
    df["n"] = df["n"].astype(int)
    if memo is not None:
        memo[mkey] = (set(months), df.copy())
    return df


def _band(t: dict) -> float:
    b = t.get("yellow_band")
    return float(b) if b is not None and not pd.isna(b) else DEFAULT_BAND


def _targets(store) -> list[dict]:
    """The pack's targets (read once per :func:`shared_series` block)."""
    memo = _SERIES.get()
    if memo is not None and ("targets", id(store)) in memo:
        return memo[("targets", id(store))]
    rows = store.table("target").execute()
    out = [{k: (None if (not isinstance(v, str) and pd.isna(v)) else v) for k, v in r.items()}
           for r in rows.to_dict("records")]
    if memo is not None:
        memo[("targets", id(store))] = out
    return out


def _level_paths(store, p: Period, t: dict, sc: Scope, measure: str) -> dict:
    """The level figures of a growth target (second, labelled figures; module docstring)."""
    base, rate = int(t["base_year"]), float(t["annual_rate"])
    target_year = int(t["target_year"]) if t.get("target_year") else p.year
    b = ytd_series(store, base, sc=sc, measure=measure).set_index("month")["value"]
    base_annual = float(b.get(12)) if 12 in b.index else None

    def annual(y):
        return base_annual * (1 + rate) ** (y - base) if base_annual else None

    return {"base_annual": base_annual, "target_value": annual(target_year),
            "annual_path": [{"year": y, "required": annual(y)} for y in range(base, target_year + 1)]
            if base_annual else [],
            "monthly_path": [{"period": f"{p.year}-{m:02d}", "required": float(v) * (1 + rate) ** (p.year - base)}
                             for m, v in b.items()],
            "seasonal_share": (float(b[p.month]) / base_annual) if base_annual and p.month in b.index else None}


def growth_progress(store, p: Period, t: dict, sc: Scope, kpi_rec: dict | None = None) -> dict:
    """Progress of a growth target for scope ``sc`` at period ``p`` (module docstring).

    The verdict and the growth still required come from the KPI machinery
    (:func:`chainbrain.analytics.kpi.kpi_tables`, comparable basis); the level
    path series from :func:`ytd_series`. Only revenue targets have a
    comparable index; other measures get the level figures and a null status. ``kpi_rec``: the
    scope's KPI record judged against ``t`` when already at hand (the stored figures; a record
    without either sample stands for no rows).
    """
    base, rate = int(t["base_year"]), float(t["annual_rate"])
    target_year = int(t["target_year"]) if t.get("target_year") else p.year
    measure = t["indicator"] if t["indicator"] in COLUMN else "revenue"
    lv = _level_paths(store, p, t, sc, measure)
    rec, empty = {}, False
    if measure == "revenue" and not (sc.segment or sc.cluster or sc.sei or sc.park):
        if kpi_rec is not None:
            rec = kpi_rec if kpi_rec.get("above_scale_count") or kpi_rec.get("prev_count") else {}
            empty = not rec
        else:
            rows = kpi_tables(store, p, ("all",), sc.chain, sc.region, sc.scope, target=t)["all"]
            rec = rows[0] if rows else {}
    actual = rec.get("revenue_ytd_yuan") if rec else None
    if empty:       # no reports in the scope either year: evaluate_one would give no revenue from 0 firms
        rec = {"above_scale_count": 0}
    elif measure != "revenue" or not rec:
        cur = evaluate_one(store, p, only=[measure], scope=sc.scope, region=sc.region, chain=sc.chain,
                           segment=sc.segment, cluster=sc.cluster, sei=sc.sei, park=sc.park)
        actual = cur.get(measure)
        rec = {"above_scale_count": cur.get(f"{measure}_n", 0)}
    path = rec.get("target_path_yuan")
    counts = (int(rec.get("target_index_count") or 0), int(rec.get("above_scale_count") or 0),
              int(rec.get("target_base_count") or 0))
    n_level = min(counts[1:])
    index = rec.get("target_index_comparable")
    return {
        "code": t["code"], "kind": "growth", "indicator": measure, "name_zh": t["name_zh"], "name_en": t["name_en"],
        "period": p.label, "scope": sc.scope, **sc.filters(), "base_year": base, "annual_rate": rate,
        "target_year": target_year, "basis": "comparable",
        "value": index, "low": None, "high": None,
        "target": (1 + rate) ** (p.year - base) if p.year > base else None,
        "ratio": rec.get("target_ratio"), "status": rec.get("target_status"),
        "n": min([c for c in counts if c > 0], default=0), "n_index": counts[0],
        "index_missing_years": rec.get("target_index_missing_years", []),
        "required_annual_growth_to_target": rec.get("target_required_growth"),
        "required_growth_rest_of_year": rec.get("target_required_growth_rest_of_year"),
        "basis_level": "level", "actual": actual, "path": path,
        "gap": (actual - path) if actual is not None and path else None,
        "ratio_level": rec.get("target_ratio_level"), "status_level": rec.get("target_status_level"),
        "n_level": n_level, **lv, "unit": "index", "unit_level": t.get("unit") or "yuan",
    }


def share_status(value: float | None, low: float | None, high: float | None, target: float,
                 band: float) -> str | None:
    """Status of a share against a "≥ target" target from its estimate and bounds (module docstring).

    green: low ≥ target; undetermined: low < target ≤ high; high < target:
    yellow when high ≥ target·(1 − band), else red. Bounds missing: the estimate is graded.
    """
    if low is None or high is None:
        return status_of(value, target, band)
    if low >= target:
        return "green"
    if high >= target:
        return "undetermined"
    return grade(high / target, band) if target > 0 else None


def share_progress(store, p: Period, t: dict, sc: Scope) -> dict:
    key = {"sei_value_added_share": "sei_va_share"}.get(t["indicator"], t["indicator"])
    rec = evaluate_one(store, p, only=[key, f"{key}_low", f"{key}_high"] if key == "sei_va_share" else [key],
                       scope=sc.scope, region=sc.region, chain=sc.chain)
    value, target = rec.get(key), float(t["target_value"])
    low, high = rec.get(f"{key}_low"), rec.get(f"{key}_high")
    return {"code": t["code"], "kind": "share", "indicator": key, "name_zh": t["name_zh"], "name_en": t["name_en"],
            "period": p.label, "scope": sc.scope, **sc.filters(),
            "target_year": int(t["target_year"]) if t.get("target_year") else None, "basis": "estimate",
            "value": value, "low": low, "high": high, "target": target,
            "target_value": target, "actual": value, "actual_low": low, "actual_high": high,
            "n": rec.get(f"{key}_n", 0),
            "gap_pp": (value - target) * 100 if value is not None else None,
            "status": share_status(value, low, high, target, _band(t)), "unit": "share"}


def level_path(last_annual: float | None, target: float, target_year: int, year: int) -> float | None:
    """The level path for ``year``: constant growth from last year's actual to ``target`` in ``target_year``."""
    if year >= target_year:
        return target
    if not last_annual or last_annual <= 0:
        return None
    return last_annual * (target / last_annual) ** (1 / (target_year - year + 1))


def level_progress(store, p: Period, t: dict, sc: Scope) -> dict:
    measure = t["indicator"] if t["indicator"] in COLUMN else "revenue"
    rec = evaluate_one(store, p, only=[measure], scope=sc.scope, region=sc.region, chain=sc.chain)
    actual = rec.get(measure)
    last = ytd_series(store, p.year - 1, [p.month, 12], sc=sc, measure=measure).set_index("month")["value"]
    last_annual = float(last[12]) if 12 in last.index else None
    if p.month == 12:
        share = 1.0
    else:
        share = float(last[p.month]) / last_annual if {p.month, 12} <= set(last.index) and last_annual else None
    annualized = actual / share if actual and share else None
    target, ty = float(t["target_value"]), int(t["target_year"])
    g_req = None
    if annualized and ty > p.year:
        g_req = (target / annualized) ** (1 / (ty - p.year)) - 1
    path = level_path(last_annual, target, ty, p.year)
    ratio = annualized / path if annualized is not None and path else None
    return {"code": t["code"], "kind": "level", "indicator": measure, "name_zh": t["name_zh"],
            "name_en": t["name_en"], "period": p.label, "scope": sc.scope, **sc.filters(), "target_year": ty,
            "basis": "level", "value": annualized, "low": None, "high": None, "target": path,
            "ratio": ratio, "status": grade(ratio, _band(t)),
            "target_value": target, "actual": actual, "n": rec.get(f"{measure}_n", 0),
            "annualized": annualized, "seasonal_share": share, "last_annual": last_annual,
            "required_annual_growth_to_target": g_req, "unit": t.get("unit") or "yuan"}


def target_progress(store, period: str | Period, chain: str | None = None, region: str | None = None,
                    scope: str = "all", kpi_rec: dict | None = None) -> list[dict]:
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
            # the stored record serves the target it was judged against; a record without either
            # sample (no rows: no target fields) serves every target
            rec = kpi_rec if kpi_rec is not None and (kpi_rec.get("target_code") == t["code"] or not (
                kpi_rec.get("above_scale_count") or kpi_rec.get("prev_count"))) else None
            out.append(growth_progress(store, p, t, Scope(scope, region, chain), rec))
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
                        "name_en": t["name_en"], "period": p.label, "basis": None, "value": None, "low": None,
                        "high": None, "target": t.get("target_value"), "unit": t.get("unit"),
                        "target_value": t.get("target_value"),
                        "deadline": str(t["deadline"])[:10] if t.get("deadline") else None, "actual": None, "n": 0,
                        "status": None, "note": "no coverage data stored yet (尚无覆盖率数据)"})
    return out


def required_path(base_ytd: dict[int, float], base_year: int, rate: float, years: range) -> list[dict]:
    """The required YTD value for every (year, month) of ``years`` from base-year YTDs (pure function)."""
    return [{"period": f"{y}-{m:02d}", "required": v * (1 + rate) ** (y - base_year)}
            for y in years for m, v in sorted(base_ytd.items()) if not math.isnan(v)]
