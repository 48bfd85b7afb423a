"""SME tier rules evaluated on arrays of firms (one element per firm; numpy, vectorized).

Sources and readings are in the pack's ``cultivation.toml`` (policy-facts.md §3):

- **创新型中小企业** (工信部企业〔2022〕63号 annex, [Q-2nd]): 100 points — innovation
  (IP class 20, R&D ratio 20), growth (revenue growth 20, debt ratio 10), specialisation
  (战略性新兴产业 field 10, main-business share 20).  Qualifies when total ≥ 60 and
  innovation ≥ 20, growth ≥ 15, specialisation ≥ 15, or by one shortcut route (S&T award,
  valid high-tech certificate, provincial R&D institution, equity in 3 years ≥ 500 万元).
- **专精特新中小企业** ([Q]): four gates, all required and NOT presupposing 创新型 —
  G1 niche ≥ 2 years; G2 R&D ≥ 100 万元 and ≥ 3 %; G3 revenue ≥ 1000 万元 or equity in 2 years
  ≥ 2000 万元; G4 score ≥ 60 or a route (provincial award top 3 / national top 5, R&D 2-year
  average ≥ 1000 万元, equity in 2 years ≥ 6000 万元, 创客中国 top 500).  The score applies the
  sourced indicators only; [I] indicators and the province's 特色化 ones are unknown: their
  maxima (plus those of indicators whose input is missing) are ``score_max``.  G4 is
  undecided (−1) when no route holds and known < 60 ≤ known + score_max.
- **"小巨人"** ([Q-2nd]; 链, 品 [I] recalled): six dimensions, each met (1), failed (0) or
  unknown (−1) from what the CSV carries.  Never met outright: 特 needs a national market
  share the CSV does not carry.

Status codes: 1 met, 0 failed, −1 unknown.
"""

from __future__ import annotations

import numpy as np

from chainbrain.analytics.cultivate_rules import band_points, level_points
from chainbrain.analytics.sizes import size_classes

MET, FAILED, UNKNOWN = 1, 0, -1
CATEGORIES = ("innovation", "growth", "specialisation")


def _col(df, name) -> np.ndarray:
    return np.asarray(df[name])


# ------------------------------------------------------------------------ 创新型
def innov_indicator_points(df, r: dict) -> dict[str, np.ndarray]:
    """Points of each 创新型 indicator (NaN where the input is not reported)."""
    ind = r["innovative"]["indicators"]
    out = {}
    for name, spec in ind.items():
        x = _col(df, spec["input"])
        if "levels" in spec:
            out[name] = level_points(x, spec["levels"])
        else:
            out[name] = band_points(x, spec["_bands"])
    return out


def innov_totals(pts: dict[str, np.ndarray], r: dict) -> dict[str, np.ndarray]:
    """Category sums and total (a missing indicator counts 0)."""
    ind = r["innovative"]["indicators"]
    cat = {c: sum(np.nan_to_num(pts[n]) for n, s in ind.items() if s["category"] == c) for c in CATEGORIES}
    cat["total"] = cat["innovation"] + cat["growth"] + cat["specialisation"]
    return cat


def innov_score_ok(cat: dict[str, np.ndarray], r: dict) -> np.ndarray:
    cfg = r["innovative"]
    ok = cat["total"] >= cfg["total_min"]
    for c, m in cfg["category_min"].items():
        ok &= cat[c] >= m
    return ok


def innov_routes(df, r: dict) -> dict[str, np.ndarray]:
    """Which shortcut routes hold (boolean per route code)."""
    eq = next(x for x in r["innovative"]["routes"] if x["code"] == "equity_3y")
    return {
        "st_award": np.isin(_col(df, "st_award_3y"), ("provincial", "national")),
        "hightech_cert": _col(df, "has_hightech_cert") == 1,
        "rd_institution": _col(df, "provincial_rd_institution") == 1,
        "equity_3y": _col(df, "equity_financing_3y_wan") >= eq["min"],
    }


