"""Gaps of a chain (补链): 缺链, 弱链 and 断链 risk per segment, with the figures and a feasibility reading.

For a chain c, a year Y and a region r (the province when ``region`` is None,
else a city (prefecture) or county code), one row per segment of c (top-level
segments through ``segment_chain``; a sub-segment counts under its parent):

- ``firms`` — producers: library firms in the industry scope ``all`` located
  in r on 31 December of Y with the segment valid that day
  (:func:`chainbrain.analytics.scope.members`); ``province_firms`` the same
  over the province.
- ``revenue_yuan`` — Σ revenue of r's firms in the segment (annual report of Y,
  a firm in n segments gives 1/n to each: :mod:`chainbrain.analytics.advantage.data`).
- ``lq`` — revenue location quotient (Florence 1939; Isard 1960)
  LQ_rs = (x_rs / x_r) / (x_s / x): for a city or county the reference is the
  province (x_s, x over all regions); for the province it is a stored national
  reference by industry class (``advantage_reference``, kind ``industry``,
  spread to segments as in :mod:`chainbrain.analytics.advantage.reference`),
  NULL without one.
- ``local_rate`` — 本地配套率 of the segment's supplies: Σ purchases of r's
  buyers from suppliers of the segment registered in the province / Σ their
  purchases from all suppliers of the segment (observed links of Y; buyers,
  suppliers, locality and segment as in :mod:`chainbrain.analytics.supply_local`,
  grouping ``supplier-segment`` restricted to r's buyers); NULL when those
  purchases are 0.  ``top_supplier_share`` — the largest supplier's share of
  the same purchases.
- ``single_supplier`` — ``firms`` equals the pack's ``single_firms`` (1): the
  region's whole segment rests on one producer.
- ``spof_firms`` / ``spof_share`` — single points of failure of the chain's
  masters located in r (:func:`chainbrain.analytics.supply_graph.single_points_of_failure`,
  dominators of each master's supply tree) whose segment is this one: how
  many firms, and the largest share of a master's upstream purchases one of
  them carries.  Empty (``spof_available`` False) while that module is absent.
- ``density`` — relatedness density ω_rs = Σ_p M_rp φ_ps / Σ_p φ_ps of the
  comparative-advantage module (Hidalgo et al. 2007; :mod:`chainbrain.analytics.advantage.complexity`)
  on the region × segment revenue table of r's level; for the province the
  highest city density (``density_region`` names the city).  NULL when no
  region of the level has the segment (no co-location to relate it to).

Status (first that holds; every condition that holds is in ``reasons`` with
its figures; thresholds from the pack's ``attract.toml`` ``[gaps]``, strict
inequalities, unsourced):

1. ``missing`` (缺链): ``firms`` = 0 — no producer of the segment in r;
2. ``broken_risk`` (断链风险): ``top_supplier_share`` > top_share_above, or a
   single point of failure with ``spof_share`` > spof_share_above;
3. ``weak`` (弱链): ``lq`` < lq_below, ``local_rate`` < local_rate_below, or
   ``single_supplier``;
4. ``ok``.

``feasibility`` (of a 补链 move, from relatedness): ``near`` when density >
density_near_above, ``far`` when density < density_far_below, ``moderate``
between, ``unknown`` when density is NULL.  The catalog's ``bottleneck`` flag
(卡脖子) is shown beside (``bottleneck``), not part of the status.

Every supply figure rests on observed links (``basis`` = observed).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from chainbrain.analytics import supply_local as SL
from chainbrain.analytics.scope import Shared, members
from chainbrain.analytics.supply_gaps_rules import (REASON_CODES, Thresholds, _feasibility, attract_config,  # noqa: F401
                                                    classify, classify_coded, thresholds)

STATUSES = ("missing", "weak", "broken_risk", "ok")
COLUMNS = ["segment_code", "segment_name", "stage_code", "status", "reasons", "revenue_yuan", "firms", "lq",
           "local_rate", "single_supplier", "density", "feasibility"]
EXTRA = ["reason_codes", "province_firms", "purchases_yuan", "local_yuan", "suppliers", "local_suppliers", "top_supplier_share",
         "spof_firms", "spof_share", "bottleneck", "density_region", "basis"]
FEASIBILITY = ("near", "moderate", "far", "unknown")


# ------------------------------------------------------------------ building blocks
def chain_segments(store, chain: str) -> pd.DataFrame:
    """(segment_code, segment_name, stage_code, flags) of the chain's top-level segments, in code order."""
    sc = store.table("segment_chain")
    s = store.table("segment")
    j = sc.filter(sc.chain_code == chain).join(s, sc.segment_code == s.code)
    j = j.filter(j.level == "segment")
    df = j.select(segment_code=j.code, segment_name=j.name_zh, stage_code=j.stage, flags=j.flags).execute()
    if df.empty:
        ch = store.table("chain")
        if not len(ch.filter(ch.code == chain).select("code").execute()):
            raise ValueError(f"unknown chain {chain} (未知产业链代码)")
    return df.drop_duplicates("segment_code").sort_values("segment_code", ignore_index=True)


