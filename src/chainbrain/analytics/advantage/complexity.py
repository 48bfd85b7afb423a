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
            syrk; on the blocked path below M D_p^-¹ Mᵀ is its first matrix
            anyway), LAPACK's ranged ``eigh`` (dsyevr) for the one pair needed,
            kc ∝ D_c^-½ u, kp = D_p^-¹ Mᵀ kc, kc = (M / k_c) · kp.  Nonzero
            spectra of the two products coincide, and every output below is
            invariant to the eigenvector's scale, so the results agree (up to
            round-off) while costing O(C²P + C³) instead of O(P³).
  sign:    both are multiplied by sign(corr(k_c, kc)) (Pearson) so that ECI
            rises with diversity.  If diversity is constant the correlation
            is NaN and ECI, PCI, COG are all NaN (as in ``ecomplexity``).
  not unique: a disconnected region–product graph repeats the eigenvalue 1
            (any vector of its eigenspace is "second"), and a correlation that
            is zero up to round-off leaves the sign to the last bits; there the
            reference's own computation decides (``linalg._reference_eigvec``,
            O(P³), only in those cases).
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
            rows/columns (0/0; ``ecomplexity``'s min(co/k_p', co/k_p) is NaN),
            which propagate into all densities.
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

All steps are dense linear algebra on the aggregated matrix (NumPy/SciPy
BLAS, float64; one BLAS thread, see ``BLAS_THREADS``); the only Python loop
is over distinct ubiquity values on the blocked path.  The kernels live in
``linalg`` (its docstring has both algorithms): density and COG either
share one GEMM [M; (1−M)·w] φ (dense, O(C·P²)), or, when
P ≥ ``BLOCKED_RATIO`` · C, φ is never formed (blocked, O(C²·P)).

Layout: ``complexity_matrix`` writes value, RCA, Mcp, density and COG
straight into one (measures × C × P) float64 block, the numeric part of the
long output, so ``complexity`` hands that block to pandas without a copy.
Label columns are coded by ``labels.factorize`` (same codes as
``pd.factorize(sort=True)``, faster for Arrow strings), and ``complexity``
scatters the values straight into that block (``_cells``: the cleaning rules
on the long rows, no intermediate grid).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chainbrain.analytics.advantage.labels import factorize
from chainbrain.analytics.advantage.linalg import (  # noqa: F401  (public names re-exported here)
    _density_coi_cog_blocked,
    _density_coi_cog_symmetric,
    _second_eigvec,
    _top2,
    blocked_measures,
    coi_cog_raw,
    density,
    eci_pci_raw,
    proximity,
)

#: BLAS threads used inside ``complexity_matrix`` (env ``CHAINBRAIN_BLAS_THREADS``; 0 = leave as is).
#: One thread by default: the matrices are small enough that a threaded OpenBLAS gains little, and on a
#: shared machine its spinning threads make it many times *slower* (measured 40 ms → 1 s at 300 × 1,000).
BLAS_THREADS = int(os.environ.get("CHAINBRAIN_BLAS_THREADS", "1"))
_CONTROLLER = None

#: threads for the blocked path's two sweeps (env ``CHAINBRAIN_COMPLEXITY_THREADS``): 2 runs the density sweep
#: in a Python thread beside the COG sweep (NumPy releases the GIL; no spinning BLAS threads).  Off by default:
#: it only pays on an idle machine (see ``linalg.blocked_measures``).
THREADS = int(os.environ.get("CHAINBRAIN_COMPLEXITY_THREADS", "1"))

#: blocked path (φ never formed) when P ≥ BLOCKED_RATIO · C (measured crossover ≈ 3, see ``linalg``).
BLOCKED_RATIO = float(os.environ.get("CHAINBRAIN_BLOCKED_RATIO", "3.0"))


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
_NUMERIC = ["value", "rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]


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
    _block: np.ndarray | None = field(default=None, repr=False)  # value, rca, mcp, density, cog are its rows 0-4

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

    def to_long(self, distance: bool = False, _hand_over: bool = False) -> pd.DataFrame:
        """One row per region × product, region-major (the ``ecomplexity`` grid order).

        The numeric columns are one column-major float64 block (a single
        pandas block, no consolidation copy); the labels are Categoricals over
        the sorted region/product labels (integer codes).  ``_hand_over``
        (used by ``complexity``, which drops this object): the block the
        measures were computed in becomes the frame's block, with no copy.
        """
        c, p = self.mcp.shape
        names = _NUMERIC + (["distance"] if distance else [])
        B = self._block
        if not (_hand_over and B is not None and B.shape[0] >= len(names)):
            B = np.empty((len(names), c, p))
            B[0], B[1], B[2], B[3], B[4] = self.value, self.rca, self.mcp, self.density, self.cog
        else:
            self._block = None
        B[5], B[7], B[9] = self.eci[:, None], self.diversity[:, None], self.coi[:, None]
        B[6], B[8] = self.pci[None, :], self.ubiquity[None, :]
        if distance:
            np.subtract(1.0, B[3], out=B[10])
        out = pd.DataFrame(B[:len(names)].reshape(len(names), c * p).T, columns=names, copy=False)
        out.insert(0, "product", _categorical(np.tile(_codes(p), c), self.products))
        out.insert(0, "region", _categorical(np.repeat(_codes(c), p), self.regions))
        if self.time is not None:
            out.insert(0, "time", self.time)
        return out


def _codes(n: int) -> np.ndarray:
    """0 … n−1 in the integer type pandas uses for the codes of n categories (no conversion later)."""
    return np.arange(n, dtype=np.int8 if n < 127 else np.int16 if n < 32767 else np.int32)


def _categorical(codes: np.ndarray, labels: np.ndarray) -> pd.Categorical:
    """Categorical over distinct sorted ``labels`` from codes known to be in range (no validation pass)."""
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.Index(labels)), validate=False)


