"""运行分析: the bureau's financial and production indicators for any scope, YTD (1–M月累计).

The monthly industrial analysis (规上工业经济运行分析) publishes, besides
revenue and profit, the fields of the bureau's financial form (工业企业财务
状况) and production form (工业产值). They are 1–M月累计 flows and month-end
stocks, so they are computed on the YTD basis only (as the bureau publishes
them); single-month figures stay with :mod:`chainbrain.analytics.indicators`.

Samples (as :mod:`indicators`): S_t = enterprises in scope at the period end
with a report for ``YYYY-MM``; S_{t−1} the same a year earlier. For a measure
m (:data:`MEASURES`) and a key g:

- ``m`` = Σ_{S_t(g)} m_e; ``m_n`` = reporters.
- Comparable (可比口径): C = {e ∈ S_t(g) with m_e and a prior}, prior = the
  form's 上年同期 (``*_prev`` column) else the enterprise's own report a year
  earlier; ``m_base`` = Σ_C prior (上年同期, comparable sample); ``m_yoy`` =
  Σ_C m / Σ_C prior − 1 (None when the base is ≤ 0); ``m_yoy_n`` = |C|.
- Ratios over the enterprises reporting both parts (``r_n``), the same ratio
  of their 上年同期 values (``r_base``) and the change ``r_change = r − r_base``:
  产销率 ``sales_rate`` = Σ 工业销售产值 / Σ 工业总产值; 每百元营业收入中的成本
  ``cost_per_100`` = 100 · Σ 营业成本 / Σ 营业收入 (yuan); 营业收入利润率
  ``profit_margin`` = Σ 利润总额 / Σ 营业收入; 资产负债率 ``debt_ratio`` =
  Σ 负债合计 / Σ 资产总计. (NBS monthly releases, e.g. 2024-11-27 "1—10月份全国
  规模以上工业企业利润": 营业收入利润率, 每百元营业收入中的成本, 资产负债率.)
- 亏损企业亏损额 ``loss_amount`` = Σ_{e ∈ S_t, profit_e < 0} −profit_e
  (n = the loss-making firms); growth over C (firms with a prior profit):
  ``loss_amount_yoy`` = Σ_C max(−profit, 0) / Σ_C max(−prior, 0) − 1, its n
  the smaller of the two loss-making counts (either sum is built from them).
- Turnover days (周转天数) as the statistics bureau publishes them (NBS monthly
  profit release: "产成品存货周转天数为20.0天 … 应收账款平均回收期为66.7天";
  the definitions: average balance ÷ period flow × calendar days of the period,
  average balance = (期初 + 期末) / 2, the usual accounting rule, e.g.
  "存货周转天数 = 平均存货 × 天数 ÷ 销售成本, 平均存货 = (期初存货 + 期末存货)/2"):
  应收账款平均回收期 ``receivable_days`` = Σ (AR_open + AR_end)/2 ÷ Σ 营业收入 × D;
  产成品存货周转天数 ``finished_goods_days`` = Σ (FG_open + FG_end)/2 ÷ Σ 营业成本 × D;
  D = calendar days from 1 January to the period end (1–6月 2025: 181);
  期初 = the enterprise's own December report of the previous year. Over the
  enterprises with opening, closing and flow; ``*_days_prev`` is the same a year
  earlier over last year's sample (期初 = December two years back), and
  ``*_days_change`` the difference in days.
- Electricity (工业用电量, the grid company's per-enterprise monthly kWh, import
  kind ``power``): an enterprise's YTD kWh counts only when every calendar month
  1..M of the year is present; ``power`` = Σ over S_t, ``power_yoy`` on the
  comparable basis (both years complete); 单位工业增加值用电量 ``energy_per_va`` =
  Σ kWh ÷ Σ 工业增加值 × 10⁴ (kWh per 万元) over enterprises with both.

Groupings: those of :func:`chainbrain.analytics.scope.members` plus
``division`` (行业大类, the first two digits of the GB/T 4754-2017 class on the
side's date), ``hightech`` (``hightech`` | ``other``: the class's high-tech
manufacturing flag), ``equipment`` (``equipment`` | ``other``: divisions of the
pack's ``[equipment]`` list, 33–40) and ``size`` (:mod:`chainbrain.analytics.sizes`).
Every value has ``<key>_n`` (enterprises it is built from) for the disclosure rule.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from chainbrain.analytics.indicators import Scope, _count, _exact, _run, _sum_if, split_parts
from chainbrain.analytics.scope import BY, Shared, latest_reports, members
from chainbrain.analytics.sizes import size_case, size_classes
from chainbrain.periods import Period, parse_period

# measure → (column, the form's 上年同期 column or None)
FLOWS = {"revenue": ("revenue_ytd", "revenue_ytd_prev"), "profit": ("profit_ytd", "profit_ytd_prev"),
         "value_added": ("value_added_ytd", None), "export": ("export_ytd", "export_ytd_prev"),
         "gross_output": ("gross_output_ytd", "gross_output_ytd_prev"),
         "sales_output": ("sales_output_ytd", "sales_output_ytd_prev"),
         "main_business_revenue": ("main_business_revenue_ytd", "main_business_revenue_ytd_prev"),
         "cost": ("cost_ytd", "cost_ytd_prev")}
STOCKS = {"assets": ("assets", "assets_prev"), "liabilities": ("liabilities", "liabilities_prev"),
          "receivables": ("receivables", "receivables_prev"),
          "finished_goods": ("finished_goods", "finished_goods_prev"),
          "employees_avg": ("employees_avg", "employees_avg_prev")}
MEASURES = {**FLOWS, **STOCKS}
#: measures whose amount, base and growth are this module's indicators (the others are in indicators.py)
NEW_MEASURES = ("gross_output", "sales_output", "main_business_revenue", "cost", "assets", "liabilities",
                "receivables", "finished_goods", "employees_avg")
#: ratio → (numerator, denominator, factor)
RATIOS = {"sales_rate": ("sales_output", "gross_output", 1.0), "cost_per_100": ("cost", "revenue", 100.0),
          "profit_margin": ("profit", "revenue", 1.0), "debt_ratio": ("liabilities", "assets", 1.0)}
#: turnover days → (stock, flow)
TURNOVER = {"receivable_days": ("receivables", "revenue"), "finished_goods_days": ("finished_goods", "cost")}
GROUPINGS = BY + ("division", "hightech", "equipment", "size")
WAN = 10_000.0


def period_days(p: Period, pack=None) -> int:
    """The D of the turnover days: calendar days from 1 January to the period end, or 30 a month when
    the pack's ``classifications.toml [turnover] days = "month30"`` (unsourced, configurable)."""
    from chainbrain.analytics.sizes import classifications

    mode = classifications(pack).get("turnover", {}).get("days", "calendar")
    if mode == "month30":
        return 30 * p.month
    if mode != "calendar":
        raise ValueError(f"[turnover] days must be calendar or month30 (周转天数的天数口径应为 calendar 或 month30): {mode}")
    return (p.end_date - dt.date(p.year, 1, 1)).days + 1


