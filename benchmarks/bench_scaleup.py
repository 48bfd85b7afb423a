"""The scale-up pipeline's Gibrat baseline on the province demo: numpy pools + searchsorted vs pandas.

Input: the demo province's firm × year panel (:func:`chainbrain.analytics.scaleup_data.load`, not
timed). Work, both sides: for each target year 2022–2025, pool the growth ratios of the years before
it by segment × band, chain × band and band, choose each firm's pool (the finest with ≥ min_pool
ratios) and give every firm with last year's revenue (both sides of the line) the share of its pool
at or above the ratio it needs — what :func:`chainbrain.analytics.scaleup.score` does before the fit.
Ours: :func:`chainbrain.analytics.scaleup_model.pools` / :func:`baseline`. Baseline: pandas — long
frames of ratios, ``groupby`` sizes to choose the pool, then one sort per year of pool rows and firm
rows together and a grouped cumulative count (ratios ≥ need, ties counted). The probabilities are
checked equal before anything is recorded. Best of 3 both.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from benchmarks.data import demo_store
from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics import scaleup_model as M
from chainbrain.analytics.scaleup_data import load
from chainbrain.analytics.scaleup_rules import rules, threshold

YEARS = (2022, 2023, 2024, 2025)


def _inputs(panel, year):
    hist = [t for t in panel.years if t < year and (t - 1) in panel.years]
    seg, chain = panel.firms["segment"].to_numpy(str), panel.firms["chain"].to_numpy(str)
    prev_h = np.concatenate([panel.col(panel.revenue, t - 1) for t in hist])
    cur_h = np.concatenate([panel.col(panel.revenue, t) for t in hist])
    prev = panel.col(panel.revenue, year - 1)
    m = np.isfinite(prev) & (prev > 0)
    return (prev_h, cur_h, np.tile(seg, len(hist)), np.tile(chain, len(hist)), prev[m], seg[m], chain[m])


def ours(panel) -> list[np.ndarray]:
    edges, mp = rules()["bands"]["edges"], int(rules()["bands"]["min_pool"])
    out = []
    for y in YEARS:
        ph, ch, sh, chh, prev, seg, chain = _inputs(panel, y)
        p = M.pools(ph, ch, [sh, chh], edges, mp)
        out.append(M.baseline(p, prev, [seg, chain])[0])
    return out


def pandas_baseline(panel) -> list[np.ndarray]:
    edges, mp, T = rules()["bands"]["edges"], int(rules()["bands"]["min_pool"]), threshold()
    out = []
    for y in YEARS:
        ph, ch, sh, chh, prev, seg, chain = _inputs(panel, y)
        h = pd.DataFrame({"g": ch / ph, "band": np.searchsorted(edges, ph / T, side="right"), "seg": sh, "chain": chh})
        h = h[np.isfinite(h["g"]) & (h["g"] > 0)]
        f = pd.DataFrame({"i": np.arange(prev.size), "need": T / prev * (1 - M.TOL),
                          "band": np.searchsorted(edges, prev / T, side="right"), "seg": seg, "chain": chain})
        ns = h.groupby(["seg", "band"]).size().rename("n_seg")
        nc = h.groupby(["chain", "band"]).size().rename("n_chain")
        f = f.join(ns, on=["seg", "band"]).join(nc, on=["chain", "band"])
        f["cell"] = np.where(f["n_seg"] >= mp, "s|" + f["seg"] + "|" + f["band"].astype(str),
                             np.where(f["n_chain"] >= mp, "c|" + f["chain"] + "|" + f["band"].astype(str),
                                      "b|" + f["band"].astype(str)))
        used = set(f["cell"])
        pools = pd.concat([h.assign(cell=lv + h[col] + "|" + h["band"].astype(str)) if col else
                           h.assign(cell="b|" + h["band"].astype(str)) for lv, col in (("s|", "seg"), ("c|", "chain"),
                                                                                    ("b|", None))])
        pools = pools[pools["cell"].isin(used)]
        both = pd.concat([pd.DataFrame({"cell": pools["cell"], "v": pools["g"], "pool": 1, "i": -1}),
                          pd.DataFrame({"cell": f["cell"], "v": f["need"], "pool": 0, "i": f["i"]})])
        both = both.sort_values(["cell", "v", "pool"], ascending=[True, False, False])
        both["ge"] = both.groupby("cell")["pool"].cumsum()            # ratios ≥ v so far (ties: pools first)
        size = pools.groupby("cell").size()
        firms = both[both["pool"] == 0]
        p = (firms["ge"] / firms["cell"].map(size)).to_numpy(float)
        res = np.full(prev.size, np.nan)
        res[firms["i"].to_numpy(int)] = p
        out.append(res)
    return out


def run(scale: str) -> dict:
    with demo_store(scale) as store:
        panel = load(store, 2025)
    load0 = os.getloadavg()[0]
    a, b = ours(panel), pandas_baseline(panel)
    for x, y in zip(a, b):
        if not np.array_equal(np.nan_to_num(x, nan=-1), np.nan_to_num(y, nan=-1)):
            raise AssertionError(f"probabilities differ on {int((np.nan_to_num(x, nan=-1) != np.nan_to_num(y, nan=-1)).sum())} firms")
    t_ours, _ = best_of(lambda: ours(panel), 3)
    peak = peak_mb()
    t_base, _ = best_of(lambda: pandas_baseline(panel), 3)
    return record("cultivate_scaleup_baseline", scale, t_ours, t_base, peak, firms=int(len(panel.firms)),
                  firm_years=int(sum(np.isfinite(panel.col(panel.revenue, y - 1)).sum() for y in YEARS)),
                  target_years=list(YEARS), outputs_equal=True,
                  baseline="pandas: groupby sizes, one sort of pool and firm rows, grouped cumsum",
                  load_1min=[round(load0, 2), round(os.getloadavg()[0], 2)])
