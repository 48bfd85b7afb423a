"""``chainbrain advantage complexity``: CSV round trip, agreement with ``ecomplexity``, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import typer
from typer.testing import CliRunner

from chainbrain.cli import advantage

root = typer.Typer()
root.add_typer(advantage.app, name="advantage")
runner = CliRunner()
COLUMNS = ["region", "product", "rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]


def test_complexity_csv_round_trip_matches_ecomplexity(tmp_path):
    rng = np.random.default_rng(42)
    C, P = 25, 70
    X = rng.lognormal(0, 2, (C, P)) * (rng.random((C, P)) < 0.4)
    X[4] = 0
    regions = [f"36{i:04d}" for i in range(C)]                  # codes with leading digits kept as text
    df = pd.DataFrame({"region": np.repeat(regions, P), "product": np.tile([f"0{j:03d}" for j in range(P)], C),
                       "value": X.ravel()})
    df = df[(df.value != 0) | (df.region == regions[4])]
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    df.to_csv(src, index=False)
    r = runner.invoke(root, ["advantage", "complexity", "--input", str(src), "--output", str(dst)])
    assert r.exit_code == 0, r.output
    out = pd.read_csv(dst, dtype={"region": str, "product": str})
    assert list(out.columns) == COLUMNS
    assert len(out) == (C - 1) * P and regions[4] not in set(out.region)
    import ecomplexity as ec  # the reference implementation (dev dependency)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ec.ecomplexity(df.assign(year=1), {"time": "year", "loc": "region", "prod": "product", "val": "value"},
                             verbose=False, check_logsupermodularity=False).dropna(subset=["diversity"])
    a = out.set_index(["region", "product"]).sort_index()
    b = ref.set_index(["region", "product"]).sort_index()
    assert a.index.equals(b.index)
    for c in COLUMNS[2:]:
        np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), atol=1e-6, rtol=0, err_msg=c)


def test_complexity_bad_input_names_file_row_field(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("region,product,value\nA,x,1\nA,y,abc\n")
    r = runner.invoke(root, ["advantage", "complexity", "--input", str(src), "--output", str(tmp_path / "o.csv")])
    assert r.exit_code == 2
    assert "bad.csv" in r.output and "row 3" in r.output and "value" in r.output
    src.write_text("region,item,value\nA,x,1\n")
    r = runner.invoke(root, ["advantage", "complexity", "--input", str(src), "--output", str(tmp_path / "o.csv")])
    assert r.exit_code == 2 and "product" in r.output