def _level(store, region: str | None) -> str:
    if region is None:
        return "province"
    from chainbrain.analytics.advantage.data import region_level

    lv = region_level(store, region)
    if lv not in ("province", "prefecture", "county"):
        raise ValueError(f"region {region} is a {lv}; give the province, a city or a county (请给出省、市或县代码)")
    return "province" if lv == "province" else lv


def _firms(store, date: dt.date, region: str | None, segs: list[str]) -> pd.Series:
    m = members(store, date, "all", region=region, by="segment")
    m = m.filter(m.key.isin(segs))
    df = m.group_by("key").aggregate(n=m.enterprise_id.nunique()).execute()
    return pd.Series(df["n"].to_numpy(int), index=df["key"].astype(str), dtype=int)


def supply_by_segment(store, year: int, region: str | None, segs: list[str]) -> pd.DataFrame:
    """Per supplier segment (index) of ``segs``: purchases, local, suppliers, local_suppliers, top share —
    the year's observed links into the buyers of ``region`` (the province when None)."""
    date = dt.date(year, 12, 31)
    sh = Shared(store)
    home = SL.home_province(store)
    f = SL.purchases(store, sh, year, date, home)
    if region is not None:
        lv = sh.region_level(region)
        if lv == "prefecture":
            f = f.filter(f.bcity == region)
        elif lv == "county":
            loc = sh.located(date)
            loc = loc.filter(loc.region_code == region).select(_bid=loc.enterprise_id)
            f = f.join(loc, f.buyer_id == loc._bid)
    seg = sh.segments(date)
    seg = seg.filter(seg.top_segment.isin(segs)).select(_sid=seg.enterprise_id, key=seg.top_segment).distinct()
    g = f.join(seg, f.supplier_id == seg._sid)
    ps = g.group_by(["key", "supplier_id"]).aggregate(a=g.amount.sum(), la=g.local_amount.sum(),
                                                      loc=g.is_local.cast("int32").max())
    per = ps.group_by("key").aggregate(purchases_yuan=ps.a.sum(), local_yuan=ps.la.sum(),
                                       suppliers=ps.supplier_id.count(), local_suppliers=ps.loc.sum(),
                                       amax=ps.a.max())
    df = per.execute()
    df["key"] = df["key"].astype(str)
    df = df.set_index("key")
    p = df["purchases_yuan"].astype(float)
    out = pd.DataFrame(index=df.index)
    out["purchases_yuan"] = p.round(2)
    out["local_yuan"] = df["local_yuan"].astype(float).round(2)
    out["suppliers"] = df["suppliers"].fillna(0).astype(int)
    out["local_suppliers"] = df["local_suppliers"].fillna(0).astype(int)
    out["local_rate"] = (df["local_yuan"].astype(float) / p).where(p > 0)
    out["top_supplier_share"] = (df["amax"].astype(float) / p).where(p > 0)
    return out


