"""Investment-attraction targets (精准招商) and 链主+ lists.

**Targets.** For a chain c, a year Y and a region r (the province, a city or
a county), the target segments are the gap segments of c in r
(:func:`chainbrain.analytics.supply_gaps.gaps`: status ≠ ``ok``), or the one
segment asked for (any status).  Candidates are the enterprises registered
outside the province (``enterprise.province_code`` ≠ the province: supply
partners and firms imported with ``import external``) whose segment on
31 December of Y (a sub-segment under its top segment) is a target segment —
one row per candidate × segment.  Criteria (values shown with every row):

| criterion | value | kind |
|---|---|---|
| ``gap_fill`` | the pack's points for the segment's gap status in r (missing 1, broken risk 0.75, weak 0.5, ok 0) | benefit |
| ``local_demand`` | yuan r's buyers bought from the segment in Y (observed links, all suppliers) | benefit |
| ``master_link`` | yuan the candidate sold in Y to c's chain masters located in r | benefit |
| ``size`` | the candidate's revenue, latest annual report of a year ≤ Y (yuan) | benefit |
| ``distance`` | great-circle km between the capitals of its province and of the home province | cost |
| ``growth`` | revenue growth over the year before that report, a fraction | benefit |
| ``quality`` | Σ the pack's points of its designations valid on 31 December of Y (小巨人, 单项冠军, 上市, 专精特新, 高新) | benefit |

They are ranked with TOPSIS (:mod:`chainbrain.analytics.topsis`, Hwang &
Yoon 1981) under the pack's weights (``attract.toml`` ``[targets.weights]``,
unsourced), which a request may override (normalised to sum 1).  Missing
values (no revenue, no previous year) take the criterion's worst value and
are listed in ``imputed``.

**链主+.** For each chain master of c (designation ``chain_master`` for c
valid on 31 December of Y, located in the province), its suppliers registered
outside the province in Y, in segments the province lacks or depends on
(province-level gap status ≠ ``ok``), with the amount, the share of the
master's observed purchases, the segment and its status: the list a chain
leader takes to the chain master (链主带配套).

Great-circle distance: haversine on a sphere of radius 6,371.0088 km (the
IUGG mean Earth radius).
"""

from __future__ import annotations

import csv
import datetime as dt
import math

import ibis
import numpy as np
import pandas as pd

from chainbrain.analytics import supply_gaps as G
from chainbrain.analytics import supply_local as SL
from chainbrain.analytics.scope import Shared, latest, members
from chainbrain.analytics.topsis import normalise_weights, topsis

CRITERIA = ["gap_fill", "local_demand", "master_link", "size", "distance", "growth", "quality"]
COST = frozenset({"distance"})
EARTH_KM = 6371.0088
TARGET_COLUMNS = ["rank", "score", "enterprise_id", "uscc", "name", "province_code", "province_name",
                  "segment_code", "segment_name", "gap_status", *CRITERIA, "revenue_year", "sells_to_province_yuan",
                  "tags", "imputed", "d_plus", "d_minus"]


# ------------------------------------------------------------------ configuration
def config(pack=None) -> dict:
    """Weights, points and distances of the pack (``attract.toml`` ``[targets]``, ``provinces.csv``)."""
    from chainbrain.catalog.pack import load_pack

    pack = pack if pack is not None and not isinstance(pack, str) else load_pack(pack)
    raw = G.attract_config(pack)
    t = raw.get("targets", {})
    provinces = {}
    name = pack.files.get("provinces")
    if name:
        with open(pack.path / name, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                provinces[r["code"]] = (r["name"], float(r["lat"]), float(r["lon"]))
    return {"version": t.get("version", "default"), "sourced": bool(t.get("sourced", False)),
            "note": t.get("note", ""),
            "weights": normalise_weights(dict(t.get("weights", {c: 1.0 for c in CRITERIA})), CRITERIA),
            "gap_points": dict(t.get("gap_points", {"missing": 1.0, "broken_risk": 0.75, "weak": 0.5, "ok": 0.0})),
            "quality_points": dict(t.get("quality_points", {})),
            "home": raw.get("distance", {}).get("home", pack.province_code), "provinces": provinces}


def parse_weights(text: str | None) -> dict[str, float]:
    """``"size=0.3,distance=0.2"`` → {criterion: weight} (bilingual errors; empty → {})."""
    out: dict[str, float] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        k, sep, v = part.partition("=")
        k = k.strip()
        if not sep:
            raise ValueError(f"weights: {part!r} is not criterion=number (权重格式应为 指标=数值)")
        if k not in CRITERIA:
            raise ValueError(f"weights: unknown criterion {k!r}; use {', '.join(CRITERIA)} (未知指标 {k})")
        try:
            out[k] = float(v)
        except ValueError:
            raise ValueError(f"weights: {k}={v.strip()!r} is not a number (权重 {k} 不是数值)") from None
    return out


def weights_for(cfg: dict, override: dict[str, float] | None) -> dict[str, float]:
    """The pack's weights with ``override`` on top, normalised to sum 1."""
    w = dict(cfg["weights"])
    if override:
        w.update(override)
    return normalise_weights(w, CRITERIA)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, a)))


