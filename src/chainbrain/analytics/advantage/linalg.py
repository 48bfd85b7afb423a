"""Matrix kernels of ``complexity``: the ECI/PCI eigenvector, proximity, density, COI and COG.

Notation as in ``complexity``: M (C × P) presence, k_c diversity, k_p
ubiquity, x_p = 1/k_p, X = diag(x), φ proximity, PCI⁰ the raw signed PCI.
Everything is float64 NumPy/SciPy BLAS (the caller limits BLAS threads),
except where an integer-valued product is formed in float32, which is exact
(see ``proximity``).  Two ways to get density, COI and COG:

dense (``proximity`` + ``_density_coi_cog_symmetric``): form φ (P × P), then
    one GEMM [M; (1−M)·w] φ with w = PCI⁰ / Σ_p' φ_pp'.  O(C·P²).

blocked (``blocked_measures``): never forms φ.  O(C²·P), so it is chosen
    when P is a few times C (``complexity.BLOCKED_RATIO``).  With products
    sorted by ubiquity and u_0 < … < u_{K−1} the distinct values (groups
    b = 0 … K−1, x_b = 1/u_b, x_K = 0, δ_b = x_b − x_{b+1} > 0),
    1 / max(k_p, k_p') = min(x_p, x_p') = Σ_{t ≥ max(τ(p), τ(p'))} δ_t, so for
    any left factor A (I × P):

        (A φ)_{·p} = H_{τ(p)} M_{·p},  H_b = Σ_{t ≥ b} δ_t G_t,  G_t = Σ_{s ≤ t} A_s M_sᵀ

    (A_s, M_s: the columns of group s).  H_0 = Σ_s x_s A_s M_sᵀ = A X Mᵀ is
    one product; then upwards H_{b+1} = H_b − δ_b G_b, G_b = G_{b−1} + A_b M_bᵀ:
    per group one GEMM applying H_b to the group's columns, one rank-|b|
    GEMM update of G and one AXPY (``_sweep``).  Two sweeps:
      - A = [M; 1]: density numerators M φ and, from the row of ones, φ's
        column sums (= row sums, φ symmetric).  Its H_0 = M X Mᵀ (one syrk)
        is also the region-side matrix of the ECI eigenproblem, so that
        matrix is formed once for both.
      - A = (1 − M)·w, w = PCI⁰ / Σ_p' φ_pp': COG.  H_0 = 1·(M X w)ᵀ −
        M diag(w x) Mᵀ, the Gram by two syrk (columns with w x > 0 and
        < 0), half the multiply-adds of a GEMM.
    Exact algebra: the results equal the dense formulas up to round-off
    (the tests check 1e-12 on random inputs, and ``ecomplexity`` to 1e-6).

Cost at 300 regions × 1,000 products: dense ≈ 2.25·C·P² ≈ 660 M
multiply-adds (float32 co-occurrence syrk + float64 GEMM), blocked ≈ 5·C²·P
≈ 440 M (two syrk of ½·C²·P, two sweeps of 2·C²·P) plus 2·K AXPYs over
C × C and ~8 BLAS calls per group.  Measured on one core (best of 7, CPU
time, C = 298; two runs on a shared machine): P = 400: dense 10-13 ms,
blocked 18-19; P = 600: 16-17 / 21-25; P = 900: 30-31 / 30-32; C = 598,
P = 1,800: 210-221 / 202-230 — the crossover is P ≈ 3·C, the default
``BLOCKED_RATIO``.  At 300 × 1,000 the blocked path takes ≈ 31 ms: the
sweeps ≈ 20 (their GEMMs run at ≈ 80 % of the core's float64 peak; the
floor for 4·C²·P multiply-adds is ≈ 14 ms), the syrk ≈ 4.3, the
eigenproblem ≈ 2.8, O(C·P) passes ≈ 4.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.linalg import blas as _blas
from scipy.linalg import eigh as _sp_eigh


# ------------------------------------------------------------------ ECI / PCI
def _top2(S: np.ndarray, lower: bool = True) -> np.ndarray:
    """Eigenvector of the symmetric S for its second-largest eigenvalue (only that pair is solved).

    LAPACK dsyevr through SciPy's ranged ``eigh``; reads only the ``lower``
    (or upper) triangle.
    """
    n = S.shape[0]
    if n > 2:
        return _sp_eigh(S, lower=lower, subset_by_index=[n - 2, n - 2], check_finite=False, driver="evr")[1][:, 0]
    return np.linalg.eigh(S, UPLO="L" if lower else "U")[1][:, -2]


def _second_eigvec(M: np.ndarray, k_c: np.ndarray, k_p: np.ndarray, gram: np.ndarray | None = None) -> np.ndarray:
    """kp: eigenvector of M̃_pp' for its second-largest eigenvalue (any scale).

    B = D_c^-½ M D_p^-½; M̃ = D_p^-½ (BᵀB) D_p^½ and BBᵀ shares BᵀB's nonzero
    spectrum, so we solve the smaller of BBᵀ (C × C) / BᵀB (P × P), formed by a
    symmetric rank-k update (NumPy calls BLAS syrk for ``B @ B.T``).  ``gram``:
    M D_p^-1 Mᵀ already formed (upper triangle read), so BBᵀ = D_c^-½ gram D_c^-½.
    """
    c, p = M.shape
    rc = 1.0 / np.sqrt(k_c)
    if gram is not None:
        kc = _top2(gram * np.multiply.outer(rc, rc), lower=False) * rc
        return (M.T @ kc) / k_p
    rp = 1.0 / np.sqrt(k_p)
    B = M * rc[:, None]
    B *= rp[None, :]
    if c <= p:
        kc = _top2(B @ B.T) * rc
        return (M.T @ kc) / k_p
    return _top2(B.T @ B) * rp


#: |corr(diversity, kc)| below this is zero up to round-off: the sign of ECI is then whatever the
#: reference's own arithmetic gives, so it is computed the reference's way (``_reference_eigvec``)
SIGN_TOL = 1e-8


def connected(M: np.ndarray) -> bool:
    """Whether the region–product graph of M (an edge where M_cp = 1; every row and column has one)
    is connected: regions reached from the first one, through shared products, until none is added."""
    reached = np.zeros(M.shape[0])
    reached[0] = 1.0
    n = 1
    while True:
        prods = (reached @ M) > 0
        reached = ((M @ prods) > 0).astype(np.float64)
        m = int(reached.sum())
        if m == n:
            return m == M.shape[0] and bool(prods.all())
        n = m


def _reference_eigvec(M: np.ndarray, k_c: np.ndarray, k_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(kc, kp) as ``ecomplexity`` 0.5.3 computes them: ``numpy.linalg.eig`` of the P × P matrix
    M̃ = (M / k_p)ᵀ (M / k_c), the real part of the eigenvector of the second-largest eigenvalue
    (``argsort``), kc = (M / k_c) · kp — the same operations, in the same order and memory layout.

    Used when the region–product graph is disconnected: the eigenvalue 1 is then repeated (once
    per component), the "second" eigenvector is any vector of that eigenspace, and only the
    reference's own computation says which one it takes. O(P³): minutes at P = 5,000.
    """
    F = np.asfortranarray(M)               # its M[rows][:, cols] is Fortran-ordered: BLAS then sums
    mcp1 = F / k_c[:, None]                # in another order, and in a repeated eigenvalue the last
    mcp2_t = (F / k_p[None, :]).T.copy()   # bit decides which eigenvector comes second
    vals, vecs = np.linalg.eig(mcp2_t @ mcp1)
    kp = np.real(vecs)[:, vals.argsort()[-2]]
    return mcp1 @ kp, kp


