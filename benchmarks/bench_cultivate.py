"""``cultivate assess`` on synthetic firms: the vectorized engine vs a straightforward pandas implementation.

Input: a CSV of synthetic firms (province: 100,000; national: 1,000,000) in the assessment format
(:mod:`chainbrain.ingest.cultivate_csv`), drawn from plausible ranges, with about 3 % empty cells
in the measured columns and one value in ten put exactly on a threshold of the rules (so the
boundaries are exercised).  Timing boundaries, both sides: read the CSV file, assess, write the
result CSV (what ``chainbrain cultivate assess`` does, without the process start).  Ours:
:func:`chainbrain.ingest.cultivate_csv.read` + :func:`chainbrain.analytics.cultivate_assess.assess`.
Baseline: :mod:`benchmarks.cultivate_baseline` (independent code: ``pd.cut``/``np.select`` scores,
row-wise ``apply`` for the reasons, what-ifs, gate lists and 小巨人 dimensions).  The two output
files are checked equal, cell by cell, before the timing is recorded.  Best of 3 (ours) and of 1
(baseline at national scale, 3 at province).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import cultivate_baseline
from benchmarks.harness import best_of, peak_mb, record

SIZES = {"province": 100_000, "national": 1_000_000}
BOUNDS = {
    "revenue_prev_year_wan": [300, 1000, 2000, 5000, 10000, 40000],
    "revenue_growth_prev_year_pct": [0, 5, 10, 15], "debt_ratio_pct": [50, 55, 60, 70, 75],
    "rd_ratio_pct": [1, 2, 3, 4, 5, 6, 8, 10], "main_business_share_pct": [50, 55, 60, 70, 80],
    "years_in_niche": [2, 3, 4, 10], "net_margin_pct": [2, 4, 6, 8, 10],
    "two_year_avg_main_growth_pct": [0, 4, 5, 6, 8, 10], "rd_expense_prev_year_wan": [100, 200, 300, 400, 500],
    "equity_financing_2y_wan": [2000, 6000, 8000], "equity_financing_3y_wan": [500],
    "rd_expense_2y_avg_wan": [1000], "employees": [20, 300, 1000],
}


def synth(n: int, seed: int = 15) -> pd.DataFrame:
    """Synthetic firms as text cells (as a CSV carries them)."""
    g = np.random.default_rng(seed)
    rev = np.round(np.exp(g.normal(7.3, 1.2, n)), 2)                 # 万元, median ≈ 1500
    rd_ratio = np.round(np.clip(g.gamma(2.0, 1.5, n), 0, 40), 2)
    cols = {
        "case_id": np.char.add("F", np.arange(n).astype(str)),
        "employees": np.round(np.exp(g.normal(4.0, 1.1, n))).astype(int).astype(float),
        "revenue_prev_year_wan": rev,
        "revenue_growth_prev_year_pct": np.round(g.normal(8, 10, n), 2),
        "debt_ratio_pct": np.round(np.clip(g.normal(55, 15, n), 0, 150), 2),
        "rd_expense_prev_year_wan": np.round(rev * rd_ratio / 100, 2),
        "rd_ratio_pct": rd_ratio,
        "rd_expense_2y_avg_wan": np.round(rev * rd_ratio / 100 * g.uniform(0.7, 1.1, n), 2),
        "main_business_share_pct": np.round(np.clip(g.normal(80, 15, n), 0, 100), 2),
        "years_in_niche": np.round(g.uniform(0, 20, n), 1),
        "equity_financing_2y_wan": np.where(g.random(n) < 0.1, np.round(g.exponential(2500, n), 2), 0.0),
        "equity_financing_3y_wan": np.where(g.random(n) < 0.12, np.round(g.exponential(1500, n), 2), 0.0),
        "net_margin_pct": np.round(g.normal(6, 5, n), 2),
        "two_year_avg_main_growth_pct": np.round(g.normal(7, 8, n), 2),
    }
    for c, bs in BOUNDS.items():                                    # one in ten exactly on a bound
        on = g.random(n) < 0.1
        cols[c] = np.where(on, g.choice(np.array(bs, dtype=float), n), cols[c])
    df = pd.DataFrame({c: _text(v) for c, v in cols.items()})
    for c in ("employees", "revenue_prev_year_wan", "revenue_growth_prev_year_pct", "debt_ratio_pct", "rd_ratio_pct",
              "main_business_share_pct", "years_in_niche", "net_margin_pct", "two_year_avg_main_growth_pct"):
        df.loc[g.random(n) < 0.03, c] = ""
    df["ip_class"] = g.choice(["I_high_value", "I_self", "I", "II", "none", ""], n, p=[.05, .15, .2, .3, .25, .05])
    df["sei_field"] = g.choice(["0", "1", ""], n, p=[.55, .4, .05])
    df["has_hightech_cert"] = g.choice(["0", "1"], n, p=[.8, .2])
    award = g.choice(["none", "provincial", "national", ""], n, p=[.85, .09, .02, .04])
    df["st_award_3y"] = award
    df["st_award_rank"] = np.where(np.isin(award, ["provincial", "national"]), g.integers(1, 9, n).astype(str), "")
    df["provincial_rd_institution"] = g.choice(["0", "1"], n, p=[.85, .15])
    df["maker_china_rank_3y"] = np.where(g.random(n) < 0.03, g.integers(1, 800, n).astype(str), "")
    df["digital_level"] = g.choice(["1", "2", "3", "4", ""], n, p=[.3, .35, .2, .1, .05])
    df["quality_items"] = g.choice(["0", "1", "2", "3", "4", ""], n, p=[.2, .3, .25, .1, .1, .05])
    df["field_contribution"] = g.choice(["key", "basic", "none", ""], n, p=[.1, .3, .55, .05])
    from chainbrain.ingest.cultivate_csv import NAMES
    return df[NAMES]


def _text(v: np.ndarray) -> np.ndarray:
    if v.dtype.kind in "US":
        return v
    s = np.char.mod("%.2f", v)
    return np.char.rstrip(np.char.rstrip(s, "0"), ".")


def ours(src: Path, dst: Path) -> pd.DataFrame:
    from chainbrain.analytics.cultivate_assess import assess
    from chainbrain.ingest.cultivate_csv import read, write

    out = assess(read(src))
    write(out, dst)
    return out


def compare(n: int, repeat_base: int) -> tuple[float, float, float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        src, a, b = Path(tmp) / "firms.csv", Path(tmp) / "ours.csv", Path(tmp) / "base.csv"
        synth(n).to_csv(src, index=False)
        ours(src, a)                                                  # warm-up (imports, rule file)
        t_ours, _ = best_of(lambda: ours(src, a), 3)
        peak = peak_mb()
        t_base, _ = best_of(lambda: cultivate_baseline.assess(src, b), repeat_base)
        x = pd.read_csv(a, dtype=str, keep_default_na=False)
        y = pd.read_csv(b, dtype=str, keep_default_na=False)
        if not x.equals(y):
            bad = (x != y).any(axis=1)
            raise AssertionError(f"outputs differ on {int(bad.sum())} rows, first:\n{x[bad].head(2).T}\n"
                                 f"{y[bad].head(2).T}")
        stats = {"innovative": int((x.innovative_qualifies == "1").sum()),
                 "srdi_gates_met": int((x.srdi_gates_met == "1").sum()),
                 "srdi_unknown": int((x.srdi_gates_met == "unknown").sum()),
                 "input_mb": round(src.stat().st_size / 2**20, 1)}
    return t_ours, t_base, peak, stats


def run(scale: str) -> dict:
    n = SIZES[scale]
    load0 = os.getloadavg()[0]
    t_ours, t_base, peak, stats = compare(n, 1 if scale == "national" else 3)
    return record("cultivate_assess", scale, t_ours, t_base, peak, firms=n, **stats,
                  input=f"synthetic CSV ({n:,} firms, seed 15)", outputs_equal=True,
                  baseline="pandas: pd.cut/np.select scores, DataFrame.apply for texts",
                  load_1min=[round(load0, 2), round(os.getloadavg()[0], 2)])