def distance_km(cfg: dict, province: str | None) -> float:
    prov = cfg["provinces"]
    if province not in prov or cfg["home"] not in prov:
        return float("nan")
    _, la, lo = prov[province]
    _, hla, hlo = prov[cfg["home"]]
    return haversine_km(la, lo, hla, hlo)


# ------------------------------------------------------------------ data
def _candidates(store, year: int, segs: list[str], home: str) -> pd.DataFrame:
    """(enterprise_id, uscc, name, province_code, segment_code) of out-of-province firms in ``segs``."""
    date = dt.date(year, 12, 31)
    sh = Shared(store)
    ent = sh.table("enterprise")
    ent = ent.filter(ent.province_code.notnull() & (ent.province_code != home))
    seg = sh.segments(date)
    seg = seg.filter(seg.top_segment.isin(segs)).select(_sid=seg.enterprise_id, segment_code=seg.top_segment)
    j = ent.join(seg, ent.id == seg._sid)
    df = j.select(enterprise_id=ent.id, uscc=ent.uscc, name=ent.name, province_code=ent.province_code,
                  segment_code=j.segment_code).distinct().execute()
    return df.sort_values(["segment_code", "enterprise_id"], ignore_index=True)


def _revenue(store, year: int, ids: list[int]) -> pd.DataFrame:
    """Per enterprise: revenue (latest annual report year ≤ ``year``), revenue_year, growth (NaN without the
    year before)."""
    if not ids:
        return pd.DataFrame(columns=["revenue", "revenue_year", "growth"])
    a = store.table("annual_report")
    a = latest(a.filter(a.enterprise_id.isin(ids) & (a.year <= year)), ["enterprise_id", "year"])
    df = a.select("enterprise_id", "year", revenue=a.revenue.cast("float64")).execute()
    if df.empty:
        return pd.DataFrame(columns=["revenue", "revenue_year", "growth"])
    df = df.sort_values(["enterprise_id", "year"])
    last = df.groupby("enterprise_id").tail(1).set_index("enterprise_id")
    prev = df.set_index(["enterprise_id", "year"])["revenue"]
    key = list(zip(last.index, last["year"] - 1))
    before = pd.Series([prev.get(k, np.nan) for k in key], index=last.index, dtype=float)
    growth = (last["revenue"] / before - 1).where(before > 0)
    return pd.DataFrame({"revenue": last["revenue"], "revenue_year": last["year"].astype(int), "growth": growth})


def _tags(store, year: int, ids: list[int]) -> dict[int, list[str]]:
    from chainbrain.store.schema import DESIGNATION_KEY

    if not ids:
        return {}
    date = ibis.literal(dt.date(year, 12, 31))
    d = latest(store.table("designation"), list(DESIGNATION_KEY))
    d = d.filter(d.enterprise_id.isin(ids) & (d.valid_from <= date) & (d.valid_to.isnull() | (d.valid_to >= date)))
    df = d.select("enterprise_id", "kind").distinct().execute()
    out: dict[int, list[str]] = {}
    for r in df.sort_values(["enterprise_id", "kind"]).itertuples():
        out.setdefault(int(r.enterprise_id), []).append(str(r.kind))
    return out


