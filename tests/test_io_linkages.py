"""Input–output linkages: a hand-checked 2-sector table, edge cases, pymrio on its test system, the CLI."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from chainbrain.analytics.io import extraction_brute_force, linkages
from chainbrain.cli import io as io_cli

root = typer.Typer()
root.add_typer(io_cli.app, name="io")
runner = CliRunner()

# Hand-checked table (Miller & Blair notation).
#   Z = [[20, 30], [40, 10]], f = [50, 150]  ->  x = Z·1 + f = [100, 200]
#   A = Z·x̂⁻¹ = [[0.2, 0.15], [0.4, 0.05]];  I − A = [[0.8, −0.15], [−0.4, 0.95]], det = 0.76 − 0.06 = 0.7
#   L = (1/0.7)·[[0.95, 0.15], [0.4, 0.8]] = [[19/14, 3/14], [8/14, 16/14]]   (check: L·f = [100, 200])
#   multipliers (column sums) = [27/14, 19/14], ΣL = 46/14;  BL = 2·[27, 19]/46 = [27/23, 19/23]
#   B = x̂⁻¹·Z = [[0.2, 0.3], [0.2, 0.05]];  I − B = [[0.8, −0.3], [−0.2, 0.95]], det = 0.7
#   G = (1/0.7)·[[0.95, 0.3], [0.2, 0.8]], row sums [25/14, 20/14], ΣG = 45/14;  FL = 2·[25, 20]/45 = [10/9, 8/9]
#   key sector: sector 1 only (27/23 > 1 and 10/9 > 1)
#   extract 1: Ā = [[0, 0], [0, 0.05]] -> x̄ = [50, 150/0.95];  1'x̄ = 3950/19;  share = (300 − 3950/19)/300 = 35/114
#   extract 2: Ā = [[0.2, 0], [0, 0]]   -> x̄ = [62.5, 150];     1'x̄ = 212.5;    share = 87.5/300 = 7/24
Z2 = np.array([[20.0, 30.0], [40.0, 10.0]])
F2 = np.array([50.0, 150.0])
HAND = {
    "A": [[0.2, 0.15], [0.4, 0.05]],
    "L": [[F(19, 14), F(3, 14)], [F(8, 14), F(16, 14)]],
    "multiplier": [F(27, 14), F(19, 14)],
    "bl": [F(27, 23), F(19, 23)],
    "fl": [F(10, 9), F(8, 9)],
    "hem": [F(35, 114), F(7, 24)],
}


def _f(v):
    return np.array(v, dtype=float)


def test_hand_checked_two_sector_table():
    r = linkages(Z2, F2)
    np.testing.assert_allclose(r.x, [100, 200], rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.A, _f(HAND["A"]), rtol=1e-14)
    np.testing.assert_allclose(r.L, _f(HAND["L"]), rtol=1e-13)
    np.testing.assert_allclose(r.output_multiplier, _f(HAND["multiplier"]), rtol=1e-13)
    np.testing.assert_allclose(r.bl, _f(HAND["bl"]), rtol=1e-13)
    np.testing.assert_allclose(r.fl, _f(HAND["fl"]), rtol=1e-13)
    np.testing.assert_allclose(r.hem_share, _f(HAND["hem"]), rtol=1e-13)
    assert r.key.tolist() == [True, False]


def test_key_sector_needs_both_strictly_above_one():
    # symmetric table: every BL and FL is exactly 1 -> no key sector (strict inequality)
    r = linkages(np.array([[10.0, 10.0], [10.0, 10.0]]), np.array([80.0, 80.0]))
    np.testing.assert_allclose(r.bl, [1, 1], rtol=1e-14)
    np.testing.assert_allclose(r.fl, [1, 1], rtol=1e-14)
    assert r.key.tolist() == [False, False]


def _random_table(n, seed, zero=()):
    rng = np.random.default_rng(seed)
    Z = rng.lognormal(0, 1, (n, n)) * (rng.random((n, n)) < 0.6)
    f = rng.lognormal(1.5, 1, n)
    for k in zero:    # a sector with no output and no sales that still records purchases (nonzero column)
        Z[:, k] += 0.3
    for k in zero:
        Z[k, :] = 0
        f[k] = 0
    return Z, f


@pytest.mark.parametrize("zero", [(), (2,), (0, 4)])
def test_closed_forms_match_direct_inversions(zero):
    Z, f = _random_table(7, 11, zero)
    x = Z.sum(axis=1) + f
    assert all(x[k] == 0 for k in zero)
    r = linkages(Z, f, x)
    inv = np.divide(1, x, out=np.zeros_like(x), where=x != 0)
    A = Z * inv[None, :]
    for k in zero:
        assert (r.A[:, k] == 0).all()
    L = np.linalg.inv(np.eye(7) - A)
    G = np.linalg.inv(np.eye(7) - Z * inv[:, None])             # Ghosh inverse, inverted directly
    np.testing.assert_allclose(r.L, L, rtol=1e-12)
    np.testing.assert_allclose(r.ghosh_row_sums, G.sum(axis=1), rtol=1e-11)
    np.testing.assert_allclose(r.fl, 7 * G.sum(axis=1) / G.sum(), rtol=1e-11)
    for k in range(7):                                           # every extraction by its own solve
        xb = extraction_brute_force(A, f, k)
        np.testing.assert_allclose(r.hem_share[k], (x.sum() - xb.sum()) / x.sum(), rtol=1e-9, atol=1e-13)


def test_singular_table_is_a_clear_error():
    from chainbrain.analytics.io import IOError_
    with pytest.raises(IOError_, match="singular.*奇异"):
        linkages(np.array([[10.0, 0.0], [0.0, 5.0]]), np.array([0.0, 0.0]))   # A = I


# --- pymrio on its test system -------------------------------------------------------------

@pytest.fixture(scope="module")
def mrio():
    import pymrio   # the reference implementation (test dependency)
    return pymrio, pymrio.load_test()


def _to_csv(io, tmp_path):
    Z, Y = io.Z, io.Y
    zdf = pd.DataFrame(Z.to_numpy(), columns=[f"{r}|{s}" for r, s in Z.columns])
    zdf.insert(0, "sector", [s for _, s in Z.index])
    zdf.insert(0, "region", [r for r, _ in Z.index])
    ydf = pd.DataFrame(Y.to_numpy(), columns=[f"{r}|{c}" for r, c in Y.columns])
    ydf.insert(0, "sector", [s for _, s in Y.index])
    ydf.insert(0, "region", [r for r, _ in Y.index])
    zp, yp = tmp_path / "Z.csv", tmp_path / "Y.csv"
    zdf.to_csv(zp, index=False)
    ydf.to_csv(yp, index=False)
    return zp, yp


def test_A_and_L_agree_with_pymrio_test_system(mrio):
    pymrio, io = mrio
    Z, Y = io.Z.to_numpy(), io.Y.to_numpy()
    x = pymrio.calc_x(io.Z, io.Y)
    A = pymrio.calc_A(io.Z, x)
    L = pymrio.calc_L(A)
    r = linkages(Z, Y.sum(axis=1))
    np.testing.assert_allclose(r.A, A.to_numpy(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(r.L, L.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.x, x.to_numpy().ravel(), rtol=1e-12)
    # measures from pymrio's own L and G
    G = pymrio.calc_G(pymrio.calc_B(io.Z, x))
    n = Z.shape[0]
    np.testing.assert_allclose(r.output_multiplier, L.to_numpy().sum(axis=0), rtol=1e-10)
    np.testing.assert_allclose(r.bl, n * L.to_numpy().sum(axis=0) / L.to_numpy().sum(), rtol=1e-10)
    np.testing.assert_allclose(r.fl, n * G.to_numpy().sum(axis=1) / G.to_numpy().sum(), rtol=1e-9)
    # an extraction through pymrio: zero row/column k of its A, its L, x̄ = L·f
    f = Y.sum(axis=1)
    for k in (0, 17, 47):
        Ak = A.to_numpy().copy()
        Ak[k, :] = 0
        Ak[:, k] = 0
        xb = pymrio.calc_x_from_L(pymrio.calc_L(Ak), f)
        np.testing.assert_allclose(r.hem_share[k], 1 - xb.sum() / r.x.sum(), rtol=1e-9)


def test_cli_on_pymrio_test_system(mrio, tmp_path):
    pymrio, io = mrio
    zp, yp = _to_csv(io, tmp_path)
    out = tmp_path / "out.csv"
    res = runner.invoke(root, ["io", "linkages", "--z", str(zp), "--y", str(yp), "--output", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype={"region": str, "sector": str, "bl": str, "hem_share": str})
    assert list(df.columns) == ["region", "sector", "bl", "fl", "output_multiplier", "hem_share"]
    assert list(zip(df.region, df.sector)) == list(io.Z.index)
    L = pymrio.calc_L(pymrio.calc_A(io.Z, pymrio.calc_x(io.Z, io.Y))).to_numpy()
    # full precision: the CSV holds the in-memory floats exactly (shortest round-trip repr)
    from chainbrain.ingest.io_table import read_io_table
    t = read_io_table(zp, yp)
    r = linkages(t.Z, t.f)
    assert df.bl.tolist() == [repr(float(v)) for v in r.bl]
    assert df.hem_share.tolist() == [repr(float(v)) for v in r.hem_share]
    np.testing.assert_allclose(df.output_multiplier, L.sum(axis=0), rtol=1e-10)


# --- the CLI on the hand-checked table, and bad files ----------------------------------------

def _write_hand(tmp_path, x=None, z_header=None):
    zp, yp = tmp_path / "Z.csv", tmp_path / "Y.csv"
    zp.write_text((z_header or "region,sector,36|A,36|B") + "\n36,A,20,30\n36,B,40,10\n", encoding="utf-8")
    yp.write_text("region,sector,36|household,36|export\n36,A,30,20\n36,B,100,50\n", encoding="utf-8")
    args = ["io", "linkages", "--z", str(zp), "--y", str(yp), "--output", str(tmp_path / "out.csv")]
    if x is not None:
        xp = tmp_path / "x.csv"
        xp.write_text(x, encoding="utf-8")
        args += ["--x", str(xp)]
    return args


def test_cli_hand_table_with_x_within_rounding(tmp_path):
    # x row B is 200.9: 0.9 from Z·1 + f = 200, within the one-unit rounding tolerance
    res = runner.invoke(root, _write_hand(tmp_path, "region,sector,x\n36,B,200.9\n36,A,100\n"))
    assert res.exit_code == 0, res.output
    assert "1 key sector" in res.output and "36|A" in res.output
    df = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert df.sector.tolist() == ["A", "B"]


def test_cli_hand_table_values(tmp_path):
    res = runner.invoke(root, _write_hand(tmp_path))
    assert res.exit_code == 0, res.output
    df = pd.read_csv(tmp_path / "out.csv", dtype={"region": str})
    np.testing.assert_allclose(df.bl, _f(HAND["bl"]), rtol=1e-13)
    np.testing.assert_allclose(df.fl, _f(HAND["fl"]), rtol=1e-13)
    np.testing.assert_allclose(df.output_multiplier, _f(HAND["multiplier"]), rtol=1e-13)
    np.testing.assert_allclose(df.hem_share, _f(HAND["hem"]), rtol=1e-13)


@pytest.mark.parametrize("x_text, needle", [
    ("region,sector,x\n36,A,100\n36,B,201.5\n", "x.csv: row 3 (36|B), field x: 201.5 disagrees with Z·1 + f = 200"),
    ("region,sector,x\n36,A,100\n", "x.csv: field x: no row for 36|B"),
    ("region,sector,x\n36,A,100\n36,B,200\n36,C,1\n", "x.csv: row 4, field sector: 36|C is not a row of Z"),
    ("region,sector,x\n36,A,abc\n36,B,200\n", "x.csv: row 2, field x: not a number 'abc'"),
])
def test_cli_refuses_bad_x(tmp_path, x_text, needle):
    res = runner.invoke(root, _write_hand(tmp_path, x_text))
    assert res.exit_code == 2
    assert needle in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_x_tolerance_boundary(tmp_path):
    # tolerance = max(1, 1e-4·|x|): 200 + 1 passes exactly at the boundary; 10000 rows use the relative part
    res = runner.invoke(root, _write_hand(tmp_path, "region,sector,x\n36,A,100\n36,B,201\n"))
    assert res.exit_code == 0, res.output
    res = runner.invoke(root, _write_hand(tmp_path, "region,sector,x\n36,A,100\n36,B,201.01\n"))
    assert res.exit_code == 2 and "tolerance 1" in res.output


def test_cli_bad_z_header_and_missing_file(tmp_path):
    res = runner.invoke(root, _write_hand(tmp_path, z_header="region,sector,36|B,36|A"))
    assert res.exit_code == 2 and "Z.csv: row 1, column 3: header '36|B' should be '36|A'" in res.output
    assert "（" in res.output or "(" in res.output
    res = runner.invoke(root, ["io", "linkages", "--z", str(tmp_path / "nope.csv"), "--y", str(tmp_path / "nope.csv"),
                               "--output", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "nope.csv: cannot read CSV" in res.output and "无法读取" in res.output


def test_cli_bad_y_rows_and_columns(tmp_path):
    args = _write_hand(tmp_path)
    yp = tmp_path / "Y.csv"
    yp.write_text("region,sector,36|household\n36,B,100\n36,A,30\n", encoding="utf-8")         # rows swapped
    res = runner.invoke(root, args)
    assert res.exit_code == 2 and "Y.csv: row 2, field sector: rows must be Z's rows in Z's order" in res.output
    yp.write_text("region,sector,household\n36,A,30\n36,B,100\n", encoding="utf-8")             # no region|
    res = runner.invoke(root, args)
    assert res.exit_code == 2 and "Y.csv: row 1, column 'household'" in res.output and "地区|类别" in res.output
    yp.write_text("region,sector,36|household\n36,A,30\n36,B,x1\n", encoding="utf-8")
    res = runner.invoke(root, args)
    assert res.exit_code == 2 and "Y.csv: row 3, field 36|household: not a number 'x1'" in res.output


def test_negative_final_demand_and_blank_cells(tmp_path):
    # inventory change may be negative; a blank cell is 0: f = [50 + 0, 170 − 20] = [50, 150] as in the hand table
    zp, yp = tmp_path / "Z.csv", tmp_path / "Y.csv"
    zp.write_text("region,sector,36|A,36|B\n36,A,20,30\n36,B,40,10\n", encoding="utf-8")
    yp.write_text("region,sector,36|household,36|inventory\n36,A,50,\n36,B,170,-20\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    res = runner.invoke(root, ["io", "linkages", "--z", str(zp), "--y", str(yp), "--output", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    np.testing.assert_allclose(df.hem_share, _f(HAND["hem"]), rtol=1e-13)
