"""Recommendations (attack / breakthrough), measures and the CLI on a small hand-made province store."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from chainbrain.analytics.advantage import data
from chainbrain.analytics.advantage.measures import cluster_strength, location_quotient, shift_share
from chainbrain.analytics.advantage.recommend import PRESETS, Advantage, recommend_from_store
from chainbrain.cli import advantage

root = typer.Typer()
root.add_typer(advantage.app, name="advantage")
runner = CliRunner()


def _fill(store, year: int = 2025, n_seg: int = 10, seed: int = 3):
    """Enterprises in the province's counties × segments: 3–5 per present cell, random revenue."""
    counties = data.regions(store, "county").sort_values("code")
    segs = data.segments(store).sort_values("segment")
    rng = np.random.default_rng(seed)
    cs = counties["code"].tolist()[:12]
    ss = segs["segment"].tolist()[:n_seg]
    rows, eid = [], 0
    for i, c in enumerate(cs):
        for j, s in enumerate(ss):
            if rng.random() < 0.45 or (i + j) % 5 == 0:
                for _ in range(int(rng.integers(3, 6))):
                    eid += 1
                    rows.append((eid, c, s, float(rng.lognormal(18, 1)), int(rng.integers(20, 400))))
    # one enterprise in two segments (revenue split half/half)
    eid += 1
    rows.append((eid, cs[0], ss[0], 1e8, 100))
    two_seg = (eid, ss[1])
    n = len(rows)
    ids = [r[0] for r in rows]
    with store.begin() as conn:
        store.bulk_insert(conn, "import_batch", pa.table({
            "id": [1], "kind": ["fixture"], "source": ["tests/test_advantage_recommend.py"],
            "created_at": [dt.datetime(2026, 1, 15)], "row_count": [n], "status": ["loaded"]}))
        store.bulk_insert(conn, "enterprise", pa.table({
            "id": ids, "uscc": pa.array([None] * n, pa.string()), "name": [f"样例企业{i}" for i in ids],
            "province_code": ["360000"] * n, "region_code": [r[1] for r in rows],
            "industry_code": ["3922"] * n, "is_industrial": [True] * n, "is_demo": [False] * n,
            "batch_id": [1] * n, "revision": [1] * n}))
        store.bulk_insert(conn, "enterprise_attr", pa.table({
            "enterprise_id": ids, "attr": ["region_code"] * n, "attr_value": [r[1] for r in rows],
            "valid_from": pa.array([None] * n, pa.date32()), "valid_to": pa.array([None] * n, pa.date32()),
            "batch_id": [1] * n, "revision": [1] * n}))
        es = [(r[0], r[2]) for r in rows] + [two_seg]
        store.bulk_insert(conn, "enterprise_segment", pa.table({
            "enterprise_id": [e[0] for e in es], "segment_code": [e[1] for e in es],
            "method": ["manual"] * len(es), "confidence": [1.0] * len(es),
            "valid_from": pa.array([None] * len(es), pa.date32()),
            "valid_to": pa.array([None] * len(es), pa.date32()),
            "batch_id": [1] * len(es), "revision": [1] * len(es)}))
        store.bulk_insert(conn, "annual_report", pa.table({
            "enterprise_id": ids, "year": [year] * n, "revenue": pa.array([r[3] for r in rows], pa.float64()),
            "employees": [r[4] for r in rows], "batch_id": [1] * n, "revision": [1] * n}))
    return pd.DataFrame(rows, columns=["enterprise_id", "region", "segment", "revenue", "employees"]), two_seg


@pytest.fixture
def province(duck_store):
    rows, two_seg = _fill(duck_store)
    return duck_store, rows, two_seg


def test_region_segment_values_match_pandas(province):
    store, rows, (eid, seg2) = province
    got = data.region_segment_values(store, 2025, "county")
    r = rows.copy()
    last = r.enterprise_id == eid
    r.loc[last, ["revenue", "employees"]] /= 2
    r = pd.concat([r, r[last].assign(segment=seg2)])
    exp = r.groupby(["region", "segment"]).agg(revenue=("revenue", "sum"), employees=("employees", "sum"),
                                               enterprises=("enterprise_id", "nunique")).reset_index()
    m = got.merge(exp, on=["region", "segment"], suffixes=("", "_exp"))
    assert len(m) == len(got) == len(exp)
    np.testing.assert_allclose(m.revenue, m.revenue_exp, rtol=1e-9)
    np.testing.assert_allclose(m.employees, m.employees_exp, rtol=1e-9)
    assert (m.enterprises == m.enterprises_exp).all()
    city = data.region_segment_values(store, 2025, "prefecture")
    assert city.revenue.sum() == pytest.approx(got.revenue.sum())


