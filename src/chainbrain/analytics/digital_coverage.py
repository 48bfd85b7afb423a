"""Digital-transformation coverage (智改数转网联覆盖率) per province, city, county or chain.

For a YTD period P with end date d (policy-facts.md §2.4, §4; issue #16):

- ``firms``: the above-scale industrial enterprises reporting at P (a monthly report for P, any
  revision: the sample S_P of :mod:`chainbrain.analytics.indicators`) in the key — county and
  city as the enterprise's region valid on d, chain through its segments valid on d
  (:func:`chainbrain.analytics.scope.members`; an enterprise counts once per chain). Population
  ``srdi`` keeps those holding a 专精特新 or 小巨人 designation valid on d.
- A firm's level on d: for each scheme, its latest assessment dated on or before d (newest
  revision of that date); the firm's level is the highest of these. ``assessed``: the firms with
  any assessment dated on or before d; ``level2_plus``: those whose level is ≥ 2.
- ``transformed`` (已完成改造, pack ``digital.toml [transformed]``): the firms with at least one completed
  transformation project (a ``digital_adoption`` row, any chain or scenario) dated on or before d.
- ``assessed_share = assessed / firms``, ``transformed_share = transformed / firms``,
  ``level2_plus_share = level2_plus / firms`` (fractions; None when ``firms`` is 0).

Keys with no firm are listed (firms 0): every current city / county of the pack, every chain.
Counts of enterprises are not confidential (web/disclosure.py); firm lists go through the
viewer's scope (web.policy.visible_ids) in the web layer. One Ibis query per call (DuckDB,
PostgreSQL).
"""

from __future__ import annotations

import ibis
import pandas as pd

from chainbrain.analytics.scope import Shared, _valid_on, latest, latest_reports, members
from chainbrain.periods import parse_period

BY = ("province", "city", "county", "chain")
POPULATIONS = ("above_scale", "srdi")
SRDI_KINDS = ("srdi", "little_giant")
_MEMBERS_BY = {"province": "all", "city": "city", "county": "county", "chain": "chain"}


def levels_on(store, date, sh: Shared | None = None):
    """(enterprise_id, level, assessed_on): each assessed enterprise's level on ``date`` — the highest
    over the schemes of its latest assessment dated on or before ``date`` — and the date of its latest
    assessment."""
    t = sh.table("digital_assessment") if sh is not None else store.table("digital_assessment")
    t = t.filter(t.assessed_on <= ibis.literal(date))
    t = latest(t, ["enterprise_id", "scheme", "assessed_on"])
    w = ibis.window(group_by=[t.enterprise_id, t.scheme], order_by=ibis.desc(t.assessed_on))
    t = t.mutate(_k=ibis.row_number().over(w)).filter(lambda x: x._k == 0)
    return t.group_by("enterprise_id").aggregate(level=t.level.max(), assessed_on=t.assessed_on.max())


def transformed_on(store, date, sh: Shared | None = None):
    """(enterprise_id, transformed_on): the firms with a completed transformation project (``digital_adoption``)
    dated on or before ``date``, and the date of their first one (already 改造 on ``date``)."""
    t = sh.table("digital_adoption") if sh is not None else store.table("digital_adoption")
    t = t.filter(t.adopted_on <= ibis.literal(date))
    return t.group_by("enterprise_id").aggregate(transformed_on=t.adopted_on.min())