def equipment_divisions(pack=None) -> tuple[str, ...]:
    """The pack's 装备制造业 divisions (``classifications.toml`` ``[equipment]``)."""
    from chainbrain.analytics.sizes import classifications
    return tuple(classifications(pack)["equipment"]["divisions"])


# ------------------------------------------------------------------ enterprise-level facts

def _sum(cond, value):
    """Σ value where cond: exact for money (DECIMAL), one conversion to float64 after the sum."""
    return _exact(_sum_if(cond, value))


def _f(col):
    """Money stays DECIMAL so that sums are exact (``indicators._exact`` converts after the sum); other
    columns are summed as float64."""
    return col if col.type().is_decimal() else col.cast("float64")


def _attach(j, o, okey: str):
    """``j`` (one row per ``_eid``) with the columns of ``o`` matched on ``o[okey]`` (a left join written as
    ``o`` RIGHT JOIN ``j``: a join's projection can only be the right side of a further join in Ibis 12)."""
    x = o.right_join(j, o[okey] == j._eid)
    return x.select(*[x[c] for c in j.columns], *[x[c] for c in o.columns if c != okey])


def _facts(sh: Shared, p: Period, thresholds):
    """One row per enterprise with a report for p or a year earlier: this year's values, the form's
    上年同期 (``<m>_rp``), last year's (``_p_<m>``), opening balances (``_o_`` / ``_oo_``: December of
    the previous year / two years back), complete YTD electricity (``kwh``, ``_p_kwh``) and the size class."""
    y, m = p.year, p.month
    t = sh.table("monthly_report")
    t = t.filter((((t.year == y) | (t.year == y - 1)) & (t.month == m)) |
                 (((t.year == y - 1) | (t.year == y - 2)) & (t.month == 12)))
    r = latest_reports(t, ["enterprise_id", "year", "month"])
    cur = r.filter((r.year == y) & (r.month == m))
    rv = r.view()
    prv = rv.filter((rv.year == y - 1) & (rv.month == m))
    cur = cur.select("enterprise_id", _in_cur=ibis.literal(1), _emp_end=_f(cur.employees),
                     **{k: _f(cur[c]) for k, (c, _) in MEASURES.items()},
                     **{f"{k}_rp": _f(cur[pc]) for k, (_, pc) in MEASURES.items() if pc})
    prv = prv.select(_pid=prv.enterprise_id, _in_prev=ibis.literal(1),
                     **{f"_p_{k}": _f(prv[c]) for k, (c, _) in MEASURES.items()})
    j = cur.outer_join(prv, cur.enterprise_id == prv._pid)
    j = j.select(_eid=ibis.coalesce(j.enterprise_id, j._pid),
                 **{c: j[c] for c in j.columns if c not in ("enterprise_id", "_pid")})
    for tag, year in (("_o_", y - 1), ("_oo_", y - 2)):
        rv = r.view()
        o = rv.filter((rv.year == year) & (rv.month == 12))
        o = o.select(**{f"{tag}id": o.enterprise_id}, **{f"{tag}{s}": _f(o[s]) for s, _ in TURNOVER.values()})
        j = _attach(j, o, f"{tag}id")
    pw = sh.table("power_use")
    pw = latest_reports(pw.filter(((pw.year == y) | (pw.year == y - 1)) & (pw.month <= m)),
                        ["enterprise_id", "year", "month"])
    pw = pw.group_by(_wid=pw.enterprise_id).aggregate(
        _kwh=pw.kwh.sum(where=pw.year == y), _kc=pw.month.count(where=pw.year == y),
        _pkwh=pw.kwh.sum(where=pw.year == y - 1), _pkc=pw.month.count(where=pw.year == y - 1))
    j = _attach(j, pw, "_wid")
    j = j.mutate(kwh=ibis.cases((j._kc == m, j._kwh), else_=None),
                 _p_kwh=ibis.cases((j._pkc == m, j._pkwh), else_=None))
    a = sh.table("annual_report")
    a = latest_reports(a.filter(a.year == y - 1), ["enterprise_id", "year"])
    a = a.select(_aid=a.enterprise_id, _arev=_f(a.revenue), _aemp=_f(ibis.coalesce(a.employees, a.employees_avg)))
    j = _attach(j, a, "_aid")
    rev = ibis.coalesce(j._arev, j.revenue * (12.0 / m), j._p_revenue * (12.0 / m))
    emp = ibis.coalesce(j._aemp, j._emp_end, j.employees_avg, j._p_employees_avg)
    return j.mutate(_size=size_case(rev, emp, thresholds))


