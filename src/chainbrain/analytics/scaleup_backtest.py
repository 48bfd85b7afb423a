"""Backtest of the scale-up model: score each test year from the history before it, compare with what happened.

For each test year Y and direction (``up``: R_{Y−1} < T, event R_Y ≥ T; ``down``: R_{Y−1} ≥ T, event
R_Y < T), over the firms whose R_Y is reported (closures are left out):

- Brier score  B = mean((p − y)²) of the Gibrat baseline, of the learned model (where it exists), and of
  the constant forecast p = the history's event rate (the skill reference; Brier 1950);
- precision of the top-k per county: in every county, the k firms with the highest p (ties by firm id;
  all firms where the county has fewer than k), the share of them with the event — pooled over
  counties (events in all top-k lists / their size) and the mean over counties;
- reliability: firms binned by p in tenths, mean p against the event rate per bin.

The demo's history comes from its own generator (analytics is blind to it, but the generator's revenue
model is Gibrat-like by construction): a good backtest there shows that the method works end to end, not
that it predicts real firms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.analytics.scaleup import score
from chainbrain.analytics.scaleup_data import Panel


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2)) if y.size else float("nan")


def precision_at_k(p: np.ndarray, y: np.ndarray, county: np.ndarray, ids: np.ndarray, k: int) -> tuple[float, float]:
    """(pooled, mean over counties) precision of each county's top-k by p (ties: smaller id first)."""
    if y.size == 0:
        return float("nan"), float("nan")
    df = pd.DataFrame({"p": p, "y": y, "c": county, "id": ids}).sort_values(["c", "p", "id"],
                                                                            ascending=[True, False, True])
    top = df[df.groupby("c").cumcount() < k]
    per = top.groupby("c")["y"].mean()
    return float(top["y"].mean()), float(per.mean())


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict]:
    b = np.minimum((p * 10).astype(int), 9)
    return [{"bin": f"{i / 10:.1f}–{(i + 1) / 10:.1f}", "firms": int((b == i).sum()),
             "mean_p": round(float(p[b == i].mean()), 4), "event_rate": round(float(y[b == i].mean()), 4)}
            for i in range(10) if (b == i).any()]


def backtest(panel: Panel, years: list[int], k: int = 10) -> list[dict]:
    out = []
    county = panel.firms["county"].to_numpy(str)
    ids = panel.firms["enterprise_id"].to_numpy(np.int64)
    for year in years:
        for direction in ("up", "down"):
            r = score(panel, year, direction)
            known = r.outcome >= 0
            y = r.outcome[known].astype(float)
            idx = r.idx[known]
            rate = _history_rate(panel, year, direction)
            rec = {"year": year, "direction": direction, "firms": int(known.sum()), "events": int(y.sum()),
                   "event_rate": round(float(y.mean()), 4) if y.size else None,
                   "model": "learned" if r.model is not None else "baseline only",
                   "brier_constant": round(brier(np.full(y.size, rate), y), 5) if y.size else None}
            if not y.size:                   # no reported revenue for the year yet: nothing to compare
                out.append(rec)
                continue
            for name, p in (("baseline", r.p_baseline[known]), ("model", r.p_model[known])):
                if np.isnan(p).all():
                    continue
                p = np.nan_to_num(p, nan=rate)
                pooled, mean = precision_at_k(p, y, county[idx], ids[idx], k)
                rec[f"brier_{name}"] = round(brier(p, y), 5)
                rec[f"top{k}_precision_{name}"] = round(pooled, 4)
                rec[f"top{k}_precision_county_mean_{name}"] = round(mean, 4)
                if name == "model" or r.model is None:
                    rec["reliability"] = reliability(p, y)
            out.append(rec)
    return out


def _history_rate(panel: Panel, year: int, direction: str) -> float:
    """The event rate over the history before ``year`` (the constant forecast)."""
    from chainbrain.analytics.scaleup_rules import threshold

    T, ev, n = threshold(), 0, 0
    for t in panel.years:
        if t >= year or (t - 1) not in panel.years:
            continue
        prev, cur = panel.col(panel.revenue, t - 1), panel.col(panel.revenue, t)
        ok = np.isfinite(prev) & np.isfinite(cur) & (prev > 0)
        side = ok & ((prev < T) if direction == "up" else (prev >= T))
        ev += int(((cur >= T) if direction == "up" else (cur < T))[side].sum())
        n += int(side.sum())
    return ev / n if n else 0.0