def _revenue_lq(store, year: int, level: str, region: str | None, segs: list[str]) -> tuple[pd.Series, pd.Series]:
    """(revenue_yuan, lq) per segment of ``segs`` for the region (see the module docstring)."""
    from chainbrain.analytics.advantage import data

    v = data.region_segment_values(store, year, "county")
    empty = pd.Series(dtype=float)
    if v.empty:
        return empty, empty
    if level == "province":
        rev = v.groupby("segment")["revenue"].sum()
        ref = national_reference(store)
        if ref is None:
            return rev.reindex(segs), pd.Series(np.nan, index=segs)
        share_p = rev.reindex(segs).fillna(0.0) / rev.sum()        # a segment the province lacks: 0
        share_n = (ref / ref.sum()).reindex(segs)
        lq = (share_p / share_n.where(share_n > 0)).replace([np.inf, -np.inf], np.nan)
        return rev.reindex(segs), lq
    if level == "prefecture":
        reg = store.table("region")
        pc = reg.select("code", "prefecture_code").execute()
        v = v.assign(region=v["region"].map(dict(zip(pc["code"], pc["prefecture_code"]))))
    xs = v.groupby("segment")["revenue"].sum()
    x = float(xs.sum())
    mine = v[v["region"] == region]
    xrs = mine.groupby("segment")["revenue"].sum()
    xr = float(xrs.sum())
    if xr <= 0 or x <= 0:
        return xrs.reindex(segs), pd.Series(np.nan, index=segs)
    lq = (xrs.reindex(xs.index).fillna(0.0) / xr) / (xs / x)
    return xrs.reindex(segs), lq.reindex(segs)


def national_reference(store) -> pd.Series | None:
    """segment → national value from the stored ``advantage_reference`` (kind ``industry``; the set with the
    most rows, latest revision), or None when none is stored."""
    from chainbrain.analytics.advantage.reference import TABLE, Reference, has_table, segment_industry

    if not has_table(store):
        return None
    t = store.table(TABLE)
    t = t.filter(t.kind == "industry")
    df = t.select("name", "code", "value", "revision").execute()
    if df.empty:
        return None
    name = df.groupby("name").size().sort_values(ascending=False).index[0]
    df = df[df["name"] == name].sort_values("revision").drop_duplicates("code", keep="last")
    ref = Reference("industry", pd.DataFrame({"industry_code": df["code"].astype(str),
                                              "value": df["value"].astype(float)}))
    return ref.by_segment(segment_industry(store))


def _density(store, year: int, level: str, region: str | None, segs: list[str]) -> tuple[pd.Series, pd.Series]:
    """(density, density_region) per segment of ``segs`` (see the module docstring)."""
    from chainbrain.analytics.advantage.recommend import level_advantage

    lv = "county" if level == "county" else "prefecture"
    adv, _ = level_advantage(store, lv, year)
    nan = pd.Series(np.nan, index=segs)
    none = pd.Series([None] * len(segs), index=segs, dtype=object)
    if adv is None:
        return nan, none
    cx = adv.cx
    cols = {str(p): j for j, p in enumerate(cx.products)}
    d = np.full(len(segs), np.nan)
    who = [None] * len(segs)
    if level == "province":
        for k, s in enumerate(segs):
            j = cols.get(s)
            if j is None:
                continue
            col = cx.density[:, j]
            if np.isfinite(col).any():
                i = int(np.nanargmax(col))
                d[k], who[k] = float(col[i]), str(cx.regions[i])
    else:
        i = adv.rix.get(region)
        if i is not None:
            for k, s in enumerate(segs):
                j = cols.get(s)
                if j is not None and np.isfinite(cx.density[i, j]):
                    d[k], who[k] = float(cx.density[i, j]), region
    return pd.Series(d, index=segs), pd.Series(who, index=segs, dtype=object)


def spof_table(store, year: int, chain: str) -> tuple[pd.DataFrame | None, bool]:
    """The chain's single points of failure (helper *graph*'s module), or (None, False) while it is absent."""
    try:
        from chainbrain.analytics.supply_graph import single_points_of_failure
    except ImportError:
        return None, False
    return single_points_of_failure(store, year, chain), True


def _spof(store, year: int, chain: str, region: str | None, segs: list[str]) -> tuple[pd.DataFrame, bool]:
    sp, ok = spof_table(store, year, chain)
    cols = ["spof_firms", "spof_share"]
    if sp is None or sp.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="segment_code")), ok
    sp = sp[sp["segment_code"].isin(segs)]
    if region is not None and len(sp):
        date = dt.date(year, 12, 31)
        m = members(store, date, "all", region=region).select("enterprise_id").execute()
        ent = store.table("enterprise")
        u = ent.filter(ent.id.isin([int(i) for i in m["enterprise_id"]])).select("uscc").execute()
        sp = sp[sp["master_uscc"].isin(set(u["uscc"].dropna()))]
    g = sp.groupby("segment_code").agg(spof_firms=("uscc", "nunique"), spof_share=("supply_share", "max"))
    return g, ok