# ------------------------------------------------------------------ membership with the new groupings

def _keyed(store, sh: Shared, date: dt.date, sc: Scope, by: str, equipment: tuple[str, ...]):
    """(enterprise_id, key) on ``date``; ``size`` keys are filled from the facts after the join."""
    kw = dict(segment=sc.segment, cluster=sc.cluster, sei=sc.sei, park=sc.park, shared=sh)
    if by in BY:
        m = members(store, date, sc.scope, sc.region, sc.chain, by, **kw)
        return m.select("enterprise_id", key=m.key.cast("string"))
    m = members(store, date, sc.scope, sc.region, sc.chain, "all", **kw).select("enterprise_id")
    if by == "size":
        return m.select("enterprise_id", key=ibis.literal("__size__"))
    b = sh.base(date, sc.scope)
    bb = b.select(_bid=b.enterprise_id, _ic=b.industry_code)
    m = m.join(bb, m.enterprise_id == bb._bid)
    div = m._ic.substr(0, 2)
    if by == "division":
        return m.select("enterprise_id", key=div)
    if by == "equipment":
        return m.select("enterprise_id", key=div.isin(equipment).ifelse("equipment", "other"))
    ind = sh.table("industry")
    ii = ind.select(_code=ind.code, _ht=ind.hightech)
    m = m.join(ii, m._ic == ii._code)
    return m.select("enterprise_id", key=m._ht.fill_null(False).ifelse("hightech", "other"))


