"""``chainbrain attract gaps|targets|masters`` on the hand-made network (attract_data.py): JSON, Excel, bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from attract_data import load
from chainbrain.cli import app
from supply_data import WAN

A = pytest.approx


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    tmp = tmp_path_factory.mktemp("cli")
    path = str(tmp / "a.duckdb")
    store = open_store(path)
    init_store(store)
    load(store, tmp)
    store.close()
    return path


def run(*args):
    return CliRunner().invoke(app, ["attract", *args])


def test_gaps_json(db):
    r = run("gaps", "--chain", "NF", "--year", "2024", "--db", db)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    rows = {x["segment_code"]: x for x in out["rows"]}
    assert rows["NF-U1"]["status"] == "missing" and rows["EI-U1"]["top_supplier_share"] == A(6 / 7)
    assert out["thresholds"]["sourced"] is False and "tables" not in out


def test_targets_json_and_weights(db):
    r = run("targets", "--chain", "NF", "--year", "2024", "--db", db, "--weights",
            "gap_fill=0,local_demand=0,master_link=0,size=1,distance=0,growth=0,quality=0")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["weights"]["size"] == 1.0 and out["rows"][0]["name"] == "深圳链测电子有限公司"
    assert out["rows"][0]["size"] == A(5000 * WAN)


def test_masters_xlsx(db, tmp_path):
    f = tmp_path / "m.xlsx"
    r = run("masters", "--chain", "NF", "--year", "2024", "--db", db, "--format", "xlsx", "--out", str(f))
    assert r.exit_code == 0, r.output
    assert f.read_bytes()[:2] == b"PK" and "1 rows" in r.output
    j = tmp_path / "t.json"
    r = run("targets", "--chain", "NF", "--year", "2024", "--db", db, "--out", str(j), "--top", "1")
    assert r.exit_code == 0 and len(json.loads(j.read_text(encoding="utf-8"))["rows"]) == 1


@pytest.mark.parametrize("args,msg", [
    (["gaps", "--chain", "XX", "--year", "2024"], "未知产业链"),
    (["gaps", "--chain", "NF", "--year", "2024", "--format", "csv"], "输出格式"),
    (["gaps", "--chain", "NF", "--year", "2024", "--format", "xlsx"], "--out"),
    (["targets", "--chain", "NF", "--year", "2024", "--weights", "size"], "指标=数值"),
    (["targets", "--chain", "NF", "--year", "2024", "--weights", "size=-1"], "非负"),
    (["targets", "--chain", "NF", "--year", "2024", "--segment", "EI-D1"], "不属于产业链"),
    (["targets", "--chain", "NF", "--year", "2024", "--top", "0"], "--top"),
    (["gaps", "--chain", "NF", "--year", "2024", "--region", "999999"], "未知地区"),
])
def test_bad_input(db, args, msg):
    r = run(*args, "--db", db)
    assert r.exit_code == 2 and msg in r.output and "Traceback" not in r.output, r.output
