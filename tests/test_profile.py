"""The enterprise profile (企业画像) on a hand-made dataset, on DuckDB and PostgreSQL; its web cache.

Dataset: tests/handmade.py (E1–E6 with their 2022/2024/2025-06 reports) plus
the facts below, all for E1 (county 360102, segment EI-D1). Amounts in 亿元.

Monthly reports of E1 (YTD; rev = revision; 上年同期 as reported):

========  =========================  =======  =============================================
period    YTD                        上年同期  expected revenue_month / yoy
========  =========================  =======  =============================================
2022-06   80                         —        None (no 2022-05) / None (no 2021-06)
2024-02   30                         —        30 (first report of the year, month 2) / None
2024-03   45  (profit 4)             —        45 − 30 = 15 / None
2024-06   100                        —        None (no 2024-05) / None (no 2023-06)
2025-02   36 (rev 1), 33 (rev 2)     30       33 / 33/30 − 1 = 0.1
2025-03   50  (profit 5, 1200 staff) —        50 − 33 = 17 / own 2024-03: 50/45 − 1
2025-05   100                        80       None (no 2025-04) / 100/80 − 1 = 0.25
2025-06   120 (rev 1), 125 (rev 2)   100      125 − 100 = 25 / 125/100 − 1 = 0.25
========  =========================  =======  =============================================

Annual: 2023 revenue 210 (rev 1) → 215, profit 12 (rev 2); 2024 revenue 230, 1300 staff.
Scale: 2024 above; 2025 below (rev 1) → above (rev 2).
Segments: EI-D1 manual 1.0 (rev 1) → keyword 0.8, evidence "name:手机" (rev 2);
AV-M3 (pack: primary in AV, also in EI) from 2024-01-01, industry_class 0.6, share 0.3.
Order: AV/AV-M3 (primary), EI/EI-D1 (primary), EI/AV-M3.
Designations: chain_master provincial EI from 2023-01-01 (rev 1 open, rev 2 to 2026-01-01);
little_giant national from 2022-05-01. Order: little_giant, chain_master.
Supply links: E2→E1 2025 12 (rev 1) → 14 (rev 2); E1→E3 2025 20; E4→E1 2025 14;
E1→E6 2024 5; E3→E5 2025 9 (not E1's). Order: E3 buyer 20, E2 supplier 14,
E4 supplier 14 (tie: partner id), E6 buyer 5.
Partner names by viewer: province_admin all; city 360100 (E1, E2, E5, E6) names E2
and E6; county 360102 (E1, E5) none; viewer role none.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pyarrow as pa
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import handmade
import web_fixture as W
from chainbrain.analytics import profile
from chainbrain.web import create_app, pages
from chainbrain.web.auth import read_store
from chainbrain.web.i18n import strings
from chainbrain.web.users import User

YI = handmade.YI
D = dt.date

MONTHLY = [  # (year, month, ytd, prev, profit, employees, revision)
    (2024, 2, 30, None, None, None, 1), (2024, 3, 45, None, 4, None, 1),
    (2025, 2, 36, 30, None, None, 1), (2025, 2, 33, 30, None, None, 2),
    (2025, 3, 50, None, 5, 1200, 1), (2025, 5, 100, 80, None, None, 1),
]


def _table(**cols) -> pa.Table:
    n = len(next(iter(cols.values())))
    return pa.table({**cols, "batch_id": [1] * n})


def load_profile_facts(store) -> None:
    """handmade.load plus E1's extra facts of the module docstring."""
    handmade.load(store)
    with store.begin() as conn:
        store.bulk_insert(conn, "monthly_report", _table(
            enterprise_id=[1] * len(MONTHLY), year=[r[0] for r in MONTHLY], month=[r[1] for r in MONTHLY],
            revenue_ytd=pa.array([r[2] * YI for r in MONTHLY], pa.float64()),
            revenue_ytd_prev=pa.array([None if r[3] is None else r[3] * YI for r in MONTHLY], pa.float64()),
            profit_ytd=pa.array([None if r[4] is None else r[4] * YI for r in MONTHLY], pa.float64()),
            employees=pa.array([r[5] for r in MONTHLY], pa.int32()), revision=[r[6] for r in MONTHLY]))
        store.bulk_insert(conn, "annual_report", _table(
            enterprise_id=[1, 1, 1], year=[2023, 2023, 2024],
            revenue=pa.array([210 * YI, 215 * YI, 230 * YI], pa.float64()),
            profit=pa.array([None, 12 * YI, None], pa.float64()),
            employees=pa.array([None, None, 1300], pa.int32()), revision=[1, 2, 1]))
        store.bulk_insert(conn, "enterprise_scale", _table(
            enterprise_id=[1, 1, 1], year=[2024, 2025, 2025], above_scale=[True, False, True], revision=[1, 1, 2]))
        store.bulk_insert(conn, "enterprise_segment", _table(
            enterprise_id=[1, 1], segment_code=["EI-D1", "AV-M3"], method=["keyword", "industry_class"],
            confidence=[0.8, 0.6], revenue_share=pa.array([None, 0.3], pa.float64()),
            valid_from=pa.array([None, D(2024, 1, 1)], pa.date32()), valid_to=pa.array([None, None], pa.date32()),
            evidence=["name:手机", "class:3922"], revision=[2, 1]))
        store.bulk_insert(conn, "designation", _table(
            enterprise_id=[1, 1, 1], kind=["chain_master", "chain_master", "little_giant"],
            level=["provincial", "provincial", "national"], chain_code=pa.array(["EI", "EI", None], pa.string()),
            valid_from=pa.array([D(2023, 1, 1), D(2023, 1, 1), D(2022, 5, 1)], pa.date32()),
            valid_to=pa.array([None, D(2026, 1, 1), None], pa.date32()), revision=[1, 2, 1]))
        store.bulk_insert(conn, "supply_link", _table(
            supplier_id=[2, 2, 1, 4, 1, 3], buyer_id=[1, 1, 3, 1, 6, 5], year=[2025, 2025, 2025, 2025, 2024, 2025],
            amount=pa.array([x * YI for x in (12, 14, 20, 14, 5, 9)], pa.float64()), revision=[1, 2, 1, 1, 1, 1]))


