"""The cluster scorecard along MIIT's five dimensions, and each indicator's gap to the national reference.

Dimensions (policy-facts §5.1): innovation; high-end, smart and green manufacturing; quality
enterprises; factor agglomeration and ecology; governance (a cluster promotion organisation).
Indicators, weights, references and the scoring rule are pack data (``clusters.toml``
``[scorecard]``, marked unsourced: MIIT's national indicators and thresholds are not published).

Indicators measured from the store, over the cluster's members (:mod:`.cluster_members`) in the
year's period (:mod:`.cluster_figures`); ``n`` = the firms a figure is built from:

- revenue = Σ revenue_ytd (yuan); revenue_growth = the monitoring engine's comparable growth of the
  cluster scope (``revenue_yoy``, docs/monitoring.md; without it Σ revenue / Σ revenue_prev − 1 over the
  members reporting both); member_firms = members with a report;
- rd_intensity = Σ rd_expense / Σ revenue over the members reporting R&D (fraction);
- energy_intensity = Σ energy_tce / (Σ value_added / 10,000) over the members' annual reports of the
  year with both (tce per 10,000 yuan);
- local_supply_rate = Σ purchases from suppliers in the province / Σ purchases (``supply_link`` of
  the year, fraction);
- designation counts (high-tech, little giants, single champions, SRDI, chain masters, lighthouse and
  benchmark factories): members holding one valid on the period's last day (firms, any level);
- promotion_organisation: pack data per cluster (``[governance]``); indicators marked ``store =
  false`` (innovation carriers, digital level, national market share) have no data in the store.

A figure without data is None ("no data"), never 0. Score of an indicator with a reference:
max(0, min(value / reference, cap)) × 100 (``direction = "lower"``: reference / value); a dimension's score is
the weighted mean of its scored indicators, the cluster's of its scored dimensions (None when none).
"""

from __future__ import annotations

import pandas as pd

from chainbrain.rounding import missing


def _ratio(a: float, b: float):
    return None if missing(a) or missing(b) or b == 0 else a / b


def measures(frames: dict, governance: dict, indicators: dict, kpi: dict | None = None) -> dict[str, dict[str, dict]]:
    """cluster → indicator → {value, n, firms (ids)}: the raw figures. ``kpi``: cluster → the monitoring
    engine's record of the cluster scope (:func:`chainbrain.analytics.indicators.evaluate`, ``by="cluster"``),
    whose comparable growth ``revenue_yoy`` (the monitoring definition) replaces the plain one."""
    rep, des, en, pur = frames["reports"], frames["designations"], frames["energy"], frames["purchases"]
    out: dict[str, dict[str, dict]] = {}
    codes = sorted(set(frames["members"]["cluster_code"]))
    for c in codes:
        r = rep[rep["cluster_code"] == c]
        figs: dict[str, dict] = {}

        def fig(name, value, sample):
            ids = sorted(int(i) for i in sample["enterprise_id"].unique()) if len(sample) else []
            figs[name] = {"value": None if missing(value) else float(value), "n": len(ids), "firms": ids}

        fig("revenue", r["revenue"].sum() if len(r) else None, r)
        figs["member_firms"] = {"value": float(r["enterprise_id"].nunique()) if len(r) else None,
                                "n": 0, "firms": []}             # a count of firms: not confidential
        comp = r[r["revenue_prev"].notna() & (r["revenue_prev"] > 0) & r["revenue"].notna()]
        g = _ratio(comp["revenue"].sum(), comp["revenue_prev"].sum())
        fig("revenue_growth", None if g is None else g - 1, comp)
        rec = (kpi or {}).get(c)
        if rec is not None:          # the engine's comparable sample (with its fallbacks): n from the engine,
            figs["revenue_growth"] = {"value": None if missing(rec.get("revenue_yoy")) else float(rec["revenue_yoy"]),
                                      "n": int(rec.get("revenue_yoy_n") or 0),   # firms: all reporting members
                                      "firms": figs["revenue"]["firms"]}
        rd = r[r["rd"].notna() & r["revenue"].notna()]
        fig("rd_intensity", _ratio(rd["rd"].sum(), rd["revenue"].sum()) if len(rd) else None, rd)
        e = en[(en["cluster_code"] == c) & en["energy"].notna() & en["value_added"].notna()]
        fig("energy_intensity", _ratio(e["energy"].sum(), e["value_added"].sum() / 1e4) if len(e) else None, e)
        p = pur[pur["cluster_code"] == c]
        fig("local_supply_rate", _ratio(p.loc[p["local"].astype(bool), "amount"].sum(), p["amount"].sum())
            if len(p) else None, p)
        d = des[des["cluster_code"] == c]
        for name, spec in indicators.items():
            kinds = spec.get("designation")
            if kinds:
                figs[name] = {"value": float(d.loc[d["kind"].isin(kinds), "enterprise_id"].nunique()),
                              "n": 0, "firms": []}
        gov = governance.get(c, {})
        figs["promotion_organisation"] = {"value": None if gov.get("promotion_organisation") is None
                                          else float(gov["promotion_organisation"]), "n": 0, "firms": [],
                                          "source": gov.get("source")}
        out[c] = figs
    return out