def population(store, period: str, by: str = "province", scope: str = "all", pop: str = "above_scale",
               region: str | None = None, chain: str | None = None, sh: Shared | None = None):
    """(enterprise_id, key): the firms of the population at ``period`` (module docstring)."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)} (分组须为 {'/'.join(BY)})")
    if pop not in POPULATIONS:
        raise ValueError(f"population must be one of {', '.join(POPULATIONS)} (对象口径须为 {'/'.join(POPULATIONS)})")
    p = parse_period(period)
    sh = sh or Shared(store, cte=False)
    m = members(store, p.end_date, scope, region, chain, _MEMBERS_BY[by], shared=sh)
    m = m.select("enterprise_id", "key").distinct()
    rep = sh.table("monthly_report")
    rep = rep.filter((rep.year == p.year) & (rep.month == p.month)).select(_rid=rep.enterprise_id).distinct()
    m = m.semi_join(rep, m.enterprise_id == rep._rid)
    if pop == "srdi":
        d = _valid_on(sh.table("designation"), p.end_date)
        d = d.filter(d.kind.isin(SRDI_KINDS)).select(_did=d.enterprise_id).distinct()
        m = m.semi_join(d, m.enterprise_id == d._did)
    return m


def _keys(store, by: str, region: str | None) -> pd.DataFrame:
    """(key, name) of every key of the grouping (current regions; every chain)."""
    if by == "chain":
        c = store.table("chain")
        return c.order_by("seq").select(key=c.code, name=c.name_zh).execute()
    r = store.table("region")
    if by == "province" and region:
        return r.filter(r.code == region).select(key=r.code, name=r.name).execute()
    level = {"province": "province", "city": "prefecture", "county": "county"}[by]
    r = r.filter((r.level == level) & (r.status == "current"))
    df = r.select(key=r.code, name=r.name, prefecture_code=r.prefecture_code, parent_code=r.parent_code) \
        .order_by("key").execute()
    if region and by != "province":
        lvl = Shared(store).region_level(region)
        if lvl == "prefecture":
            df = df[(df["prefecture_code"] == region) | (df["key"] == region)]
        elif lvl == "county":
            df = df[df["key"] == region]
    return df[["key", "name"]]


def coverage(store, period: str, by: str = "province", scope: str = "all", pop: str = "above_scale",
             region: str | None = None, chain: str | None = None) -> list[dict]:
    """Rows ``key, name, firms, assessed, transformed, level2_plus, assessed_share, transformed_share,
    level2_plus_share`` (module docstring), in key order (chains in the pack's order)."""
    p = parse_period(period)
    sh = Shared(store, cte=False)
    m = population(store, period, by, scope, pop, region, chain, sh)
    if by == "province":                       # one row: the province, or the region filtered to
        m = m.mutate(key=ibis.literal(region or _province(store)))
    lv = levels_on(store, p.end_date, sh)
    x = m.left_join(lv, m.enterprise_id == lv.enterprise_id).select(m.enterprise_id, m.key, lv.level)
    tr = transformed_on(store, p.end_date, sh)
    tr = tr.select(_tid=tr.enterprise_id, _t=tr.transformed_on)
    x = x.left_join(tr, x.enterprise_id == tr._tid)
    agg = x.group_by("key").aggregate(
        firms=x.count(),
        assessed=ibis.cases((x.level.notnull(), 1), else_=0).sum(),
        transformed=ibis.cases((x._t.notnull(), 1), else_=0).sum(),
        level2_plus=ibis.cases((x.level >= 2, 1), else_=0).sum())
    got = agg.execute()
    keys = _keys(store, by, region)
    if by == "chain" and chain:
        keys = keys[keys["key"] == chain]
    out = keys.merge(got, on="key", how="left")
    rows = []
    for r in out.itertuples(index=False):
        firms = 0 if pd.isna(r.firms) else int(r.firms)
        assessed = 0 if pd.isna(r.assessed) else int(r.assessed)
        l2 = 0 if pd.isna(r.level2_plus) else int(r.level2_plus)
        tf = 0 if pd.isna(r.transformed) else int(r.transformed)
        rows.append({"key": r.key, "name": r.name, "firms": firms, "assessed": assessed, "transformed": tf,
                     "level2_plus": l2, "assessed_share": assessed / firms if firms else None,
                     "transformed_share": tf / firms if firms else None,
                     "level2_plus_share": l2 / firms if firms else None})
    return rows


def _province(store) -> str:
    r = store.table("region")
    df = r.filter(r.level == "province").select("code").execute()
    return str(df["code"].iloc[0])


def firm_frame(store, period: str, scope: str = "all", region: str | None = None,
               chain: str | None = None) -> pd.DataFrame:
    """One row per above-scale firm reporting at ``period`` (in the region / chain): enterprise_id, uscc,
    name, region_code, prefecture_code, county_name, city_name, level (None: never assessed),
    assessed_on (its latest assessment), transformed_on (its first completed project; None: not transformed), srdi (a 专精特新 / 小巨人 designation valid at the period end).
    One query; the targets and benchmark lists filter it (the same firms and levels as :func:`coverage`)."""
    p = parse_period(period)
    sh = Shared(store, cte=False)
    m = population(store, period, "province", scope, "above_scale", region, chain, sh).select("enterprise_id").distinct()
    lv = levels_on(store, p.end_date, sh)
    x = m.left_join(lv, m.enterprise_id == lv.enterprise_id).select(m.enterprise_id, lv.level, lv.assessed_on)
    tr = transformed_on(store, p.end_date, sh)
    tr = tr.select(_tid=tr.enterprise_id, transformed_on=tr.transformed_on)
    x = x.left_join(tr, x.enterprise_id == tr._tid).drop("_tid")
    d = _valid_on(sh.table("designation"), p.end_date)
    d = d.filter(d.kind.isin(SRDI_KINDS)).select(_did=d.enterprise_id).distinct()
    x = x.left_join(d, x.enterprise_id == d._did)
    x = x.mutate(srdi=x._did.notnull()).drop("_did")
    loc = sh.located(p.end_date)
    loc = loc.select(_lid=loc.enterprise_id, region_code=loc.region_code)
    x = x.join(loc, x.enterprise_id == loc._lid)
    ent = sh.table("enterprise")
    ent = ent.select(_id=ent.id, uscc=ent.uscc, name=ent.name)
    x = x.join(ent, x.enterprise_id == ent._id)
    reg = sh.table("region")
    county = reg.select(_rc=reg.code, county_name=reg.name, prefecture_code=reg.prefecture_code)
    x = x.left_join(county, x.region_code == county._rc)
    city = reg.select(_pc=reg.code, city_name=reg.name)
    x = x.left_join(city, x.prefecture_code == city._pc)
    df = x.select("enterprise_id", "uscc", "name", "region_code", "prefecture_code", "county_name", "city_name",
                  "level", "assessed_on", "transformed_on", "srdi").execute()
    df["enterprise_id"] = df["enterprise_id"].astype("int64")
    df["srdi"] = df["srdi"].astype(bool)
    return df


def meets(df: pd.DataFrame, measure: str) -> pd.Series:
    """Whether each firm of a :func:`firm_frame` meets ``measure`` (assessed | transformed | level2_plus) —
    the same definitions as :func:`coverage`."""
    if measure == "transformed":
        return df["transformed_on"].notna()
    if measure not in ("assessed", "level2_plus"):
        raise ValueError("measure must be assessed, transformed or level2_plus "
                         "(指标须为 assessed、transformed 或 level2_plus)")
    lvl = pd.to_numeric(df["level"], errors="coerce")
    return lvl.notna() if measure == "assessed" else lvl >= 2


def to_reach(df: pd.DataFrame, measure: str, pop: str = "above_scale") -> pd.DataFrame:
    """The firms of ``df`` (:func:`firm_frame`) in the population not meeting ``measure``, ordered by level
    (unassessed first), then USCC."""
    if pop not in POPULATIONS:
        raise ValueError(f"population must be one of {', '.join(POPULATIONS)}")
    x = df[df["srdi"]] if pop == "srdi" else df
    x = x[~meets(x, measure)]
    x = x.assign(_l=pd.to_numeric(x["level"], errors="coerce").fillna(-1))
    x = x.sort_values(["_l", "uscc", "enterprise_id"], na_position="last", kind="mergesort").drop(columns="_l")
    return x.reset_index(drop=True)


def firms_to_reach(store, period: str, measure: str = "level2_plus", scope: str = "all",
                   pop: str = "above_scale", region: str | None = None, chain: str | None = None) -> pd.DataFrame:
    """The firms of the population at ``period`` (in the region / chain) that do not yet meet
    ``measure`` (``assessed``: no assessment on or before the period end; ``transformed``: no completed
    project on or before it; ``level2_plus``: level < 2 or none), with their place, level (None: never assessed) and last assessment date — ordered by
    level (unassessed first), then USCC."""
    return to_reach(firm_frame(store, period, scope, region, chain), measure, pop)


def assessments_of(store, enterprise_id: int) -> list[dict]:
    """One enterprise's assessments (newest revision of each), newest first: scheme, level, score,
    assessed_on, source."""
    t = store.table("digital_assessment")
    t = latest(t.filter(t.enterprise_id == int(enterprise_id)), ["enterprise_id", "scheme", "assessed_on"])
    df = t.select("scheme", "level", "score", "assessed_on", "source").execute()
    df = df.sort_values(["assessed_on", "scheme"], ascending=[False, True])
    return [{"scheme": r.scheme, "level": int(r.level), "score": None if pd.isna(r.score) else float(r.score),
             "assessed_on": str(r.assessed_on)[:10], "source": r.source} for r in df.itertuples()]