def chain_masters(store, year: int, chain: str, region: str | None = None) -> pd.DataFrame:
    """(enterprise_id, uscc, name, region_code) of ``chain``'s masters on 31 December of ``year`` located in
    ``region`` (the province when None)."""
    from chainbrain.store.schema import DESIGNATION_KEY

    date = dt.date(year, 12, 31)
    lit = ibis.literal(date)
    d = latest(store.table("designation"), list(DESIGNATION_KEY))
    d = d.filter((d.kind == "chain_master") & (d.chain_code.isnull() | (d.chain_code == chain))
                 & (d.valid_from <= lit) & (d.valid_to.isnull() | (d.valid_to >= lit)))
    d = d.select(_mid=d.enterprise_id).distinct()
    m = members(store, date, "all", region=region).select("enterprise_id")
    sh = Shared(store, cte=False)
    loc = sh.located(date)
    ent = store.table("enterprise")
    j = d.join(m, d._mid == m.enterprise_id).join(ent, d._mid == ent.id).join(loc, d._mid == loc.enterprise_id)
    df = j.select(enterprise_id=ent.id, uscc=ent.uscc, name=ent.name, region_code=loc.region_code).distinct().execute()
    return df.sort_values("enterprise_id", ignore_index=True)


def _sales(store, year: int, ids: list[int], to: list[int] | None) -> pd.Series:
    """Σ amount of ``year``'s links from each of ``ids`` into ``to`` (library buyers in the province when None)."""
    if not ids:
        return pd.Series(dtype=float)
    f = SL.links(store, year)
    f = f.filter(f.supplier_id.isin(ids))
    if to is not None:
        if not to:
            return pd.Series(dtype=float)
        f = f.filter(f.buyer_id.isin(to))
    else:
        date = dt.date(year, 12, 31)
        b = Shared(store, cte=False).base(date, "all")
        b = b.select(_b=b.enterprise_id)
        f = f.join(b, f.buyer_id == b._b)
    df = f.group_by("supplier_id").aggregate(a=f.amount.sum()).execute()
    return pd.Series(df["a"].astype(float).to_numpy(), index=df["supplier_id"].astype(int))


# ------------------------------------------------------------------ targets
def targets(store, year: int, chain: str, segment: str | None = None, region: str | None = None,
            weights: dict[str, float] | None = None, top: int | None = None, gap_table: pd.DataFrame | None = None,
            pack=None, master: str | None = None) -> dict:
    """Ranked candidates (module docstring) as ``{"rows": DataFrame (TARGET_COLUMNS), "weights", "gaps",
    "config"}``; ``weights`` override the pack's (bilingual ValueError on bad ones); ``master`` (a chain
    master's USCC): ``master_link`` counts sales to that master only (targets for one chain master)."""
    cfg = config(pack)
    w = weights_for(cfg, weights)
    gp = G.gaps(store, year, chain, region) if gap_table is None else gap_table
    if segment is not None:
        if segment not in set(gp["segment_code"]):
            raise ValueError(f"segment {segment} is not a segment of chain {chain} (环节 {segment} 不属于产业链 {chain})")
        segs = [segment]
    else:
        segs = gp.loc[gp["status"] != "ok", "segment_code"].tolist()
    home = SL.home_province(store)
    cand = _candidates(store, year, segs, home) if segs else pd.DataFrame(
        columns=["enterprise_id", "uscc", "name", "province_code", "segment_code"])
    info = gp.set_index("segment_code")
    ids = sorted({int(i) for i in cand["enterprise_id"]})
    rev = _revenue(store, year, ids)
    tags = _tags(store, year, ids)
    masters = chain_masters(store, year, chain, None if G._level(store, region) == "province" else region)
    if master is not None:
        masters = masters[masters["uscc"] == master]
        if masters.empty:
            raise ValueError(f"{master} is not a chain master of {chain} located there in {year} "
                             f"({master} 不是该地区 {chain} 产业链的链主企业)")
    ml = _sales(store, year, ids, [int(i) for i in masters["enterprise_id"]])
    sp = _sales(store, year, ids, None)
    qp = cfg["quality_points"]
    c = cand.copy()
    eid = c["enterprise_id"].astype(int)
    c["segment_name"] = c["segment_code"].map(info["segment_name"])
    c["gap_status"] = c["segment_code"].map(info["status"])
    vals = pd.DataFrame(index=c.index)
    vals["gap_fill"] = c["gap_status"].map(lambda s: float(cfg["gap_points"].get(s, 0.0)))
    vals["local_demand"] = c["segment_code"].map(info["purchases_yuan"]).astype(float)
    vals["master_link"] = eid.map(ml).fillna(0.0).astype(float)
    vals["size"] = eid.map(rev["revenue"]).astype(float) if len(rev) else np.nan
    vals["distance"] = [distance_km(cfg, p) for p in c["province_code"]]
    vals["growth"] = eid.map(rev["growth"]).astype(float) if len(rev) else np.nan
    c["tags"] = [tags.get(int(i), []) for i in eid]
    vals["quality"] = [float(sum(qp.get(k, 0) for k in t)) for t in c["tags"]]
    scored = topsis(vals[CRITERIA], w, COST)
    out = pd.concat([c, scored], axis=1)
    out["revenue_year"] = eid.map(rev["revenue_year"]) if len(rev) else None
    out["sells_to_province_yuan"] = eid.map(sp).fillna(0.0).astype(float)
    prov = cfg["provinces"]
    out["province_name"] = [prov.get(p, (p,))[0] for p in out["province_code"]]
    out = out.sort_values(["rank"], ignore_index=True)
    if top:
        out = out.head(int(top))
    cols = TARGET_COLUMNS + [f"{k}_{s}" for k in CRITERIA for s in ("norm", "weighted")]
    return {"rows": out.reindex(columns=cols), "weights": w, "gaps": gp, "config": cfg, "segments": segs}


