"""What-if: the smallest change of ONE input that would qualify a firm (vectorized).

创新型 (firms that do not qualify): for each lever alone, the nearest band bound that makes
the score rule hold (total ≥ 60 and every category minimum), holding the other inputs:

- R&D: the increase in 万元 that lifts the R&D ratio to the band's lower bound
  (Δ = (bound − ratio) × revenue ÷ 100, rounded UP to 0.01 万元; needs revenue > 0);
- main-business share, revenue growth: percentage points up to a band's lower bound;
- debt ratio: down to a band's upper bound ("to 75%" where the band includes it,
  "below 55%" where it does not);
- IP: the lowest better class;
- equity in 3 years: up to the shortcut route's 500 万元.

A bound is reached as the rule data reads it (``lo_incl``/``hi_incl``).  Routes that are a
title, not an amount (S&T award, certificate, institution), are not listed.

专精特新 (per failed gate): G1 the missing years; G2 the R&D increase that meets both
100 万元 and 3 %; G3 the revenue or 2-year equity increase; G4 the points still missing
with every unknown indicator at its maximum, or the G4 route amounts.
"""

from __future__ import annotations

import math

import numpy as np

from chainbrain.analytics.cultivate_text import blank, cat, fmt, join
from chainbrain.analytics.cultivate_tiers import FAILED, innov_score_ok


def ceil2(a) -> np.ndarray:
    """Round up to 0.01 (万元), ignoring float noise below 1e-6."""
    return np.ceil(np.round(np.asarray(a, dtype=float) * 100, 6)) / 100


def _with(name: str, new_pts, pts, cats, r) -> np.ndarray:
    spec = r["innovative"]["indicators"][name]
    delta = new_pts - np.nan_to_num(pts[name])
    new = dict(cats)
    new[spec["category"]] = cats[spec["category"]] + delta
    new["total"] = cats["total"] + delta
    return innov_score_ok(new, r)


def innov_whatif(df, r: dict, pts: dict, cats: dict, qualifies: np.ndarray) -> np.ndarray:
    """``; ``-joined single-lever changes that qualify each non-qualifying firm ("" otherwise)."""
    n = len(df)
    ind = r["innovative"]["indicators"]
    pieces = []
    rev = np.asarray(df["revenue_prev_year_wan"], dtype=float)
    for name in ("rd_ratio", "main_share", "growth", "debt"):
        spec = ind[name]
        x = np.asarray(df[spec["input"]], dtype=float)
        bs = spec["_bands"]
        out = blank(n)
        todo = ~qualifies & ~np.isnan(x)
        if name == "rd_ratio":
            todo &= rev > 0
        increasing = bs[-1].points > bs[0].points
        if increasing:
            targets = [(b.lo, b.lo_incl, b.points) for b in bs if b.lo != -math.inf]
        else:
            targets = sorted(((b.hi, b.hi_incl, b.points) for b in bs if b.hi != math.inf), reverse=True)
        for bound, incl, p in targets:
            if increasing:
                below = x < bound if incl else x <= bound
            else:
                below = x > bound if incl else x >= bound
            hit = todo & below & _with(name, np.full(n, p), pts, cats, r)
            if not hit.any():
                continue
            out[hit] = _text(name, bound, incl, x[hit], rev[hit])
            todo &= ~hit
        pieces.append(out)
    pieces.append(_ip_whatif(df, r, pts, cats, qualifies))
    eq = next(x for x in r["innovative"]["routes"] if x["code"] == "equity_3y")["min"]
    e3 = np.asarray(df["equity_financing_3y_wan"], dtype=float)
    out = blank(n)
    m = ~qualifies
    out[m] = cat("equity financing (3 years) +", fmt(eq - e3[m]), " 万元 → qualifies (route)")
    pieces.append(out)
    return join(pieces)


