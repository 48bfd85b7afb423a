"""Projection of a scope's revenue to the target year, with an 80 % interval calibrated by a backtest.

Series: the scope's YTD totals ``V(y, m)`` (each year's members at its last
month; months 2..12, Jan–Feb being one period) from the growth target's base
year on; :func:`single_periods` gives the single-period values
``x(y, m) = V(y, m) − V(y, m_prev)``.

Forecaster (:func:`forecast`), at an origin (Y, M) for year T ≥ Y, chosen by
the number F of full years before Y (issue #12: few parameters for short
series, seasonal averages only with ≥ 3 full years):

- seasonal share of month M: ``s = V(Y−1, M) / V(Y−1, 12)`` (``method =
  "seasonal_last"``, F = 1–2) or the mean of that ratio over the last 3 full
  years (``"seasonal_mean"``, F ≥ 3); s = 1 at M = 12;
- current year annualized ``Â(Y) = V(Y, M) / s``;
- drift ``d``: the YTD growth ``V(Y, M) / V(Y−1, M) − 1`` (F = 1), or its mean
  with the last full year's growth ``V(Y−1, 12) / V(Y−2, 12) − 1`` (F ≥ 2);
- point ``P(T) = Â(Y) × (1 + d)^(T − Y)``.

No random numbers: the same data give the same digits on every run.

Interval and backtest (:func:`backtest`): rolling origins (y0, m0) over the
history — every month with a year before it, for every target year y0 + h
whose December is known (h = 0 needs m0 < 12) — give scaled log errors
``e = ln(actual / P) / k`` by horizon h, with ``k = h + 1 − m0/12`` the part
of the target year still unknown at the origin (:func:`scale`). The 80 %
interval at horizon h is ``[P·exp(k·e_lo), P·exp(k·e_hi)]`` with e_lo, e_hi
the ⌊0.1(n+1)⌋-th and ⌈0.9(n+1)⌉-th smallest of the n errors at h (split
conformal prediction from the model's own residuals; clamped to the smallest
and largest error when n is small), given when at least :data:`MIN_ERRORS`
errors exist; the interval always holds the point (its sides are taken
about it: ``min(e_lo, 0)``, ``max(e_hi, 0)``). The backtest's own coverage is
measured the same way out of sample (each origin's interval from the errors of
origins whose target year's December was known by then) and reported
(``backtest_coverage``, ``backtest_n``). Where it falls short of 80 %, the
interval is widened: each judged origin needs a factor c_i on its sides to
hold its outcome; the current interval's sides are multiplied by
``c = max(1, the ⌈0.8(n+1)⌉-th smallest c_i)`` (``interval_widened``), so that
at least 80 % of the backtest's outcomes would have been inside.

Status against the target value A(T) (see :mod:`targets`), never more
confident than the backtest allows: green when the interval's low end ≥ A(T),
red when its high end < A(T), yellow otherwise; null (not graded) when there
are too few backtest errors for an interval or when the backtest cannot yet
measure the coverage at this horizon (no outcome known out of sample). ``explanation_zh`` / ``_en`` is
one sentence built from these figures. The projection is of revenue levels
(总量口径); ``basis = "level"``.
"""

from __future__ import annotations

import math

import pandas as pd

from chainbrain.analytics.indicators import Scope
from chainbrain.analytics.targets import _targets, ytd_series
from chainbrain.periods import parse_period

PERIODS_PER_YEAR = 11
YI = 1e8
MIN_ERRORS = 5
QUANTILES = (0.10, 0.90)
NOMINAL = QUANTILES[1] - QUANTILES[0]
STATUS_ZH = {"green": "绿色（可完成）", "yellow": "黄色（有风险）", "red": "红色（难以完成）"}


def ytd_table(store, first_year: int, last_year: int, last_month: int, sc: Scope) -> dict[tuple[int, int], float]:
    """``{(y, m): V(y, m)}``: the scope's YTD totals, months 2..12, through last_year-last_month."""
    out = {}
    for y in range(first_year, last_year + 1):
        months = list(range(2, 13 if y < last_year else last_month + 1))
        s = ytd_series(store, y, months, sc).set_index("month")["value"]
        out.update({(y, int(m)): float(v) for m, v in s.items()})
    return out


def single_periods(store, first_year: int, last_year: int, last_month: int, sc: Scope) -> pd.Series:
    """Single-period values indexed (year, month) from YTD totals, through last_year-last_month
    (stops at the first missing month)."""
    v = ytd_table(store, first_year, last_year, last_month, sc)
    out = {}
    for y in range(first_year, last_year + 1):
        prev = 0.0
        for m in range(2, 13 if y < last_year else last_month + 1):
            if (y, m) not in v:
                return pd.Series(out, dtype=float)
            out[(y, m)] = v[(y, m)] - prev
            prev = v[(y, m)]
    return pd.Series(out, dtype=float)


