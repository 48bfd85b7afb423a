"""Input–output linkages of a (multi-regional) input–output table.

Notation of Miller & Blair, *Input–Output Analysis: Foundations and
Extensions*, 2nd ed. (Cambridge UP, 2009), ch. 2, 6, 12: Z (n × n) the
intermediate flows (row = selling sector, column = buying sector), f = Y·1
the final demand, x the gross output (Z·1 + f unless given).

- technical coefficients A = Z·x̂⁻¹ (a sector with x = 0 gets a zero column);
- Leontief inverse L = (I − A)⁻¹; type-I output multipliers mⱼ = Σᵢ Lᵢⱼ;
- allocation coefficients B = x̂⁻¹·Z (zero row where x = 0) and the Ghosh
  inverse G = (I − B)⁻¹ (Ghosh 1958; Miller & Blair ch. 12);
- Rasmussen–Hirschman indices (Rasmussen 1956): backward linkage
  BLⱼ = n·Σᵢ Lᵢⱼ / Σᵢⱼ Lᵢⱼ, forward linkage (Ghosh) FLᵢ = n·Σⱼ Gᵢⱼ / Σᵢⱼ Gᵢⱼ;
  a key sector has BL > 1 and FL > 1 (Miller & Blair ch. 12);
- hypothetical extraction (Miller & Lahr 2001, "A taxonomy of extractions";
  Miller & Blair ch. 12): row k and column k of A set to zero (diagonal
  included), f unchanged, x̄⁽ᵏ⁾ = (I − Ā⁽ᵏ⁾)⁻¹·f; share = (1'x − 1'x̄⁽ᵏ⁾) / 1'x.

Computation: one inverse of I − A serves everything.  G is never inverted:
for sectors with x > 0, G = x̂⁻¹·L·x̂ (Miller & Blair ch. 12), so its row sums
are x̂⁻¹·L·(x + Z·1_Q) where Q are the zero-output sectors (whose rows of B are
zero, so G_QQ = I).  The n extractions are not n inversions: by the block
(Schur-complement) inverse, with s = 1'L, x̃ = L·f,
1'x̄⁽ᵏ⁾ = f_k + s·f − s_k·x̃_k / L_kk   (derivation in docs/supply.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg


class IOError_(ValueError):
    """A table the measures cannot be computed for (message is bilingual)."""


@dataclass
class Linkages:
    A: np.ndarray
    L: np.ndarray
    x: np.ndarray
    output_multiplier: np.ndarray     # column sums of L
    ghosh_row_sums: np.ndarray        # row sums of G
    bl: np.ndarray
    fl: np.ndarray
    key: np.ndarray                   # bool: bl > 1 and fl > 1
    hem_share: np.ndarray


def technical_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A = Z·x̂⁻¹, zero column where x = 0."""
    inv = np.divide(1.0, x, out=np.zeros_like(x, dtype=float), where=x != 0)
    return Z * inv[None, :]


def allocation_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """B = x̂⁻¹·Z, zero row where x = 0."""
    inv = np.divide(1.0, x, out=np.zeros_like(x, dtype=float), where=x != 0)
    return Z * inv[:, None]


def leontief(A: np.ndarray) -> np.ndarray:
    """L = (I − A)⁻¹ (bilingual error when I − A is singular)."""
    n = A.shape[0]
    M = -A
    M[np.diag_indices(n)] += 1.0
    try:
        L = scipy.linalg.inv(M, overwrite_a=True, check_finite=False)     # LAPACK getrf + getri
    except (np.linalg.LinAlgError, ValueError):
        raise IOError_("I − A is singular: the table has no Leontief inverse (I − A 奇异，无法求里昂惕夫逆矩阵)") from None
    if not np.isfinite(L).all():
        raise IOError_("I − A is numerically singular (I − A 数值奇异)")
    return L


def linkages(Z: np.ndarray, f: np.ndarray, x: np.ndarray | None = None) -> Linkages:
    """All measures of the module docstring for flows Z, final demand f and (optional) output x."""
    Z = np.asarray(Z, dtype=float)
    f = np.asarray(f, dtype=float)
    n = Z.shape[0]
    if Z.shape != (n, n) or f.shape != (n,):
        raise IOError_(f"Z must be n × n and f of length n (Z 应为 n×n 方阵，f 长度为 n): {Z.shape}, {f.shape}")
    x = Z.sum(axis=1) + f if x is None else np.asarray(x, dtype=float)
    A = technical_coefficients(Z, x)
    L = leontief(A)
    s = L.sum(axis=0)                                   # output multipliers
    total_L = s.sum()
    # Ghosh row sums without inverting I − B (see module docstring)
    zero = x == 0
    v = np.where(zero, 0.0, x)
    if zero.any():
        v = v + np.where(zero, 0.0, Z[:, zero].sum(axis=1))
    r = L @ v
    g = np.where(zero, 1.0, np.divide(r, x, out=np.zeros_like(r), where=~zero))
    total_G = g.sum()
    bl = n * s / total_L
    fl = n * g / total_G
    # hypothetical extraction, all k at once
    xt = L @ f
    total_x = x.sum()
    sf = s @ f
    d = np.diagonal(L)
    xbar_total = f + sf - s * xt / d
    hem = (total_x - xbar_total) / total_x if total_x != 0 else np.full(n, np.nan)
    return Linkages(A=A, L=L, x=x, output_multiplier=s, ghosh_row_sums=g, bl=bl, fl=fl,
                    key=(bl > 1) & (fl > 1), hem_share=hem)


def extraction_brute_force(A: np.ndarray, f: np.ndarray, k: int) -> np.ndarray:
    """x̄⁽ᵏ⁾ = (I − Ā⁽ᵏ⁾)⁻¹·f with row and column k of A zeroed (reference for tests/benchmarks)."""
    Ab = A.copy()
    Ab[k, :] = 0.0
    Ab[:, k] = 0.0
    return np.linalg.solve(np.eye(A.shape[0]) - Ab, f)
