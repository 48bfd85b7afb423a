"""FLQ regionalization: a hand-computed 2-sector case, boundaries and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainbrain.analytics.io_regional import flq

A2 = np.array([[0.2, 0.15], [0.4, 0.05]])


def test_hand_computed_two_sectors():
    # nation sizes [100, 300] (N = 400), region [20, 20] (R = 40): R/N = 0.1
    # SLQ₁ = (20/40)/(100/400) = 2, SLQ₂ = (20/40)/(300/400) = 2/3
    # λ* = log₂(1.1)^0.3 = 0.13750352374993502^0.3 = 0.5514347723323603
    # FLQ = [[2λ, 3λ], [λ/3, 2λ/3]] = [[1.10287, 1.65430], [0.18381, 0.36762]]
    # r = [[0.2, 0.15], [0.4 × 0.18381…, 0.05 × 0.36762…]] = [[0.2, 0.15], [0.0735246…, 0.0183812…]]
    out = flq(A2, np.array([20.0, 20.0]), np.array([100.0, 300.0]))
    assert out.lam == pytest.approx(0.5514347723323603, rel=1e-15)
    np.testing.assert_allclose(out.slq, [2.0, 2 / 3], rtol=1e-15)
    np.testing.assert_allclose(out.flq, [[1.1028695446647205, 1.6543043169970808],
                                         [0.18381159077745343, 0.3676231815549068]], rtol=1e-14)
    np.testing.assert_allclose(out.A, [[0.2, 0.15], [0.07352463631098137, 0.018381159077745342]], rtol=1e-14)


def test_delta_zero_is_cilq_and_cap_at_one():
    out = flq(A2, np.array([20.0, 20.0]), np.array([100.0, 300.0]), delta=0.0)
    assert out.lam == 1.0
    np.testing.assert_allclose(out.flq, [[2.0, 3.0], [1 / 3, 2 / 3]], rtol=1e-15)
    np.testing.assert_allclose(out.A, [[0.2, 0.15], [0.4 / 3, 0.05 * 2 / 3]], rtol=1e-15)
    assert (out.A <= A2).all()
    # a region that is the whole nation: SLQ = 1, λ* = log₂(2)^δ = 1 → r = A exactly
    same = flq(A2, np.array([100.0, 300.0]), np.array([100.0, 300.0]))
    np.testing.assert_allclose(same.A, A2, rtol=1e-15)
    assert same.lam == 1.0


def test_absent_sector_zero_row_and_column():
    A3 = np.array([[0.1, 0.2, 0.3], [0.2, 0.1, 0.1], [0.05, 0.05, 0.05]])
    out = flq(A3, np.array([10.0, 0.0, 30.0]), np.array([100.0, 100.0, 200.0]))
    assert (out.A[1, :] == 0).all() and (out.A[:, 1] == 0).all()
    lam = math.log2(1 + 40 / 400) ** 0.3
    slq = np.array([(10 / 40) / (100 / 400), 0.0, (30 / 40) / (200 / 400)])       # [1, 0, 1.5]
    assert out.A[0, 2] == pytest.approx(0.3 * min(1.0, slq[0] / slq[2] * lam))
    assert out.A[2, 0] == pytest.approx(0.05 * min(1.0, slq[2] / slq[0] * lam))


@pytest.mark.parametrize("kw, msg", [
    ({"delta": 1.0}, "delta"), ({"delta": -0.1}, "delta"),
    ({"regional": np.array([-1.0, 5.0])}, "≥ 0"), ({"regional": np.array([500.0, 0.0])}, "part of the nation"),
])
def test_bad_input(kw, msg):
    args = {"A": A2, "regional": np.array([20.0, 20.0]), "national": np.array([100.0, 300.0]), **kw}
    with pytest.raises(ValueError, match=msg):
        flq(**args)
