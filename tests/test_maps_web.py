"""四图 pages through their JSON twins, by role, on the hand-made web dataset (tests/web_fixture.py).

Facts used (web_fixture / handmade): chain EI = E1, E5 (EI-D1, county 360102 东湖) and E2 (EI-M1, county
360103 西湖); period 2025-06; the one supply link E2 → E1, 2025, 12 亿元 (E2 in Nanchang: local, in-city).
So for EI-D1 in 2025: inflows 12 亿元 from 1 supplier into 1 buyer, local supporting rate 1.0; for
the chain: the same link (E1 buys, E2 sells) — inflow 12 亿元 and outflow 12 亿元, both local.
Amounts from 1 firm are withheld from every viewer who does not see the whole chain; the province and
the EI office see them and the firm-level lists.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app

YI = 100_000_000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("maps") / "maps.duckdb")
    return create_app(db, public_aggregates=True)


def client(app, name=None):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def seg(body, code):
    return next(s for s in body["segments"] if s["code"] == code)


@pytest.mark.parametrize("viewer,sees_all", [(None, False), ("viewer", False), ("nc_city", False),
                                             ("admin", True), ("ei_office", True)])
def test_chain_map_rates_and_revenue_follow_the_chain_page(app, viewer, sees_all):
    c = client(app, viewer)
    body = c.get("/api/maps/EI/chain").json()
    assert body["period"] == "2025-06" and body["supply_year"] == 2025 and body["basis"] == "observed"
    d1 = seg(body, "EI-D1")
    assert (d1["enterprise_count"], d1["above_scale_count"]) == (2, 2)            # counts: ordinal, shown
    if sees_all:
        assert d1["local_rate"] == 1.0 and d1["purchases_yuan"] == 12 * YI and not d1["suppressed"]
    else:
        assert d1["local_rate"] is None and d1["purchases_yuan"] is None
        assert {"purchases_yuan", "local_rate"} <= set(d1["suppressed"])
    assert seg(body, "EI-M1")["purchases_yuan"] == 0.0 and seg(body, "EI-M1")["local_rate"] is None
    # the same segment cells, in the same state, as on the chain page (one pattern per viewer)
    page = {s["code"]: s for s in c.get("/api/chains/EI").json()["segments"]}
    for s in body["segments"]:
        assert s["revenue_ytd_yuan"] == page[s["code"]]["revenue_ytd_yuan"], s["code"]
        assert s["heat"] == page[s["code"]]["heat"], s["code"]
    assert d1["targets_href"] == "/attract/EI/targets?segment=EI-D1"
    tree_codes = {k["code"] for st in body["tree"]["children"] for n in st["children"]
                  for k in [n] + n["children"]}
    assert tree_codes == {s["code"] for s in body["segments"]}


@pytest.mark.parametrize("viewer,rows,hidden", [(None, [], 2), ("lx_county", [], 2), ("dh_county", [1, 5], 0),
                                                ("admin", [1, 5], 0), ("ei_office", [1, 5], 0)])
def test_chain_map_firms_of_a_segment_within_scope(app, viewer, rows, hidden):
    body = client(app, viewer).get("/api/maps/EI/chain", params={"segment": "EI-D1"}).json()
    assert [r["name"] for r in body["firms"]["rows"]] == [W.NAME[i] for i in rows]      # E1 125 亿 before E5 30 亿
    assert body["firms"]["hidden"] == hidden and body["firms"]["total"] == 2
    assert client(app, viewer).get("/api/maps/EI/chain", params={"segment": "NF-M1"}).status_code == 400
    if len(rows) == 2:                                       # paged on the server (#20): the second of two
        two = client(app, viewer).get("/api/maps/EI/chain", params={"segment": "EI-D1", "firms_limit": 1,
                                                                     "firms_offset": 1}).json()["firms"]
        assert [r["name"] for r in two["rows"]] == [W.NAME[rows[1]]] and two["page"]["total"] == 2
        assert two["page"]["prev"] and not two["page"]["next"]


@pytest.mark.parametrize("viewer,firm_level", [(None, False), ("nc_city", False), ("dh_county", False),
                                               ("admin", True), ("ei_office", True)])
def test_supply_network_by_place_and_firm_lists(app, viewer, firm_level):
    body = client(app, viewer).get("/api/maps/EI/supply").json()
    assert [x["key"] for x in body["masters"]] == ([W.USCC[1]] if 1 in W.SEES[viewer]
                                                   else [])           # E1 is listed only to who sees it
    tot = next(r for r in body["inflows"] if r["level"] == "total")
    place = next(r for r in body["inflows"] if r["level"] == "place")
    assert (place["place"], place["name"], place["firms"], place["partners"]) == ("360100", "南昌市", 1, 1)
    out = next(r for r in body["outflows"] if r["level"] == "total")
    if firm_level:
        assert tot["amount_yuan"] == 12 * YI and out["amount_yuan"] == 12 * YI and body["local_rate"] == 1.0
        assert [r["name"] for r in body["suppliers"]] == [W.NAME[2]]
        assert [r["name"] for r in body["buyers"]] == [W.NAME[1]]
        assert {t["id"] for t in body["tables"]} == {"inflows", "outflows", "suppliers", "buyers"}
    else:
        assert tot["amount_yuan"] is None and tot["suppressed"] == ["amount_yuan"] and body["local_rate"] is None
        assert body["suppliers"] is None and body["buyers"] is None
        assert {t["id"] for t in body["tables"]} == {"inflows", "outflows"}


@pytest.mark.parametrize("viewer,status", [(None, 404), ("viewer", 404), ("lx_county", 404), ("dh_county", 200),
                                           ("admin", 200)])
def test_supply_of_a_chain_master_only_for_who_sees_it(app, viewer, status):
    r = client(app, viewer).get("/api/maps/EI/supply", params={"master": W.USCC[1]})
    assert r.status_code == status
    if status == 200:
        assert [x["key"] for x in r.json()["masters"]] == [W.USCC[1]]           # E1, the EI chain master
        tot = next(x for x in r.json()["inflows"] if x["level"] == "total")
        # the county sees E1, not its supplier E2 (another county): one partner → withheld
        assert tot["amount_yuan"] == (12 * YI if viewer == "admin" else None)


def test_regional_map_presence_and_revenue_cells(app):
    c = client(app)
    body = c.get("/api/maps/EI/regions").json()
    by = {r["code"]: r for r in body["counties"]}
    assert len(by) > 90                                             # every county of the province
    assert (by["360102"]["chain_firms"], by["360102"]["present"]) == (2, 1)
    assert (by["360103"]["chain_firms"], by["360103"]["present"]) == (1, 1)
    assert by["360402"]["chain_firms"] == 0 and by["360402"]["absent_text"] == ""
    assert "移动智能终端" in by["360103"]["absent_text"] and "移动智能终端" not in by["360102"]["absent_text"]
    segs = {s["code"]: s for s in body["segments"]}
    assert (segs["EI-D1"]["counties"], segs["EI-D1"]["firms"]) == (1, 2)
    for county in ("360102", "360103"):                            # the region page's (EI, county) cell
        chains = {x["key"]: x for x in c.get(f"/api/regions/{county}").json()["chains"]}
        assert by[county]["revenue_ytd_yuan"] == chains["EI"]["revenue_ytd_yuan"]
    one = {r["code"]: r for r in c.get("/api/maps/EI/regions", params={"segment": "EI-D1"}).json()["counties"]}
    assert (one["360102"]["segment_firms"], one["360103"]["segment_firms"]) == (2, 0)
    assert c.get("/api/maps/EI/regions", params={"segment": "EI-D1-1"}).status_code == 400      # a sub-segment
    assert c.get("/api/maps/EI/regions", params={"segment": "NF-M1"}).status_code == 400


def test_roadmap_and_fields_ship_demo_rows(app):
    c = client(app)
    rm = c.get("/api/maps/EI/roadmap").json()
    assert rm["origin"] == "pack" and rm["version"] == 0 and rm["rows"]
    assert all(r["demo"] and r["demo_text"] == "演示" and r["source"] for r in rm["rows"])
    assert {r["maturity"] for r in rm["rows"]} <= {"research", "pilot", "industrialization", "scale"}
    assert not rm["can_edit"]
    fd = c.get("/api/maps/EI/fields").json()
    assert fd["rows"] and all(r["demo"] for r in fd["rows"])
    # observed: E2 (EI) sells to E1 (EI) 12 亿元 — one firm on each side: withheld from the public
    assert [(o["chain_code"], o["amount_yuan"], o["firms"], o["partners"]) for o in fd["observed"]] == \
        [("EI", None, 1, 1)]
    adm = client(app, "admin").get("/api/maps/EI/fields").json()
    assert [(o["chain_code"], o["amount_yuan"]) for o in adm["observed"]] == [("EI", 12 * YI)]
    # no input–output table in this store: no estimate, and no empty table pretending to be one
    assert fd["estimated"] is None and [t["id"] for t in fd["tables"]] == ["fields", "observed"]


def test_roadmap_edit_by_the_chain_office(app):
    row = {"code": "EI-T9", "name_zh": "高端芯片封装", "segment": "EI-U3", "maturity": "pilot",
           "target_maturity": "scale", "target_year": 2027, "source": "链办 2026 年工作方案", "demo": False}
    assert client(app).post("/api/maps/EI/roadmap", json={"version": 0, "rows": [row]}).status_code in (401, 403)
    assert client(app, "viewer").post("/api/maps/EI/roadmap", json={"version": 0, "rows": [row]}).status_code == 403
    office = client(app, "ei_office")
    assert office.post("/api/maps/NF/roadmap", json={"version": 0, "rows": [row]}).status_code == 403
    bad = office.post("/api/maps/EI/roadmap", json={"version": 0, "rows": [{**row, "target_year": "soon"}]})
    assert bad.status_code == 400 and "row 1" in bad.json()["detail"] and "target_year" in bad.json()["detail"]
    bad = office.post("/api/maps/EI/roadmap", json={"version": 0, "rows": [{**row, "segment": "NF-M1"}]})
    assert bad.status_code == 400 and "segment" in bad.json()["detail"]
    bad = office.post("/api/maps/EI/roadmap", json={"rows": [row]})                    # no version read
    assert bad.status_code == 400 and "version" in bad.json()["detail"]
    assert office.post("/api/maps/EI/roadmap", content=b"[1]").status_code == 400    # not a JSON object
    assert office.get("/api/maps/EI/roadmap").json()["can_edit"]
    r = office.post("/api/maps/EI/roadmap", json={"version": 0, "rows": [row]})
    assert r.status_code == 200 and r.json() == {"version": 1, "rows": 1}
    stale = office.post("/api/maps/EI/roadmap", json={"version": 0, "rows": []})
    assert stale.status_code == 409
    got = client(app).get("/api/maps/EI/roadmap").json()
    assert got["origin"] == "override" and got["version"] == 1 and got["edited_by"] == "ei_office"
    assert [(x["code"], x["demo"], x["target_year"]) for x in got["rows"]] == [("EI-T9", False, 2027)]
    assert client(app).get("/api/maps/NF/roadmap").json()["origin"] == "pack"          # other chains untouched
    log = client(app, "admin").get("/api/audit").json()
    entry = next(e for e in log["entries"] if e["action"] == "edit" and "roadmap" in json.dumps(e, ensure_ascii=False))
    detail = entry["detail"] if isinstance(entry["detail"], dict) else json.loads(entry["detail"])
    assert detail["before"]["version"] == 0 and detail["after"]["rows"][0]["code"] == "EI-T9"
    assert client(app, "admin").post("/api/maps/EI/fields", json={"version": 0, "rows": [
        {"name_zh": "车载显示", "segments": "EI-M3;EI-D6", "source": "省工信厅"}]}).status_code == 200
    assert client(app).get("/api/maps/EI/fields").json()["rows"][0]["segments"] == ["EI-M3", "EI-D6"]


ROUTES = ["/api/maps", "/api/maps/EI/chain?segment=EI-D1", "/api/maps/EI/roadmap", "/api/maps/EI/fields",
          "/api/maps/EI/regions?segment=EI-D1", "/api/maps/EI/supply"]


@pytest.mark.parametrize("url", ROUTES)
def test_every_list_downloads_as_excel(app, url):
    c = client(app, "admin")
    body = c.get(url).json()
    assert body["tables"]
    for tb in body["tables"]:
        r = c.get(url, params={"format": "xlsx", "table": tb["id"]})
        assert r.status_code == 200, (url, tb["id"])
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats") and r.content[:2] == b"PK"


@pytest.mark.parametrize("url", ["/maps", "/maps/EI/chain", "/maps/EI/chain?segment=EI-D1", "/maps/EI/roadmap",
                                 "/maps/EI/fields", "/maps/EI/regions", "/maps/EI/supply?segment=EI-D1",
                                 "/maps/EI/chain?lang=en"])
def test_pages_render(app, url):
    r = client(app).get(url)
    assert r.status_code == 200 and 'data-testid="nav-maps"' in r.text


def test_bad_input_is_one_bilingual_400(app):
    c = client(app)
    for url in ("/api/maps/XX/chain", "/maps/XX/roadmap", "/api/maps/EI/chain?scope=bad", "/api/maps/EI/chain?period=13"):
        r = c.get(url)
        assert r.status_code == 400, url
    assert "(" in c.get("/api/maps/XX/supply").json()["detail"]


def test_chain_map_gap_status_from_the_gap_function(app):
    from chainbrain.analytics.supply_gaps import gaps

    store = app.state.web.store
    with app.state.web.lock:
        expected = {r["segment_code"]: (r["status"], list(r["reasons"])) for r in gaps(store, 2025, "EI").to_dict("records")}
    adm = client(app, "admin").get("/api/maps/EI/chain").json()
    anon = client(app).get("/api/maps/EI/chain").json()
    assert adm["gaps_available"] and adm["gap_year"] == 2025
    tops = [s for s in adm["segments"] if s["level"] == "segment"]
    assert {s["code"]: (s["gap_status"], s["gap_reasons"]) for s in tops} == expected
    assert seg(adm, "EI-D1")["gap_status"] != "missing" and seg(adm, "EI-U1")["gap_status"] == "missing"
    assert seg(adm, "EI-U1")["gap_status_text"] == "缺链" and seg(adm, "EI-U1")["gap_reasons"]
    # the public sees the status (an ordinal reading), not the reasons with their figures
    assert {s["code"]: s["gap_status"] for s in anon["segments"]} == {s["code"]: s["gap_status"] for s in adm["segments"]}
    assert all(s["gap_reasons"] == [] for s in anon["segments"])
    regions = client(app).get("/api/maps/EI/regions").json()
    assert {s["code"]: s["gap_status"] for s in regions["segments"]} == {k: v[0] for k, v in expected.items()}
