"""A straightforward pandas implementation of ``cultivate assess`` (the benchmark's baseline).

Written independently of the engine (thresholds as the policy text prints them, policy-facts §3;
scores with ``pd.cut``/``np.select`` per column, the texts — reasons and what-ifs — row by row
with ``DataFrame.apply``, the way one would write it first).  Same input, same output file.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

INF = math.inf
IP_INNOV = {"I_high_value": 20, "I_self": 15, "I": 10, "II": 5, "none": 0}
IP_SRDI = {"I_high_value": 10, "I_self": 8, "I": 6, "II": 2, "none": 0}
INNOV_BANDS = {   # column: (bins [lo, hi), points)
    "rd_ratio_pct": ([-INF, 1, 2, 3, 5, INF], [0, 5, 10, 15, 20]),
    "revenue_growth_prev_year_pct": ([-INF, 0, 5, 10, 15, INF], [0, 5, 10, 15, 20]),
    "main_business_share_pct": ([-INF, 50, 55, 60, 70, INF], [0, 5, 10, 15, 20]),
}
CAT = {"rd_ratio_pct": "innovation", "ip_class": "innovation", "revenue_growth_prev_year_pct": "growth",
       "debt_ratio_pct": "growth", "main_business_share_pct": "specialisation", "sei_field": "specialisation"}
MINS = {"innovation": 20, "growth": 15, "specialisation": 15}


def _cut(x: pd.Series, bins, pts) -> pd.Series:
    return pd.cut(x, bins, right=False, labels=pts, ordered=False).astype(float)


def _debt_innov(d):
    return np.select([d < 55, d <= 75, d > 75], [10, 5, 0], np.nan)


def _f(v: float) -> str:
    s = f"{round(v, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _ceil2(v: float) -> float:
    return math.ceil(round(v * 100, 6)) / 100


def read(src) -> pd.DataFrame:
    df = pd.read_csv(src, dtype={"case_id": str}, keep_default_na=False, na_values=[""])
    for c in ("ip_class", "st_award_3y", "field_contribution"):
        df[c] = df[c].fillna("none")
    for c in ("sei_field", "has_hightech_cert", "provincial_rd_institution", "quality_items",
              "rd_expense_prev_year_wan", "rd_expense_2y_avg_wan", "equity_financing_2y_wan", "equity_financing_3y_wan"):
        df[c] = df[c].fillna(0).astype(float)
    if df["case_id"].isna().any() or df["case_id"].duplicated().any():
        raise ValueError("case_id")
    if not df["ip_class"].isin(list(IP_INNOV)).all():
        raise ValueError("ip_class")
    num = [c for c in df.columns if c not in ("case_id", "ip_class", "st_award_3y", "field_contribution")]
    for c in num:
        df[c] = pd.to_numeric(df[c]).astype(float)
    fill = df.rd_ratio_pct.isna() & (df.revenue_prev_year_wan > 0)
    df.loc[fill, "rd_ratio_pct"] = df.rd_expense_prev_year_wan / df.revenue_prev_year_wan * 100
    return df


def innov_points(df) -> pd.DataFrame:
    p = pd.DataFrame(index=df.index)
    p["ip_class"] = df.ip_class.map(IP_INNOV).astype(float)
    for c, (bins, pts) in INNOV_BANDS.items():
        p[c] = _cut(df[c], bins, pts)
    p["debt_ratio_pct"] = _debt_innov(df.debt_ratio_pct)
    p["sei_field"] = np.where(df.sei_field == 1, 10.0, 5.0)
    return p


def _qual(cats: dict) -> bool:
    return sum(cats.values()) >= 60 and all(cats[c] >= m for c, m in MINS.items())


def innov_whatif(row) -> str:
    if row.innovative_qualifies:
        return ""
    cats = {"innovation": row.innov_innovation_pts, "growth": row.innov_growth_pts,
            "specialisation": row.innov_specialisation_pts}
    out = []

    def ok(col, old, new):
        c = dict(cats)
        c[CAT[col]] += new - old
        return _qual(c)

    old = row.p_rd_ratio_pct
    x, rev = row.rd_ratio_pct, row.revenue_prev_year_wan
    if not math.isnan(x) and rev > 0:
        for t, p in ((1, 5), (2, 10), (3, 15), (5, 20)):
            if x < t and ok("rd_ratio_pct", old, p):
                out.append(f"R&D +{_f(_ceil2((t - x) * rev / 100))} 万元 (R&D ratio to {t}%) → qualifies")
                break
    x = row.main_business_share_pct
    if not math.isnan(x):
        for t, p in ((50, 5), (55, 10), (60, 15), (70, 20)):
            if x < t and ok("main_business_share_pct", row.p_main_business_share_pct, p):
                out.append(f"main-business share +{_f(t - x)} pp (to {t}%) → qualifies")
                break
    x = row.revenue_growth_prev_year_pct
    if not math.isnan(x):
        for t, p in ((0, 5), (5, 10), (10, 15), (15, 20)):
            if x < t and ok("revenue_growth_prev_year_pct", row.p_revenue_growth_prev_year_pct, p):
                out.append(f"revenue growth +{_f(t - x)} pp (to {t}%) → qualifies")
                break
    x = row.debt_ratio_pct
    if not math.isnan(x):
        if x > 75 and ok("debt_ratio_pct", row.p_debt_ratio_pct, 5):
            out.append(f"debt ratio −{_f(x - 75)} pp (to 75%) → qualifies")
        elif x >= 55 and ok("debt_ratio_pct", row.p_debt_ratio_pct, 10):
            out.append(f"debt ratio below 55% (now {_f(x)}%) → qualifies")
    for level, p in sorted(IP_INNOV.items(), key=lambda kv: kv[1]):
        if row.p_ip_class < p and ok("ip_class", row.p_ip_class, p):
            out.append(f"IP class {row.ip_class} → {level} → qualifies")
            break
    out.append(f"equity financing (3 years) +{_f(500 - row.equity_financing_3y_wan)} 万元 → qualifies (route)")
    return "; ".join(out)


def innov_reason(row) -> str:
    cats = {"innovation": row.innov_innovation_pts, "growth": row.innov_growth_pts,
            "specialisation": row.innov_specialisation_pts}
    ok = _qual(cats)
    parts = [f"score {row.innovative_score}" + (" meets the score rule" if ok else "")]
    if row.innovative_score < 60:
        parts.append(f"total {row.innovative_score} < 60")
    parts += [f"{c} {cats[c]} < {m}" for c, m in MINS.items() if cats[c] < m]
    parts.append(f"routes held: {row.innovative_routes}" if row.innovative_routes else "no shortcut route")
    miss = [c for c in ("rd_ratio_pct", "revenue_growth_prev_year_pct", "debt_ratio_pct", "main_business_share_pct")
            if math.isnan(row[c])]
    if miss:
        parts.append("not reported (0 points): " + ";".join(miss))
    return ("qualifies: " if row.innovative_qualifies else "does not qualify: ") + "; ".join(parts)


def srdi_points(df) -> tuple[pd.Series, pd.Series]:
    """(known score, what the unknown indicators could add)."""
    parts = {
        5: _cut(df.main_business_share_pct, [-INF, 60, 70, 80, INF], [0, 1, 3, 5]),
        10: _cut(df.two_year_avg_main_growth_pct, [-INF, 0, 4, 6, 8, 10, INF], [0, 2, 4, 6, 8, 10]),
    }
    known = pd.Series(0.0, index=df.index)
    possible = pd.Series(30.0, index=df.index)          # 特色化 15 + R&D staff 5 + R&D institution 10
    items = [
        (parts[5], 5), (parts[10], 10),
        (np.minimum(np.floor(df.years_in_niche / 2), 5), 5),
        (df.field_contribution.map({"key": 5, "basic": 3, "none": 0}).astype(float), 5),
        (df.digital_level.map({1: 0, 2: 3, 3: 5, 4: 5}).astype(float), 5),
        (np.minimum(df.quality_items * 3, 5), 5),
        (_cut(df.net_margin_pct, [-INF, 2, 4, 6, 8, 10, INF], [0, 2, 4, 6, 8, 10]), 10),
        (pd.Series(np.select([df.debt_ratio_pct < 50, df.debt_ratio_pct < 60, df.debt_ratio_pct <= 70,
                              df.debt_ratio_pct > 70], [5, 3, 1, 0], np.nan), index=df.index), 5),
        (df.ip_class.map(IP_SRDI).astype(float), 10),
    ]
    for p, mx in items:
        p = pd.Series(p, index=df.index)
        known += p.fillna(0)
        possible += np.where(p.isna(), mx, 0)
    amount = _cut(df.rd_expense_prev_year_wan, [-INF, 100, 200, 300, 400, 500, INF], [0, 2, 4, 6, 8, 10])
    ratio = _cut(df.rd_ratio_pct, [-INF, 3, 4, 6, 8, 10, INF], [0, 2, 4, 6, 8, 10])
    known += np.fmax(amount, ratio).fillna(0)
    possible += np.where(ratio.isna(), 10 - amount.fillna(0), 0)
    return known, possible


def srdi_gates(df, known, possible) -> pd.DataFrame:
    g = pd.DataFrame(index=df.index)
    g["G1_niche_years"] = np.select([df.years_in_niche.isna(), df.years_in_niche >= 2], [-1, 1], 0)
    g["G2_rd"] = np.select([df.rd_expense_prev_year_wan < 100, df.rd_ratio_pct.isna(), df.rd_ratio_pct >= 3],
                           [0, -1, 1], 0)
    g["G3_revenue"] = np.select([(df.revenue_prev_year_wan >= 1000) | (df.equity_financing_2y_wan >= 2000),
                                 df.revenue_prev_year_wan.isna()], [1, -1], 0)
    routes = pd.DataFrame({
        "st_award_top": ((df.st_award_3y == "provincial") & (df.st_award_rank <= 3))
                        | ((df.st_award_3y == "national") & (df.st_award_rank <= 5)),
        "rd_2y_avg": df.rd_expense_2y_avg_wan >= 1000,
        "equity_2y": df.equity_financing_2y_wan >= 6000,
        "maker_china": df.maker_china_rank_3y <= 500,
    })
    g["G4_score_or_alt"] = np.select([routes.any(axis=1) | (known >= 60), known + possible >= 60], [1, -1], 0)
    return g, routes


def srdi_whatif(row) -> str:
    out = []
    if row.G1_niche_years == 0:
        out.append(f"G1_niche_years: +{_f(2 - row.years_in_niche)} year(s) in the niche")
    if row.G2_rd == 0:
        rev = row.revenue_prev_year_wan
        if rev > 0:
            need = max(100 - row.rd_expense_prev_year_wan, 3 * rev / 100 - row.rd_expense_prev_year_wan)
            out.append(f"G2_rd: R&D +{_f(_ceil2(need))} 万元 (≥ 100 万元 and ≥ 3%)")
        else:
            out.append("G2_rd: R&D to ≥ 100 万元 and ≥ 3% of revenue")
    if row.G3_revenue == 0:
        out.append(f"G3_revenue: revenue +{_f(1000 - row.revenue_prev_year_wan)} 万元, or equity (2 years) "
                   f"+{_f(2000 - row.equity_financing_2y_wan)} 万元")
    if row.G4_score_or_alt == 0:
        out.append(f"G4_score_or_alt: score short by {_f(60 - row.known - row.possible)} points even with every "
                   f"unknown indicator at its maximum, or R&D 2-year average +{_f(1000 - row.rd_expense_2y_avg_wan)}"
                   f" 万元, or equity (2 years) +{_f(6000 - row.equity_financing_2y_wan)} 万元")
    return "; ".join(out)


def giant(row) -> tuple[str, str, str]:
    def ge(x, b):
        return -1 if math.isnan(x) else (1 if x >= b else 0)

    def comb(s):
        return 0 if 0 in s else (1 if all(v == 1 for v in s) else -1)

    spec = comb([ge(row.years_in_niche, 3), ge(row.main_business_share_pct, 70),
                 ge(row.two_year_avg_main_growth_pct, 5)])
    refine = 0 if row.debt_ratio_pct > 70 else -1
    direct = ((row.st_award_3y != "none" and row.st_award_rank <= 3) or row.maker_china_rank_3y <= 50)
    rev, ratio = row.revenue_prev_year_wan, row.rd_ratio_pct
    if math.isnan(rev):
        inten = -1
    elif rev >= 5000:
        inten = -1 if math.isnan(ratio) else (0 if ratio < (3 if rev >= 10000 else 6) else -1)
    else:
        inten = 0 if row.equity_financing_2y_wan < 8000 else -1
    inst = 1 if row.provincial_rd_institution == 1 else -1
    ip = 0 if row.ip_class in ("II", "none") else -1
    new = 1 if direct else comb([inten, inst, ip])
    dims = {"specialisation": spec, "refinement": refine, "distinctiveness": -1, "innovation": new,
            "chain[I]": -1, "product[I]": -1}
    failed = [k for k, v in dims.items() if v == 0]
    return ("0" if failed else "unknown", ";".join(failed), ";".join(k for k, v in dims.items() if v == -1))


def size(df) -> np.ndarray:
    e, r = df.employees, df.revenue_prev_year_wan
    return np.select([e.isna() | r.isna(), (e >= 1000) & (r >= 40000), (e >= 300) & (r >= 2000),
                      (e >= 20) & (r >= 300)], ["", "large", "medium", "small"], "micro")


def assess(src, dst) -> pd.DataFrame:
    df = read(src)
    p = innov_points(df)
    for c in p.columns:
        df[f"p_{c}"] = p[c].fillna(0)
    cat = {k: sum(df[f"p_{c}"] for c, v in CAT.items() if v == k) for k in MINS}
    df["innov_innovation_pts"] = cat["innovation"].astype(int)
    df["innov_growth_pts"] = cat["growth"].astype(int)
    df["innov_specialisation_pts"] = cat["specialisation"].astype(int)
    df["innovative_score"] = df.innov_innovation_pts + df.innov_growth_pts + df.innov_specialisation_pts
    routes = pd.DataFrame({"st_award": df.st_award_3y.isin(["provincial", "national"]),
                           "hightech_cert": df.has_hightech_cert == 1,
                           "rd_institution": df.provincial_rd_institution == 1,
                           "equity_3y": df.equity_financing_3y_wan >= 500})
    score_ok = ((df.innovative_score >= 60) & (df.innov_innovation_pts >= 20) & (df.innov_growth_pts >= 15)
                & (df.innov_specialisation_pts >= 15))
    df["innovative_qualifies"] = (score_ok | routes.any(axis=1)).astype(int)
    df["innovative_routes"] = routes.apply(lambda r: ";".join(k for k, v in r.items() if v), axis=1)
    df["innovative_reason"] = df.apply(innov_reason, axis=1)
    df["innovative_whatif"] = df.apply(innov_whatif, axis=1)
    df["known"], df["possible"] = srdi_points(df)
    gates, sroutes = srdi_gates(df, df.known, df.possible)
    df = pd.concat([df, gates], axis=1)
    names = list(gates.columns)
    df["srdi_gates_met"] = gates.apply(lambda r: "0" if (r == 0).any() else ("1" if (r == 1).all() else "unknown"),
                                       axis=1)
    df["srdi_failed_gate"] = gates.apply(lambda r: ";".join(n for n in names if r[n] == 0), axis=1)
    df["srdi_unknown_gate"] = gates.apply(lambda r: ";".join(n for n in names if r[n] == -1), axis=1)
    df["srdi_score_known"] = df.known.round().astype(int)
    df["srdi_score_max"] = df.possible.round().astype(int)
    df["srdi_routes"] = sroutes.apply(lambda r: ";".join(k for k, v in r.items() if v), axis=1)
    df["srdi_whatif"] = df.apply(srdi_whatif, axis=1)
    g = df.apply(giant, axis=1, result_type="expand")
    df["giant_status"], df["giant_failed"], df["giant_unknown"] = g[0], g[1], g[2]
    df["size_class"] = size(df)
    from chainbrain.analytics.cultivate_assess import OUTPUT
    out = df[OUTPUT]
    out.to_csv(dst, index=False, encoding="utf-8")
    return out
