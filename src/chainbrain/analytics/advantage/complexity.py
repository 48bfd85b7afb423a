"""Economic complexity on a region × product matrix: RCA, Mcp, ECI/PCI, proximity, density, COI, COG.

Method: Hidalgo & Hausmann (2009) "The building blocks of economic complexity"
(PNAS 106:10570); Hidalgo, Klinger, Barabási & Hausmann (2007) "The product
space conditions the development of nations" (Science 317:482); Hausmann et
al., *The Atlas of Economic Complexity* (2014, ch. on complexity outlook).
Conventions follow the Growth Lab's ``ecomplexity`` package, version 0.5.3
(PyPI; itself a port of the Stata ``ecomplexity`` command), so results agree
with it to 1e-6 on the same input.  Notation: X (C × P) values, M (C × P)
presence, k_c diversity, k_p ubiquity.

Input cleaning (as ``ecomplexity``):
  - values are coerced to numbers; rows with a missing region or product
    are dropped; for duplicate (time, region, product) keys the first
    occurrence is kept.
  - missing values: ``ecomplexity`` means to turn NaN into 0, but its
    ``self.data.val.fillna(0, inplace=True)`` is a chained assignment that
    does nothing under pandas ≥ 3 (copy-on-write, the pandas in this
    project).  So a NaN cell counts as 0 in every sum (``nansum``), keeps
    value NaN, gets RCA NaN and M = 0.  We reproduce that (with pandas 2 its
    RCA would have been 0; every other measure is the same either way).
  - per time period, regions whose values sum to 0 and products whose values
    sum to 0 are dropped (both sums taken on the full table of that period);
    the rest is rectangularised (missing cells are 0), regions and products
    sorted.  Every output row is a cell of that grid.
  - each time period is computed on its own grid (``time`` column optional;
    without it the table is one period).

Formulas (per period):
  RCA_cp  = (X_cp / X_c) / (X_p / X)   Balassa; computed in exactly this order
            (share in region, then divided by world share, X = Σ_p X_p) so
            that ties at the threshold are decided bit-for-bit as in
            ``ecomplexity``.
  M_cp    = 1 if RCA_cp ≥ threshold (default 1) else 0 (NaN RCA → 0).
            ``presence="value"``: M_cp = 1 if X_cp ≥ threshold (an absolute
            presence floor); ``presence="manual"``: the value *is* M (RCA = X).
  k_c     = Σ_p M_cp (diversity),  k_p = Σ_c M_cp (ubiquity).
  ECI/PCI: ``ecomplexity`` takes the eigenvector kp of
            M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p) for the second-largest
            eigenvalue (``numpy.linalg.eig`` on the P × P matrix) and sets
            kc = (M / k_c) · kp.  We get the same vector from the smaller,
            symmetric side: S = D_c^-½ M D_p^-¹ Mᵀ D_c^-½ (C × C, or the P × P
            twin when P < C) formed as B Bᵀ with B = D_c^-½ M D_p^-½ (BLAS
            syrk), LAPACK's ranged ``eigh`` (dsyevr) for the one pair needed,
            kc ∝ D_c^-½ u, kp = D_p^-¹ Mᵀ kc, kc = (M / k_c) · kp.  Nonzero
            spectra of the two products coincide, and every output below is
            invariant to the eigenvector's scale, so the results agree (up to
            round-off) while costing O(C²P + C³) instead of O(P³).
  sign:    both are multiplied by sign(corr(k_c, kc)) (Pearson) so that ECI
            rises with diversity.  If diversity is constant the correlation
            is NaN and ECI, PCI, COG are all NaN (as in ``ecomplexity``).
  masks:   regions with k_c = 0 and products with k_p = 0 are left out of the
            eigenproblem and get NaN (possible only with manual/value
            presence).  Quirk reproduced: ``ecomplexity`` fails when exactly
            one region or exactly one product is masked (``squeeze`` of a
            one-element index) and then returns NaN ECI and PCI everywhere.
            Any NaN in raw ECI makes all ECI, PCI and COG NaN (mean/std of a
            vector with NaN).
  proximity φ_pp' = Σ_c M_cp M_cp' / max(k_p, k_p') (symmetric, default) or
            Σ_c M_cp M_cp' / k_p (``asymmetric``: φ_pp' = P(p' | p)).
            ``continuous``: φ = (1 + corr(RCA_·p, RCA_·p')) / 2 and density is
            then taken over RCA instead of M.  Products with k_p = 0 give NaN
            rows/columns (0/0), which propagate into all densities.
  density  ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'  (denominator a NaN-ignoring
            sum; numerator a plain matrix product, so NaN propagates).
  distance d_cp = 1 − ω_cp  (Atlas; not in ``ecomplexity``'s output).
  COI_c   = Σ_p ω_cp (1 − M_cp) PCI⁰_p, with PCI⁰ the *raw* signed
            eigenvector (before standardization); then standardized over
            regions, (COI − mean) / std (population std, ddof = 0).
  COG_cp  = (1 − M_cp) Σ_p' (1 − M_cp') φ_p'p PCI⁰_p' / Σ_p'' φ_p'p''
            (raw PCI, plain sums); then divided by std(ECI⁰).
  standardization (Stata convention, ddof = 0): with ECI⁰ = raw kc,
            ECI = (ECI⁰ − mean ECI⁰) / std ECI⁰ and
            PCI = (PCI⁰ − mean ECI⁰) / std ECI⁰ — PCI uses ECI's mean and std,
            which keeps ECI_c = mean of PCI over the region's products
            (M_cp = 1).
  not supported: ``ecomplexity``'s ``knn`` density (its loop ignores the
            proximity weights), ``rpop`` presence, supplied proximity tables.

Subnational method (Growth Lab's Metroverse / Atlas for sub-national units):
``eci_from_pci`` gives a region's ECI as the mean of an external PCI (a
national reference table, or the province's own) over the products with
M_cp = 1 — stable when there are too few regions for their own eigenvector.

All steps are dense linear algebra on the aggregated matrix (NumPy BLAS,
float64; one BLAS thread, see ``BLAS_THREADS``); there is no Python loop over
regions or products.  Density and COG share one GEMM ([M; (1−M)·w] φ); when
P ≥ 6C φ is not formed at all (``_density_coi_cog_blocked``: one BLAS step per
distinct ubiquity value, O(C²P) instead of O(CP²)).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

try:                                   # SciPy's ranged eigh (LAPACK dsyevr) computes only the top two pairs
    from scipy.linalg import eigh as _sp_eigh
except ImportError:                    # pragma: no cover - NumPy fallback computes all pairs
    _sp_eigh = None

#: BLAS threads used inside ``complexity_matrix`` (env ``CHAINBRAIN_BLAS_THREADS``; 0 = leave as is).
#: One thread by default: the matrices are small enough that a threaded OpenBLAS gains little, and on a
#: shared machine its spinning threads make it many times *slower* (measured 40 ms → 1 s at 300 × 1,000).
BLAS_THREADS = int(os.environ.get("CHAINBRAIN_BLAS_THREADS", "1"))
_CONTROLLER = None


def _blas_threads():
    """Context manager limiting BLAS threads to ``BLAS_THREADS`` (no-op without ``threadpoolctl``)."""
    global _CONTROLLER
    if BLAS_THREADS <= 0:
        return contextlib.nullcontext()
    if _CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
            _CONTROLLER = ThreadpoolController()
        except Exception:              # pragma: no cover - optional dependency
            _CONTROLLER = False
    return _CONTROLLER.limit(limits=BLAS_THREADS, user_api="blas") if _CONTROLLER else contextlib.nullcontext()

OUTPUT_COLUMNS = ["region", "product", "rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]


@dataclass
class Complexity:
    """All measures on one grid (regions × products, both sorted)."""

    regions: np.ndarray
    products: np.ndarray
    value: np.ndarray
    rca: np.ndarray
    mcp: np.ndarray
    diversity: np.ndarray
    ubiquity: np.ndarray
    eci: np.ndarray
    pci: np.ndarray
    density: np.ndarray
    coi: np.ndarray
    cog: np.ndarray
    time: object = None
    extra: dict = field(default_factory=dict)
    phi: np.ndarray | None = field(default=None, repr=False)   # proximity, when it was formed
    asymmetric: bool = False

    @property
    def proximity(self) -> np.ndarray:
        """φ (P × P); formed on first use when the blocked density path did not need it."""
        if self.phi is None:
            with _blas_threads():
                self.phi = proximity(self.mcp, self.ubiquity, self.asymmetric)
        return self.phi

    @property
    def distance(self) -> np.ndarray:
        return 1.0 - self.density

    def to_long(self, distance: bool = False) -> pd.DataFrame:
        """One row per region × product, region-major (the ``ecomplexity`` grid order).

        The numeric columns are written straight into one column-major float64
        block (a single pandas block, no consolidation copy); the labels are
        Categoricals over the sorted region/product labels (integer codes).
        """
        c, p = self.mcp.shape
        names = ["value", "rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]
        if distance:
            names.append("distance")
        B = np.empty((len(names), c, p))
        B[0], B[1], B[2], B[3], B[4] = self.value, self.rca, self.mcp, self.density, self.cog
        B[5], B[7], B[9] = self.eci[:, None], self.diversity[:, None], self.coi[:, None]
        B[6], B[8] = self.pci[None, :], self.ubiquity[None, :]
        if distance:
            np.subtract(1.0, B[3], out=B[10])
        out = pd.DataFrame(B.reshape(len(names), c * p).T, columns=names, copy=False)
        out.insert(0, "product", pd.Categorical.from_codes(np.tile(np.arange(p, dtype=np.int32), c),
                                                           categories=pd.Index(self.products)))
        out.insert(0, "region", pd.Categorical.from_codes(np.repeat(np.arange(c, dtype=np.int32), p),
                                                          categories=pd.Index(self.regions)))
        if self.time is not None:
            out.insert(0, "time", self.time)
        return out


# ------------------------------------------------------------------ building the matrix
def _factorize(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(s, sort=True)``; for Arrow-backed strings via Arrow's hash encoder (about 2× faster).

    Codes of missing labels are -1; labels sorted by code point (Python's
    string order, which is UTF-8 byte order), as pandas sorts them.
    """
    pa_arr = getattr(s.array, "_pa_array", None)
    if pa_arr is not None:
        try:
            import pyarrow as pa

            if pa.types.is_string(pa_arr.type) or pa.types.is_large_string(pa_arr.type):
                arr = pa_arr.combine_chunks() if isinstance(pa_arr, pa.ChunkedArray) else pa_arr
                enc = arr.dictionary_encode()
                labels = np.asarray(enc.dictionary.to_pylist(), dtype=object)
                codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
                order = np.argsort(labels, kind="stable")
                rank = np.empty(len(order) + 1, dtype=np.int64)
                rank[order] = np.arange(len(order))
                rank[-1] = -1                                   # code -1 (missing) stays -1
                return rank[codes], labels[order]
        except ImportError:                                     # pragma: no cover
            pass
    codes, labels = pd.factorize(s, sort=True)
    return codes, np.asarray(labels, dtype=object)


