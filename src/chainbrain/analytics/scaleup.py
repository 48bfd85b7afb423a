"""升规入统 / 退规 for a target year Y: every industrial firm's probability, its reasons, and what happened.

From a :class:`chainbrain.analytics.scaleup_data.Panel` (annual figures to Y−1 at least):

- candidates: firms with R_{Y−1} < T (scale-up, event R_Y ≥ T); at risk: R_{Y−1} ≥ T (drop-out, event
  R_Y < T). A firm with exactly T = 20,000,000.00 in Y−1 is above scale (at risk, not a candidate).
- ``p_baseline``: the Gibrat baseline, ``p_model``: the calibrated learned model where history allows
  (else the baseline), ``p`` = the model's where it exists (:mod:`chainbrain.analytics.scaleup_model`).
- training rows: target years t < Y with R_{t−1} and R_t both reported (the survivors).
- ``crossed``: the outcome when R_Y is in the panel (R_Y ≥ T), ``entered``: the first year ≥ Y+1 in which
  the firm was in the sample (``enterprise_scale``), i.e. when the candidate did enter.
- ``reasons``: the baseline's pool, then the three largest contributions (log-odds) of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainbrain.analytics import scaleup_model as M
from chainbrain.analytics.scaleup_data import Panel
from chainbrain.analytics.scaleup_rules import rules, threshold

DIRECTIONS = ("up", "down")


@dataclass
class Result:
    year: int
    direction: str
    idx: np.ndarray           # panel rows of the firms scored
    prev: np.ndarray          # R_{Y−1}
    g1: np.ndarray            # R_{Y−1}/R_{Y−2} − 1 (NaN unknown)
    p_baseline: np.ndarray
    pool_n: np.ndarray
    pool_level: np.ndarray    # 0 segment × band, 1 chain × band, 2 band, −1 none
    p_model: np.ndarray       # NaN where no learned model
    outcome: np.ndarray       # 1/0, or −1 where R_Y is unknown
    entered: np.ndarray       # first sample year ≥ Y+1, 0 when none
    X: np.ndarray
    model: M.Learned | None

    @property
    def p(self) -> np.ndarray:
        return np.where(np.isnan(self.p_model), self.p_baseline, self.p_model)


def _year_rows(panel: Panel, t: int) -> dict:
    col = panel.col
    f = {"prev": col(panel.revenue, t - 1), "prev2": col(panel.revenue, t - 2), "prev3": col(panel.revenue, t - 3),
         "cur": col(panel.revenue, t), "employees": col(panel.employees, t - 1), "rd": col(panel.rd, t - 1),
         "profit": col(panel.profit, t - 1), "age": (t - 1) - panel.firms["founded_year"].to_numpy(float)}
    j = np.flatnonzero(panel.ytd_years == t)
    f["ytd_growth"] = panel.ytd_growth[:, j[0]] if j.size else np.full(len(panel.firms), np.nan)
    return f


def _side(prev: np.ndarray, direction: str) -> np.ndarray:
    T = threshold()
    ok = np.isfinite(prev) & (prev > 0)
    return ok & (prev < T) if direction == "up" else ok & (prev >= T)


def _event(cur: np.ndarray, direction: str) -> np.ndarray:
    T = threshold()
    return (cur >= T) if direction == "up" else (cur < T)


def _take(f: dict, m: np.ndarray) -> dict:
    return {k: v[m] for k, v in f.items()}


def score(panel: Panel, year: int, direction: str = "up") -> Result:
    """Probabilities for target year ``year`` from the history before it (no figure of ``year`` is used
    except monthly YTD growth when the panel carries it)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be up or down (方向须为 up 或 down): {direction}")
    cfg = rules()
    edges, min_pool = cfg["bands"]["edges"], int(cfg["bands"]["min_pool"])
    chain = panel.firms["chain"].to_numpy(str)
    segment = panel.firms["segment"].to_numpy(str)
    hist = [int(t) for t in panel.years if t < year and (t - 1) in panel.years]
    # Gibrat pools: every survivor's growth of the history, both sides of the line
    prevs = [panel.col(panel.revenue, t - 1) for t in hist]
    curs = [panel.col(panel.revenue, t) for t in hist]
    pool = M.pools(np.concatenate(prevs) if hist else np.array([]), np.concatenate(curs) if hist else np.array([]),
                   [np.concatenate([segment] * len(hist)), np.concatenate([chain] * len(hist))] if hist
                   else [np.array([], str), np.array([], str)], edges, min_pool)
    # training rows of the learned model
    Xs, ys, yrs = [], [], []
    for t in hist:
        f = _year_rows(panel, t)
        m = _side(f["prev"], direction) & np.isfinite(f["cur"])
        if not m.any():
            continue
        ft = _take(f, m)
        pb, _, _ = M.baseline(pool, ft["prev"], [segment[m], chain[m]])
        Xs.append(M.features(ft, pb))
        ys.append(_event(ft["cur"], direction))
        yrs.append(np.full(int(m.sum()), t))
    learned = None
    if Xs:
        learned = M.fit(np.vstack(Xs), np.concatenate(ys).astype(int), np.concatenate(yrs),
                        int(cfg["model"]["min_training_years"]), int(cfg["model"]["min_events"]))
    f = _year_rows(panel, year)
    m = _side(f["prev"], direction)
    idx = np.flatnonzero(m)
    ft = _take(f, m)
    p_up, n, level = M.baseline(pool, ft["prev"], [segment[m], chain[m]])
    X = M.features(ft, p_up)                  # the baseline feature is P(up) on both sides, as in training
    pb = p_up if direction == "up" else 1.0 - p_up
    pm = learned.predict(X) if learned is not None and idx.size else np.full(idx.size, np.nan)
    cur = ft["cur"]
    outcome = np.where(np.isfinite(cur), _event(np.nan_to_num(cur), direction).astype(int), -1)
    ent = panel.first_in_sample(idx, year + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        g1 = ft["prev"] / ft["prev2"] - 1
    return Result(year, direction, idx, ft["prev"], g1, pb, n, level, pm, outcome, ent, X, learned)