def _expr(store, p: Period, specs, sh: Shared, thresholds, equipment):
    prev = p.shifted(-1)
    f = sh.shared(("ops_facts", p.year, p.month), lambda: _facts(sh, p, thresholds))
    sh.universe = f.select(enterprise_id=f._eid)
    stacks = []
    for i, (by, sc) in enumerate(specs):
        for side, date in ((0, p.end_date), (1, prev.end_date)):
            k = _keyed(store, sh, date, sc, by, equipment)
            stacks.append(k.select("enterprise_id", key=k.key.cast("string"),
                                   _part=ibis.literal(i, "int16"), _side=ibis.literal(side, "int8")))
    mem = stacks[0].union(*stacks[1:], distinct=False) if len(stacks) > 1 else stacks[0]
    x = mem.join(f, mem.enterprise_id == f._eid)
    x = x.filter(((x._side == 0) & x._in_cur.notnull()) | ((x._side == 1) & x._in_prev.notnull()))
    x = x.mutate(key=ibis.cases((x.key == "__size__", x._size), else_=x.key))
    c, q = x._side == 0, x._side == 1

    def prior(k):
        return ibis.coalesce(x[f"{k}_rp"], x[f"_p_{k}"]) if MEASURES[k][1] else x[f"_p_{k}"]

    a = {"count": _count(c), "prev_count": _count(q)}
    for k in MEASURES:
        v, pr = x[k], prior(k)
        ok = c & v.notnull() & pr.notnull()
        a |= {k: _sum(c, v), f"{k}_n": _count(c & v.notnull()), f"{k}_cc": _sum(ok, v),
              f"{k}_cb": _sum(ok, pr), f"{k}_cn": _count(ok)}
    for r, (num, den, _) in RATIOS.items():
        ok = c & x[num].notnull() & x[den].notnull()
        okb = c & prior(num).notnull() & prior(den).notnull()
        a |= {f"{r}_num": _sum(ok, x[num]), f"{r}_den": _sum(ok, x[den]), f"{r}_n": _count(ok),
              f"{r}_bnum": _sum(okb, prior(num)), f"{r}_bden": _sum(okb, prior(den)), f"{r}_bn": _count(okb)}
    pp = prior("profit")
    okl = c & x.profit.notnull() & pp.notnull()
    a |= {"loss_amount": _sum(c & (x.profit < 0), -x.profit), "loss_amount_n": _count(c & (x.profit < 0)),
          "loss_amount_cc": _sum(okl & (x.profit < 0), -x.profit),
          "loss_amount_cb": _sum(okl & (pp < 0), -pp),
          "loss_cur_n": _count(okl & (x.profit < 0)), "loss_base_n": _count(okl & (pp < 0))}
    for d, (s, fl) in TURNOVER.items():
        ok = c & x[s].notnull() & x[f"_o_{s}"].notnull() & x[fl].notnull()
        okq = q & x[f"_p_{s}"].notnull() & x[f"_oo_{s}"].notnull() & x[f"_p_{fl}"].notnull()
        a |= {f"{d}_avg": _sum(ok, (x[s] + x[f"_o_{s}"]) / 2), f"{d}_flow": _sum(ok, x[fl]),
              f"{d}_n": _count(ok),
              f"{d}_pavg": _sum(okq, (x[f"_p_{s}"] + x[f"_oo_{s}"]) / 2),
              f"{d}_pflow": _sum(okq, x[f"_p_{fl}"]), f"{d}_pn": _count(okq)}
    okp = c & x.kwh.notnull()
    okpc = okp & x._p_kwh.notnull()
    oke = okp & x.value_added.notnull()
    a |= {"power": _sum(okp, x.kwh), "power_n": _count(okp), "power_cc": _sum(okpc, x.kwh),
          "power_cb": _sum(okpc, x._p_kwh), "power_cn": _count(okpc),
          "energy_kwh": _sum(oke, x.kwh), "energy_va": _sum(oke, x.value_added), "energy_n": _count(oke)}
    return x.group_by("_part", "key").aggregate(**a)