def forecast(v: dict, year: int, month: int, target_year: int) -> tuple[float | None, str | None]:
    """(P(T), method) from the YTD table ``v`` known at origin (year, month) (module docstring)."""
    full = [y for y in range(year - 1, year - 4, -1) if (y, 12) in v and v[(y, 12)] > 0]
    full = full[:next((i for i, y in enumerate(full) if y != year - 1 - i), len(full))]   # consecutive years
    cur, last = v.get((year, month)), v.get((year - 1, month))
    if not full or not cur or not last or last <= 0:
        return None, None
    method = "seasonal_mean" if len(full) >= 3 else "seasonal_last"
    if month == 12:
        share = 1.0
    else:
        shares = [v[(y, month)] / v[(y, 12)] for y in full[: (3 if method == "seasonal_mean" else 1)]
                  if (y, month) in v]
        if not shares:
            return None, None
        share = sum(shares) / len(shares)
    annual = cur / share
    d = cur / last - 1
    if len(full) >= 2:
        d = (d + v[(year - 1, 12)] / v[(year - 2, 12)] - 1) / 2
    return annual * (1 + d) ** (target_year - year), method


def scale(month: int, h: int) -> float:
    """How much of the target year is still unknown at an origin month, in years: h + 1 − month/12
    (errors are compared after dividing by it: a February origin misses more than a November one)."""
    return h + 1 - month / 12


def _quantiles(errors: list[float]) -> tuple[float, float] | None:
    """Split-conformal half-width of scaled log errors: the ⌈0.8(n+1)⌉-th smallest |e| (clamped to
    the largest), as (−w, w); None with fewer than :data:`MIN_ERRORS`."""
    n = len(errors)
    if n < MIN_ERRORS:
        return None
    e = sorted(abs(x) for x in errors)
    w = e[min(math.ceil(NOMINAL * (n + 1)), n) - 1]
    return -w, w


def backtest(v: dict, max_horizon: int = 4) -> dict:
    """Rolling-origin backtest of :func:`forecast` on the YTD table ``v`` (pure function).

    Returns ``{"origins": [...], "errors": {h: [e, ...]}, "coverage": {h: share or None},
    "n": {h: count}}``: each origin (y0, m0, target year, h, point, actual, log error, and —
    when at least :data:`MIN_ERRORS` errors of earlier-known outcomes at the same h exist —
    the out-of-sample interval and whether it held the actual).
    """
    years = sorted({y for y, _ in v})
    origins = []
    for y0 in years:
        for m0 in range(2, 13):
            if (y0, m0) not in v:
                continue
            for h in range(0, max_horizon + 1):
                t = y0 + h
                if (t, 12) not in v or (h == 0 and m0 == 12):
                    continue
                point, method = forecast(v, y0, m0, t)
                if point is None or point <= 0:
                    continue
                actual = v[(t, 12)]
                origins.append({"origin": f"{y0}-{m0:02d}", "year": y0, "month": m0, "target_year": t, "h": h,
                                "method": method, "point": point, "actual": actual,
                                "log_error": math.log(actual / point),
                                "scaled_error": math.log(actual / point) / scale(m0, h)})
    for o in origins:    # out of sample: errors whose outcome (December of the target year) was known at the origin
        past = [p["scaled_error"] for p in origins if p["h"] == o["h"] and p["target_year"] < o["year"]]
        q = _quantiles(past)
        k = scale(o["month"], o["h"])
        o["low"] = o["point"] * math.exp(q[0] * k) if q else None
        o["high"] = o["point"] * math.exp(q[1] * k) if q else None
        o["inside"] = (o["low"] <= o["actual"] <= o["high"]) if q else None
        o["widen_needed"] = _needed(o, q, k) if q else None
    hs = sorted({o["h"] for o in origins})
    errors = {h: [o["scaled_error"] for o in origins if o["h"] == h] for h in hs}
    judged = {h: [o["inside"] for o in origins if o["h"] == h and o["inside"] is not None] for h in hs}
    widen = {}
    for h in hs:
        need = sorted(o["widen_needed"] for o in origins if o["h"] == h and o["widen_needed"] is not None)
        if not need:
            widen[h] = 1.0
            continue
        c = need[min(math.ceil(NOMINAL * (len(need) + 1)), len(need)) - 1]
        widen[h] = max(1.0, c)
    return {"origins": origins, "errors": errors, "n": {h: len(judged[h]) for h in hs},
            "coverage": {h: (sum(judged[h]) / len(judged[h])) if judged[h] else None for h in hs},
            "widen": widen}


