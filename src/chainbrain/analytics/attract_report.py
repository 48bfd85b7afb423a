"""Gaps, targets and 链主+ as JSON-ready answers and as tables (the pages, their twins, the command line).

One answer per list, the same for ``chainbrain attract …`` and the web twins:
``gaps_answer``, ``targets_answer``, ``masters_answer``; each carries
``tables`` in the layout of :func:`chainbrain.web.render.table` (id, title,
columns with key/label/kind, rows), so every list has its Excel download.
Money in yuan, rates and shares as fractions, distance in km.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from chainbrain.analytics import attract as AT
from chainbrain.catalog.designations import kind_name
from chainbrain.analytics import supply_gaps as G

STATUS_LABELS = {"missing": ("缺链", "missing"), "broken_risk": ("断链风险", "broken-link risk"),
                 "weak": ("弱链", "weak"), "ok": ("正常", "ok")}
STAGE_LABELS = {"upstream": ("上游", "upstream"), "midstream": ("中游", "midstream"),
                "downstream": ("下游", "downstream")}
FEAS_LABELS = {"near": ("近（现实的补链目标）", "near (realistic)"), "moderate": ("中", "moderate"),
               "far": ("远（难以补链）", "far"), "unknown": ("无法判断", "unknown")}
CRIT_LABELS = {"gap_fill": ("补链价值", "Gap fill"), "local_demand": ("本地采购额", "Local demand"),
               "master_link": ("已供链主额", "Sales to chain masters"), "size": ("营业收入", "Revenue"),
               "distance": ("距离（公里）", "Distance (km)"), "growth": ("增长率", "Growth"),
               "quality": ("质量标签分", "Quality tags")}


def _clean(v):
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(float(v)) else float(v)
    return v


def records(df: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")]


def _i(lang: str) -> int:
    return 1 if lang == "en" else 0


def _table(id: str, title: str, columns: list[tuple[str, str, str]], rows: list[dict], period: str | None) -> dict:
    return {"id": id, "title": title, "unit": "", "period": period,
            "columns": [{"key": k, "label": label, "kind": kind} for k, label, kind in columns], "rows": rows}


def gaps_answer(store, year: int, chain: str, region: str | None = None, lang: str = "zh",
                limits: G.Thresholds | None = None) -> dict:
    """``{"chain", "year", "region", "thresholds", "spof_available", "rows", "tables"}`` (all figures)."""
    i = _i(lang)
    t = limits or G.thresholds()
    df = G.gaps(store, year, chain, region, limits=t)
    spof_ok = _spof_available()
    rows = records(df)
    for r in rows:
        r["status_label"] = STATUS_LABELS[r["status"]][i]
        r["feasibility_label"] = FEAS_LABELS[r["feasibility"]][i]
        r["stage_label"] = STAGE_LABELS.get(r["stage_code"], (r["stage_code"], r["stage_code"]))[i]
        r["key"] = r["segment_code"]
    return {"chain": chain, "year": year, "region": region, "thresholds": t.as_dict(), "spof_available": spof_ok,
            "rows": rows, "tables": [gaps_table(rows, lang, str(year))]}


def _spof_available() -> bool:
    try:
        import chainbrain.analytics.supply_graph  # noqa: F401
    except ImportError:
        return False
    return True


def gaps_table(rows: list[dict], lang: str, period: str | None) -> dict:
    zh = lang != "en"
    cols = [("segment_code", "环节代码" if zh else "Code", "text"), ("segment_name", "环节" if zh else "Segment", "text"),
            ("stage_label", "环节位置" if zh else "Stage", "text"), ("status_label", "状态" if zh else "Status", "text"),
            ("firms", "企业数（家）" if zh else "Firms", "count"),
            ("revenue_yuan", "营业收入（元）" if zh else "Revenue (yuan)", "num"),
            ("lq", "区位熵" if zh else "LQ", "num"), ("local_rate", "本地配套率" if zh else "Local rate", "pct"),
            ("top_supplier_share", "最大供应商占比" if zh else "Top supplier share", "pct"),
            ("spof_firms", "断点企业数" if zh else "SPOF firms", "count"),
            ("density", "关联密度" if zh else "Density", "num"),
            ("feasibility_label", "补链可行性" if zh else "Feasibility", "text"),
            ("reasons_text", "依据" if zh else "Reasons", "text")]
    out = [{**r, "reasons_text": "；".join(r.get("reasons") or [])} for r in rows]
    return _table("gaps", "产业链缺口（补链）" if zh else "Chain gaps", cols, out, period)


def targets_answer(store, year: int, chain: str, segment: str | None = None, region: str | None = None,
                   weights: dict | None = None, top: int | None = None, lang: str = "zh",
                   gap_table: pd.DataFrame | None = None, master: str | None = None) -> dict:
    """``{"chain", "year", "region", "segment", "segments", "criteria", "weights", "weights_pack",
    "weights_version", "sourced", "rows", "tables"}``."""
    i = _i(lang)
    res = AT.targets(store, year, chain, segment, region, weights, top, gap_table=gap_table, master=master)
    cfg = res["config"]
    rows = records(res["rows"])
    for r in rows:
        r["gap_label"] = STATUS_LABELS.get(r["gap_status"], ("", ""))[i] if r.get("gap_status") else None
        r["key"] = f"{r['enterprise_id']}|{r['segment_code']}"
        r["tags_text"] = "、".join(kind_name(k, lang) for k in (r.get("tags") or []))
        r["revenue_year"] = None if r.get("revenue_year") is None else int(r["revenue_year"])
    crit = [{"key": c, "label": CRIT_LABELS[c][i], "weight": res["weights"][c], "pack_weight": cfg["weights"][c],
             "kind": "cost" if c in AT.COST else "benefit"} for c in AT.CRITERIA]
    return {"chain": chain, "year": year, "region": region, "segment": segment, "master": master,
            "segments": res["segments"],
            "criteria": crit, "weights": res["weights"], "weights_pack": cfg["weights"],
            "weights_version": cfg["version"], "sourced": cfg["sourced"], "note": cfg["note"],
            "gap_points": cfg["gap_points"], "quality_points": cfg["quality_points"],
            "rows": rows, "tables": [targets_table(rows, lang, str(year))]}


def targets_table(rows: list[dict], lang: str, period: str | None) -> dict:
    zh = lang != "en"
    i = 0 if zh else 1
    cols = [("rank", "排名" if zh else "Rank", "count"), ("score", "TOPSIS 贴近度" if zh else "TOPSIS closeness", "num"),
            ("name", "企业" if zh else "Enterprise", "text"), ("uscc", "统一社会信用代码" if zh else "USCC", "text"),
            ("province_name", "所在省份" if zh else "Province", "text"),
            ("segment_name", "环节" if zh else "Segment", "text"), ("gap_label", "缺口状态" if zh else "Gap", "text")]
    for c in AT.CRITERIA:
        kind = "pct" if c == "growth" else "num"
        money = c in ("local_demand", "master_link", "size")
        cols.append((c, CRIT_LABELS[c][i] + (("（元）" if zh else " (yuan)") if money else ""), kind))
        cols.append((f"{c}_weighted", ("加权：" if zh else "weighted: ") + CRIT_LABELS[c][i], "num"))
    cols += [("tags_text", "认定" if zh else "Designations", "text"),
             ("sells_to_province_yuan", "已向省内供货（元）" if zh else "Sales into the province (yuan)", "num"),
             ("d_plus", "距正理想解" if zh else "S+", "num"), ("d_minus", "距负理想解" if zh else "S−", "num")]
    return _table("targets", "招商目标（TOPSIS 排序）" if zh else "Attraction targets (TOPSIS)", cols, rows, period)


def masters_answer(store, year: int, chain: str, lang: str = "zh", gap_table: pd.DataFrame | None = None) -> dict:
    """``{"chain", "year", "masters", "rows", "tables"}`` (链主+)."""
    i = _i(lang)
    res = AT.master_suppliers(store, year, chain, gap_table=gap_table)
    rows = records(res["rows"])
    for r in rows:
        r["gap_label"] = STATUS_LABELS.get(r["gap_status"], ("", ""))[i] if r.get("gap_status") else None
        r["key"] = f"{r['master_id']}|{r['enterprise_id']}|{r['segment_code']}"
    zh = lang != "en"
    cols = [("master_name", "链主企业" if zh else "Chain master", "text"),
            ("master_purchases_yuan", "链主采购总额（元）" if zh else "Master's purchases (yuan)", "num"),
            ("name", "省外供应商" if zh else "Out-of-province supplier", "text"),
            ("uscc", "统一社会信用代码" if zh else "USCC", "text"), ("province_name", "所在省份" if zh else "Province", "text"),
            ("segment_name", "环节" if zh else "Segment", "text"), ("gap_label", "缺口状态" if zh else "Gap", "text"),
            ("amount_yuan", "采购额（元）" if zh else "Purchases (yuan)", "num"),
            ("share_of_master", "占链主采购" if zh else "Share of master's purchases", "pct"),
            ("distance", "距离（公里）" if zh else "Distance (km)", "num")]
    return {"chain": chain, "year": year, "masters": records(res["masters"]), "rows": rows,
            "tables": [_table("masters", "链主+：链主的省外供应商" if zh else "Chain master+: out-of-province suppliers",
                              cols, rows, str(year))]}
