"""The chained comparable index of a growth target (累计可比增速) and the growth still required.

A plan target "revenue +r a year from base year B to target year T" is tracked
as a department tracks "年均增长 9 %": by chaining comparable growth rates, not
by comparing levels (the above-scale sample changes every year). For a period
P = (Y, M) and a scope, with ``g_y`` the full-year comparable growth of the
completed year y (the store's comparable revenue growth at period ``y-12``,
:mod:`indicators`: Σ_C current / Σ_C prior − 1 over that year's comparable
sample C) and ``g_Y(M)`` the YTD comparable growth of year Y through month M:

- chained index ``I = Π_{y=B+1}^{Y−1} (1 + g_y) × (1 + g_Y(M))``; defined for
  Y > B. ``I_{Y−1} = Π_{y=B+1}^{Y−1} (1 + g_y)`` (1 when Y = B + 1);
- path ``(1 + r)^(Y−B)``; ``ratio = I / (1 + r)^(Y−B)``;
- ``count`` = the smallest comparable sample |C| over the chained links (its
  disclosure n); a link without comparable data (|C| = 0 or Σ prior ≤ 0)
  makes I null, and the missing years are listed;
- growth still required per year to the target (Y < T):
  ``g_req = ((1 + r)^(T−B) / I)^(1/(T−Y)) − 1`` (year Y counts as done at its
  YTD pace);
- growth the rest of year Y still needs (Y ≤ T, M < 12): the full-year
  comparable growth that keeps year Y on the path is
  ``g* = (1 + r)^(Y−B) / I_{Y−1} − 1``. The comparable sample's last-year
  values through M are Σ_C prior = b; its last-year rest of the year
  (months M+1..12) is estimated with last year's seasonal share of the scope
  ``s = YTD_{Y−1}(M) / YTD_{Y−1}(12)`` (last year's sample, as published) as
  ``b (1/s − 1)``. With ``a = 1 + g_Y(M)`` the YTD growth factor,
  ``(a·b + x) / (b/s) = 1 + g*`` gives the rest's value x and
  ``g_rest = x / (b (1/s − 1)) − 1 = ((1 + g*)/s − a) / (1/s − 1) − 1``.
  Null at M = 12 and after T.

Every needed completed year (and last year's December, for s) is read in
ONE query (:func:`links`): the December reports of all years in one scan,
members of each year stacked as in
:func:`chainbrain.analytics.indicators.aggregate_many`, comparable sums with
the same definitions (the same figures as ``revenue_yoy`` at ``y-12``; a test
checks it).
"""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pandas as pd

from chainbrain.analytics.indicators import Scope, _exact, _run
from chainbrain.analytics.scope import Shared, latest_reports, members
from chainbrain.periods import Period

#: a ratio within this relative distance of a threshold counts as reaching it (floating-point noise:
#: 1.09 × 1.09 and 1.09 ** 2 differ in the last bit)
TIE = 1e-12


def link_years(p: Period, base_year: int) -> list[int]:
    """The years whose December aggregate the index at ``p`` needs: B+1..Y−1, and Y−1 (for s)."""
    if p.year <= base_year:
        return []
    return sorted(set(range(base_year + 1, p.year)) | {p.year - 1})


def _links_expr(store, years: list[int], specs: list[tuple[str, Scope]]):
    """December YTD revenue of each year in ``years`` by (spec, key): the sample's total and its
    comparable sums — the definitions of :mod:`indicators` (prior = the report's 上年同期, else the
    enterprise's own report a year earlier; C = reporters with a prior) on one scan of the December
    reports of every year involved, members of each year at its December end."""
    sh = Shared(store)
    t = sh.table("monthly_report")
    wanted = sorted(set(years) | {y - 1 for y in years})
    t = t.filter((t.month == 12) & t.year.isin(wanted))
    # the columns used, before the step is kept: a row store (PostgreSQL) copies whole rows into it
    t = t.select("enterprise_id", "year", "month", "revision", "revenue_ytd", "revenue_ytd_prev")
    r = latest_reports(t, ["enterprise_id", "year", "month"])
    r = sh.shared(("links_reports", tuple(wanted)), lambda: r)
    cur = r.filter(r.year.isin(years))
    own = r.select(_eid=r.enterprise_id, _y=(r.year + 1).cast("int32"), own=r.revenue_ytd)
    x = cur.left_join(own, (cur.enterprise_id == own._eid) & (cur.year.cast("int32") == own._y))
    x = x.select("enterprise_id", _year=x.year.cast("int32"), v=x.revenue_ytd,
                 prior=ibis.coalesce(x.revenue_ytd_prev, x.own))           # money stays decimal: exact sums
    sh.universe = cur.select("enterprise_id")
    stacks = []
    for i, (by, sc) in enumerate(specs):
        for y in years:
            m = members(store, dt.date(y, 12, 31), sc.scope, sc.region, sc.chain, by, segment=sc.segment,
                        cluster=sc.cluster, sei=sc.sei, park=sc.park, shared=sh)
            stacks.append(m.select("enterprise_id", key=m.key.cast("string"), _part=ibis.literal(i, "int16"),
                                   _y=ibis.literal(y, "int32")))
    mem = stacks[0].union(*stacks[1:], distinct=False) if len(stacks) > 1 else stacks[0]
    j = mem.join(x, (mem.enterprise_id == x.enterprise_id) & (mem._y == x._year))
    ok = j.v.notnull() & j.prior.notnull()
    return j.group_by("_part", "key", "_y").aggregate(
        total=_exact(j.v.sum()), cc=_exact(ibis.cases((ok, j.v), else_=None).sum()),
        cb=_exact(ibis.cases((ok, j.prior), else_=None).sum()), cn=ok.ifelse(1, None).count())


