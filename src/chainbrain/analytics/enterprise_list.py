"""The enterprises behind a figure (下钻企业清单): one row per enterprise of a scope, for a YTD period.

A *scope* is industry scope × region × chain × segment × cluster, exactly as
the indicators count it (:func:`chainbrain.analytics.scope.members` at the
period end: region and class valid then, chains through the segments valid
then), × a *scale* filter: ``above`` = the period's above-scale sample (the
enterprises with a monthly report for the period, S_t of
:mod:`chainbrain.analytics.indicators`), ``below`` = the other enterprises of
the scope (no monthly report: below scale, or not reporting), ``all`` = both.

Per enterprise e (YTD basis, latest revision of each report):

- ``revenue_ytd_yuan`` = its YTD revenue (None without a report);
- prior ``b_e`` = the report's own 上年同期 where present, else its own report
  a year earlier (the comparable basis of :mod:`indicators`); e is in the
  scope's comparable sample C when it has both;
- ``yoy_comparable`` = ``v_e / b_e − 1`` (None outside C or when ``b_e ≤ 0``);
- ``change_yuan`` = ``v_e − b_e`` on C;
- ``contribution_pp`` = ``(v_e − b_e) / Σ_{C} b × 100``: the enterprise's
  change on the comparable basis over the scope's prior-year comparable base,
  in percentage points (the pull, 拉动, of :mod:`indicators` with the
  enterprise as the group). Summed over C it is the scope's comparable growth
  in points: ``Σ_C (v − b) / Σ_C b × 100 = (Σ_C v / Σ_C b − 1) × 100``
  (a test checks it against the KPI's ``yoy_comparable``). Enterprises
  outside C have None.
- ``revenue_last_year_yuan`` = its annual report of the previous year (the
  one figure below-scale enterprises have), ``above_scale`` = in S_t;
  ``sample_status``: ``above`` (in S_t), ``below`` (the year's sample list,
  ``enterprise_scale``, has it below scale) or ``unreported`` (no report for the
  period and not listed below scale: left the sample, or a report is missing);
- catalogue facts: USCC, name, county and city names, industry class and its
  name (GB/T 4754), the designations valid at the period end (kind, level).

The per-enterprise figures are one Ibis query (DuckDB, PostgreSQL, …); who
may see which rows is the caller's (the web layer's scope policy): :func:`listing`
filters the scope's rows to the ids the viewer may see, then sorts (nulls
last, ties by USCC) and pages. Money in yuan, rates as fractions.
"""

from __future__ import annotations

import ibis
import pandas as pd

from chainbrain.analytics.indicators import _both_years, _exact, _run
from chainbrain.analytics.scope import Shared, _valid_on, latest, members
from chainbrain.catalog.designations import kind_name, level_name
from chainbrain.periods import parse_period

SCALES = ("above", "below", "all")
SORTS = ("revenue_ytd_yuan", "yoy_comparable", "contribution_pp", "change_yuan", "revenue_last_year_yuan",
         "name", "uscc", "region_code", "industry_code")
MAX_LIMIT = 500


def _sample(store, p, scope, region, chain, segment, cluster):
    """(shared tables, the scope's enterprises, the period's sample with v = YTD revenue and
    prior = the report's own 上年同期, else the firm's own report a year earlier)."""
    sh = Shared(store)
    f = sh.shared(("facts", p.year, p.month, "ytd", ("revenue",)),
                  lambda: _both_years(store, p, "ytd", sh, ("revenue",)))
    m = members(store, p.end_date, scope, region, chain, "all", segment=segment, cluster=cluster, shared=sh)
    m = m.select("enterprise_id").distinct()
    cur = f.filter(f._in_cur.notnull())
    prior = ibis.coalesce(cur.revenue_rep_prev, ibis.cases((cur._p_adj.notnull(), cur._p_revenue), else_=None))
    return sh, m, cur.select(_cid=cur._eid, v=cur.revenue, prior=prior)