# ------------------------------------------------------------------------ 专精特新
def srdi_indicator_points(df, r: dict) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(known points, points still possible) per APPLIED indicator; unapplied ones are all possible."""
    known, possible = {}, {}
    for name, spec in r["srdi"]["indicators"].items():
        mx = float(spec["max"])
        if not spec.get("applied", False):
            known[name], possible[name] = np.zeros(len(df)), np.full(len(df), mx)
            continue
        x = _col(df, spec["input"])
        if "levels" in spec:
            p = level_points(x, spec["levels"])
        elif "per_step" in spec:
            st = spec["per_step"]
            p = np.minimum(np.floor(x / st["step"]) * st["points"], mx)
        elif "per_item" in spec:
            p = np.minimum(x * spec["per_item"], mx)
        elif "ratio_bands" in spec:                 # R&D: the higher of the amount band and the ratio band
            a = band_points(x, spec["_bands"])
            q = band_points(_col(df, spec["input_ratio"]), spec["_ratio_bands"])
            both = np.fmax(a, q)
            known[name] = np.nan_to_num(both)
            possible[name] = np.where(np.isnan(q), mx - np.nan_to_num(a), 0.0)
            continue
        else:
            p = band_points(x, spec["_bands"])
        known[name] = np.nan_to_num(p)
        possible[name] = np.where(np.isnan(p), mx, 0.0)
    return known, possible


def srdi_routes(df, r: dict) -> dict[str, np.ndarray]:
    """Which G4 alternative routes hold."""
    ro = {x["code"]: x for x in r["srdi"]["gates"]["G4_score_or_alt"]["routes"]}
    award, rank = _col(df, "st_award_3y"), _col(df, "st_award_rank")
    a = ro["st_award_top"]
    return {
        "st_award_top": ((award == "provincial") & (rank <= a["provincial_max_rank"]))
                        | ((award == "national") & (rank <= a["national_max_rank"])),
        "rd_2y_avg": _col(df, "rd_expense_2y_avg_wan") >= ro["rd_2y_avg"]["min_wan"],
        "equity_2y": _col(df, "equity_financing_2y_wan") >= ro["equity_2y"]["min_wan"],
        "maker_china": _col(df, "maker_china_rank_3y") <= ro["maker_china"]["max_rank"],
    }


def srdi_gates(df, r: dict, known: np.ndarray, possible: np.ndarray, routes: dict) -> dict[str, np.ndarray]:
    """Status (1 / 0 / −1) of each gate."""
    g = r["srdi"]["gates"]
    years, rd = _col(df, "years_in_niche"), _col(df, "rd_expense_prev_year_wan")
    ratio, rev = _col(df, "rd_ratio_pct"), _col(df, "revenue_prev_year_wan")
    eq2 = _col(df, "equity_financing_2y_wan")
    g1 = np.where(np.isnan(years), UNKNOWN, np.where(years >= g["G1_niche_years"]["min_years"], MET, FAILED))
    g2c = g["G2_rd"]
    g2 = np.where(rd < g2c["min_rd_wan"], FAILED,
                  np.where(np.isnan(ratio), UNKNOWN, np.where(ratio >= g2c["min_rd_ratio_pct"], MET, FAILED)))
    g3c = g["G3_revenue"]
    g3 = np.where((rev >= g3c["min_revenue_wan"]) | (eq2 >= g3c["alt_min_equity_2y_wan"]), MET,
                  np.where(np.isnan(rev), UNKNOWN, FAILED))
    smin = r["srdi"]["score_min"]
    alt = np.logical_or.reduce(list(routes.values()))
    g4 = np.where(alt | (known >= smin), MET, np.where(known + possible >= smin, UNKNOWN, FAILED))
    return {"G1_niche_years": g1, "G2_rd": g2, "G3_revenue": g3, "G4_score_or_alt": g4}


def combine(statuses: list[np.ndarray]) -> np.ndarray:
    """All required: failed if any fails, met if all are met, else unknown."""
    s = np.vstack(statuses)
    return np.where((s == FAILED).any(axis=0), FAILED, np.where((s == MET).all(axis=0), MET, UNKNOWN))


# ------------------------------------------------------------------------ 小巨人
def giant_dims(df, r: dict) -> dict[str, np.ndarray]:
    """Status of each of the six dimensions (专 精 特 新 链 品) from the CSV's columns."""
    d = r["giant"]["dims"]
    n = len(df)

    def ge(x, b):                      # ≥ b, unknown when missing
        return np.where(np.isnan(x), UNKNOWN, np.where(x >= b, MET, FAILED))

    s = d["specialisation"]
    spec = combine([ge(_col(df, "years_in_niche"), s["min_years"]),
                    ge(_col(df, "main_business_share_pct"), s["min_main_share_pct"]),
                    ge(_col(df, "two_year_avg_main_growth_pct"), s["min_main_growth_2y_pct"])])
    debt = _col(df, "debt_ratio_pct")
    # 精: debt ≤ 70 is the only decidable item; the others (governance, systems, certification) are unknown
    refine = np.where(debt > d["refinement"]["max_debt_ratio_pct"], FAILED, UNKNOWN)
    new = _giant_new(df, d["innovation"])
    unknown = np.full(n, UNKNOWN)
    return {"specialisation": spec, "refinement": refine, "distinctiveness": unknown, "innovation": new,
            "chain": unknown.copy(), "product": unknown.copy()}