# ------------------------------------------------------------------ 链主+
MASTER_COLUMNS = ["master_id", "master_uscc", "master_name", "master_region", "master_purchases_yuan",
                  "enterprise_id", "uscc", "name", "province_code", "province_name", "segment_code", "segment_name",
                  "gap_status", "amount_yuan", "share_of_master", "distance"]


def master_suppliers(store, year: int, chain: str, gap_table: pd.DataFrame | None = None, pack=None) -> dict:
    """链主+ (module docstring): ``{"rows": DataFrame (MASTER_COLUMNS), "masters": DataFrame, "gaps"}``."""
    cfg = config(pack)
    gp = G.gaps(store, year, chain) if gap_table is None else gap_table
    gaps_ = gp[gp["status"] != "ok"].set_index("segment_code")
    masters = chain_masters(store, year, chain)
    home = SL.home_province(store)
    date = dt.date(year, 12, 31)
    mids = [int(i) for i in masters["enterprise_id"]]
    empty = {"rows": pd.DataFrame(columns=MASTER_COLUMNS), "masters": masters, "gaps": gp}
    if not mids:
        return empty
    f = SL.links(store, year)
    f = f.filter(f.buyer_id.isin(mids))
    tot = f.group_by("buyer_id").aggregate(p=f.amount.sum()).execute()
    total = dict(zip(tot["buyer_id"].astype(int), tot["p"].astype(float)))
    ent = store.table("enterprise")
    ent = ent.filter(ent.province_code.notnull() & (ent.province_code != home))
    seg = Shared(store).segments(date)
    seg = seg.select(_sid=seg.enterprise_id, segment_code=seg.top_segment).distinct()
    j = f.join(ent, f.supplier_id == ent.id).join(seg, f.supplier_id == seg._sid)
    df = j.group_by([j.buyer_id, j.supplier_id, j.uscc, j.name, j.province_code, j.segment_code]).aggregate(
        amount_yuan=j.amount.sum()).execute()
    df = df[df["segment_code"].isin(gaps_.index)]
    if df.empty:
        return empty
    mi = masters.set_index("enterprise_id")
    prov = cfg["provinces"]
    out = pd.DataFrame({
        "master_id": df["buyer_id"].astype(int), "master_uscc": df["buyer_id"].map(mi["uscc"]),
        "master_name": df["buyer_id"].map(mi["name"]), "master_region": df["buyer_id"].map(mi["region_code"]),
        "master_purchases_yuan": df["buyer_id"].astype(int).map(total).astype(float),
        "enterprise_id": df["supplier_id"].astype(int), "uscc": df["uscc"], "name": df["name"],
        "province_code": df["province_code"],
        "province_name": [prov.get(p, (p,))[0] for p in df["province_code"]],
        "segment_code": df["segment_code"], "segment_name": df["segment_code"].map(gaps_["segment_name"]),
        "gap_status": df["segment_code"].map(gaps_["status"]),
        "amount_yuan": df["amount_yuan"].astype(float).round(2)})
    out["share_of_master"] = (out["amount_yuan"] / out["master_purchases_yuan"]).where(out["master_purchases_yuan"] > 0)
    out["distance"] = [distance_km(cfg, p) for p in out["province_code"]]
    out = out.sort_values(["master_id", "amount_yuan", "enterprise_id"], ascending=[True, False, True],
                          ignore_index=True)
    return {"rows": out[MASTER_COLUMNS], "masters": masters, "gaps": gp}


__all__ = ["CRITERIA", "COST", "TARGET_COLUMNS", "MASTER_COLUMNS", "config", "parse_weights", "weights_for",
           "haversine_km", "distance_km", "targets", "master_suppliers", "chain_masters"]