def pivot(df: pd.DataFrame, region: str = "region", product: str = "product",
          value: str = "value") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long table → (X, regions, products) after the ``ecomplexity`` cleaning rules.

    Duplicate keys keep their first occurrence; regions/products with zero
    total are dropped; labels are sorted.  Linear in the number of rows.
    """
    v = df[value]
    if not pd.api.types.is_numeric_dtype(v):
        v = pd.to_numeric(v, errors="coerce")
    v = v.to_numpy(dtype=np.float64, na_value=np.nan)          # NaN kept: see "missing values" above
    rc, rl = _factorize(df[region])                     # missing labels get code -1
    pc, pl = _factorize(df[product])
    keep = (rc >= 0) & (pc >= 0)
    if not keep.all():
        rc, pc, v = rc[keep], pc[keep], v[keep]
    n_r, n_p = len(rl), len(pl)
    flat = rc.astype(np.int64) * n_p + pc
    if len(flat) > n_r * n_p or np.bincount(flat, minlength=n_r * n_p).max(initial=0) > 1:
        first = ~pd.Series(flat).duplicated(keep="first").to_numpy()
        flat, v = flat[first], v[first]
    X = np.zeros(n_r * n_p)
    X[flat] = v
    X = X.reshape(n_r, n_p)
    rk = np.nansum(X, axis=1) != 0
    pk = np.nansum(X, axis=0) != 0
    if not (rk.all() and pk.all()):
        X = np.ascontiguousarray(X[rk][:, pk])
    return X, np.asarray(rl, dtype=object)[rk], np.asarray(pl, dtype=object)[pk]


# ------------------------------------------------------------------ the measures
def rca(X: np.ndarray) -> np.ndarray:
    """Balassa RCA, (X_cp / X_c) / (X_p / X), in ``ecomplexity``'s operation order."""
    Z = np.nan_to_num(X) if np.isnan(X).any() else X      # NaN counts as 0 in the sums (nansum)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = X / Z.sum(axis=1)[:, None]
        col = Z.sum(axis=0)
        return share / (col / col.sum())[None, :]


