"""融通 large–small matching: chain masters' needs against the capable small suppliers of the province.

A need names the buyer (a chain master, by USCC), the segment it buys from, a product text and
optionally a city. The suppliers proposed are the library's enterprises other than the buyer whose
segments (valid on the date, :func:`chainbrain.analytics.scope._enterprise_segments`) are the need's
segment or a sub-segment of it (for a sub-segment need: also its parent), and that are not known to
be large (工信部联企业〔2011〕300号: an industrial SME has < 1000 employees or < 40000万元 revenue, so a
firm with both at or above is large; size from its latest annual report, unknown = kept and marked).

Points (pack ``scaleup.toml [matching]``, unsourced weights): segment exact 3 / related 2; same city as
the buyer (or the need's city) 2; a word of the product (split on spaces, commas and 、) in the
firm's name or main products 2; its highest SME tier valid on the date (小巨人 3, 专精特新 2,
创新型 1; SME tiers without a stored end valid 3 years, as in the funnel). A firm already supplying
the buyer (``supply_link``, any year) is marked ``existing``. Ranked by points, then id; the reasons
list each point.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from chainbrain.analytics.cultivate_funnel import _held
from chainbrain.analytics.cultivate_rules import rules as tier_rules
from chainbrain.analytics.scaleup_rules import rules
from chainbrain.analytics.scope import _enterprise_segments, latest, latest_reports

TIERS = ("little_giant", "srdi", "innovative_sme")
TIER_NAMES = {"little_giant": "专精特新“小巨人”", "srdi": "专精特新中小企业", "innovative_sme": "创新型中小企业"}


def _library(store, date: dt.date) -> pd.DataFrame:
    e = store.table("enterprise")
    ent = e.select(enterprise_id=e.id, uscc=e.uscc, name=e.name, region_code=e.region_code,
                   main_products=e.main_products).execute()
    reg = store.table("region").select("code", "prefecture_code").execute()
    ent["city"] = ent["region_code"].map(dict(zip(reg["code"], reg["prefecture_code"])))
    a = store.table("annual_report")
    a = latest_reports(a.filter(a.year <= date.year), ["enterprise_id", "year"])
    a = a.select("enterprise_id", "year", revenue=a.revenue.cast("float64"), employees=a.employees.cast("float64"))
    ann = a.execute().sort_values(["enterprise_id", "year"]).drop_duplicates("enterprise_id", keep="last")
    ent = ent.merge(ann[["enterprise_id", "revenue", "employees"]], on="enterprise_id", how="left")
    cfg = rules()["matching"]
    emp, rev = ent["employees"], ent["revenue"]
    ent["large"] = (emp >= cfg["sme_max_employees"]) & (rev >= cfg["sme_max_revenue_yuan"])
    sme = (emp < cfg["sme_max_employees"]) | (rev < cfg["sme_max_revenue_yuan"])
    ent["size_known"] = sme | ent["large"]
    years = int(tier_rules()["scheme"]["validity_years"])
    held = _held(store, date, 0, years).select("enterprise_id", "kind").execute()
    best = {}
    for eid, kind in zip(held["enterprise_id"], held["kind"]):
        if kind in TIERS and (eid not in best or TIERS.index(kind) < TIERS.index(best[eid])):
            best[eid] = kind
    ent["tier"] = ent["enterprise_id"].map(best)
    return ent


def _s(v) -> str:
    """A text cell as str: missing (None, NaN, NA) → ''."""
    return v if isinstance(v, str) else ""


def _true(v) -> bool:
    """A flag cell: True only when it is a real true value (missing → False)."""
    return v is not None and v is not pd.NA and not (isinstance(v, float) and v != v) and bool(v)


def match(store, needs: pd.DataFrame, date: dt.date, top: int | None = None) -> list[dict]:
    """One row per need × proposed supplier (best ``top`` per need): points, reasons, ``existing``."""
    cfg = rules()["matching"]
    top = top or int(cfg["top"])
    ent = _library(store, date)
    by_uscc = dict(zip(ent["uscc"], ent["enterprise_id"]))
    segs = _enterprise_segments(store, date).execute()
    seg_t = store.table("segment").select("code", "parent_code", "level").execute()
    parent = dict(zip(seg_t["code"], seg_t["parent_code"]))
    sl = latest(store.table("supply_link"), ["supplier_id", "buyer_id", "year"]).select("supplier_id", "buyer_id")
    links = set(map(tuple, sl.execute().drop_duplicates().to_numpy().tolist()))
    todo = needs.to_dict("records")
    wanted = set()                                     # the needs' segments and their related ones
    for need in todo:
        seg = need["segment_code"]
        if seg in parent:
            wanted |= {seg} | {c for c, p in parent.items() if p == seg} | ({parent[seg]} if parent.get(seg) else set())
    ids = set(segs.loc[segs["segment_code"].isin(wanted), "enterprise_id"])
    ids |= {by_uscc[n["buyer_uscc"]] for n in todo if n["buyer_uscc"] in by_uscc}
    info = ent[ent["enterprise_id"].isin(ids)].set_index("enterprise_id").to_dict("index")   # plain dicts per row
    out = []
    for need in todo:
        buyer = by_uscc.get(need["buyer_uscc"])
        if buyer is None:
            raise ValueError(f"need {need['need_id']}: buyer {need['buyer_uscc']} is not in the library "
                             f"(需求方不在企业库中)")
        seg = need["segment_code"]
        if seg not in parent:
            raise ValueError(f"need {need['need_id']}: unknown segment {seg} (未知环节)")
        related = {s for s, p in parent.items() if p == seg} | ({parent[seg]} if parent.get(seg) else set())
        cand = segs[segs["segment_code"].isin({seg} | related)]
        exact = set(cand.loc[cand["segment_code"] == seg, "enterprise_id"])
        ids = sorted(set(cand["enterprise_id"]) - {buyer})
        city = need.get("city") or _s(info[buyer]["city"])
        words = [w for w in re.split(r"[\s,，、;；]+", str(need.get("product") or "")) if w]
        rows = []
        for i in ids:
            f = info[i]
            if _true(f["large"]):
                continue
            pts, why = 0, []
            if i in exact:
                pts += cfg["segment_exact"]
                why.append(f"环节 {seg} +{cfg['segment_exact']}")
            else:
                pts += cfg["segment_sub"]
                why.append(f"相关环节 +{cfg['segment_sub']}")
            if city and _s(f["city"]) == city:
                pts += cfg["same_city"]
                why.append(f"同城 {city} +{cfg['same_city']}")
            text = f"{_s(f['name'])} {_s(f['main_products'])}"
            hit = [w for w in words if w in text]
            if hit:
                pts += cfg["keyword"]
                why.append(f"产品“{hit[0]}” +{cfg['keyword']}")
            tier = f["tier"] if isinstance(f["tier"], str) else None
            if tier:
                pts += cfg["tier"][tier]
                why.append(f"{TIER_NAMES[tier]} +{cfg['tier'][tier]}")
            if not _true(f["size_known"]):
                why.append("规模未知（未核实为中小企业）")
            existing = (i, buyer) in links
            if existing:
                why.append("已是其供应商")
            rows.append({"need_id": str(need["need_id"]), "buyer_id": int(buyer), "supplier_id": int(i),
                         "uscc": f["uscc"] if isinstance(f["uscc"], str) else None, "name": f["name"],
                         "city": _s(f["city"]) or None, "points": int(pts), "tier": tier, "existing": existing,
                         "reasons": "; ".join(why)})
        rows.sort(key=lambda r: (-r["points"], r["supplier_id"]))
        for k, r in enumerate(rows[:top], start=1):
            out.append({**r, "rank": k})
    return out


def counts(rows: list[dict], needs: pd.DataFrame, chain_of_segment: dict) -> list[dict]:
    """Per chain: needs, needs with at least one proposal, proposals, proposals among existing suppliers."""
    n = pd.DataFrame(rows, columns=["need_id", "existing"])
    out = {}
    for need in needs.to_dict("records"):
        ch = chain_of_segment.get(need["segment_code"])
        c = out.setdefault(ch, {"chain_code": ch, "needs": 0, "needs_matched": 0, "proposals": 0, "existing": 0})
        mine = n[n["need_id"] == str(need["need_id"])]
        c["needs"] += 1
        c["needs_matched"] += int(len(mine) > 0)
        c["proposals"] += int(len(mine))
        c["existing"] += int(np.sum(mine["existing"].astype(bool)))
    return sorted(out.values(), key=lambda c: c["chain_code"] or "")
