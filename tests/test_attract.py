"""TOPSIS by hand, attraction targets and 链主+ on ``attract_data.py``, leads — DuckDB and PostgreSQL."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from attract_data import load
from chainbrain.analytics.attract import (CRITERIA, TARGET_COLUMNS, distance_km, haversine_km, master_suppliers,
                                          parse_weights, targets, weights_for)
from chainbrain.analytics.attract import config as attract_config
from chainbrain.analytics.topsis import normalise_weights, topsis
from chainbrain.web.users import User
from chainbrain.work import attract_leads as L
from chainbrain.work.records import Conflict, Invalid, Missing, NotAllowed
from chainbrain.work.workflow import Refused
from supply_data import P1, WAN
from test_monitor_data import engine_store

A = pytest.approx
ADMIN = User(1, "admin", "province_admin")
NF_OFFICE = User(2, "nf_office", "chain_office", chain_code="NF")
EI_OFFICE = User(3, "ei_office", "chain_office", chain_code="EI")
CITY = User(4, "nc_city", "city", region_code="360100")


# ------------------------------------------------------------------ TOPSIS by hand
def test_topsis_hand_computed():
    # b (benefit) = 3, 4, 0 → norm 5 → r .6 .8 0;  c (cost) = 4, 3, 0 → r .8 .6 0;  weights ½ ½
    # v: b .3 .4 0, c .4 .3 0;  A+ = (.4, 0), A− = (0, .4)
    # 1: S+ = √(.1² + .4²) = √.17, S− = .3       → C = .3 / (.3 + √.17)
    # 2: S+ = .3, S− = √(.4² + .1²) = √.17         → C = √.17 / (.3 + √.17)
    # 3: S+ = .4, S− = .4                          → C = .5
    out = topsis(pd.DataFrame({"b": [3.0, 4.0, 0.0], "c": [4.0, 3.0, 0.0]}), {"b": 0.5, "c": 0.5}, {"c"})
    r = math.sqrt(0.17)
    assert out["score"].tolist() == A([0.3 / (0.3 + r), r / (0.3 + r), 0.5])
    assert out["rank"].tolist() == [3, 1, 2]
    assert out["b_norm"].tolist() == A([0.6, 0.8, 0.0]) and out["c_weighted"].tolist() == A([0.4, 0.3, 0.0])
    assert out["d_plus"].tolist() == A([r, 0.3, 0.4]) and out["d_minus"].tolist() == A([0.3, r, 0.4])


def test_topsis_missing_equal_and_zero_columns():
    out = topsis(pd.DataFrame({"b": [2.0, np.nan, 1.0], "c": [np.nan, np.nan, np.nan]}), {"b": 1.0, "c": 0.0}, {"c"})
    assert out["b"].tolist() == [2.0, 1.0, 1.0]                      # imputed with the worst (min) of a benefit
    assert out["imputed"].tolist() == [["c"], ["b", "c"], ["c"]] and out["c"].tolist() == [0.0, 0.0, 0.0]
    assert out["score"].tolist() == A([1.0, 0.0, 0.0]) and out["rank"].tolist() == [1, 2, 3]   # stable ties
    same = topsis(pd.DataFrame({"b": [1.0, 1.0]}), {"b": 1.0})
    assert same["score"].tolist() == [0.5, 0.5]                         # undefined: 0.5 by convention
    cost = topsis(pd.DataFrame({"c": [1.0, 3.0]}), {"c": 1.0}, {"c"})
    assert cost["c"].tolist() == [1.0, 3.0] and cost["score"].tolist() == A([1.0, 0.0])


def test_weights_validation():
    assert normalise_weights({"a": 2, "b": 2}, ["a", "b", "c"]) == {"a": 0.5, "b": 0.5, "c": 0.0}
    for bad, msg in (({"z": 1}, "未知指标"), ({"a": -1}, "非负"), ({"a": 0}, "全为 0"), ({"a": float("nan")}, "非负")):
        with pytest.raises(ValueError, match=msg):
            normalise_weights(bad, ["a", "b"])
    assert parse_weights("size = 0.3, distance=0.2") == {"size": 0.3, "distance": 0.2}
    assert parse_weights("") == {}
    for bad, msg in (("size", "指标=数值"), ("height=1", "未知指标"), ("size=big", "不是数值")):
        with pytest.raises(ValueError, match=msg):
            parse_weights(bad)
    cfg = attract_config()
    assert sum(cfg["weights"].values()) == A(1.0) and cfg["sourced"] is False and set(cfg["weights"]) == set(CRITERIA)
    w = weights_for(cfg, {"size": 0.0, "gap_fill": 0.0})
    assert w["size"] == 0.0 and sum(w.values()) == A(1.0)


def test_distance():
    # Nanchang (28.68, 115.86) – Wuhan (30.59, 114.31): about 260 km
    assert haversine_km(28.68, 115.86, 30.59, 114.31) == A(259.89, abs=0.05)
    assert haversine_km(0, 0, 0, 180) == A(math.pi * 6371.0088)
    cfg = attract_config()
    assert distance_km(cfg, "420000") == A(259.89, abs=0.05) and distance_km(cfg, "360000") == 0.0
    assert math.isnan(distance_km(cfg, "999999"))


# ------------------------------------------------------------------ targets on the hand-made network
@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def astore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=load)
    yield view, store
    store.close()


def _by_name(res):
    return {r["name"]: r for r in res["rows"].to_dict("records")}


def test_targets_criteria(astore):
    store, _ = astore
    res = targets(store, 2024, "NF")
    assert list(res["rows"].columns[:len(TARGET_COLUMNS)]) == TARGET_COLUMNS
    got = _by_name(res)
    assert set(got) == {"深圳链测电子有限公司", "武汉测试材料", "浙江链测材料有限公司"}    # P2 is in the province
    p1, p3, p4 = got["深圳链测电子有限公司"], got["武汉测试材料"], got["浙江链测材料有限公司"]
    assert (p1["segment_code"], p1["gap_status"], p1["gap_fill"]) == ("EI-U1", "broken_risk", 0.75)
    assert p1["local_demand"] == A(140 * WAN) and p1["master_link"] == A(120 * WAN)
    assert p1["size"] == A(5000 * WAN) and p1["growth"] == A(0.25) and p1["revenue_year"] == 2024
    assert p1["tags"] == ["listed"] and p1["quality"] == 2.0 and p1["imputed"] == []
    assert p1["province_name"] == "广东省" and p1["uscc"] == P1
    assert (p3["gap_status"], p3["gap_fill"], p3["local_demand"], p3["master_link"]) == ("missing", 1.0, 60 * WAN, 0.0)
    assert p3["imputed"] == ["size", "growth"] and p3["size"] == A(2000 * WAN)     # worst observed (P4's)
    assert p3["sells_to_province_yuan"] == A(60 * WAN) and p4["sells_to_province_yuan"] == 0.0
    assert p4["size"] == A(2000 * WAN) and p4["imputed"] == ["growth"] and p4["growth"] == A(0.25)
    assert p3["distance"] == A(259.89, abs=0.05)
    assert [r["rank"] for r in res["rows"].to_dict("records")] == [1, 2, 3]


def test_targets_single_criterion_weights(astore):
    store, _ = astore
    # size alone: C = (x − min) / (max − min) for a benefit: P1 1, P3 and P4 (both 2000 万) 0
    got = _by_name(targets(store, 2024, "NF", weights={c: 0.0 for c in CRITERIA} | {"size": 1.0}))
    assert got["深圳链测电子有限公司"]["score"] == A(1.0) and got["浙江链测材料有限公司"]["score"] == A(0.0)
    # distance alone (cost): C = (max − d) / (max − min)
    got = _by_name(targets(store, 2024, "NF", weights={c: 0.0 for c in CRITERIA} | {"distance": 1.0}))
    d = {k: v["distance"] for k, v in got.items()}
    hi, lo = max(d.values()), min(d.values())
    assert got["浙江链测材料有限公司"]["score"] == A((hi - d["浙江链测材料有限公司"]) / (hi - lo))
    assert got["武汉测试材料"]["rank"] == 1 and got["深圳链测电子有限公司"]["rank"] == 3


def test_targets_segment_region_and_errors(astore):
    store, _ = astore
    res = targets(store, 2024, "NF", segment="NF-M1")                    # an ok segment on request: no candidate
    assert res["segments"] == ["NF-M1"] and res["rows"].empty
    res = targets(store, 2024, "NF", segment="NF-U1", region="360100")
    assert set(res["rows"]["name"]) == {"武汉测试材料", "浙江链测材料有限公司"}
    assert (res["rows"]["local_demand"] == 0.0).all()                   # 南昌's buyers bought no NF-U1
    with pytest.raises(ValueError, match="不属于产业链"):
        targets(store, 2024, "NF", segment="EI-D1")
    with pytest.raises(ValueError, match="非负"):
        targets(store, 2024, "NF", weights={"size": -1})


def test_master_suppliers(astore):
    store, _ = astore
    res = master_suppliers(store, 2024, "NF")
    rows = res["rows"].to_dict("records")
    assert len(rows) == 1 and len(res["masters"]) == 1
    r = rows[0]
    assert (r["master_name"], r["name"], r["segment_code"], r["gap_status"]) == \
        ("江西链测甲铜箔有限公司", "深圳链测电子有限公司", "EI-U1", "broken_risk")
    assert r["amount_yuan"] == A(120 * WAN) and r["master_purchases_yuan"] == A(200 * WAN)
    assert r["share_of_master"] == A(0.6)
    assert master_suppliers(store, 2024, "EI")["rows"].empty                 # EI has no master


# ------------------------------------------------------------------ leads
def _p1(store):
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT id FROM enterprise WHERE uscc = :u"), {"u": P1}).scalar())


def test_leads_course_conflict_and_audit(astore):
    _, store = astore
    eid = _p1(store)
    with store.begin() as conn:
        lead = L.mark(conn, NF_OFFICE, {"enterprise_id": eid, "chain_code": "NF", "segment_code": "EI-U1",
                                        "year": 2024, "score": 0.76, "score_basis": {"weights": {"size": 1}}},
                      "360000")
    assert (lead["status"], lead["version"], lead["owner"], lead["name"]) == ("lead", 1, "nf_office", "深圳链测电子有限公司")
    lid = lead["id"]
    with store.begin() as conn, pytest.raises(Invalid, match="已是招商线索"):
        L.mark(conn, ADMIN, {"uscc": P1, "chain_code": "NF", "segment_code": "EI-U1"}, "360000")
    with store.begin() as conn:
        got = L.move(conn, ADMIN, lid, "follow_up", 1, on="2025-01-10", note="首次拜访")
    assert (got["status"], got["version"], got["followed_up_on"]) == ("followed_up", 2, "2025-01-10")
    with store.begin() as conn, pytest.raises(Conflict, match="已被他人修改"):
        L.move(conn, NF_OFFICE, lid, "sign", 1)                         # read before the follow-up
    with store.begin() as conn, pytest.raises(Refused, match="「已对接」状态的招商线索不能执行「落地」"):
        L.move(conn, NF_OFFICE, lid, "land", 2)
    with store.begin() as conn:
        L.move(conn, NF_OFFICE, lid, "sign", 2, on="2025-03-01")
        done = L.move(conn, NF_OFFICE, lid, "land", 3, on="2025-09-01")
    assert (done["status"], done["signed_on"], done["landed_on"]) == ("landed", "2025-03-01", "2025-09-01")
    with store.engine.connect() as conn:
        h = L.get(conn, ADMIN, lid, with_history=True)["history"]
    assert [(x["action"], x["actor"]) for x in h] == [("mark", "nf_office"), ("follow_up", "admin"),
                                                      ("sign", "nf_office"), ("land", "nf_office")]
    assert h[1]["after"]["status"] == "followed_up" and h[1]["note"] == "首次拜访"


def test_leads_scope_and_validation(astore):
    _, store = astore
    eid = _p1(store)
    with store.begin() as conn, pytest.raises(NotAllowed, match="只有省级和本链链长办"):
        L.mark(conn, EI_OFFICE, {"enterprise_id": eid, "chain_code": "NF"}, "360000")
    with store.begin() as conn, pytest.raises(NotAllowed):
        L.mark(conn, CITY, {"enterprise_id": eid, "chain_code": "NF"}, "360000")
    with store.begin() as conn:
        in_prov = int(conn.execute(sa.text("SELECT id FROM enterprise WHERE province_code = '360000' LIMIT 1")).scalar())
    cases = [({"enterprise_id": in_prov, "chain_code": "NF"}, "应为省外企业"),
             ({"chain_code": "NF"}, "enterprise_id 必填"),
             ({"enterprise_id": 999999, "chain_code": "NF"}, "不存在"),
             ({"enterprise_id": eid, "chain_code": "XX"}, "未知产业链"),
             ({"enterprise_id": eid, "chain_code": "NF", "segment_code": "EI-D1"}, "不属于产业链"),
             ({"enterprise_id": eid, "chain_code": "NF", "region_code": "999999"}, "未知地区")]
    for data, msg in cases:
        with store.begin() as conn, pytest.raises(Invalid, match=msg):
            L.mark(conn, ADMIN, data, "360000")
    with store.begin() as conn:
        lead = L.mark(conn, ADMIN, {"enterprise_id": eid, "chain_code": "NF", "region_code": "360100"}, "360000")
        L.move(conn, ADMIN, lead["id"], "drop", 1)
        again = L.mark(conn, ADMIN, {"enterprise_id": eid, "chain_code": "NF", "region_code": "360100"}, "360000")
    assert again["id"] != lead["id"]                                       # a dropped lead does not block
    with store.engine.connect() as conn:
        mine = L.leads(conn, NF_OFFICE)
        assert {r["chain_code"] for r in mine} == {"NF"} and L.leads(conn, EI_OFFICE) == []
        assert L.leads(conn, CITY) == [] and len(L.leads(conn, ADMIN, status="dropped")) >= 1
        with pytest.raises(Missing):
            L.get(conn, EI_OFFICE, lead["id"])
        with pytest.raises(Invalid, match="状态应为"):
            L.leads(conn, ADMIN, status="won")


def test_external_list_with_two_years(tmp_path):
    """A national list brings several years of one firm in one file (growth); a year twice is a duplicate."""
    from chainbrain.ingest.load import import_file
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store
    from supply_data import _csv

    store = open_store(str(tmp_path / "x.duckdb"))
    try:
        init_store(store)
        head = ["企业名称", "所在省份", "统一社会信用代码", "营业收入", "年度", "产业链环节"]
        rows = [head, ["广东两年有限公司", "广东", P1, "100", "2023", "EI-U1"],
                ["广东两年有限公司", "广东", P1, "120", "2024", "EI-U1"]]
        res = import_file(store, "external", _csv(tmp_path / "x.csv", rows), unit="万元")
        assert res.status == "loaded", [i.line() for i in res.issues.items]
        with store.engine.connect() as conn:
            got = conn.execute(sa.text("SELECT year, CAST(revenue AS DOUBLE) FROM annual_report ORDER BY year")).all()
            assert [tuple(r) for r in got] == [(2023, 1_000_000.0), (2024, 1_200_000.0)]
            assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar() == 1
        from chainbrain.analytics.attract import _revenue
        eid = int(store.table("enterprise").execute()["id"].iloc[0])
        assert _revenue(store, 2024, [eid]).loc[eid, "growth"] == A(0.2)
        dup = [head, ["广东两年有限公司", "广东", P1, "100", "2023", ""], ["广东两年有限公司", "广东", P1, "110", "2023", ""]]
        res = import_file(store, "external", _csv(tmp_path / "d.csv", dup), unit="万元")
        assert res.status == "rejected" and {(i.row, i.rule) for i in res.issues.errors} == {(3, "duplicate")}
        assert "重复" in res.issues.errors[0].line() or "duplicate" in res.issues.errors[0].line()
    finally:
        store.close()


def test_targets_for_one_chain_master(astore):
    from supply_data import U
    store, _ = astore
    got = _by_name(targets(store, 2024, "NF", master=U["B1"]))
    assert got["深圳链测电子有限公司"]["master_link"] == A(120 * WAN)
    with pytest.raises(ValueError, match="不是该地区"):
        targets(store, 2024, "NF", master=U["B2"])                  # B2 is no chain master