# ------------------------------------------------------------------ building the matrix
_factorize = factorize          # label column → (codes, sorted labels); see ``labels``


def _cells(df: pd.DataFrame, region: str, product: str, value: str):
    """The cleaned grid in sparse form: (cell index c·P + p, value, C, P, regions, products).

    ``ecomplexity``'s cleaning rules (module docstring), in O(rows): labels
    coded by ``labels.factorize``; duplicate keys keep their first row (no
    check needed when the cell indices are strictly increasing, as in a
    table sorted by region and product); the totals that decide which
    regions/products are dropped are sums over the rows (NaN as 0), so the
    dropped ones never enter the grid.
    """
    v = df[value]
    if not pd.api.types.is_numeric_dtype(v):
        v = pd.to_numeric(v, errors="coerce")
    v = v.to_numpy(dtype=np.float64, na_value=np.nan)          # NaN kept: see "missing values" above
    rc, rl = factorize(df[region])                             # missing labels get code -1
    pc, pl = factorize(df[product])
    if len(rc) and min(rc.min(), pc.min()) < 0:
        keep = (rc >= 0) & (pc >= 0)
        rc, pc, v = rc[keep], pc[keep], v[keep]
    n_r, n_p = len(rl), len(pl)
    flat = rc * n_p + pc
    if len(flat) > 1 and not (flat[1:] > flat[:-1]).all():
        if len(flat) > n_r * n_p or np.bincount(flat, minlength=n_r * n_p).max(initial=0) > 1:
            first = ~pd.Series(flat).duplicated(keep="first").to_numpy()
            flat, rc, pc, v = flat[first], rc[first], pc[first], v[first]
    vz = np.nan_to_num(v) if np.isnan(v).any() else v
    rk = np.bincount(rc, weights=vz, minlength=n_r) != 0
    pk = np.bincount(pc, weights=vz, minlength=n_p) != 0
    if not (rk.all() and pk.all()):
        rmap = np.where(rk, np.cumsum(rk) - 1, -1)
        pmap = np.where(pk, np.cumsum(pk) - 1, -1)
        rc, pc = rmap[rc], pmap[pc]
        keep = (rc >= 0) & (pc >= 0)
        n_r, n_p = int(rk.sum()), int(pk.sum())
        flat, v = rc[keep] * n_p + pc[keep], v[keep]
    return flat, v, n_r, n_p, rl[rk], pl[pk]


def pivot(df: pd.DataFrame, region: str = "region", product: str = "product",
          value: str = "value") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long table → (X, regions, products) after the ``ecomplexity`` cleaning rules.

    Duplicate keys keep their first occurrence; regions/products with zero
    total are dropped; labels are sorted.  Linear in the number of rows.
    """
    flat, v, n_r, n_p, rl, pl = _cells(df, region, product, value)
    X = np.zeros(n_r * n_p)
    X[flat] = v
    return X.reshape(n_r, n_p), rl, pl


# ------------------------------------------------------------------ the measures
def rca(X: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Balassa RCA, (X_cp / X_c) / (X_p / X), in ``ecomplexity``'s operation order."""
    Z = np.nan_to_num(X) if np.isnan(X).any() else X      # NaN counts as 0 in the sums (nansum)
    with np.errstate(divide="ignore", invalid="ignore"):
        col = Z.sum(axis=0)
        share = np.divide(X, Z.sum(axis=1)[:, None], out=out)
        share /= (col / col.sum())[None, :]
        return share


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
                      time=None, _rows: int = len(_NUMERIC)) -> Complexity:
    """All measures from a cleaned region × product matrix (see ``pivot``)."""
    X = np.asarray(X, dtype=np.float64)
    c, p = X.shape
    B = np.empty((max(_rows, 5), c, p))                        # value, rca, mcp, density, cog, … (to_long)
    B[0] = X
    return _measures(B, regions, products, presence, threshold, asymmetric, continuous, time)