def _text(name, bound, incl, x, rev) -> np.ndarray:
    b = str(fmt(bound))
    if name == "rd_ratio":
        d = ceil2((bound - x) * rev / 100)
        return cat("R&D +", fmt(d), f" 万元 (R&D ratio to {b}%) → qualifies")
    if name == "main_share":
        return cat("main-business share +", fmt(bound - x), f" pp (to {b}%) → qualifies")
    if name == "growth":
        return cat("revenue growth +", fmt(bound - x), f" pp (to {b}%) → qualifies")
    if incl:
        return cat("debt ratio −", fmt(x - bound), f" pp (to {b}%) → qualifies")
    return cat(f"debt ratio below {b}% (now ", fmt(x), "%) → qualifies")


def _ip_whatif(df, r, pts, cats, qualifies) -> np.ndarray:
    n = len(df)
    levels = sorted(r["innovative"]["indicators"]["ip"]["levels"].items(), key=lambda kv: kv[1])
    cur = np.asarray(df["ip_class"]).astype(str)
    curp = np.nan_to_num(pts["ip"])
    out = blank(n)
    todo = ~qualifies
    for level, p in levels:
        hit = todo & (curp < p) & _with("ip", np.full(n, float(p)), pts, cats, r)
        out[hit] = cat("IP class ", cur[hit], f" → {level} → qualifies")
        todo &= ~hit
    return out


def srdi_whatif(df, r: dict, gates: dict, known, possible) -> np.ndarray:
    """What each failed gate needs ("" where no gate failed)."""
    g = r["srdi"]["gates"]
    n = len(df)
    col = lambda c: np.asarray(df[c], dtype=float)  # noqa: E731
    years, rd, rev = col("years_in_niche"), col("rd_expense_prev_year_wan"), col("revenue_prev_year_wan")
    eq2, avg = col("equity_financing_2y_wan"), col("rd_expense_2y_avg_wan")
    pieces = []

    out = blank(n)
    m = gates["G1_niche_years"] == FAILED
    out[m] = cat("G1_niche_years: +", fmt(g["G1_niche_years"]["min_years"] - years[m]), " year(s) in the niche")
    pieces.append(out)

    out = blank(n)
    m = gates["G2_rd"] == FAILED
    c = g["G2_rd"]
    need = np.maximum(c["min_rd_wan"] - rd, np.where(rev > 0, c["min_rd_ratio_pct"] * rev / 100 - rd, np.nan))
    ok = m & ~np.isnan(need)
    out[ok] = cat("G2_rd: R&D +", fmt(ceil2(need[ok])), f" 万元 (≥ {c['min_rd_wan']} 万元 and ≥ {c['min_rd_ratio_pct']}%)")
    out[m & np.isnan(need)] = f"G2_rd: R&D to ≥ {c['min_rd_wan']} 万元 and ≥ {c['min_rd_ratio_pct']}% of revenue"
    pieces.append(out)

    out = blank(n)
    m = gates["G3_revenue"] == FAILED
    c = g["G3_revenue"]
    out[m] = cat("G3_revenue: revenue +", fmt(c["min_revenue_wan"] - rev[m]), " 万元, or equity (2 years) +",
                 fmt(c["alt_min_equity_2y_wan"] - eq2[m]), " 万元")
    pieces.append(out)

    out = blank(n)
    m = gates["G4_score_or_alt"] == FAILED
    ro = {x["code"]: x for x in g["G4_score_or_alt"]["routes"]}
    short = r["srdi"]["score_min"] - known[m] - possible[m]
    out[m] = cat("G4_score_or_alt: score short by ", fmt(short),
                 " points even with every unknown indicator at its maximum, or R&D 2-year average +",
                 fmt(ro["rd_2y_avg"]["min_wan"] - avg[m]), " 万元, or equity (2 years) +",
                 fmt(ro["equity_2y"]["min_wan"] - eq2[m]), " 万元")
    pieces.append(out)
    return join(pieces)