def aggregate_ops(store, p: Period, specs: list[tuple[str, Scope]], shared: Shared | None = None,
                  pack=None) -> list[pd.DataFrame]:
    """Raw sums per key for each (by, scope) spec of one period, in one query (as
    :func:`chainbrain.analytics.indicators.aggregate_many`)."""
    for by, _ in specs:
        if by not in GROUPINGS:
            raise ValueError(f"by must be one of {', '.join(GROUPINGS)} (未知分组 {by})")
    sh = shared if shared is not None else Shared(store)
    thresholds = size_classes(pack)
    equipment = equipment_divisions(pack)
    levels = tuple(sorted({(sc.region, sh.region_level(sc.region)) for _, sc in specs if sc.region}))
    key = ("operations", p.year, p.month, tuple(specs), levels, tuple(map(tuple, thresholds)), equipment)
    df = _run(store, key, lambda: _expr(store, p, specs, sh, thresholds, equipment))
    ints = [k for k in df.columns if k.endswith(("_n", "_cn", "_bn", "_pn")) or k in ("count", "prev_count")]
    df[ints] = df[ints].astype("float64").fillna(0).astype("int64")
    floats = [k for k in df.columns if k not in ints and k not in ("_part", "key")]
    df[floats] = df[floats].apply(pd.to_numeric, errors="coerce").astype("float64")
    return split_parts(df, len(specs))


# ------------------------------------------------------------------ values

