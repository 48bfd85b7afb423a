"""TOPSIS — ranking alternatives by closeness to the ideal solution (Hwang & Yoon 1981).

C. L. Hwang and K. Yoon, *Multiple Attribute Decision Making: Methods and
Applications* (Springer, 1981), ch. 3.  For m alternatives and n criteria with
values x_ij, weights w_j (Σ w_j = 1) and each criterion a benefit (more is
better) or a cost (less is better):

    r_ij = x_ij / √(Σ_i x_ij²)                    (vector normalisation; 0 when the column is all 0)
    v_ij = w_j · r_ij
    A⁺_j = max_i v_ij (benefit) or min_i v_ij (cost);  A⁻_j the opposite
    S⁺_i = √(Σ_j (v_ij − A⁺_j)²),  S⁻_i = √(Σ_j (v_ij − A⁻_j)²)
    C_i  = S⁻_i / (S⁺_i + S⁻_i)                   ∈ [0, 1], higher is better

When S⁺_i + S⁻_i = 0 (every alternative equal on every weighted criterion)
C_i is undefined; it is set to 0.5 by convention.  Missing values are imputed
with the criterion's worst observed value (min for a benefit, max for a cost;
0 when the whole column is missing), and the imputed cells are reported.
Ranks: 1 = best, ties by the order given (stable).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def normalise_weights(weights: dict[str, float], criteria: list[str]) -> dict[str, float]:
    """``weights`` over ``criteria`` scaled to sum 1 (a criterion not named gets 0); bilingual errors."""
    bad = [k for k in weights if k not in criteria]
    if bad:
        raise ValueError(f"unknown criterion {', '.join(bad)}; use {', '.join(criteria)} "
                         f"(未知指标 {', '.join(bad)})")
    for k, v in weights.items():
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or v < 0:
            raise ValueError(f"weight {k}={v!r}: must be a finite number ≥ 0 (权重 {k} 须为非负有限数值)")
    total = float(sum(weights.values()))
    if total <= 0:
        raise ValueError("weights: at least one must be > 0 (权重不能全为 0)")
    return {c: float(weights.get(c, 0.0)) / total for c in criteria}


def topsis(values: pd.DataFrame, weights: dict[str, float], cost: set[str] | frozenset = frozenset()
           ) -> pd.DataFrame:
    """Scores of the rows of ``values`` (one column per criterion; NaN = missing).

    Returns a frame aligned with ``values`` with, per criterion c, ``c`` (the value used, imputed where
    missing), ``c_norm`` (r), ``c_weighted`` (v), and ``imputed`` (list of criteria imputed), ``d_plus``,
    ``d_minus``, ``score`` (closeness C) and ``rank``.
    """
    crit = list(values.columns)
    w = np.array([weights.get(c, 0.0) for c in crit], dtype=float)
    X = values.to_numpy(dtype=float, copy=True)
    miss = np.isnan(X)
    is_cost = np.array([c in cost for c in crit])
    for j in range(X.shape[1]):
        col = X[:, j]
        ok = ~np.isnan(col)
        fill = 0.0 if not ok.any() else (col[ok].max() if is_cost[j] else col[ok].min())
        col[~ok] = fill
    norm = np.sqrt((X * X).sum(axis=0))
    R = np.divide(X, norm, out=np.zeros_like(X), where=norm > 0)
    V = R * w
    if len(V):
        best = np.where(is_cost, V.min(axis=0), V.max(axis=0))
        worst = np.where(is_cost, V.max(axis=0), V.min(axis=0))
    else:
        best = worst = np.zeros(len(crit))
    dp = np.sqrt(((V - best) ** 2).sum(axis=1))
    dm = np.sqrt(((V - worst) ** 2).sum(axis=1))
    den = dp + dm
    score = np.divide(dm, den, out=np.full(len(dm), 0.5), where=den > 0)
    out = pd.DataFrame(index=values.index)
    for j, c in enumerate(crit):
        out[c] = X[:, j]
        out[f"{c}_norm"] = R[:, j]
        out[f"{c}_weighted"] = V[:, j]
    out["imputed"] = [[crit[j] for j in np.flatnonzero(miss[i])] for i in range(len(X))]
    out["d_plus"] = dp
    out["d_minus"] = dm
    out["score"] = score
    order = np.argsort(-score, kind="stable")
    rank = np.empty(len(score), dtype=int)
    rank[order] = np.arange(1, len(score) + 1)
    out["rank"] = rank
    return out