def _giant_new(df, c: dict) -> np.ndarray:
    award, rank = _col(df, "st_award_3y"), _col(df, "st_award_rank")
    direct = (((award != "none") & (rank <= c["direct_award_max_rank"]))
              | (_col(df, "maker_china_rank_3y") <= c["direct_maker_max_rank"]))
    rev, ratio = _col(df, "revenue_prev_year_wan"), _col(df, "rd_ratio_pct")
    eq2 = _col(df, "equity_financing_2y_wan")
    need = np.where(rev >= c["large_revenue_wan"], c["large_min_rd_ratio_pct"], c["mid_min_rd_ratio_pct"])
    # (1) intensity: a prior-year ratio below the bound fails; at/above it the 2-year condition stays unknown
    intensity = np.where(np.isnan(rev), UNKNOWN,
                         np.where(rev >= c["mid_revenue_wan"],
                                  np.where(np.isnan(ratio), UNKNOWN, np.where(ratio < need, FAILED, UNKNOWN)),
                                  np.where(eq2 < c["small_min_equity_2y_wan"], FAILED, UNKNOWN)))
    # (2) own or joint R&D institution: a provincial one holds; otherwise lower levels may (unknown)
    inst = np.where(_col(df, "provincial_rd_institution") == 1, MET, UNKNOWN)
    # (3) ≥ 2 I-class IP items: a firm whose best class is II or none has none
    ip = np.where(np.isin(_col(df, "ip_class"), ("II", "none")), FAILED, UNKNOWN)
    general = combine([intensity, inst, ip])
    return np.where(direct, MET, general)


# ------------------------------------------------------------------------ 划型
def size_class(df, pack=None) -> np.ndarray:
    """工信部联企业〔2011〕300号 (industry), thresholds from the pack's ``classifications.toml``:
    the first of large, medium, small whose every lower bound is reached (营业收入 ≥ and 从业人员 ≥),
    else micro; empty when employees or revenue is missing.  Revenue 万元 → yuan (× 10 000)."""
    emp, rev = _col(df, "employees"), _col(df, "revenue_prev_year_wan") * 10000.0
    out = np.full(len(df), "", dtype=object)
    done = np.isnan(emp) | np.isnan(rev)
    for code, e, v in size_classes(pack):
        hit = ~done & (emp >= e) & (rev >= v)
        out[hit] = code
        done |= hit
    return out