def _measures(B: np.ndarray, regions, products, presence: str, threshold: float, asymmetric: bool,
              continuous: bool, time) -> Complexity:
    """``complexity_matrix`` on a block whose row 0 holds the values; fills rows 1-4 (rca, mcp, density, cog)."""
    if presence not in ("rca", "value", "manual"):
        raise ValueError("presence must be rca, value or manual")
    _, c, p = B.shape
    regions = np.arange(c) if regions is None else np.asarray(regions)
    products = np.arange(p) if products is None else np.asarray(products)
    X, R, M = B[0], B[1], B[2]
    if presence == "manual":
        R[...] = X
        M[...] = X
        k_c, k_p = np.nansum(M, axis=1), np.nansum(M, axis=0)
    else:
        rca(X, out=R)
        np.greater_equal(R if presence == "rca" else X, threshold, out=M)   # NaN RCA / value → 0
        k_c, k_p = M.sum(axis=1), M.sum(axis=0)
    with _blas_threads():
        phi = None
        if continuous:
            eci0, pci0 = eci_pci_raw(M, k_c, k_p)
            with np.errstate(divide="ignore", invalid="ignore"):
                phi = (1 + np.corrcoef(R.T)) / 2
            B[3] = density(R, phi)
            coi0, B[4] = coi_cog_raw(M, B[3], phi, pci0)
        elif asymmetric:
            eci0, pci0 = eci_pci_raw(M, k_c, k_p)
            phi = proximity(M, k_p, asymmetric)
            B[3] = density(M, phi)
            coi0, B[4] = coi_cog_raw(M, B[3], phi, pci0)
        elif (c >= 2 and p >= BLOCKED_RATIO * c and k_p.min() > 0
              and (presence != "manual" or np.isfinite(M).all())):
            eci0, pci0, _, coi0, _ = blocked_measures(M, k_c, k_p, out_density=B[3], out_cog=B[4],
                                                       threads=THREADS)
        else:
            eci0, pci0 = eci_pci_raw(M, k_c, k_p)
            phi = proximity(M, k_p)
            B[3], coi0, B[4] = _density_coi_cog_symmetric(M, phi, pci0)
    m, s = eci0.mean(), eci0.std()
    with np.errstate(divide="ignore", invalid="ignore"):
        pci = (pci0 - m) / s
        B[4] /= s
        eci = (eci0 - m) / s
        coi = (coi0 - coi0.mean()) / coi0.std()
    return Complexity(regions=regions, products=products, value=X, rca=R, mcp=M, diversity=k_c,
                      ubiquity=k_p, eci=eci, pci=pci, phi=phi, asymmetric=asymmetric, density=B[3], coi=coi,
                      cog=B[4], time=time, _block=B)


def _single_period(col: pd.Series):
    """The one value of a time column that holds a single non-missing value throughout, else None."""
    v = col.to_numpy()
    if len(v) == 0:
        return None
    t0 = v[0]
    try:
        if pd.isna(t0) or not bool((v == t0).all()):
            return None
    except (TypeError, ValueError):
        return None
    return t0


def complexity(df: pd.DataFrame, region: str = "region", product: str = "product", value: str = "value",
               time: str | None = None, presence: str = "rca", threshold: float = 1.0,
               asymmetric: bool = False, continuous: bool = False, distance: bool = False) -> pd.DataFrame:
    """Long table in → long table out (one row per cell of each period's grid).

    Output columns: [time,] region, product, value, rca, mcp, density, cog,
    eci, pci, diversity, ubiquity, coi [, distance]; with ``region``/``product``
    (and ``time``) renamed back to the caller's column names.
    """
    rows = len(_NUMERIC) + distance

    def one(g, t=None):                                    # values scattered straight into the output block
        flat, v, c, p, rl, pl = _cells(g, region, product, value)
        B = np.empty((rows, c, p))
        X = B[0].reshape(-1)
        X.fill(0.0)
        X[flat] = v
        cx = _measures(B, rl, pl, presence, threshold, asymmetric, continuous, t)
        return cx.to_long(distance, _hand_over=True)

    if time is None:
        parts = [one(df)]
    else:
        t0 = _single_period(df[time])
        if t0 is not None:
            parts = [one(df, t0)]
        else:
            parts = [one(g, t) for t, g in df.groupby(time, sort=False)]
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out.rename(columns={"region": region, "product": product, "value": value,
                               **({"time": time} if time else {})})
