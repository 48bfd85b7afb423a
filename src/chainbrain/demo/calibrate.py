"""Calibration by construction: rake each year's revenues onto the targets before anything is written.

Threshold-preserving transform. For every enterprise with revenue R above
the 2000万 line T, the year's revenue becomes

    R' = T + (R − T) · k_e,      k_e = Π_{g ∋ e} f_g,

and revenues at or below the line are left alone. Because R' > T exactly when
R > T, the transform never changes which enterprises pass the line — so the
next year's sample (decided on this year's revenue) is untouched and counts
stay calibrated while revenue is.

Raking (the fixed point of iterative proportional fitting, Deming–Stephan
1940) finds the group factors f_g: the groups are the province, each
calibrated city, chain and city × chain; membership in a chain is any segment
counting toward it (primary or ``also_chains``), so groups overlap and an
enterprise is counted once per chain. With S the group's enterprises in the
year's December sample, every group g must satisfy

    Σ_S min(R, T) + Σ_S (R − T)⁺ · k_e = V_g,

solved for log f by Newton's method (:func:`rake_year`). The province group
takes every enterprise, so the others only redistribute within it.
"""

from __future__ import annotations

import numpy as np

from chainbrain.demo.spec import THRESHOLD
from chainbrain.demo.targets import Targets


def group_matrix(firms, world, targets: Targets, city_of_year: np.ndarray, calibrated: bool):
    """(n, n_groups) bool membership and the group targets' keys; group 0 is the province."""
    cols = [np.ones(firms.n, dtype=bool)]
    keys = [None]
    if calibrated:
        for g in targets.groups:
            m = np.ones(firms.n, dtype=bool)
            if g.city is not None:
                if g.city not in world.cities:
                    continue
                m &= city_of_year == world.city_index(g.city)
            if g.chain is not None:
                if g.chain not in world.chains:
                    continue
                m &= firms.member[:, world.chain_index(g.chain)]
            cols.append(m)
            keys.append(g)
    return np.column_stack(cols), keys


def rake_year(rev: np.ndarray, pop: np.ndarray, groups: np.ndarray, values: np.ndarray,
              iters: int = 50, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Apply the threshold-preserving transform so each group's sum over ``pop`` hits ``values``.

    Solved by Newton's method on the log factors (the raking equations are
    smooth in log f; with J_jk = Σ_{S_j ∩ S_k} (R − T)⁺ k_e the Jacobian of the
    variable parts s_j, the step is Δ = (diag(s)⁻¹ J)⁻¹ (log r − log s) with
    r_j = V_j − Σ_{S_j} min(R, T)); it reaches the same fixed point as
    iterative proportional fitting in a handful of steps.
    Returns the new revenues (all enterprises) and the group factors.
    """
    t = THRESHOLD
    over = rev > t
    excess = np.where(over, rev - t, 0.0)
    base = np.where(over, t, rev)
    sel = np.flatnonzero(pop)
    gp = groups[sel].astype(float)
    ex = excess[sel]
    fixed = base[sel] @ gp
    var0 = ex @ gp
    live = var0 > 0
    want = np.log(np.maximum(values - fixed, 0.05 * np.maximum(var0, 1.0)))
    logf = np.zeros(groups.shape[1])
    for _ in range(iters):
        w = ex * np.exp(gp @ logf)
        s = w @ gp
        resid = np.where(live, want - np.log(np.maximum(s, 1e-300)), 0.0)
        if np.abs(resid).max() < tol:
            break
        jac = (gp * w[:, None]).T @ gp / np.maximum(s, 1e-300)[:, None]
        jac[~live] = 0.0
        jac[~live, ~live] = 1.0
        step = np.linalg.lstsq(jac, resid, rcond=None)[0]
        logf += np.clip(step, -1.0, 1.0)
    k = np.exp(groups.astype(float) @ logf)
    return np.where(over, t + excess * k, rev), np.exp(logf)


def comparable_growth(rev_now: np.ndarray, rev_prev: np.ndarray, sample: np.ndarray) -> float:
    """Σ current / Σ same enterprises a year earlier − 1 over ``sample`` (DESIGN.md §4)."""
    den = rev_prev[sample].sum()
    return float(rev_now[sample].sum() / den - 1) if den > 0 else float("nan")
