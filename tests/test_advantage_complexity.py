"""Complexity measures: closed-form cases and agreement with Growth Lab's ``ecomplexity`` 0.5.3."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from chainbrain.analytics.advantage.complexity import complexity, complexity_matrix, eci_from_pci, pivot

MEASURES = ["rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]


def long(X, regions=None, products=None, drop_zero=True):
    C, P = X.shape
    regions = regions or [f"r{i:03d}" for i in range(C)]
    products = products or [f"p{j:04d}" for j in range(P)]
    df = pd.DataFrame({"region": np.repeat(regions, P), "product": np.tile(products, C), "value": X.ravel()})
    return df[df.value != 0].reset_index(drop=True) if drop_zero else df


# ------------------------------------------------------------------ closed form
def test_rca_diversity_ubiquity_by_hand():
    # X = [[2,2],[1,3]]: total 8, world shares 3/8, 5/8
    cx = complexity_matrix(np.array([[2.0, 2.0], [1.0, 3.0]]))
    np.testing.assert_allclose(cx.rca, [[4 / 3, 0.8], [2 / 3, 1.2]])
    np.testing.assert_array_equal(cx.mcp, [[1, 0], [0, 1]])
    np.testing.assert_array_equal(cx.diversity, [1, 1])
    np.testing.assert_array_equal(cx.ubiquity, [1, 1])
    # constant diversity: corr(diversity, kc) is undefined → ECI/PCI NaN (ecomplexity convention)
    assert np.isnan(cx.eci).all() and np.isnan(cx.pci).all()


def test_nested_3x3_proximity_density_and_eci_sign():
    M = np.array([[1.0, 1, 1], [1, 1, 0], [1, 0, 0]])   # nested: region 0 most diverse
    cx = complexity_matrix(M, presence="manual")
    np.testing.assert_array_equal(cx.diversity, [3, 2, 1])
    np.testing.assert_array_equal(cx.ubiquity, [3, 2, 1])
    # φ = MᵀM / max(k_p, k_p')
    np.testing.assert_allclose(cx.proximity, [[1, 2 / 3, 1 / 3], [2 / 3, 1, 1 / 2], [1 / 3, 1 / 2, 1]])
    # region 2 has only p0: ω_2,1 = φ_01 / Σ_p' φ_1p' = (2/3) / (2/3 + 1 + 1/2) = 4/13
    assert cx.density[2, 1] == pytest.approx(4 / 13)
    assert cx.density[2, 2] == pytest.approx((1 / 3) / (1 / 3 + 1 / 2 + 1))
    # sign: ECI rises with diversity; the rarest product is the most complex
    assert cx.eci[0] > cx.eci[1] > cx.eci[2]
    assert cx.pci[2] > cx.pci[1] > cx.pci[0]
    # standardization: ECI mean 0, population std 1; ECI_c = mean PCI over the region's products
    assert cx.eci.mean() == pytest.approx(0, abs=1e-12) and cx.eci.std() == pytest.approx(1)
    np.testing.assert_allclose(cx.eci, (M @ cx.pci) / M.sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(eci_from_pci(M, cx.pci), cx.eci, atol=1e-12)
    # COG is zero where the region already has the product; COI standardized
    assert (cx.cog[M == 1] == 0).all()
    assert cx.coi.mean() == pytest.approx(0, abs=1e-12)


def test_pivot_cleaning_rules():
    df = pd.DataFrame({"region": ["b", "a", "a", "c", "a", None, "b"],
                       "product": ["x", "y", "x", "x", "y", "x", "z"],
                       "value": [1.0, 2.0, 3.0, 0.0, 99.0, 5.0, 0.0]})
    X, r, p = pivot(df)
    assert list(r) == ["a", "b"]            # c sums to 0: dropped; sorted; None region dropped
    assert list(p) == ["x", "y"]            # z sums to 0: dropped
    np.testing.assert_array_equal(X, [[3.0, 2.0], [1.0, 0.0]])   # duplicate (a, y): first kept


def test_time_column_each_period_on_its_own_grid():
    df = pd.concat([long(np.array([[1.0, 2], [3, 1]])).assign(year=2024),
                    long(np.array([[1.0, 2, 4], [3, 1, 0], [1, 1, 1]])).assign(year=2025)])
    out = complexity(df, time="year")
    assert out.groupby("year").size().to_dict() == {2024: 4, 2025: 9}


# ------------------------------------------------------------------ agreement with ecomplexity
def _reference(df, **kw):
    import ecomplexity as ec  # the reference implementation (dev dependency)
    d = df.assign(year=df["year"] if "year" in df else 2020)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ec.ecomplexity(d, {"time": "year", "loc": "region", "prod": "product", "val": "value"},
                             verbose=False, check_logsupermodularity=False, **kw)
    return out.dropna(subset=["diversity"])   # drop rows it merges back for dropped regions/products


def _agree(df, tol=1e-6, ours_kw=None, ref_kw=None):
    a = complexity(df, time="year" if "year" in df else None, **(ours_kw or {}))
    b = _reference(df, **(ref_kw or {}))
    keys = (["year"] if "year" in df else []) + ["region", "product"]
    a = a.astype({"region": str, "product": str}).set_index(keys).sort_index()
    b = b.astype({"region": str, "product": str}).set_index(keys).sort_index()
    assert a.index.equals(b.index), (len(a), len(b))
    for m in MEASURES:
        x, y = a[m].to_numpy(float), b[m].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=m)
        np.testing.assert_allclose(x, y, rtol=0, atol=tol, equal_nan=True, err_msg=m)


def _random(rng, C, P, fill, sigma=2.0):
    return rng.lognormal(0, sigma, (C, P)) * (rng.random((C, P)) < fill)


@pytest.mark.parametrize("C,P,fill,seed", [(20, 60, 0.25, 1), (60, 200, 0.15, 2), (40, 120, 1.0, 3),
                                            (50, 30, 0.5, 4), (8, 9, 0.7, 5),
                                            (8, 60, 0.3, 6), (20, 150, 0.2, 12)])   # P ≥ 6C: blocked path
def test_agrees_with_ecomplexity_random(C, P, fill, seed):
    rng = np.random.default_rng(seed)
    _agree(long(_random(rng, C, P, fill)))


def test_agrees_with_all_zero_rows_cols_and_explicit_zeros():
    rng = np.random.default_rng(7)
    X = _random(rng, 30, 80, 0.4)
    X[[0, 11], :] = 0
    X[:, [3, 40, 79]] = 0
    _agree(long(X, drop_zero=False))


def test_agrees_with_ties_at_the_threshold():
    rng = np.random.default_rng(8)
    X = np.round(_random(rng, 25, 50, 0.6)) + 0.0
    X[0] = X[1:].sum(axis=0)              # region 0's shares equal the world's: RCA exactly 1 in exact arithmetic
    X[1] = X[2]                           # identical regions
    X[:, 0] = X[:, 1]                     # identical products
    X = np.abs(X)
    _agree(long(X, drop_zero=False))


def test_agrees_with_integers_duplicates_nan_and_several_years():
    rng = np.random.default_rng(9)
    parts = []
    for y, (C, P) in zip((2023, 2024), ((30, 70), (35, 60))):
        parts.append(long(np.floor(_random(rng, C, P, 0.5) * 100)).assign(year=y))
    df = pd.concat(parts, ignore_index=True)
    df.loc[5, "value"] = np.nan
    df = pd.concat([df, df.iloc[[10, 20]].assign(value=12345.0)], ignore_index=True)   # later duplicates
    _agree(df)


@pytest.mark.parametrize("kw", [{"threshold": 1.5}, {"asymmetric": True}, {"continuous": True}])
def test_agrees_with_options(kw):
    rng = np.random.default_rng(10)
    df = long(_random(rng, 30, 90, 0.4))
    ref = {"rca_mcp_threshold": kw["threshold"]} if "threshold" in kw else dict(kw)
    _agree(df, ours_kw=kw, ref_kw=ref)


def test_agrees_with_manual_presence():
    rng = np.random.default_rng(11)
    M = (rng.random((30, 50)) < 0.3).astype(float)
    M[:, 0] = 1
    M[0, :] = 1
    _agree(long(M, drop_zero=False), ours_kw={"presence": "manual"}, ref_kw={"presence_test": "manual"})


# ------------------------------------------------------------------ the fast paths equal the plain formulas
@pytest.mark.parametrize("C,P,seed", [(10, 80, 1), (30, 40, 2), (5, 300, 3)])
def test_blocked_and_fused_paths_equal_plain_formulas(C, P, seed):
    import importlib

    cm = importlib.import_module("chainbrain.analytics.advantage.complexity")

    rng = np.random.default_rng(seed)
    M = (rng.random((C, P)) < 0.3).astype(float)
    M[0] = 1                                              # every product present somewhere (k_p > 0)
    k_p, pci0 = M.sum(axis=0), rng.normal(size=P)
    phi = (M.T @ M) / np.maximum(k_p[:, None], k_p[None, :])
    dens = (M @ phi.T) / phi.sum(axis=1)[None, :]
    notm = 1 - M
    coi = ((dens * notm) * pci0).sum(axis=1)
    cog = notm * ((notm * (pci0 / phi.sum(axis=1))) @ phi)
    for got in (cm._density_coi_cog_blocked(M, k_p, pci0), cm._density_coi_cog_symmetric(M, phi, pci0)):
        for a, b in zip(got, (dens, coi, cog)):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(complexity_matrix(M, presence="manual").proximity, phi, atol=1e-15)