def _region_name(store, region: str | None) -> str:
    code = region
    r = store.table("region")
    if region is None:
        got = r.filter(r.level == "province").select("code", "name").execute()
    else:
        got = r.filter(r.code == code).select("code", "name").execute()
    return str(got["name"].iloc[0]) if len(got) else str(code)


def gaps(backend, year: int, chain: str, region: str | None = None, *, limits: Thresholds | None = None,
         extra: bool = True) -> pd.DataFrame:
    """One row per segment of ``chain`` (columns :data:`COLUMNS`, then :data:`EXTRA` unless ``extra`` is
    False); see the module docstring.  ``backend``: the store (or an analytics view of it)."""
    store = backend
    t = limits or thresholds()
    level = _level(store, region)
    region = None if level == "province" else region
    segs_df = chain_segments(store, chain)
    segs = segs_df["segment_code"].tolist()
    date = dt.date(year, 12, 31)
    out = segs_df.set_index("segment_code")
    out["firms"] = _firms(store, date, region, segs).reindex(segs).fillna(0).astype(int)
    out["province_firms"] = (out["firms"] if region is None
                             else _firms(store, date, None, segs).reindex(segs).fillna(0).astype(int))
    rev, lq = _revenue_lq(store, year, level, region, segs)
    out["revenue_yuan"] = rev.reindex(segs).fillna(0.0).astype(float).round(2)
    out["lq"] = lq.reindex(segs).astype(float)
    sup = supply_by_segment(store, year, region, segs).reindex(segs)
    for c in ("purchases_yuan", "local_yuan"):
        out[c] = sup[c].fillna(0.0).astype(float)
    for c in ("suppliers", "local_suppliers"):
        out[c] = sup[c].fillna(0).astype(int)
    out["local_rate"] = sup["local_rate"].astype(float)
    out["top_supplier_share"] = sup["top_supplier_share"].astype(float)
    out["single_supplier"] = out["firms"] == t.single_firms
    sp, _available = _spof(store, year, chain, region, segs)
    out["spof_firms"] = sp["spof_firms"].reindex(segs).fillna(0).astype(int) if len(sp) else 0
    out["spof_share"] = sp["spof_share"].reindex(segs).astype(float) if len(sp) else np.nan
    d, who = _density(store, year, level, region, segs)
    out["density"] = d.reindex(segs).astype(float)
    out["density_region"] = who.reindex(segs)
    out["feasibility"] = [_feasibility(x, t) for x in out["density"]]
    out["bottleneck"] = out["flags"].fillna("").str.split(";").apply(lambda f: "bottleneck" in f)
    out["basis"] = "observed"
    where = _region_name(store, region)
    st, rs, codes = [], [], []
    for r in out.reset_index().to_dict("records"):
        s, why = classify_coded(r, t, where)
        st.append(s)
        rs.append([text for _, text in why])
        codes.append([code for code, _ in why])
    out["status"] = st
    out["reasons"] = rs
    out["reason_codes"] = codes
    out = out.reset_index()
    cols = COLUMNS + (EXTRA if extra else [])
    return out[cols]


def records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows (NaN → None, numpy scalars → Python)."""
    out = []
    for r in df.to_dict("records"):
        rec = {}
        for k, v in r.items():
            if isinstance(v, (list, tuple)):
                rec[k] = list(v)
            elif v is None or (isinstance(v, float) and not math.isfinite(v)):
                rec[k] = None
            elif isinstance(v, (np.bool_, bool)):
                rec[k] = bool(v)
            elif isinstance(v, np.integer):
                rec[k] = int(v)
            elif isinstance(v, np.floating):
                rec[k] = None if not np.isfinite(v) else float(v)
            elif v is pd.NA or v is pd.NaT:
                rec[k] = None
            else:
                rec[k] = v
        out.append(rec)
    return out