def test_recommend_attack_present_breakthrough_absent(province):
    store, rows, _ = province
    values = data.region_segment_values(store, 2025, "county")
    adv = Advantage(values, data.segments(store))
    for region in values.region.unique()[:5]:
        rec = adv.recommend(region, top=None)
        assert rec["attack"] and rec["breakthrough"]
        present = set(values[values.region == region].segment)
        for item in rec["attack"]:
            assert item["evidence"]["mcp"] == 1 and item["evidence"]["rca"] >= 1
            assert item["segment"] in present
        for item in rec["breakthrough"]:
            assert item["evidence"]["mcp"] == 0
            assert {"density", "pci", "cog", "rca", "distance"} <= item["evidence"].keys()
        for kind in ("attack", "breakthrough"):
            scores = [it["score"] for it in rec[kind]]
            assert scores == sorted(scores, reverse=True)
            assert all(0 <= s <= 1 for s in scores)
        assert {it["segment"] for it in rec["attack"]}.isdisjoint(it["segment"] for it in rec["breakthrough"])


def test_strategy_presets_weight_density_vs_complexity(province):
    store, _, _ = province
    values = data.region_segment_values(store, 2025, "county")
    region = values.region.iloc[0]
    low = Advantage(values, strategy="low_hanging_fruit").recommend(region, top=None)["breakthrough"]
    far = Advantage(values, strategy="long_jumps").recommend(region, top=None)["breakthrough"]
    corr = lambda items, k: np.corrcoef([i["score"] for i in items], [i["evidence"][k] for i in items])[0, 1]  # noqa: E731
    assert corr(low, "density") >= corr(far, "density")
    assert corr(far, "pci") >= corr(low, "pci")
    assert set(PRESETS) == {"low_hanging_fruit", "balanced", "long_jumps"}


def test_province_view_flags_crowded_segments(province):
    store, _, _ = province
    adv = Advantage(data.region_segment_values(store, 2025, "county"))
    view = adv.province_view(top=3, min_regions=2)
    assert view
    for v in view:
        assert v["regions_targeting"] >= 2 and len(v["ranking"]) == v["regions_targeting"]
        assert v["stronger_case"] == v["ranking"][0]["region"]
        sc = [r["score"] for r in v["ranking"]]
        assert sc == sorted(sc, reverse=True)


def test_recommend_from_store_city_and_errors(province):
    store, rows, _ = province
    city = store.table("region").filter(lambda t: t.code == rows.region.iloc[0]).execute()["prefecture_code"][0]
    rec = recommend_from_store(store, city)
    assert rec["level"] == "prefecture" and rec["year"] == 2025
    with pytest.raises(ValueError):
        recommend_from_store(store, "999999")