@pytest.fixture
def pstore(store_any):
    load_profile_facts(store_any)
    return store_any


def test_monthly_history_hand_values(pstore):
    m = profile.monthly_history(pstore, 1)
    assert [r["period"] for r in m] == ["2022-06", "2024-02", "2024-03", "2024-06", "2025-02", "2025-03",
                                        "2025-05", "2025-06"]
    by = {r["period"]: r for r in m}
    ytd = {p: r["revenue_ytd"] / YI for p, r in by.items()}
    assert ytd == pytest.approx({"2022-06": 80, "2024-02": 30, "2024-03": 45, "2024-06": 100, "2025-02": 33,
                                 "2025-03": 50, "2025-05": 100, "2025-06": 125})        # latest revisions
    month = {p: None if r["revenue_month"] is None else r["revenue_month"] / YI for p, r in by.items()}
    assert month == pytest.approx({"2022-06": None, "2024-02": 30, "2024-03": 15, "2024-06": None,
                                   "2025-02": 33, "2025-03": 17, "2025-05": None, "2025-06": 25})
    yoy = {p: r["yoy"] for p, r in by.items()}
    assert yoy == pytest.approx({"2022-06": None, "2024-02": None, "2024-03": None, "2024-06": None,
                                 "2025-02": 0.1, "2025-03": 50 / 45 - 1, "2025-05": 0.25, "2025-06": 0.25})
    assert by["2025-03"]["prior_ytd"] == pytest.approx(45 * YI)                       # own report a year earlier
    assert by["2025-02"]["prior_ytd"] == pytest.approx(30 * YI)                       # reported 上年同期
    assert by["2025-03"]["profit_ytd"] == pytest.approx(5 * YI) and by["2025-03"]["employees"] == 1200
    assert by["2025-06"]["revenue_ytd_prev"] == pytest.approx(100 * YI) and by["2024-02"]["profit_ytd"] is None
    assert all(isinstance(r["revenue_ytd"], float) and isinstance(r["year"], int) for r in m)
    assert profile.monthly_history(pstore, 4)[-1]["period"] == "2024-06"              # E4: no 2025 report
    assert profile.monthly_history(pstore, 99) == []