def _top2(S: np.ndarray) -> np.ndarray:
    """Eigenvector of the symmetric matrix S for its second-largest eigenvalue (only that pair is solved)."""
    n = S.shape[0]
    if _sp_eigh is not None and n > 2:
        return _sp_eigh(S, subset_by_index=[n - 2, n - 2], check_finite=False, driver="evr")[1][:, 0]
    return np.linalg.eigh(S)[1][:, -2]


def _second_eigvec(M: np.ndarray, k_c: np.ndarray, k_p: np.ndarray) -> np.ndarray:
    """kp: eigenvector of M̃_pp' for its second-largest eigenvalue (any scale).

    B = D_c^-½ M D_p^-½; M̃ = D_p^-½ (BᵀB) D_p^½ and BBᵀ shares BᵀB's nonzero
    spectrum, so we solve the smaller of BBᵀ (C × C) / BᵀB (P × P), formed by a
    symmetric rank-k update (NumPy calls BLAS syrk for ``B @ B.T``).
    """
    c, p = M.shape
    rc, rp = 1.0 / np.sqrt(k_c), 1.0 / np.sqrt(k_p)
    B = M * rc[:, None]
    B *= rp[None, :]
    if c <= p:
        kc = _top2(B @ B.T) * rc
        return (M.T @ kc) / k_p
    return _top2(B.T @ B) * rp