def _expr(store, p, scope, region, chain, segment, cluster):
    sh, m, cur = _sample(store, p, scope, region, chain, segment, cluster)
    x = m.left_join(cur, m.enterprise_id == cur._cid)
    ok = x.v.notnull() & x.prior.notnull()
    x = x.select("enterprise_id", v=x.v, above=x._cid.notnull(),
                 b=ibis.cases((ok, x.prior), else_=None))
    ann = sh.table("annual_report")
    ann = latest(ann.filter(ann.year == p.year - 1), ["enterprise_id", "year"])
    ann = ann.select(_aid=ann.enterprise_id, last_year=ann.revenue)
    x = x.left_join(ann, x.enterprise_id == ann._aid).drop("_aid")
    sc = sh.table("enterprise_scale")
    sc = latest(sc.filter(sc.year == p.year), ["enterprise_id", "year"])
    sc = sc.select(_sid=sc.enterprise_id, _sample=sc.above_scale)
    x = x.left_join(sc, x.enterprise_id == sc._sid)
    x = x.mutate(status=ibis.cases((x.above, "above"), (x._sample == ibis.literal(False), "below"),
                                   else_="unreported")).drop("_sid", "_sample")
    loc = sh.located(p.end_date)
    loc = loc.select(_lid=loc.enterprise_id, region_code=loc.region_code, industry_code=loc.industry_code)
    x = x.join(loc, x.enterprise_id == loc._lid).drop("_lid")
    ent = sh.table("enterprise")
    ent = ent.select(_id=ent.id, uscc=ent.uscc, name=ent.name)
    x = x.join(ent, x.enterprise_id == ent._id).drop("_id")
    ind = sh.table("industry")
    ind = ind.select(_ic=ind.code, industry_name=ind.name)
    x = x.left_join(ind, x.industry_code == ind._ic).drop("_ic")
    reg = sh.table("region")
    county = reg.select(_rc=reg.code, county_name=reg.name, prefecture_code=reg.prefecture_code)
    x = x.left_join(county, x.region_code == county._rc).drop("_rc")
    city = reg.select(_pc=reg.code, city_name=reg.name)
    x = x.left_join(city, x.prefecture_code == city._pc).drop("_pc")
    return x.select("enterprise_id", "uscc", "name", "region_code", "county_name", "prefecture_code",
                    "city_name", "industry_code", "industry_name", "above", "status",
                    v=x.v.cast("float64"), b=x.b.cast("float64"),
                    last_year=x.last_year.cast("float64"))


def _scope_sums_expr(store, p, scope, region, chain, segment, cluster):
    """Σ_C v and Σ_C b of the scope as exact decimal sums (the KPI's definitions)."""
    _, m, cur = _sample(store, p, scope, region, chain, segment, cluster)
    x = m.join(cur, m.enterprise_id == cur._cid)
    ok = x.v.notnull() & x.prior.notnull()
    return x.aggregate(cc=_exact(ibis.cases((ok, x.v), else_=None).sum()),
                       cb=_exact(ibis.cases((ok, x.prior), else_=None).sum()),
                       cn=ok.ifelse(1, None).count(), n=x.v.count())


def _designations(store, ids, date, lang: str) -> dict[int, list[str]]:
    """The designations valid on ``date`` of the enterprises ``ids``, as names ("国家级 专精特新…")."""
    if not ids:
        return {}
    t = store.table("designation")
    t = latest(_valid_on(t, date), ["enterprise_id", "kind", "level", "chain_code", "valid_from"])
    df = t.select("enterprise_id", "kind", "level").execute()
    out: dict[int, list[str]] = {}
    wanted = set(int(i) for i in ids)
    for r in df.sort_values(["enterprise_id", "level", "kind"]).itertuples():
        e = int(r.enterprise_id)
        if e in wanted:
            text = f"{level_name(r.level, lang)}{' ' if lang == 'en' else ''}{kind_name(r.kind, lang)}"
            if text not in out.setdefault(e, []):
                out[e].append(text)
    return out


