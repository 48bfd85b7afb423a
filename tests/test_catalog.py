"""Catalog: regions, industry classes, chains, clusters, parks, targets, and their CLI output."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from chainbrain.catalog import listing
from chainbrain.catalog.industries import by_code, industries
from chainbrain.catalog.pack import CATEGORIES, STAGES, load_pack
from chainbrain.catalog.regions import resolve
from chainbrain.cli import app

OFFICIAL_CHAINS = ["电子信息", "有色金属", "装备制造", "新能源", "石化化工", "建材", "钢铁", "航空",
                   "食品", "纺织服装", "医药", "现代家具"]
OFFICIAL_CLUSTERS = ["电子信息", "铜基新材料", "锂电和光伏新能源", "钨和稀土金属新材料", "航空",
                     "炼化一体化和化工新材料"]
CITIES = {"360100": "南昌市", "360200": "景德镇市", "360300": "萍乡市", "360400": "九江市",
          "360500": "新余市", "360600": "鹰潭市", "360700": "赣州市", "360800": "吉安市",
          "360900": "宜春市", "361000": "抚州市", "361100": "上饶市"}


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def run(*args: str) -> str:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def test_regions(pack):
    current = [r for r in pack.regions if r.status == "current"]
    assert len(current) == 112
    assert {r.code: r.name for r in current if r.level == "prefecture"} == CITIES
    assert sum(r.level == "county" for r in current) == 100
    for r in current:
        if r.level == "county":
            assert r.parent_code in CITIES
    idx = pack.region_index
    assert resolve(idx, "360782") == "360703"      # 南康市 → 南康区 (2013)
    assert resolve(idx, "360105") == "360112"      # 湾里区 → 新建区 (2019)
    assert resolve(idx, "360102") == "360102"
    assert resolve(idx, "999999") is None
    assert idx["360727"].status == "retired" and idx["360727"].successor_code == "360783"


def test_regions_csv_cli():
    out = run("catalog", "regions", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == ["code", "name", "level", "parent_code", "status", "successor_code"]
    assert {r["level"] for r in rows} == {"province", "prefecture", "county"}
    assert {r["status"] for r in rows} == {"current", "retired"}
    retired = [r for r in rows if r["status"] == "retired"]
    assert len(retired) == 11 and all(r["successor_code"] for r in retired)


def test_industries():
    all_ = industries()
    counts = {lvl: sum(c.level == lvl for c in all_) for lvl in ("section", "division", "group", "class")}
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1382}
    idx = by_code()
    assert idx["3841"].name == "锂离子电池制造" and idx["3841"].section == "C"
    assert idx["3612"].sei == "true"             # 新能源车整车制造, whole class
    assert idx["3841"].sei == "partial"          # marked * in SEI 2018
    assert idx["3741"].sei == "true" and idx["3741"].hightech == "true"
    assert idx["3120"].sei == "false" and idx["3120"].hightech == "false"   # 炼钢
    assert sum(c.hightech == "true" for c in all_ if c.level == "class") == 85
    assert idx["C"].sei == "partial" and idx["A"].hightech == "false"
    assert idx["9231"].name == "监察委员会"      # 2019 amendment


def test_industries_csv_cli():
    out = run("catalog", "industries", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == ["code", "name", "level", "parent_code", "sei", "hightech"]
    assert len(rows) == 20 + 97 + 473 + 1382
    assert {r["sei"] for r in rows} == {"true", "partial", "false"}


def test_chains(pack):
    assert [c.name_zh for c in pack.chains] == OFFICIAL_CHAINS
    classes = {c.code for c in industries() if c.level == "class"}
    codes = {s.code for s in pack.segments}
    chain_codes = {c.code for c in pack.chains}
    assert len({s.code for s in pack.segments if s.level == "segment"}) >= 150
    for c in pack.chains:
        assert c.category in CATEGORIES
        assert {s.stage for s in c.segments if s.level == "segment"} == set(STAGES), c.code
    for s in pack.segments:
        assert s.industry_codes and set(s.industry_codes) <= classes, s.code
        assert s.keywords, s.code
        assert set(s.flags) <= {"core", "bottleneck", "gap"}, s.code
        assert set(s.also_chains) <= chain_codes, s.code
        if s.level == "sub_segment":
            parent = next(p for p in pack.segments if p.code == s.parent_code)
            assert parent.chain_code == s.chain_code and parent.stage == s.stage
        else:
            assert not s.parent_code
    assert len(codes) == len(pack.segments)
    assert any(s.also_chains for s in pack.segments)      # some segments serve two chains
    assert sum(s.level == "sub_segment" for s in pack.segments) > 100


def test_chains_json_cli():
    data = json.loads(run("catalog", "chains", "--format", "json"))
    assert [c["name_zh"] for c in data] == OFFICIAL_CHAINS
    for c in data:
        assert {"code", "name_zh", "name_en", "category", "segments"} <= set(c)
        for s in c["segments"]:
            assert {"code", "name_zh", "stage", "parent", "industry_codes", "keywords", "flags"} <= set(s)
            assert isinstance(s["industry_codes"], list) and isinstance(s["flags"], list)


def test_clusters(pack):
    data = json.loads(run("catalog", "clusters", "--format", "json"))
    # #17: the six of the plan first, then the provincial (2024 list) and national clusters
    assert [c["name_zh"] for c in data if c["program"] == "1269"] == OFFICIAL_CLUSTERS
    assert [c["name_zh"] for c in data][:6] == OFFICIAL_CLUSTERS
    assert sum(c["program"] == "provincial" for c in data) == 9
    assert [c["name_zh"] for c in data if c["program"] == "national"] == ["赣州市稀土新材料及应用集群"]
    seg_codes = {s.code for s in pack.segments}
    counties = {r.code for r in pack.counties()}
    parks = {p["code"] for p in pack.parks}
    for c in data:
        assert c["segments"] and set(c["segments"]) <= seg_codes
        assert set(c["cities"]) <= set(CITIES)
        assert c["cities"] or c["places"], c["code"]         # somewhere to be a member
        for x in c["places"]:
            assert x["code"] in (counties if x["kind"] == "county" else parks), x


def test_parks(pack):
    counties = {r.code for r in pack.counties()}
    assert len(pack.parks) >= 30
    cities_with_parks = set()
    for p in pack.parks:
        assert p["region_code"] in counties, p
        assert p["level"] in {"national", "provincial"}
        cities_with_parks.add(p["region_code"][:4] + "00")
    assert cities_with_parks == set(CITIES)


def test_targets(pack):
    t = {x["code"]: x for x in pack.targets}
    g = t["revenue_growth_9pct"]
    assert (g["base_year"], g["annual_rate"], g["target_year"]) == (2022, 0.09, 2026)
    assert t["sei_va_share_28pct"]["target_value"] == 0.28
    assert t["digital_full_coverage"]["deadline"] == "2027-12-31"
    cols, rows = listing.targets(pack)
    assert "annual_rate" in cols and len(rows) == len(pack.targets)


@pytest.mark.parametrize("what", ["regions", "industries", "chains", "segments", "clusters", "parks", "targets"])
def test_every_catalog_command_in_every_format(what):
    for fmt in ("csv", "json"):
        out = run("catalog", what, "--format", fmt)
        assert out.strip()
        if fmt == "json":
            assert isinstance(json.loads(out), list)