def eci_pci_raw(M: np.ndarray, k_c: np.ndarray, k_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw signed (kc, kp) with NaN for masked regions/products (see module docstring)."""
    c, p = M.shape
    rv, pv = k_c != 0, k_p != 0
    eci = np.full(c, np.nan)
    pci = np.full(p, np.nan)
    if (~rv).sum() == 1 or (~pv).sum() == 1:          # ecomplexity's squeeze quirk
        warnings.warn("exactly one region or product has diversity/ubiquity 0: ECI and PCI are NaN "
                      "(as in ecomplexity 0.5.3)")
        return eci, pci
    Mv = M[rv][:, pv] if not (rv.all() and pv.all()) else M
    kcv, kpv = k_c[rv], k_p[pv]
    if min(Mv.shape) < 2:
        return eci, pci
    kp = _second_eigvec(Mv, kcv, kpv)
    kc = (Mv @ kp) / kcv
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sign(np.corrcoef(kcv, kc)[0, 1])
    eci[rv] = s * kc
    pci[pv] = s * kp
    return eci, pci


def proximity(M: np.ndarray, k_p: np.ndarray, asymmetric: bool = False) -> np.ndarray:
    """Co-occurrence proximity: φ_pp' = Σ_c M_cp M_cp' / max(k_p, k_p') (or / k_p if asymmetric)."""
    m32 = M.astype(np.float32)
    co = (m32.T @ m32).astype(np.float64)              # integer counts < 2**24: exact in float32
    with np.errstate(divide="ignore", invalid="ignore"):
        if asymmetric:
            return co / k_p[:, None]
        return co / np.maximum(k_p[:, None], k_p[None, :])


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


#: use the blocked path when 3·C ≤ BLOCKED_RATIO · P (its cost is ~3·2C·C·P against 2C·P·P dense)
BLOCKED_RATIO = float(os.environ.get("CHAINBRAIN_BLOCKED_RATIO", "0.5"))


def _density_coi_cog_blocked(M: np.ndarray, k_p: np.ndarray, pci_raw: np.ndarray):
    """Density, raw COI and raw COG without forming φ (P × P): O(C²·P) instead of O(C·P²).

    With products sorted by ubiquity and u_1 < … < u_K its distinct values,
    1 / max(k_p, k_p') = Σ_{t ≥ τ(max)} δ_t with δ_t = 1/u_t − 1/u_{t+1}
    (δ_K = 1/u_K), i.e. Σ_t δ_t [p ∈ S_t][p' ∈ S_t] over the prefix sets
    S_t = {p : k_p ≤ u_t}.  So for any left factor A (I × P)

        (A φ)_{·p} = Σ_{t ≥ τ(p)} δ_t (A_{S_t} M_{S_t}ᵀ) M_{·p} = H_{τ(p)} M_{·p},
        H_t = Σ_{t' ≥ t} δ_t' G_t',  G_t = A_{S_t} M_{S_t}ᵀ  (I × C),

    computed group by group from the largest ubiquity down (G shrinks by
    one group's A_b M_bᵀ each step).  One BLAS product per *distinct
    ubiquity value* (at most C + 1 of them), never a loop over products.
    Row sums of φ are the same with A = 1.  Exact algebra: the results equal
    the dense formulas up to round-off (the M part is integer arithmetic).
    Needs every k_p > 0 (else φ has NaN rows: the dense path handles that).
    """
    c, p = M.shape
    order = np.argsort(k_p, kind="stable")
    Ms = np.ascontiguousarray(M[:, order])
    u, start = np.unique(k_p[order], return_index=True)
    end = np.append(start[1:], p)
    inv = 1.0 / u
    delta = inv - np.append(inv[1:], 0.0)
    K = len(u)
    # row sums of φ (A = 1): h_t = Σ_{t' ≥ t} δ_t' m_t', m_t = Σ_{p' ∈ S_t} M_·p'
    m = np.cumsum(Ms, axis=1)[:, end - 1]                                   # C × K
    h = np.cumsum((m * delta[None, :])[:, ::-1], axis=1)[:, ::-1]           # C × K
    grp = np.repeat(np.arange(K), end - start)
    rs = np.einsum("cp,cp->p", h[:, grp], Ms)                              # Σ_p' φ_pp' (sorted order)
    notm = 1.0 - Ms
    A = np.empty((2 * c, p))
    A[:c] = Ms
    with np.errstate(divide="ignore", invalid="ignore"):
        np.multiply(notm, (pci_raw[order] / rs)[None, :], out=A[c:])
    G = A @ Ms.T                                                            # G_K: all products
    H = np.zeros_like(G)
    Y = np.empty((2 * c, p))
    for t in range(K - 1, -1, -1):                                         # one step per ubiquity value
        b = slice(start[t], end[t])
        H += delta[t] * G
        Y[:, b] = H @ Ms[:, b]
        if t:
            G -= A[:, b] @ Ms[:, b].T
    inv_order = np.empty_like(order)
    inv_order[order] = np.arange(p)
    dens = Y[:c, inv_order]
    dens /= rs[inv_order][None, :]
    notm = notm[:, inv_order]
    coi = ((dens * notm) * pci_raw[None, :]).sum(axis=1)
    cog = Y[c:, inv_order]
    cog *= notm
    return dens, coi, cog


def eci_from_pci(M: np.ndarray, pci: np.ndarray) -> np.ndarray:
    """Subnational ECI: mean of an external PCI over each region's products with M_cp = 1.

    Products without a reference PCI (NaN) are ignored; regions with no
    product that has one get NaN.
    """
    ok = ~np.isnan(pci)
    Mo = M[:, ok]
    n = Mo.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, (Mo @ pci[ok]) / n, np.nan)


def complexity_matrix(X: np.ndarray, regions=None, products=None, presence: str = "rca",
                      threshold: float = 1.0, asymmetric: bool = False, continuous: bool = False,
                      time=None) -> Complexity:
    """All measures from a cleaned region × product matrix (see ``pivot``)."""
    X = np.asarray(X, dtype=np.float64)
    c, p = X.shape
    regions = np.arange(c) if regions is None else np.asarray(regions)
    products = np.arange(p) if products is None else np.asarray(products)
    if presence == "manual":
        R = X.copy()
        M = X.copy()
    else:
        R = rca(X)
        base = np.nan_to_num(R) if presence == "rca" else X
        if presence not in ("rca", "value"):
            raise ValueError("presence must be rca, value or manual")
        M = (base >= threshold).astype(np.float64)
    k_c = M.sum(axis=1) if presence != "manual" else np.nansum(M, axis=1)
    k_p = M.sum(axis=0) if presence != "manual" else np.nansum(M, axis=0)
    with _blas_threads():
        eci0, pci0 = eci_pci_raw(M, k_c, k_p)
        if continuous:
            with np.errstate(divide="ignore", invalid="ignore"):
                phi = (1 + np.corrcoef(R.T)) / 2
            dens = density(R, phi)
            coi0, cog0 = coi_cog_raw(M, dens, phi, pci0)
        elif asymmetric:
            phi = proximity(M, k_p, asymmetric)
            dens = density(M, phi)
            coi0, cog0 = coi_cog_raw(M, dens, phi, pci0)
        elif k_p.min(initial=1) > 0 and 3 * c <= p * BLOCKED_RATIO:
            phi = None                                         # never formed: see _density_coi_cog_blocked
            dens, coi0, cog0 = _density_coi_cog_blocked(M, k_p, pci0)
        else:
            phi = proximity(M, k_p)
            dens, coi0, cog0 = _density_coi_cog_symmetric(M, phi, pci0)
    m, s = eci0.mean(), eci0.std()
    with np.errstate(divide="ignore", invalid="ignore"):
        pci = (pci0 - m) / s
        cog = cog0 / s
        eci = (eci0 - m) / s
        coi = (coi0 - coi0.mean()) / coi0.std()
    return Complexity(regions=regions, products=products, value=X, rca=R, mcp=M, diversity=k_c,
                      ubiquity=k_p, eci=eci, pci=pci, phi=phi, asymmetric=asymmetric, density=dens, coi=coi,
                      cog=cog, time=time)


def complexity(df: pd.DataFrame, region: str = "region", product: str = "product", value: str = "value",
               time: str | None = None, presence: str = "rca", threshold: float = 1.0,
               asymmetric: bool = False, continuous: bool = False, distance: bool = False) -> pd.DataFrame:
    """Long table in → long table out (one row per cell of each period's grid).

    Output columns: [time,] region, product, value, rca, mcp, density, cog,
    eci, pci, diversity, ubiquity, coi [, distance]; with ``region``/``product``
    (and ``time``) renamed back to the caller's column names.
    """
    kw = dict(presence=presence, threshold=threshold, asymmetric=asymmetric, continuous=continuous)
    if time is None:
        parts = [complexity_matrix(*pivot(df, region, product, value), **kw).to_long(distance)]
    else:
        parts = []
        tc, tl = pd.factorize(df[time], sort=False)
        groups = [(tl[0], df)] if len(tl) == 1 and (tc >= 0).all() else df.groupby(time, sort=False)
        for t, g in groups:
            parts.append(complexity_matrix(*pivot(g, region, product, value), time=t, **kw).to_long(distance))
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out.rename(columns={"region": region, "product": product, "value": value,
                               **({"time": time} if time else {})})