def eci_pci_raw(M: np.ndarray, k_c: np.ndarray, k_p: np.ndarray,
                gram: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Raw signed (kc, kp) with NaN for masked regions/products (see ``complexity``'s docstring).

    ``gram``: optional M D_p^-1 Mᵀ (C × C, upper triangle), used when nothing is masked and C ≤ P.
    """
    c, p = M.shape
    rv, pv = k_c != 0, k_p != 0
    eci = np.full(c, np.nan)
    pci = np.full(p, np.nan)
    if (~rv).sum() == 1 or (~pv).sum() == 1:          # ecomplexity's squeeze quirk
        warnings.warn("exactly one region or product has diversity/ubiquity 0: ECI and PCI are NaN "
                      "(as in ecomplexity 0.5.3)")
        return eci, pci
    full = rv.all() and pv.all()
    Mv = M if full else M[rv][:, pv]
    kcv, kpv = k_c[rv], k_p[pv]
    if min(Mv.shape) < 2:
        return eci, pci
    if not np.isfinite(Mv).all():                     # manual presence with missing cells: its eig fails
        warnings.warn("presence matrix has NaN: ECI and PCI are NaN (as in ecomplexity 0.5.3)")
        return eci, pci
    reference = not connected(Mv)
    if not reference:
        kp = _second_eigvec(Mv, kcv, kpv, gram if (full and c <= p) else None)
        kc = (Mv @ kp) / kcv
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.corrcoef(kcv, kc)[0, 1]
        reference = bool(np.ptp(kcv) > 0 and not abs(r) > SIGN_TOL)    # the sign is round-off
    if reference:
        kc, kp = _reference_eigvec(Mv, kcv, kpv)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sign(np.corrcoef(kcv, kc)[0, 1])
    eci[rv] = s * kc
    pci[pv] = s * kp
    return eci, pci


# ------------------------------------------------------------------ dense path
def proximity(M: np.ndarray, k_p: np.ndarray, asymmetric: bool = False) -> np.ndarray:
    """Co-occurrence proximity: φ_pp' = Σ_c M_cp M_cp' / max(k_p, k_p') (or / k_p if asymmetric).

    The co-occurrence counts of a 0/1 matrix are integers < 2**24, exact in
    float32, so they are formed by a float32 syrk; any other M in float64.
    """
    if ((M == 0) | (M == 1)).all():
        m32 = M.astype(np.float32)
        co = (m32.T @ m32).astype(np.float64)             # NumPy calls syrk for a.T @ a
    else:
        co = M.T @ M
    with np.errstate(divide="ignore", invalid="ignore"):
        if asymmetric:
            co /= k_p[:, None]
        else:
            co /= np.maximum(k_p[:, None], k_p[None, :])
            zero = k_p == 0            # min(co/k_p, co/k_p') with a 0/0 in it: NaN row and column (ecomplexity)
            if zero.any():
                co[zero, :] = np.nan
                co[:, zero] = np.nan
    return co


def density(M: np.ndarray, phi: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'  (``symmetric``: φ = φᵀ exactly, skip the transpose)."""
    sym = symmetric
    with np.errstate(divide="ignore", invalid="ignore"):
        return (M @ (phi if sym else np.ascontiguousarray(phi.T))) / np.nansum(phi, axis=1)[None, :]


def coi_cog_raw(M: np.ndarray, dens: np.ndarray, phi: np.ndarray, pci_raw: np.ndarray):
    """Raw COI_c = Σ_p ω_cp (1−M_cp) PCI⁰_p and COG_cp (before standardization)."""
    notm = 1.0 - M
    coi = ((dens * notm) * pci_raw[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = pci_raw / phi.sum(axis=1)
    cog = notm * ((notm * w[None, :]) @ phi)
    return coi, cog


def _density_coi_cog_symmetric(M: np.ndarray, phi: np.ndarray, pci_raw: np.ndarray):
    """Density, raw COI and raw COG for a symmetric φ with one GEMM: [M; (1−M)·w] @ φ.

    Same formulas as ``density`` and ``coi_cog_raw`` (φ = φᵀ, so φᵀ is not
    formed); stacking the two left-hand sides makes one (2C × P) · (P × P)
    product instead of two, and the row sums of φ are taken once.
    """
    c, p = M.shape
    rs = phi.sum(axis=1)                                   # plain sum (COG); NaN-ignoring sum (density)
    rs_nan = np.nansum(phi, axis=1) if np.isnan(rs).any() else rs
    notm = 1.0 - M
    with np.errstate(divide="ignore", invalid="ignore"):
        w = pci_raw / rs
    A = np.empty((2 * c, p))
    A[:c] = M
    np.multiply(notm, w[None, :], out=A[c:])
    Y = A @ phi
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = Y[:c]
        dens /= rs_nan[None, :]
    coi = ((dens * notm) * pci_raw[None, :]).sum(axis=1)
    cog = Y[c:]
    cog *= notm
    return dens, coi, cog


# ------------------------------------------------------------------ blocked path
def _sweep(H: np.ndarray, A: np.ndarray, Ms: np.ndarray, start, end, delta: np.ndarray, Y: np.ndarray,
           gil_free: bool = False) -> None:
    """Y[:, b] = H_b M_b for every ubiquity group b, upwards from H = H_0 (H is overwritten).

    H_{b+1} = H_b − δ_b G_b with G_b = Σ_{s ≤ b} A_s M_sᵀ.  H, A, Ms are
    Fortran-ordered, so a group's columns are one contiguous block and the
    BLAS calls work in place (no copies).  The products applying H go
    through NumPy, which releases the GIL (SciPy's BLAS wrappers keep it);
    ``gil_free``: the update of G too (one extra pass over G per group), so
    that two sweeps in two threads overlap.
    """
    dgemm, daxpy = _blas.dgemm, _blas.daxpy
    G = np.zeros(H.shape, order="F")
    E = np.empty(H.shape, order="F") if gil_free else None
    g, h = G.reshape(-1, order="F"), H.reshape(-1, order="F")
    last = len(start) - 1
    for b, (s, e) in enumerate(zip(start.tolist(), end.tolist())):
        Mb = Ms[:, s:e]
        np.matmul(H, Mb, out=Y[:, s:e])
        if b < last:
            if gil_free:
                np.matmul(A[:, s:e], Mb.T, out=E)
                G += E
            else:
                dgemm(1.0, A[:, s:e], Mb, trans_b=1, beta=1.0, c=G, overwrite_c=1)
            daxpy(g, h, a=-delta[b])


_POOL = None


def _worker():
    """One background thread for the second sweep (``threads=2``)."""
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="complexity-sweep")
    return _POOL


def _symmetric(U: np.ndarray) -> np.ndarray:
    """Full symmetric matrix (Fortran order) from an upper triangle with zeros below (as BLAS syrk leaves it)."""
    S = np.triu(U, 1).T
    S += U
    return np.asfortranarray(S)


def blocked_measures(M: np.ndarray, k_c: np.ndarray, k_p: np.ndarray, pci_raw: np.ndarray | None = None,
                     out_density: np.ndarray | None = None, out_cog: np.ndarray | None = None, threads: int = 1):
    """ECI⁰, PCI⁰, density, raw COI and raw COG without forming φ (the blocked path, module docstring).

    Needs every k_p > 0 and a finite M.  ``pci_raw``: use this PCI⁰ instead of
    solving the eigenproblem.  Returns (eci0, pci0, density, coi0, cog0);
    density and COG are written into ``out_density`` / ``out_cog`` (C × P) if
    given.  ``threads=2``: the density sweep runs in a background thread
    while this one solves the eigenproblem and does the COG sweep (same
    arithmetic, so the same results); φ's column sums are then taken
    separately (O(C·P)) instead of from the density sweep.
    """
    c, p = M.shape
    order = np.argsort(k_p, kind="stable")
    Ms = np.take(M.T, order, axis=0).T                      # C × P Fortran-ordered, products by ubiquity
    u, start, sizes = np.unique(k_p[order], return_index=True, return_counts=True)
    end = start + sizes
    x = 1.0 / u
    delta = x - np.append(x[1:], 0.0)
    xs = np.repeat(x, sizes)                                # 1/k_p in sorted order (the group's exact value)
    Z = np.empty((c, p), order="F")                        # scratch for the syrk inputs
    # H_0 = M X Mᵀ (syrk: upper triangle), shared with the eigenproblem
    H0 = _blas.dsyrk(1.0, np.multiply(Ms, np.sqrt(xs), out=Z))
    job = None
    try:
        if threads > 1:
            # Σ_p' φ_p'p = Σ_c M_cp h_{c,τ(p)}, h_b = Σ_{t ≥ b} δ_t m_t, m_t = Σ_{p' ∈ S_t} M_·p' (m: C × K)
            m = np.cumsum(np.add.reduceat(Ms, start, axis=1), axis=1)
            h = np.cumsum((m * delta)[:, ::-1], axis=1)[:, ::-1]
            rs = np.einsum("cp,cp->p", h[:, np.repeat(np.arange(len(u)), sizes)], Ms)
            Y = np.empty((c, p), order="F")
            job = _worker().submit(_sweep, _symmetric(H0), Ms, Ms, start, end, delta, Y, True)
        if pci_raw is None:
            eci0, pci0 = eci_pci_raw(M, k_c, k_p, gram=H0)
            pci0s = pci0[order]
        else:
            eci0, pci0s = None, pci_raw[order]
        if job is None:
            # A = [M; 1]: the row of ones gives φ's column sums (= row sums, φ symmetric) in the same sweep
            A = np.empty((c + 1, p), order="F")
            A[:c] = Ms
            A[c] = 1.0
            H = np.empty((c + 1, c), order="F")
            H[:c] = _symmetric(H0)
            H[c] = Ms @ xs
            Y = np.empty((c + 1, p), order="F")
            _sweep(H, A, Ms, start, end, delta, Y)               # Y = [M; 1] φ
            rs = Y[c].copy()
            Y = Y[:c]
        Yw = np.empty((c, p), order="F")
        if np.isnan(pci0s).any():                                 # NaN PCI⁰ spreads to every COI and COG
            Yw.fill(np.nan)
        else:
            w = pci0s / rs
            Aw = np.subtract(1.0, Ms)
            Aw *= w                                               # (1 − M)·w
            # H_0 for A = (1 − M)·w: 1·(M (w·x))ᵀ − M diag(w·x) Mᵀ, the last by two syrk (w·x > 0 and < 0)
            wx = w * xs
            S = np.zeros((c, c), order="F")
            for idx, sign in ((np.flatnonzero(wx > 0), 1.0), (np.flatnonzero(wx < 0), -1.0)):
                if len(idx):
                    Zi = Z[:, :len(idx)]                              # the columns idx, scaled
                    np.take(Ms.T, idx, axis=0, out=Zi.T, mode="clip")
                    Zi *= np.sqrt(sign * wx[idx])
                    _blas.dsyrk(sign, Zi, beta=1.0, c=S, overwrite_c=1)
            Hw = _symmetric(S)
            np.subtract((Ms @ wx)[None, :], Hw, out=Hw)
            _sweep(Hw, Aw, Ms, start, end, delta, Yw, job is not None)   # Yw = ((1 − M)·w) φ
    finally:
        if job is not None:
            job.result()
    # back to the original product order and to region-major layout
    inv = np.empty_like(order)
    inv[order] = np.arange(p)
    dens = np.divide(Y[:, inv], rs[inv], out=out_density)
    notm = np.subtract(1.0, M)
    cog0 = np.multiply(Yw[:, inv], notm, out=out_cog)
    pci0 = pci0s[inv] if pci_raw is None else pci_raw
    notm *= dens
    coi0 = notm @ pci0                                            # Σ_p ω_cp (1 − M_cp) PCI⁰_p
    return eci0, pci0, dens, coi0, cog0


def _density_coi_cog_blocked(M: np.ndarray, k_p: np.ndarray, pci_raw: np.ndarray):
    """Density, raw COI and raw COG by the blocked path for a given PCI⁰ (as ``_density_coi_cog_symmetric``)."""
    _, _, dens, coi, cog = blocked_measures(M, M.sum(axis=1), k_p, pci_raw=pci_raw)
    return dens, coi, cog