def score(value, spec: dict, cap: float):
    ref = spec.get("reference")
    if missing(value) or ref is None:
        return None
    if spec.get("direction") == "lower":
        return None if value <= 0 else min(ref / value, cap) * 100
    return None if ref == 0 else max(0.0, min(value / ref, cap)) * 100     # a fall scores 0, not below


def _mean(pairs):
    pairs = [(s, w) for s, w in pairs if s is not None and w]
    return sum(s * w for s, w in pairs) / sum(w for _, w in pairs) if pairs else None


def scorecard(cluster: dict, figs: dict, rules: dict) -> dict:
    """One cluster's card: dimensions → indicators (value, unit, n, reference, gap, score, sources)."""
    sc = rules.get("scorecard", {})
    specs, cap = sc.get("indicator", {}), float(sc.get("cap", 1.0))
    dims = []
    for dim in sc.get("dimension", []):
        rows = []
        for code in dim["indicators"]:
            spec = specs.get(code, {})
            f = figs.get(code, {"value": None, "n": 0, "firms": []})
            v = None if spec.get("store") is False else f["value"]
            ref = spec.get("reference")
            rows.append({"code": code, "name_zh": spec.get("name_zh", code), "name_en": spec.get("name_en", code),
                         "unit": spec.get("unit"), "direction": spec.get("direction", "higher"),
                         "value": v, "n": f["n"], "reference": ref,
                         "reference_source": spec.get("reference_source"),
                         "gap": None if v is None or ref is None else v - ref,
                         "score": score(v, spec, cap), "weight": spec.get("weight", 1.0),
                         "source": f.get("source"), "firms": f["firms"]})
        dims.append({"code": dim["code"], "name_zh": dim["name_zh"], "name_en": dim["name_en"],
                     "weight": dim.get("weight", 1.0),
                     "score": _mean((r["score"], r["weight"]) for r in rows), "indicators": rows})
    return {"code": cluster["code"], "name_zh": cluster["name_zh"], "name_en": cluster["name_en"],
            "program": cluster["program"],
            "score": _mean((d["score"], d["weight"]) for d in dims), "dimensions": dims,
            "scoring_sourced": bool(sc.get("sourced", False)), "scoring_source": sc.get("source")}


def overlap(frames: dict) -> dict[str, set]:
    """cluster → its member ids with a report (for the nested-cluster disclosure check)."""
    r = frames["reports"]
    return {c: set(int(i) for i in g["enterprise_id"]) for c, g in r.groupby("cluster_code")} if len(r) else {}


def union_totals(frames: dict) -> dict:
    """Revenue and comparable growth of the union of all clusters' members (a firm counted once)."""
    r = frames["reports"].drop_duplicates("enterprise_id") if len(frames["reports"]) else pd.DataFrame()
    if r.empty:
        return {"revenue": None, "revenue_growth": None, "n": 0, "firms": []}
    comp = r[r["revenue_prev"].notna() & (r["revenue_prev"] > 0)]
    g = _ratio(comp["revenue"].sum(), comp["revenue_prev"].sum())
    return {"revenue": float(r["revenue"].sum()), "revenue_growth": None if g is None else g - 1,
            "n": int(len(r)), "firms": sorted(int(i) for i in r["enterprise_id"])}
