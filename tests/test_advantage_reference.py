"""Reference tables: validation, mapping to segments, the demo's synthetic table, ``import-reference``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from chainbrain.analytics.advantage import reference as R
from chainbrain.analytics.advantage.recommend import Advantage
from chainbrain.cli import advantage

root = typer.Typer()
root.add_typer(advantage.app, name="advantage")
runner = CliRunner()
SYNTHETIC = Path(R.__file__).resolve().parents[2] / "packs" / "jiangxi" / "reference_national_synthetic.csv"


@pytest.mark.parametrize("text,where", [
    ("product,pci\nA,1\nB,x\n", "row 3, field pci"),
    ("product,pci\nA,1\nA,2\n", "row 3, field product"),
    ("product,pci\nA,1\n,2\n", "row 3, field product"),
    ("industry_code,value\n3985,1\n398,2\n", "row 3, field industry_code"),
    ("industry_code,value\n3985,-1\n", "row 2, field value"),
    ("industry_code,value,growth\n3985,1,-1.5\n", "field growth"),
    ("industry_code,value\n3985,inf\n", "row 2, field value"),
    ("code,amount\nA,1\n", "columns must be"),
    ("industry_code,value,year\n3985,1,2024\n3986,1,2025\n", "one year per file"),
])
def test_read_reference_names_row_and_field(tmp_path, text, where):
    f = tmp_path / "ref.csv"
    f.write_text(text)
    with pytest.raises(R.ReferenceError) as e:
        R.read_reference(f)
    assert str(f) in str(e.value) and where in str(e.value)


def test_industry_reference_maps_to_segments_and_growth():
    ref = R.Reference("industry", pd.DataFrame({"industry_code": ["0001", "0002"], "value": [100.0, 50.0],
                                                "growth": [0.10, -0.20]}))
    si = pd.DataFrame({"segment": ["s", "t", "t"], "industry_code": ["0001", "0001", "0002"]})
    v = ref.by_segment(si)
    assert v["s"] == pytest.approx(50) and v["t"] == pytest.approx(100)       # 0001 split half/half
    g = ref.by_segment(si, "growth")
    assert g["s"] == pytest.approx(0.10) and g["t"] == pytest.approx((50 * 0.10 + 50 * -0.20) / 100)
    assert ref.total_growth() == pytest.approx((100 * 0.1 - 50 * 0.2) / 150)


def test_lq_against_reference_in_evidence():
    values = pd.DataFrame({"region": ["A", "A", "B", "B"], "segment": ["s", "t", "s", "t"],
                           "revenue": [30.0, 10, 10, 50], "enterprises": [5, 5, 5, 5]})
    adv = Advantage(values, reference_values=pd.Series({"s": 1.0, "t": 3.0}))
    ev = {s: adv._evidence(adv.rix["A"], j) for j, s in enumerate(adv.cx.products)}
    # A: s share 0.75 / national 0.25 = 3; t 0.25 / 0.75 = 1/3
    assert ev["s"]["lq_reference"] == pytest.approx(3.0) and ev["t"]["lq_reference"] == pytest.approx(1 / 3)


def test_synthetic_reference_is_labelled_and_valid(duck_store):
    ref = R.read_reference(SYNTHETIC)
    assert ref.kind == "industry" and "synthetic" in ref.note and "非官方" in ref.note
    known = set(duck_store.table("industry").select("code").execute()["code"])
    assert set(ref.table.industry_code) <= known
    seg = ref.by_segment(R.segment_industry(duck_store))
    assert seg is not None and len(seg) > 100 and (seg > 0).all()


def test_import_reference_cli(tmp_path, duck_store):
    r = runner.invoke(root, ["advantage", "import-reference", str(SYNTHETIC)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["kind"] == "industry" and out["rows"] > 300 and out["stored"] is False
    db = str(tmp_path / "cb.duckdb")                    # duck_store's file
    duck_store.close()
    r = runner.invoke(root, ["advantage", "import-reference", str(SYNTHETIC), "--db", db, "--name", "demo"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["stored"] is True and out["unknown_industry_count"] == 0 and out["segments_mapped"] > 100
    eng = sa.create_engine(f"duckdb:///{db}")
    with eng.connect() as conn:
        n, total = conn.execute(sa.text(f"SELECT COUNT(*), SUM(value) FROM {R.TABLE} WHERE name = 'demo'")).one()
    eng.dispose()
    assert n == out["rows"] and total == pytest.approx(out["value_total"])
    bad = tmp_path / "bad.csv"
    bad.write_text("product,pci\nA,nan?\n")
    r = runner.invoke(root, ["advantage", "import-reference", str(bad)])
    assert r.exit_code == 2 and "row 2" in r.output