def test_cli_recommend_json_and_table(province, tmp_path):
    store, rows, _ = province
    db = str(tmp_path / "cb.duckdb")            # the duck_store fixture's file
    region = rows.region.iloc[0]
    store.close()
    r = runner.invoke(root, ["advantage", "recommend", "--db", db, "--region", region, "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["region"] == region and {"attack", "breakthrough"} <= out.keys()
    assert all({"segment", "score", "evidence"} <= it.keys() for it in out["attack"] + out["breakthrough"])
    r = runner.invoke(root, ["advantage", "recommend", "--db", db, "--region", region])
    assert r.exit_code == 0 and "attack" in r.output
    r = runner.invoke(root, ["advantage", "recommend", "--db", db, "--region", "999999"])
    assert r.exit_code == 2


# ------------------------------------------------------------------ measures
def test_location_quotient_and_cluster_strength_by_hand():
    df = pd.DataFrame({"region": ["A", "A", "B", "B"], "segment": ["s", "t", "s", "t"],
                       "employees": [300.0, 100, 100, 500], "enterprises": [5, 2, 4, 6]})
    lq = location_quotient(df, "employees")
    # province shares s 0.4, t 0.6; A: s 300/400 = 0.75 → 1.875, t 0.25 → 0.4167; B: s 1/6, t 5/6
    np.testing.assert_allclose(lq, [1.875, 0.25 / 0.6, (1 / 6) / 0.4, (5 / 6) / 0.6])
    ref = pd.Series({"s": 1.0, "t": 1.0})
    np.testing.assert_allclose(location_quotient(df, "employees", reference=ref), [1.5, 0.5, 1 / 3, 5 / 3])
    cs = cluster_strength(df, min_employees=100, min_enterprises=3)
    assert cs["strong"].tolist() == [True, False, False, True]


def test_shift_share_adds_up_and_by_hand():
    base = pd.DataFrame({"region": ["A", "A", "B"], "segment": ["s", "t", "s"], "revenue": [100.0, 100, 100]})
    final = pd.DataFrame({"region": ["A", "A", "B", "B"], "segment": ["s", "t", "s", "t"],
                          "revenue": [150.0, 110, 110, 20]})
    t = shift_share(base, final).set_index(["region", "segment"])
    # province: 300 → 390 (G = 0.3); s: 200 → 260 (0.3); t: 100 → 130 (0.3)
    a = t.loc[("A", "s")]
    assert a.reference_growth == pytest.approx(30) and a.industry_mix == pytest.approx(0)
    assert a.competitive == pytest.approx(20)
    assert t.loc[("B", "t")].competitive == pytest.approx(20)     # new cell: all competitive
    np.testing.assert_allclose(t.reference_growth + t.industry_mix + t.competitive, t.change)
    ext = shift_share(base, final, reference=pd.Series({"s": 0.1, "t": 0.5}), reference_total=0.2)
    np.testing.assert_allclose(ext.reference_growth + ext.industry_mix + ext.competitive, ext.change)


# ------------------------------------------------------------------ both engines (DuckDB and PostgreSQL)
def _expected_values(rows, two_seg):
    eid, seg2 = two_seg
    r = rows.copy()
    last = r.enterprise_id == eid
    r.loc[last, ["revenue", "employees"]] /= 2
    r = pd.concat([r, r[last].assign(segment=seg2)])
    return r.groupby(["region", "segment"]).agg(revenue=("revenue", "sum"), employees=("employees", "sum"),
                                               enterprises=("enterprise_id", "nunique")).reset_index()


def test_recommend_on_each_engine_matches_pandas(store_any):
    rows, two_seg = _fill(store_any)
    values = _expected_values(rows, two_seg)
    segs = data.segments(store_any)
    for strategy in PRESETS:
        exp_adv = Advantage(values, segs, strategy=strategy)
        for region in sorted(values.region.unique())[:4]:
            got = recommend_from_store(store_any, region, year=2025, strategy=strategy, top=None)
            exp = exp_adv.recommend(region, top=None)
            assert got["level"] == "county" and got["year"] == 2025 and got["strategy"] == strategy
            for kind in ("attack", "breakthrough"):
                assert [it["segment"] for it in got[kind]] == [it["segment"] for it in exp[kind]], (region, kind)
                np.testing.assert_allclose([it["score"] for it in got[kind]], [it["score"] for it in exp[kind]],
                                           atol=1e-9)
                for g, e in zip(got[kind], exp[kind]):
                    assert g["evidence"]["enterprises"] == e["evidence"]["enterprises"]
                    for k in ("rca", "density", "pci", "cog"):
                        assert g["evidence"][k] == pytest.approx(e["evidence"][k], abs=1e-9)
    city = store_any.table("region").filter(lambda t: t.code == rows.region.iloc[0]).execute()["prefecture_code"][0]
    rec = recommend_from_store(store_any, city, target_chains=[segs.chain_code.iloc[0]])
    assert rec["level"] == "prefecture"
    chain_of = dict(zip(segs.segment, segs.chain_code))
    assert all(chain_of[it["segment"]] == segs.chain_code.iloc[0] for it in rec["attack"] + rec["breakthrough"])
    with pytest.raises(ValueError):
        recommend_from_store(store_any, "360000")            # the province is not a city or county


def test_cli_recommend_with_reference_on_each_engine(store_any, db_any, tmp_path):
    rows, two_seg = _fill(store_any)
    values = _expected_values(rows, two_seg)
    segs = sorted(values.segment.unique())
    ref = tmp_path / "pci.csv"
    pci = {s: float(i) - 4.5 for i, s in enumerate(segs)}
    pd.DataFrame({"product": list(pci), "pci": list(pci.values()), "note": "test"}).to_csv(ref, index=False)
    region = sorted(values.region.unique())[0]
    r = runner.invoke(root, ["advantage", "recommend", "--db", db_any, "--region", region, "--top", "0",
                             "--reference", str(ref), "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["reference"]["kind"] == "pci" and out["reference"]["note"] == "test"
    present = [it for it in out["attack"]] + [it for it in out["breakthrough"] if it["evidence"]["mcp"]]
    assert present
    # subnational ECI = mean reference PCI over the region's segments with M = 1
    adv = Advantage(values)
    i = adv.rix[region]
    mine = [s for j, s in enumerate(adv.cx.products) if adv.cx.mcp[i, j] == 1]
    eci_sub = np.mean([pci[s] for s in mine])
    for it in out["attack"] + out["breakthrough"]:
        assert it["evidence"]["region_eci_sub"] == pytest.approx(eci_sub, abs=1e-6)
        assert it["evidence"]["pci_reference"] == pci[it["segment"]]
