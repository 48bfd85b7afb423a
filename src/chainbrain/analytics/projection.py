"""Projection of a scope's revenue to the target year, with seasonality and an interval.

Series: the scope's single-period values from the YTD reports — Jan–Feb as one
period, then each month — i.e. 11 periods a year, ``x(Y, m) = YTD(Y, m) −
YTD(Y, m_prev)`` on scope totals (each year's members at its last period).

Model (statsmodels ``ETSModel``): log x with additive error, additive damped
trend and additive seasonality of period 11 (Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, ch. 8). The target-year total is the
sum of its actual periods and the forecast ones; its interval comes from
simulating 500 future paths (10th–90th percentile, i.e. 80 %), the point is the
simulated median. With fewer than two full years of periods the projection
falls back to compounding the annualized current year at its comparable YoY
growth (``method = "compound"``, no interval).

Status against the target value A(T) (see :mod:`targets`): green when the
point ≥ A(T); yellow when the point is within the band (3 %) below or the
upper bound reaches A(T); red otherwise. ``explanation_zh`` / ``_en`` is one
sentence built from these figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.analytics.indicators import Scope, evaluate_one
from chainbrain.periods import parse_period
from chainbrain.analytics.targets import DEFAULT_BAND, _targets, ytd_series

PERIODS_PER_YEAR = 11
YI = 1e8
STATUS_ZH = {"green": "绿色（可完成）", "yellow": "黄色（有风险）", "red": "红色（难以完成）"}


def single_periods(store, first_year: int, last_year: int, last_month: int, sc: Scope) -> pd.Series:
    """Single-period values indexed (year, month) from YTD totals, through last_year-last_month."""
    out = {}
    for y in range(first_year, last_year + 1):
        months = list(range(2, 13 if y < last_year else last_month + 1))
        s = ytd_series(store, y, months, sc).set_index("month")["value"]
        prev = 0.0
        for m in months:
            if m not in s.index:
                return pd.Series(dtype=float) if not out else pd.Series(out)
            out[(y, m)] = float(s[m]) - prev
            prev = float(s[m])
    return pd.Series(out, dtype=float)


def _status(point, hi, target, band=DEFAULT_BAND):
    if point is None or not target:
        return None
    if point >= target:
        return "green"
    if point >= target * (1 - band) or (hi is not None and hi >= target):
        return "yellow"
    return "red"


def projection(store, period: str, chain: str | None = None, region: str | None = None, scope: str = "all",
               target_year: int | None = None, seed: int = 1269) -> dict:
    """JSON-ready projection of revenue for the scope to the growth target's year (module docstring)."""
    p = parse_period(period)
    sc = Scope(scope, region, chain)
    growth = next((t for t in _targets(store) if t["kind"] == "growth" and not t.get("chain_code")
                   and not t.get("region_code")), None)
    base = int(growth["base_year"]) if growth else p.year - 3
    rate = float(growth["annual_rate"]) if growth else None
    ty = target_year or (int(growth["target_year"]) if growth and growth.get("target_year") else p.year + 1)
    series = single_periods(store, base, p.year, p.month, sc)
    base_annual = sum(v for (y, _), v in series.items() if y == base) if len(series) else None
    target_value = base_annual * (1 + rate) ** (ty - base) if base_annual and rate is not None else None
    actual_ty = sum(v for (y, _), v in series.items() if y == ty)
    # periods still to come through December of the target year
    done_this_year = p.month - 1                      # Jan–Feb counts as one period
    n_ahead = (ty - p.year) * PERIODS_PER_YEAR + (PERIODS_PER_YEAR - done_this_year)
    method, point, lo, hi = "ets", None, None, None
    if len(series) >= 2 * PERIODS_PER_YEAR and (series > 0).all():
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        y = np.log(series.to_numpy())
        fit = ETSModel(y, error="add", trend="add", damped_trend=True, seasonal="add",
                       seasonal_periods=PERIODS_PER_YEAR).fit(disp=False)
        sims = fit.simulate(n_ahead, repetitions=500, anchor="end", rng=np.random.default_rng(seed))
        sims = np.exp(np.asarray(sims))                    # (n_ahead, 500)
        in_ty = PERIODS_PER_YEAR if ty > p.year else n_ahead
        totals = sims[-in_ty:].sum(axis=0) + (actual_ty if ty == p.year else 0.0)
        point, lo, hi = (float(np.percentile(totals, q)) for q in (50, 10, 90))
    else:
        method = "compound"
        rec = evaluate_one(store, p, only=["revenue", "revenue_yoy"], scope=scope, region=region, chain=chain)
        last = ytd_series(store, p.year - 1, [p.month, 12], sc).set_index("month")["value"]
        if rec.get("revenue") and rec.get("revenue_yoy") is not None and {p.month, 12} <= set(last.index):
            annualized = rec["revenue"] * float(last[12]) / float(last[p.month])
            point = annualized * (1 + rec["revenue_yoy"]) ** (ty - p.year)
    status = _status(point, hi, target_value)
    ratio = point / target_value if point and target_value else None
    return {"period": p.label, "scope": scope, **sc.filters(), "indicator": "revenue", "target_year": ty,
            "method": method, "periods_used": int(len(series)), "projected": point, "interval_low": lo,
            "interval_high": hi, "interval": "80%" if lo is not None else None, "target_value": target_value,
            "ratio": ratio, "status": status, "unit": "yuan",
            "explanation_zh": _sentence_zh(ty, point, lo, hi, target_value, ratio, status),
            "explanation_en": _sentence_en(ty, point, lo, hi, target_value, ratio, status)}


def _sentence_zh(ty, point, lo, hi, target, ratio, status) -> str:
    if point is None:
        return "数据不足，无法预测。"
    s = f"按当前趋势，{ty}年营业收入预计为{point / YI:,.1f}亿元"
    if lo is not None:
        s += f"（80%区间{lo / YI:,.1f}–{hi / YI:,.1f}亿元）"
    if target:
        s += f"，为目标值{target / YI:,.1f}亿元的{ratio:.1%}，状态：{STATUS_ZH[status]}"
    return s + "。"


def _sentence_en(ty, point, lo, hi, target, ratio, status) -> str:
    if point is None:
        return "Not enough data to project."
    s = f"On current trends, revenue in {ty} is projected at {point / YI:,.1f} 100m yuan"
    if lo is not None:
        s += f" (80% interval {lo / YI:,.1f}–{hi / YI:,.1f})"
    if target:
        s += f", {ratio:.1%} of the {target / YI:,.1f} target: {status}"
    return s + "."