def scope_frame(store, period: str, scope: str = "all", region: str | None = None, chain: str | None = None,
                segment: str | None = None, cluster: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Every enterprise of the scope with its figures (module docstring), and the scope's comparable
    sums ``{"comparable_current_yuan", "comparable_base_yuan", "comparable_count", "count",
    "yoy_comparable"}`` — two queries."""
    p = parse_period(period)
    key = (p.year, p.month, scope, region, chain, segment, cluster)
    levels = (region, Shared(store).region_level(region)) if region else None
    df = _run(store, ("enterprise_list",) + key + (levels,),
              lambda: _expr(store, p, scope, region, chain, segment, cluster))
    s = _run(store, ("enterprise_list_sums",) + key + (levels,),
             lambda: _scope_sums_expr(store, p, scope, region, chain, segment, cluster)).iloc[0]
    cc = None if pd.isna(s["cc"]) else float(s["cc"])
    cb = None if pd.isna(s["cb"]) else float(s["cb"])
    summary = {"comparable_current_yuan": cc, "comparable_base_yuan": cb,
               "comparable_count": int(s["cn"] or 0), "count": int(s["n"] or 0),
               "yoy_comparable": (cc / cb - 1) if cc is not None and cb and cb > 0 else None}
    df = df.copy()
    df["enterprise_id"] = df["enterprise_id"].astype("int64")
    df["above"] = df["above"].astype(bool)
    for c in ("v", "b", "last_year"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    ok = df["v"].notna() & df["b"].notna()
    df["change_yuan"] = (df["v"] - df["b"]).where(ok)
    df["yoy_comparable"] = (df["v"] / df["b"] - 1).where(ok & (df["b"] > 0))
    df["contribution_pp"] = (df["change_yuan"] / cb * 100).where(ok) if cb and cb > 0 else float("nan")
    df = df.rename(columns={"v": "revenue_ytd_yuan", "b": "prior_comparable_yuan",
                            "last_year": "revenue_last_year_yuan", "above": "above_scale",
                            "status": "sample_status"})
    return df, summary


def listing(store, frame: pd.DataFrame, period: str, visible=None, scale: str = "above",
            sort: str = "-revenue_ytd_yuan", limit: int | None = 50, offset: int = 0,
            lang: str = "zh") -> dict:
    """The rows of ``frame`` (:func:`scope_frame`) the viewer may see (``visible``: ids, None = all),
    of the ``scale``, sorted by ``sort`` (a field of :data:`SORTS`, ``-`` for descending; nulls last,
    ties by USCC), from ``offset``, at most ``limit`` (None: all): ``{"items", "total"}``."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)} (optionally with -)")
    df = frame
    if visible is not None:
        df = df[df["enterprise_id"].isin(visible)]
    if scale != "all":
        df = df[df["above_scale"] == (scale == "above")]
    total = len(df)
    tie = df["uscc"].fillna("").astype(str) + "|" + df["enterprise_id"].astype(str).str.zfill(20)
    df = df.assign(_tie=tie, _null=df[field].isna())
    df = df.sort_values(["_null", field, "_tie"], ascending=[True, not desc, True], kind="mergesort")
    page = df.iloc[offset: None if limit is None else offset + limit]
    marks = _designations(store, page["enterprise_id"].tolist(), parse_period(period).end_date, lang)
    items = []
    for r in page.drop(columns=["_tie", "_null"]).to_dict("records"):
        r = {k: (None if (isinstance(v, float) and pd.isna(v)) or v is pd.NA else v) for k, v in r.items()}
        r["enterprise_id"] = int(r["enterprise_id"])
        r["above_scale"] = bool(r["above_scale"])
        r["designations"] = marks.get(r["enterprise_id"], [])
        items.append(r)
    return {"items": items, "total": total}