def links(store, years: list[int], specs: list[tuple[str, Scope]]) -> list[dict[int, pd.DataFrame]]:
    """Per spec: ``{year: frame}`` of December YTD figures by key (total, cc, cb, cn) — ONE query."""
    if not years:
        return [{} for _ in specs]
    sh = Shared(store)
    levels = tuple(sorted({(sc.region, sh.region_level(sc.region)) for _, sc in specs if sc.region}))
    df = _run(store, ("chain_links", tuple(years), tuple(specs), levels),
              lambda: _links_expr(store, years, specs))
    parts = df["_part"].astype("int64")
    out = []
    for i in range(len(specs)):
        d = df[parts == i]
        per = {}
        for y in years:
            dy = d[d["_y"].astype("int64") == y].drop(columns=["_part", "_y"]).set_index("key")
            dy.index = dy.index.astype(object)
            dy["cn"] = dy["cn"].astype("float64").fillna(0).astype("int64")
            per[y] = dy
        out.append(per)
    return out


def _growth(cc, cb, cn) -> tuple[float | None, int]:
    """(1 + g) of one link and its sample size; None without comparable data."""
    n = 0 if cn is None or (isinstance(cn, float) and math.isnan(cn)) else int(cn)
    if not n or cb is None or cc is None or pd.isna(cb) or pd.isna(cc) or float(cb) <= 0:
        return None, n
    return float(cc) / float(cb), n


def index_of(p: Period, base_year: int, current: dict, years: dict[int, dict], key) -> dict:
    """I, I_{Y−1}, count, missing years and s for one key (``current``: its row of the period's aggregate
    with revenue_cc, revenue_cb, revenue_cn, revenue_prev; ``years``: each link year's rows by key,
    ``{key: {total, cc, cb, cn}}`` — a :func:`links` frame's ``to_dict("index")``)."""
    out = {"index": None, "index_completed": None, "count": 0, "missing_years": [], "seasonal_share": None,
           "ytd_factor": None}
    if p.year <= base_year:
        return out
    factor, counts = 1.0, []
    for y in range(base_year + 1, p.year):
        row = years[y].get(key)
        f, n = _growth(*(row[c] if row is not None else None for c in ("cc", "cb", "cn")))
        counts.append(n)
        if f is None:
            out["missing_years"].append(y)
        else:
            factor *= f
    f, n = _growth(current.get("revenue_cc"), current.get("revenue_cb"), current.get("revenue_cn"))
    counts.append(n)
    if f is None:
        out["missing_years"].append(p.year)
    out["count"] = min(counts)
    out["ytd_factor"] = f
    if not any(y < p.year for y in out["missing_years"]):
        out["index_completed"] = factor
    if not out["missing_years"]:
        out["index"] = factor * f
    last = years.get(p.year - 1)
    dec = float(last[key]["total"]) if last is not None and key in last else None
    prev_m = current.get("revenue_prev")
    if dec and prev_m is not None and not pd.isna(prev_m) and dec > 0:
        out["seasonal_share"] = float(prev_m) / dec
    return out


def verdict(p: Period, base_year: int, rate: float, target_year: int | None, ix: dict) -> dict:
    """Ratio, path and the growth still required from an :func:`index_of` result (module docstring)."""
    t = target_year if target_year is not None else p.year
    path = (1 + rate) ** (p.year - base_year) if p.year > base_year else None
    i = ix["index"]
    out = {"path": path, "ratio": (i / path) if i is not None and path else None,
           "required_growth": None, "required_growth_rest_of_year": None}
    if i is not None and i > 0 and p.year < t:
        out["required_growth"] = ((1 + rate) ** (t - base_year) / i) ** (1 / (t - p.year)) - 1
    a, s, done = ix["ytd_factor"], ix["seasonal_share"], ix["index_completed"]
    if p.year <= t and p.month < 12 and a is not None and s and 0 < s < 1 and done:
        g_star = (1 + rate) ** (p.year - base_year) / done - 1
        out["required_growth_rest_of_year"] = ((1 + g_star) / s - a) / (1 / s - 1) - 1
    return out


def grade(ratio: float | None, band: float) -> str | None:
    """green when ratio ≥ 1, yellow when ratio ≥ 1 − band, red below (ties within :data:`TIE`)."""
    if ratio is None:
        return None
    if ratio >= 1 - TIE:
        return "green"
    return "yellow" if ratio >= (1 - band) * (1 - TIE) else "red"
