"""The scale-up lists (升规入统 candidates, 退规 risks) per county and chain, with reasons, outcomes and targets.

:func:`answer` scores target year Y (:func:`chainbrain.analytics.scaleup.score`, both directions, the
whole province: the pools and the model learn from every firm) and keeps the firms of the region /
chain asked for whose probability is at least the pack's ``list_min_probability``. ``visible``
(optional) keeps only the enterprises a viewer may see; the counts are then made from those firms
only, so nothing is counted that the viewer could not list.

Counts per county: ``candidates`` (below the line in Y−1 with a probability), ``listed``,
``expected`` = Σ p (expected number crossing: each firm's probability is its expected count),
``crossed`` (R_Y ≥ T, when Y's annual figures are in), ``entered`` (in the sample in Y+1).
Targets: the pack's ``[[targets]]`` for the scope (the province's is unsourced and marked).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.analytics.scaleup import score
from chainbrain.analytics.scaleup_data import load
from chainbrain.analytics.scaleup_kept import kept as kept_scores
from chainbrain.analytics.scaleup_model import FEATURES
from chainbrain.analytics.scaleup_rules import rules, targets_for, threshold

WAN = 10_000.0
POOL_EN = {0: "segment's", 1: "chain's", 2: "province-wide", -1: ""}
POOL_ZH = {0: "同环节", 1: "同链", 2: "全省", -1: ""}
DIRECTION_NAMES = {"up": ("升规", "scale-up"), "down": ("退规风险", "drop-out risk")}


def _pct(x: float) -> str:
    return f"{x * 100:+.1f}%"


def _feature_text(name: str, r, i: int, year: int, en: bool) -> str | None:
    prev = r.prev[i]
    x = r.X[i, FEATURES.index(name)]
    if name == "gap":
        d = prev / threshold() - 1
        return (f"revenue {year - 1} {prev / WAN:,.1f} 万元 ({_pct(d)} against the line)" if en
                else f"{year - 1}年营业收入 {prev / WAN:,.1f} 万元（距 2000 万元线 {_pct(d)}）")
    if name in ("g1", "g1_missing"):
        if np.isnan(r.g1[i]):
            return f"no {year - 2} figure" if en else f"无{year - 2}年数据"
        return f"growth {year - 1} {_pct(r.g1[i])}" if en else f"{year - 1}年增速 {_pct(r.g1[i])}"
    if name in ("g2", "g2_missing"):
        if r.X[i, FEATURES.index("g2_missing")]:
            return f"no {year - 3} figure" if en else f"无{year - 3}年数据"
        return (f"growth {year - 2} {_pct(np.expm1(r.X[i, FEATURES.index('g2')]))}" if en
                else f"{year - 2}年增速 {_pct(np.expm1(r.X[i, FEATURES.index('g2')]))}")
    if name == "age":
        return f"{x:.0f} years old" if en else f"成立 {x:.0f} 年"
    if name == "log_employees":
        return f"{np.expm1(x):.0f} employees" if en else f"从业人员 {np.expm1(x):.0f} 人"
    if name == "rd_intensity":
        return f"R&D {x * 100:.1f}% of revenue" if en else f"研发费用占营收 {x * 100:.1f}%"
    if name == "margin":
        return f"profit margin {x * 100:.1f}%" if en else f"利润率 {x * 100:.1f}%"
    if name in ("ytd_growth", "ytd_missing"):
        if r.X[i, FEATURES.index("ytd_missing")]:
            return None
        return (f"{year} YTD growth {_pct(np.expm1(r.X[i, FEATURES.index('ytd_growth')]))}" if en
                else f"{year}年累计增速 {_pct(np.expm1(r.X[i, FEATURES.index('ytd_growth')]))}")
    return None


def reasons(r, i: int, lang: str = "zh", top: int = 3) -> list[dict]:
    """The baseline's pool, then the model's ``top`` largest contributions (log-odds, signed)."""
    en = lang == "en"
    out = []
    if not np.isnan(r.p_baseline[i]):
        out.append({"feature": "baseline", "effect": None,
                    "text": (f"Gibrat baseline {r.p_baseline[i]:.0%} ({r.pool_n[i]} growth ratios of its "
                             f"{POOL_EN[r.pool_level[i]]} size band)" if en else
                             f"吉布拉基线 {r.p_baseline[i]:.0%}（{POOL_ZH[r.pool_level[i]]}同规模档 {r.pool_n[i]} 个增速样本）")})
    if r.model is None:
        return out
    c = r.model.contributions(r.X[i:i + 1])[0]
    seen = set()
    for j in np.argsort(-np.abs(c)):
        name = FEATURES[j]
        if name == "baseline_logit" or abs(c[j]) < 0.05:
            continue
        text = _feature_text(name, r, i, r.year, en)
        if text is None or text in seen:
            continue
        seen.add(text)
        sign = "raises" if c[j] > 0 else "lowers"
        out.append({"feature": name, "effect": round(float(c[j]), 3),
                    "text": f"{text} ({sign} it)" if en else f"{text}（{'提高' if c[j] > 0 else '降低'}概率）"})
        if len(out) > top:
            break
    return out


def _names(store) -> dict:
    reg = store.table("region").select("code", "name").execute()
    ch = store.table("chain").select("code", "name_zh").execute()
    return {"region": dict(zip(reg["code"], reg["name"])), "chain": dict(zip(ch["code"], ch["name_zh"]))}


def score_year(store, year: int, month: int | None = None) -> dict:
    """Both directions for target year ``year`` (the expensive part: cache it per store, year and month)."""
    panel = load(store, year, month)
    return {"panel": panel, "up": score(panel, year, "up"), "down": score(panel, year, "down")}


def answer(store, year: int, region: str | None = None, chain: str | None = None, lang: str = "zh",
           month: int | None = None, visible=None, scored: dict | None = None) -> dict:
    cfg = rules()
    sc = scored or score_year(store, year, month)
    panel = sc["panel"]
    names = _names(store)
    min_p = float(cfg["model"]["list_min_probability"])
    frames = []
    for direction in ("up", "down"):
        r = sc[direction]
        f = panel.firms.iloc[r.idx].reset_index(drop=True)
        df = pd.DataFrame({"direction": direction, "enterprise_id": f["enterprise_id"].astype(int), "uscc": f["uscc"],
                           "name": f["name"], "county": f["county"], "city": f["city"], "chains": f["chains"],
                           "revenue_prev_yuan": np.round(r.prev, 2), "growth_prev": np.round(r.g1, 4),
                           "p_baseline": np.round(r.p_baseline, 4), "p_model": np.round(r.p_model, 4),
                           "p": np.round(r.p, 4), "outcome": r.outcome, "entered_year": r.entered, "_i": np.arange(r.idx.size)})
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    if region:
        df = df[(df["county"] == region) | (df["city"] == region)]
    if chain:
        df = df[df["chains"].str.split(";").apply(lambda cs: chain in cs)]
    restricted = False
    if visible is not None:
        everyone = set(df["enterprise_id"].tolist())
        seen = visible(everyone)
        restricted = len(set(seen) & everyone) < len(everyone)
        df = df[df["enterprise_id"].isin(seen)]
    df = df.sort_values(["direction", "county", "p", "enterprise_id"], ascending=[False, True, False, True])
    df["rank_in_county"] = df.groupby(["direction", "county"]).cumcount() + 1
    counts = _counts(df, names, year, lang)
    keptrows = kept_scores(store, year, month)
    kp = dict(zip(zip(keptrows["direction"], keptrows["enterprise_id"].astype(int)), keptrows["p"].astype(float)))
    df["p_kept"] = [kp.get((d, int(e))) for d, e in zip(df["direction"], df["enterprise_id"])]
    listed = df[df["p"] >= min_p]
    rows = []
    for rec in listed.to_dict("records"):
        r = sc[rec["direction"]]
        why = reasons(r, int(rec.pop("_i")), lang)
        rows.append({**{k: _py(v) for k, v in rec.items()},
                     "county_name": names["region"].get(rec["county"]), "city_name": names["region"].get(rec["city"]),
                     "direction_name": DIRECTION_NAMES[rec["direction"]][lang == "en"],
                     "crossed": None if rec["outcome"] < 0 else int(rec["outcome"]),
                     "entered_year": int(rec["entered_year"]) or None,
                     "reasons": why, "reason_text": "; ".join(x["text"] for x in why),
                     "href": f"/enterprises/{rec['uscc'] or rec['enterprise_id']}"})
    for x in rows:
        x.pop("outcome", None)
    up = sc["up"]
    model = {d: ({"kind": "logistic regression + isotonic calibration", "fit_years": list(sc[d].model.fit_years),
                  "calibration_year": sc[d].model.calibration_year, "training_rows": sc[d].model.n_train}
                 if sc[d].model is not None else {"kind": "Gibrat baseline only (history too short)"}) for d in ("up", "down")}
    # a target is shown against the whole province only (not a region's, chain's or viewer's part of it)
    tgt = [dict(t) for t in targets_for(year) if not region and not chain and not restricted]
    expected_up = float(sum(c["expected"] for c in counts if c["direction"] == "up"))
    for t in tgt:
        t["expected_entries"] = round(expected_up, 1)
        t["share_of_target"] = round(expected_up / t["new_above_scale"], 4) if t.get("new_above_scale") else None
    tracking = None
    if len(keptrows):
        was = df[(df["direction"] == "up") & (df["p_kept"].fillna(-1) >= min_p)]
        tracking = {"kept_at": str(keptrows["kept_at"].max()), "listed_then": int(len(was)),
                    "crossed": int((was["outcome"] == 1).sum()), "not_crossed": int((was["outcome"] == 0).sum()),
                    "entered_next_year": int((was["entered_year"] == year + 1).sum())}
    return {"year": year, "region": region, "chain": chain, "month": month, "tracking": tracking,
            "threshold_yuan": threshold(), "line_source": cfg["line"]["document"],
            "list_min_probability": min_p, "model": model, "rows": rows, "counts": counts, "targets": tgt,
            "unit": "probability (fraction); revenue yuan; counts enterprises (家)",
            "note": _note(year, lang, up.model is not None), "tables": _tables(rows, counts, tgt, year, lang)}


def _py(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    return None if v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v


def _counts(df: pd.DataFrame, names: dict, year: int, lang: str) -> list[dict]:
    out = []
    for (d, county), g in df.groupby(["direction", "county"], sort=True):
        known = g["outcome"] >= 0
        out.append({"direction": d, "direction_name": DIRECTION_NAMES[d][lang == "en"], "county": county, "county_name": names["region"].get(county),
                    "firms": int(len(g)), "expected": round(float(g["p"].sum()), 2),
                    "crossed": int((g["outcome"] == 1).sum()) if known.any() else None,
                    "entered_next_year": int((g["entered_year"] == year + 1).sum()) if d == "up" else None})
    return out


def _note(year: int, lang: str, learned: bool) -> str:
    if lang == "en":
        return (f"Probability that main-business revenue {year} is ≥ 20,000,000 yuan (scale-up; the firm enters the "
                f"sample in {year + 1}) or < 20,000,000 yuan (drop-out), from annual figures up to {year - 1}. "
                + ("Calibrated logistic model beside the Gibrat baseline. " if learned else "Gibrat baseline only. ")
                + "Scale-up target: unsourced placeholder (pack scaleup.toml).")
    return (f"{year}年主营业务收入达到 2000 万元及以上（升规，{year + 1}年入统）或低于 2000 万元（退规）的概率，依据"
            f"{year - 1}年及以前的年度数据。" + ("校准后的逻辑回归模型与吉布拉基线并列。" if learned else "仅吉布拉基线。")
            + "升规目标：未找到出处的占位值（省包 scaleup.toml）。")


def _tables(rows: list[dict], counts: list[dict], tgt: list[dict], year: int, lang: str) -> list[dict]:
    en = lang == "en"
    cols = [{"key": "name", "label": "Enterprise" if en else "企业", "kind": "link"},
            {"key": "direction_name", "label": "Direction" if en else "方向", "kind": "text"},
            {"key": "county_name", "label": "County" if en else "县（市、区）", "kind": "text"},
            {"key": "chains", "label": "Chains" if en else "产业链", "kind": "text"},
            {"key": "revenue_prev_yuan", "label": (f"Revenue {year - 1} (10k yuan)" if en else f"{year - 1}年营收（万元）"),
             "kind": "wan"},
            {"key": "p_baseline", "label": "Baseline p" if en else "基线概率", "kind": "pct"},
            {"key": "p", "label": "Probability" if en else "概率", "kind": "pct"},
            {"key": "p_kept", "label": "Kept p" if en else "留存概率", "kind": "pct"},
            {"key": "rank_in_county", "label": "Rank in county" if en else "县内排名", "kind": "count"},
            {"key": "crossed", "label": "Crossed" if en else "是否越线", "kind": "count"},
            {"key": "entered_year", "label": "Entered in" if en else "入统年份", "kind": "text"},
            {"key": "reason_text", "label": "Reasons" if en else "依据", "kind": "text"}]
    ccols = [{"key": "direction_name", "label": "Direction" if en else "方向", "kind": "text"},
             {"key": "county_name", "label": "County" if en else "县（市、区）", "kind": "text"},
             {"key": "firms", "label": "Firms" if en else "企业数", "kind": "count"},
             {"key": "expected", "label": "Expected (Σp)" if en else "预期数（Σp）", "kind": "num"},
             {"key": "crossed", "label": "Crossed" if en else "实际越线", "kind": "count"},
             {"key": "entered_next_year", "label": f"Entered {year + 1}" if en else f"{year + 1}年入统", "kind": "count"}]
    return [{"id": "scaleup", "title": "Scale-up pipeline" if en else "升规入统培育清单", "period": str(year),
             "columns": cols, "rows": [dict(r, key=f"{r['direction']}|{r['enterprise_id']}") for r in rows]},
            {"id": "scaleup-counts", "title": "Per county" if en else "分县统计", "period": str(year), "unit": "家",
             "columns": ccols, "rows": [dict(c, key=f"{c['direction']}|{c['county']}") for c in counts]}]