def test_annual_scale_designations_hand_values(pstore):
    a = profile.annual_history(pstore, 1)
    assert [(r["year"], r["revenue"] / YI, None if r["profit"] is None else r["profit"] / YI, r["employees"])
            for r in a] == [(2023, 215, 12, None), (2024, 230, None, 1300)]
    assert profile.scale_history(pstore, 1) == [{"year": 2024, "above_scale": True},
                                                {"year": 2025, "above_scale": True}]
    assert profile.designations(pstore, 1) == [
        {"kind": "little_giant", "level": "national", "chain_code": None, "valid_from": "2022-05-01",
         "valid_to": None},
        {"kind": "chain_master", "level": "provincial", "chain_code": "EI", "valid_from": "2023-01-01",
         "valid_to": "2026-01-01"}]
    assert profile.designations(pstore, 2) == [] and profile.annual_history(pstore, 2) == []


def test_segments_with_evidence(pstore):
    s = profile.segments(pstore, 1)
    assert [(r["chain_code"], r["segment_code"], r["is_primary"]) for r in s] == [
        ("AV", "AV-M3", True), ("EI", "EI-D1", True), ("EI", "AV-M3", False)]
    d1 = s[1]
    assert (d1["method"], d1["confidence"], d1["evidence"], d1["valid_from"]) == ("keyword", 0.8, "name:手机", None)
    assert (d1["segment_zh"], d1["chain_zh"], d1["stage"]) == ("移动智能终端", "电子信息", "downstream")
    assert (s[0]["revenue_share"], s[0]["valid_from"], s[0]["evidence"]) == (0.3, "2024-01-01", "class:3922")
    assert [r["segment_code"] for r in profile.segments(pstore, 3)] == ["NF-M1"]
    assert profile.segments(pstore, 6) == []


def test_partners_hand_values(pstore):
    p = profile.partners(pstore, 1)
    assert [(r["partner_id"], r["direction"], r["year"], r["amount"] / YI) for r in p] == [
        (3, "buyer", 2025, 20), (2, "supplier", 2025, 14), (4, "supplier", 2025, 14), (6, "buyer", 2024, 5)]
    assert [(r["partner_id"], r["direction"]) for r in profile.partners(pstore, 5)] == [(3, "supplier")]


@pytest.mark.parametrize("user,named", [
    (User(1, "a", "province_admin"), {2, 3, 4, 6}),
    (User(2, "c", "city", region_code="360100"), {2, 6}),
    (User(3, "d", "county", region_code="360102"), set()),
    (User(4, "v", "viewer"), set()),
])
def test_enterprise_page_names_partners_in_scope(pstore, user, named):
    t = strings("zh")
    d = pages.enterprise_page(read_store(pstore), 1, "zh", user)
    assert d["enterprise"]["name"] == handmade.ENTERPRISES[0][1] and d["enterprise"]["county_name"]
    names = {e[0]: e[1] for e in handmade.ENTERPRISES}
    shown = [(x["partner_id"], x["name"], x["href"]) for x in d["partners"]]
    expected = [(i, names[i], f"/enterprises/{i}") if i in named else (None, t["partner_hidden"], None)
                for i in (3, 2, 4, 6)]
    assert shown == expected
    hidden = {names[i] for i in (3, 2, 4, 6) if i not in named}
    text = json.dumps(d["partners"], ensure_ascii=False, default=str)
    assert not any(h in text for h in hidden)                 # no name of a partner out of scope, anywhere
    assert all(set(x) == set(d["partners"][0]) for x in d["partners"]) and "partner_name" not in d["partners"][0]
    assert [x["amount"] / YI for x in d["partners"]] == pytest.approx([20, 14, 14, 5])
    assert [r["period"] for r in d["monthly"]][-1] == "2025-06" and len(d["segments"]) == 3
    assert d["tables"][3]["rows"] is d["partners"]