def _needed(o: dict, q: tuple[float, float], k: float) -> float:
    """The factor c the origin's interval sides (about the point) need to hold its actual."""
    e = math.log(o["actual"] / o["point"])
    side = max(q[1], 0.0) if e > 0 else min(q[0], 0.0)
    if e == 0:
        return 0.0
    return e / (k * side) if side != 0 else math.inf


def _status(lo, hi, target):
    if lo is None or hi is None or not target:
        return None
    if lo >= target:
        return "green"
    return "red" if hi < target else "yellow"


def projection(store, period: str, chain: str | None = None, region: str | None = None, scope: str = "all",
               target_year: int | None = None) -> dict:
    """JSON-ready projection of revenue for the scope to the growth target's year (module docstring)."""
    p = parse_period(period)
    sc = Scope(scope, region, chain)
    growth = next((t for t in _targets(store) if t["kind"] == "growth" and not t.get("chain_code")
                   and not t.get("region_code")), None)
    base = int(growth["base_year"]) if growth else p.year - 3
    rate = float(growth["annual_rate"]) if growth else None
    ty = target_year or (int(growth["target_year"]) if growth and growth.get("target_year") else p.year + 1)
    v = ytd_table(store, base, p.year, p.month, sc)
    base_annual = v.get((base, 12))
    target_value = base_annual * (1 + rate) ** (ty - base) if base_annual and rate is not None else None
    h = ty - p.year
    point, method = forecast(v, p.year, p.month, ty) if h >= 0 else (None, None)
    if h == 0 and p.month == 12:
        point, method = v.get((p.year, 12)), "actual"
    bt = backtest({k: x for k, x in v.items()}, max_horizon=max(h, 0))
    errors = bt["errors"].get(h, [])
    q = _quantiles(errors) if method not in (None, "actual") else None
    k = scale(p.month, h) * bt["widen"].get(h, 1.0)
    if q and point and math.isfinite(k):
        lo, hi = point * math.exp(min(q[0], 0.0) * k), point * math.exp(max(q[1], 0.0) * k)
    else:
        lo, hi = None, None
    if method == "actual":
        lo = hi = point
    cov, n_bt = bt["coverage"].get(h), bt["n"].get(h, 0)
    # never more confident than the backtest: no grade when the interval's coverage is unmeasured
    status = _status(lo, hi, target_value) if (n_bt or method == "actual") else None
    ratio = point / target_value if point and target_value else None
    return {"period": p.label, "scope": scope, **sc.filters(), "indicator": "revenue", "basis": "level",
            "target_year": ty, "method": method, "periods_used": len(v), "projected": point,
            "interval_low": lo, "interval_high": hi, "interval": "80%" if lo is not None else None,
            "interval_errors": len(errors), "horizon_years": h, "backtest_coverage": cov, "backtest_n": n_bt,
            "interval_widened": bt["widen"].get(h, 1.0),
            "target_value": target_value, "ratio": ratio, "status": status, "unit": "yuan",
            "explanation_zh": _sentence_zh(ty, point, lo, hi, target_value, ratio, status, cov, n_bt),
            "explanation_en": _sentence_en(ty, point, lo, hi, target_value, ratio, status, cov, n_bt)}


def _sentence_zh(ty, point, lo, hi, target, ratio, status, cov, n) -> str:
    if point is None:
        return "数据不足，无法预测。"
    s = f"按当前趋势，{ty}年营业收入预计为{point / YI:,.1f}亿元"
    if lo is not None:
        s += f"（80%区间{lo / YI:,.1f}–{hi / YI:,.1f}亿元，按历史回测误差校准"
        s += f"，回测覆盖率{cov:.0%}/{n}次）" if cov is not None else "）"
    if target:
        s += f"，为目标值{target / YI:,.1f}亿元的{ratio:.1%}"
        s += f"，状态：{STATUS_ZH[status]}" if status else "，历史回测不足以验证区间，不评定状态"
    return s + "。"


def _sentence_en(ty, point, lo, hi, target, ratio, status, cov, n) -> str:
    if point is None:
        return "Not enough data to project."
    s = f"On current trends, revenue in {ty} is projected at {point / YI:,.1f} 100m yuan"
    if lo is not None:
        s += f" (80% interval {lo / YI:,.1f}–{hi / YI:,.1f}, calibrated on backtest errors"
        s += f"; backtest coverage {cov:.0%} of {n})" if cov is not None else ")"
    if target:
        s += f", {ratio:.1%} of the {target / YI:,.1f} target"
        s += f": {status}" if status else "; too little backtest history to verify the interval, not graded"
    return s + "."