def values(df: pd.DataFrame, days: int, days_prev: int) -> dict[str, np.ndarray]:
    """Indicator values of raw sums ``df`` (module docstring): ``{key: array}``, NaN for no value.
    ``days`` / ``days_prev``: calendar days of the period and of the same period a year earlier."""
    n = len(df)

    def col(name):
        if name not in df.columns:
            return np.full(n, np.nan)
        return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)

    def cnt(name):
        return np.nan_to_num(col(name)).astype(np.int64)

    def ratio(num, den):
        ok = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
        out = np.full(n, np.nan)
        np.divide(num, den, out=out, where=ok)
        return out

    def only(a, cond):
        return np.where(cond, a, np.nan)

    v: dict[str, np.ndarray] = {}
    count = cnt("count")
    for k in MEASURES:             # revenue, profit, … have the same definitions as in indicators.py (YTD)
        mn, cn = cnt(f"{k}_n"), cnt(f"{k}_cn")
        cc, cb = only(col(f"{k}_cc"), cn > 0), only(col(f"{k}_cb"), cn > 0)
        v |= {k: only(col(k), mn > 0), f"{k}_n": mn, f"{k}_base": cb, f"{k}_base_n": cn,
              f"{k}_yoy": ratio(cc, cb) - 1, f"{k}_yoy_n": cn}
    for r, (_, _, factor) in RATIOS.items():
        rn, bn = cnt(f"{r}_n"), cnt(f"{r}_bn")
        cur = factor * ratio(only(col(f"{r}_num"), rn > 0), col(f"{r}_den"))
        base = factor * ratio(only(col(f"{r}_bnum"), bn > 0), col(f"{r}_bden"))
        v |= {r: cur, f"{r}_n": rn, f"{r}_base": base, f"{r}_base_n": bn, f"{r}_change": cur - base,
              f"{r}_change_n": np.minimum(rn, bn)}
    ln = cnt("loss_amount_n")
    lc, lb = cnt("loss_cur_n"), cnt("loss_base_n")
    v |= {"loss_amount": only(col("loss_amount"), ln > 0), "loss_amount_n": ln,
          "loss_amount_base": only(col("loss_amount_cb"), lb > 0), "loss_amount_base_n": lb,
          "loss_amount_yoy": ratio(only(col("loss_amount_cc"), lc > 0), only(col("loss_amount_cb"), lb > 0)) - 1,
          "loss_amount_yoy_n": np.minimum(lc, lb)}
    v["loss_amount"] = np.where(count > 0, np.nan_to_num(v["loss_amount"]), np.nan)   # no loss-maker: 0 yuan
    for d in TURNOVER:
        dn, pn = cnt(f"{d}_n"), cnt(f"{d}_pn")
        cur = days * ratio(only(col(f"{d}_avg"), dn > 0), col(f"{d}_flow"))
        prv = days_prev * ratio(only(col(f"{d}_pavg"), pn > 0), col(f"{d}_pflow"))
        v |= {d: cur, f"{d}_n": dn, f"{d}_prev": prv, f"{d}_prev_n": pn, f"{d}_change": cur - prv,
              f"{d}_change_n": np.minimum(dn, pn)}
    pn, pcn, en = cnt("power_n"), cnt("power_cn"), cnt("energy_n")
    v |= {"power": only(col("power"), pn > 0), "power_n": pn,
          "power_base": only(col("power_cb"), pcn > 0), "power_base_n": pcn,
          "power_yoy": ratio(only(col("power_cc"), pcn > 0), col("power_cb")) - 1, "power_yoy_n": pcn,
          "energy_per_va": WAN * ratio(only(col("energy_kwh"), en > 0), col("energy_va")), "energy_per_va_n": en}
    v["enterprises"], v["enterprises_n"] = count, count
    return v


def _records(vals: dict[str, np.ndarray], keys: list[str]) -> list[dict]:
    names = list(vals)
    out = []
    for i, k in enumerate(keys):
        row = {"key": k}
        for nm in names:
            x = vals[nm][i]
            row[nm] = int(x) if vals[nm].dtype.kind in "iu" else (None if x != x else float(x))
        out.append(row)
    return out


def operations_many(store, period: str | Period, bys=("all",), *, scope: str = "all", region: str | None = None,
                    chain: str | None = None, segment: str | None = None, cluster: str | None = None,
                    sei: bool = False, park: str | None = None, pack=None) -> dict[str, list[dict]]:
    """Records (one per key) of every operations indicator for each grouping in ``bys``, one query."""
    p = parse_period(period) if isinstance(period, str) else period
    sc = Scope(scope, region, chain, segment, cluster, sei, park)
    bys = list(dict.fromkeys(bys))
    frames = aggregate_ops(store, p, [(by, sc) for by in bys], pack=pack)
    head = {"period": p.label, "period_end": p.ytd_label, "basis": "ytd", "scope": scope,
            "days": period_days(p, pack)}
    out = {}
    for by, df in zip(bys, frames):
        keys = [str(k) for k in df.index]
        vals = values(df, period_days(p, pack), period_days(p.shifted(-1), pack))
        out[by] = [{**head, "by": by, **sc.filters(), **r} for r in _records(vals, keys)]
    return out


def operations_one(store, period: str | Period, **kw) -> dict:
    """The record of one scope (no grouping); an empty scope gives zero counts and None values."""
    rows = operations_many(store, period, ("all",), **kw)["all"]
    if rows:
        return rows[0]
    p = parse_period(period) if isinstance(period, str) else period
    empty = _records(values(pd.DataFrame(index=[0]), period_days(p), period_days(p.shifted(-1))), ["all"])[0]
    return {"period": p.label, "period_end": p.ytd_label, "basis": "ytd", "scope": kw.get("scope", "all"),
            "days": period_days(p), "by": "all", **empty}