def test_read_store_connections_are_their_own(pstore):
    """DuckDB: the reader's connections are neither the store's nor each other's (two threads
    read at once); both engines: a reader sees what the store has committed."""
    reader = read_store(pstore)
    assert read_store(pstore) is reader and (reader is pstore) == (pstore.kind == "postgres")
    seen, ready, done = [], threading.Barrier(2), threading.Event()

    def other():
        with reader.engine.connect() as conn:
            seen.append(conn.connection.dbapi_connection)
            ready.wait(timeout=30)
            seen.append(profile.annual_history(conn, 1)[0]["revenue"])
            done.wait(timeout=30)

    th = threading.Thread(target=other)
    th.start()
    with reader.engine.connect() as conn, pstore.engine.connect() as main:
        ready.wait(timeout=30)
        assert conn.connection.dbapi_connection is not seen[0]
        assert conn.connection.dbapi_connection is not main.connection.dbapi_connection
        assert profile.annual_history(conn, 1)[0]["revenue"] == pytest.approx(215 * YI)
    done.set()
    th.join()
    assert seen[1] == pytest.approx(215 * YI)
    with pstore.begin() as conn:
        conn.execute(sa.text("UPDATE annual_report SET revenue = :v WHERE enterprise_id = 1 AND year = 2024"),
                     {"v": 231 * YI})
    assert profile.annual_history(reader, 1)[-1]["revenue"] == pytest.approx(231 * YI)


# ---------------------------------------------------------------- web: cache per scope and data version
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(W.build(tmp_path_factory.mktemp("prof") / "prof.duckdb"), public_aggregates=True)


def test_cached_profile_never_crosses_scopes(app):
    """E1's partner E2 (360103) is named for the admin and hidden from dh_county (360102),
    whichever of them asks first; each asks twice (the second answer comes from the cache)."""
    url = f"/api/enterprises/{W.USCC[1]}"
    admin, county, city = W.signed_in(app, "admin"), W.signed_in(app, "dh_county"), W.signed_in(app, "nc_city")
    for _ in range(2):
        assert admin.get(url).json()["partners"][0]["name"] == W.NAME[2]
        hidden = county.get(url).json()["partners"][0]
        assert hidden["name"] != W.NAME[2] and hidden["uscc"] is None and hidden["partner_id"] is None
        assert city.get(url).json()["partners"][0]["uscc"] == W.USCC[2]
        assert W.NAME[2] not in county.get(f"/enterprises/{W.USCC[1]}").text
        assert W.NAME[2] in admin.get(f"/enterprises/{W.USCC[1]}").text
    assert admin.get(url, params={"lang": "en"}).json()["partners"][0]["direction_text"] != \
        admin.get(url).json()["partners"][0]["direction_text"]
    assert county.get(f"/api/enterprises/{W.USCC[3]}").status_code == 404           # scope checked on every hit


def test_cached_profile_follows_data_version(app):
    url = f"/api/enterprises/{W.USCC[1]}"
    admin = W.signed_in(app, "admin")
    last = admin.get(url).json()["monthly"][-1]
    assert (last["period"], last["revenue_ytd"]) == ("2025-06", pytest.approx(125 * YI))
    st = app.state.web
    with st.lock, st.store.begin() as conn:
        st.store.bulk_insert(conn, "monthly_report", pa.table({
            "enterprise_id": [1], "year": [2025], "month": [6], "revenue_ytd": [130.0 * YI],
            "revenue_ytd_prev": [100.0 * YI], "batch_id": [1], "revision": [3]}))
    st.invalidate()
    last = admin.get(url).json()["monthly"][-1]
    assert last["revenue_ytd"] == pytest.approx(130 * YI) and last["yoy"] == pytest.approx(0.3)


def test_enterprise_page_names_designations_and_methods(pstore):
    """The page shows names, not codes: designation kind, level and chain, mapping method; the tags
    list the designations valid today (valid_to exclusive), the table every one with its dates."""
    admin = User(1, "a", "province_admin")
    zh = pages.enterprise_page(read_store(pstore), 1, "zh", admin)
    assert [(x["kind_text"], x["level_text"], x["chain_text"], x["current"]) for x in zh["designations"]] == [
        ("专精特新“小巨人”", "国家级", None, True), ("链主企业", "省级", "电子信息", False)]   # ended 2026-01-01
    assert zh["designations"][1]["label"] == "链主企业 · 电子信息（省级）"
    assert {s["method_text"] for s in zh["segments"]} == {"名称/产品关键词", "行业代码"}
    en = pages.enterprise_page(read_store(pstore), 1, "en", admin)
    assert en["designations"][1]["label"] == "Chain master · Electronic information (Provincial)"
    assert [c["key"] for c in en["tables"][4]["columns"]][:3] == ["kind_text", "level_text", "chain_text"]
