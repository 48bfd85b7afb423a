"""Gaps, targets, 链主+ and leads on the web: scope, disclosure, weights, Excel, leads (web fixture + attract_web_data)."""

from __future__ import annotations

import pytest

import attract_web_data as D
import web_fixture as W
from chainbrain.analytics.attract_report import gaps_answer
from chainbrain.web import create_app
from test_web_scope import client_for, routes

A = pytest.approx
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = D.build(tmp_path_factory.mktemp("attract") / "attract.duckdb")
    return create_app(db, public_aggregates=True)


@pytest.fixture(scope="module")
def clients(app):
    cs = {name: client_for(app, name) for name in (None, "viewer", "admin", "ei_office", "nc_city", "lx_county", "ent3")}
    yield cs
    for c in cs.values():
        c.close()


def test_gaps_full_for_province_and_chain_office(app, clients):
    got = clients["admin"].get("/api/attract/EI").json()
    assert got["disclosure"] == "full" and got["year"] == 2025
    store = app.state.web.store
    want = gaps_answer(store, 2025, "EI")
    assert [r["status"] for r in got["rows"]] == [r["status"] for r in want["rows"]]
    rows = {r["segment_code"]: r for r in got["rows"]}
    assert rows["EI-U1"]["status"] == "missing" and rows["EI-D1"]["firms"] == 2
    assert rows["EI-D1"]["revenue_yuan"] == A(110 * 1e8)
    assert clients["ei_office"].get("/api/attract/EI").json()["disclosure"] == "full"
    assert clients["ei_office"].get("/api/attract/NF").json()["disclosure"] == "aggregate"   # not its chain


def test_gaps_aggregate_viewers_withheld(clients):
    full = {r["segment_code"]: r for r in clients["admin"].get("/api/attract/EI").json()["rows"]}
    for who in (None, "viewer", "lx_county", "ent3"):
        got = clients[who].get("/api/attract/EI").json()
        assert got["disclosure"] == "aggregate", who
        for r in got["rows"]:
            f = full[r["segment_code"]]
            assert (r["status"], r["firms"], r["feasibility"]) == (f["status"], f["firms"], f["feasibility"])
            for k in ("purchases_yuan", "local_yuan", "top_supplier_share", "spof_share"):
                assert r[k] is None and k in r["withheld"], (who, k)
            assert "local_rate" in r["withheld"]            # fewer than 3 suppliers on a side everywhere here
            assert not any("%" in x and "保密" not in x for x in r["reasons"] if "本地配套率" in x or "最大供应商" in x)
        # EI-D1 in the province: two firms (E1, E5) — the revenue cell is withheld from an outside viewer
        d1 = {r["segment_code"]: r for r in got["rows"]}["EI-D1"]
        assert d1["revenue_yuan"] is None and "revenue_yuan" in d1["withheld"]


def test_gaps_region_and_bad_input(clients):
    c = clients["admin"]
    got = c.get("/api/attract/EI", params={"region": "360102"}).json()
    rows = {r["segment_code"]: r for r in got["rows"]}
    assert got["region"] == "360102" and rows["EI-D1"]["firms"] == 2 and rows["EI-M1"]["status"] == "missing"
    for params, code in (({"region": "999999"}, 400), ({"year": "abc"}, 400), ({"year": "3000"}, 400)):
        r = c.get("/api/attract/EI", params=params)
        assert r.status_code == code and "(" in r.json()["detail"]
    r = c.get("/api/attract/XX")
    assert r.status_code == 404 and "未知产业链" in r.json()["detail"]


def test_targets_scope(clients):
    assert clients[None].get("/api/attract/EI/targets").status_code == 401
    for who in ("viewer", "nc_city", "lx_county", "ent3"):
        r = clients[who].get("/api/attract/EI/targets")
        assert r.status_code == 403 and "企业级招商名单" in r.json()["detail"], who
        assert clients[who].get("/api/attract/EI/masters").status_code == 403
        assert clients[who].get("/attract/EI/targets").status_code == 403
    assert clients["ei_office"].get("/api/attract/NF/targets").status_code == 403
    assert clients["ei_office"].get("/api/attract/EI/targets").status_code == 200


def test_targets_components_and_weights(clients):
    c = clients["admin"]
    got = c.get("/api/attract/EI/targets").json()
    rows = {r["name"]: r for r in got["rows"]}
    assert set(rows) == {D.X1_NAME, D.X2_NAME}
    x1, x2 = rows[D.X1_NAME], rows[D.X2_NAME]
    assert (x1["segment_code"], x1["gap_status"], x1["master_link"]) == ("EI-U1", "missing", A(2e8))
    assert x1["size"] == A(3.6e8) and x1["growth"] == A(0.2) and x1["tags"] == ["listed"]
    assert x2["master_link"] == 0.0 and x2["imputed"] == ["growth"]
    assert got["weights"] == got["weights_pack"] and got["sourced"] is False
    assert all(f"{k}_weighted" in x1 for k in ("gap_fill", "size", "distance"))
    # size alone: X1 (3.6 亿) is the ideal, X2 (1 亿) the anti-ideal
    only = {f"w_{k}": 0 for k in ("gap_fill", "local_demand", "master_link", "distance", "growth", "quality")}
    w = c.get("/api/attract/EI/targets", params={**only, "w_size": 1}).json()
    assert w["weights"]["size"] == 1.0 and [r["name"] for r in w["rows"]] == [D.X1_NAME, D.X2_NAME]
    assert [r["score"] for r in w["rows"]] == A([1.0, 0.0])
    # distance alone (cost): 浙江 is nearer to 南昌 than 广东 → X2 first
    w = c.get("/api/attract/EI/targets", params={**{k: 0 for k in only}, "w_size": 0, "w_distance": 1}).json()
    assert [r["name"] for r in w["rows"]] == [D.X2_NAME, D.X1_NAME]
    for bad in ({"w_size": "big"}, {"w_size": "-1"}, {"segment": "NF-M1"}):
        r = c.get("/api/attract/EI/targets", params=bad)
        assert r.status_code == 400 and "(" in r.json()["detail"], bad
    m = {r["name"]: r for r in c.get("/api/attract/EI/targets", params={"master": W.USCC[1]}).json()["rows"]}
    assert m[D.X1_NAME]["master_link"] == A(2e8) and m[D.X2_NAME]["master_link"] == 0.0
    r = c.get("/api/attract/EI/targets", params={"master": W.USCC[2]})
    assert r.status_code == 400 and "链主企业" in r.json()["detail"]
    one = c.get("/api/attract/EI/targets", params={"segment": "EI-U2"}).json()
    assert [r["name"] for r in one["rows"]] == [D.X2_NAME]


def test_masters(clients):
    got = clients["ei_office"].get("/api/attract/EI/masters").json()
    assert len(got["rows"]) == 1
    r = got["rows"][0]
    assert (r["master_name"], r["name"], r["segment_code"]) == (W.NAME[1], D.X1_NAME, "EI-U1")
    assert r["amount_yuan"] == A(2e8) and r["share_of_master"] == A(2 / 14)


def test_excel_downloads(clients):
    c = clients["admin"]
    for url in ("/api/attract/EI", "/api/attract/EI/targets", "/api/attract/EI/masters"):
        r = c.get(url, params={"format": "xlsx"})
        assert r.status_code == 200 and r.headers["content-type"] == XLSX and r.content[:2] == b"PK", url


def test_pages_render(clients):
    for who, url in (("admin", "/attract/EI"), ("viewer", "/attract/EI?region=360100"), ("admin", "/attract/EI/targets"),
                     ("ei_office", "/attract/EI/masters"), (None, "/attract/EI?lang=en")):
        r = clients[who].get(url)
        assert r.status_code == 200, (who, url)
        assert 'data-key="EI-U1"' in r.text or "masters-table" in r.text or "targets-table" in r.text
    assert D.X1_NAME in clients["admin"].get("/attract/EI/targets").text


def test_candidates_never_reach_aggregate_viewers(app, clients):
    """Every attraction route: no candidate's name or USCC for a viewer without firm-level lists."""
    for who in (None, "viewer", "nc_city", "lx_county", "ent3"):
        c = clients[who]
        for method, path in routes(app):
            if not path.startswith(("/attract", "/api/attract")):
                continue
            url = path.replace("{chain}", "EI").replace("{lead_id}", "1").replace("{action}", "follow_up")
            r = c.get(url) if method == "GET" else c.request(method, url, json={})
            assert r.status_code < 500, (who, method, url)
            assert D.X1_NAME not in r.text and D.X1 not in r.text and D.X2_NAME not in r.text, (who, url)


def test_leads_api(app, clients):
    admin, office, viewer = clients["admin"], clients["ei_office"], clients["viewer"]
    x1 = next(r for r in admin.get("/api/attract/EI/targets").json()["rows"] if r["name"] == D.X1_NAME)
    body = {"enterprise_id": x1["enterprise_id"], "chain_code": "EI", "segment_code": "EI-U1", "year": 2025,
            "score": x1["score"], "score_basis": {"weights_version": "2026.12.1"}}
    assert viewer.post("/api/attract/leads", json=body).status_code == 403
    r = office.post("/api/attract/leads", json=body)
    assert r.status_code == 201, r.text
    lead = r.json()
    assert (lead["status"], lead["name"], lead["version"]) == ("lead", D.X1_NAME, 1)
    assert office.post("/api/attract/leads", json=body).status_code == 400          # already a lead
    lid = lead["id"]
    r = office.post(f"/api/attract/leads/{lid}/follow_up", json={"version": 1, "on": "2026-10-08"})
    assert r.status_code == 200 and r.json()["followed_up_on"] == "2026-10-08"
    assert office.post(f"/api/attract/leads/{lid}/sign", json={"version": 1}).status_code == 409      # stale
    assert office.post(f"/api/attract/leads/{lid}/land", json={"version": 2}).status_code == 409      # refused
    assert office.post(f"/api/attract/leads/{lid}/fly", json={"version": 2}).status_code == 400
    assert office.post(f"/api/attract/leads/{lid}/sign", json={"version": "x"}).status_code == 400
    assert office.post(f"/api/attract/leads/{lid}/sign", content="{nope").status_code == 400
    h = admin.get(f"/api/attract/leads/{lid}").json()["history"]
    assert [(x["action"], x["actor"]) for x in h] == [("mark", "ei_office"), ("follow_up", "ei_office")]
    assert viewer.get(f"/api/attract/leads/{lid}").status_code == 404
    assert viewer.get("/api/attract/leads").json() == {"leads": []}
    assert [x["id"] for x in office.get("/api/attract/leads", params={"chain": "EI"}).json()["leads"]] == [lid]
    assert admin.get("/api/attract/leads", params={"status": "won"}).status_code == 400
    assert clients[None].post("/api/attract/leads", json=body).status_code in (401, 403)
    page = admin.get("/attract/EI/targets").text
    assert f'data-testid="lead-{lid}-sign"' in page
    x = admin.get("/api/attract/EI/targets", params={"format": "xlsx", "table": "leads"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert [r["id"] for r in admin.get("/api/attract/EI/targets").json()["tables"][1]["rows"]] == [lid]


def test_targets_ranking_is_paged_on_the_server_and_whole_in_excel(clients):
    """#20: the ranking pages (limit/offset/sort/q, ``page.total``) on the page and its twin; Excel has every row."""
    import io

    import openpyxl

    admin = clients["admin"]
    whole = admin.get("/api/attract/EI/targets").json()
    ranked = [r["key"] for r in whole["rows"]]
    assert whole["page"]["total"] == len(ranked) >= 2 and whole["page"]["sort"] == "rank"
    one = admin.get("/api/attract/EI/targets", params={"limit": 1, "offset": 1}).json()
    assert [r["key"] for r in one["rows"]] == ranked[1:2] and one["page"]["total"] == len(ranked)
    assert [r["key"] for r in next(t for t in one["tables"] if t["id"] == "targets")["rows"]] == ranked[1:2]
    named = admin.get("/api/attract/EI/targets", params={"q": D.X1_NAME}).json()
    assert [r["name"] for r in named["rows"]] == [D.X1_NAME] * named["page"]["total"]
    xlsx = admin.get("/api/attract/EI/targets", params={"format": "xlsx", "table": "targets", "limit": 1})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sum(1 for r in sheet.iter_rows(min_row=3, values_only=True) if any(r)) == len(ranked)
    page = admin.get("/attract/EI/targets", params={"limit": 1, "w_size": "0.5"})
    assert page.status_code == 200 and 'data-testid="targets-next"' in page.text
    assert 'name="w_size" value="0.5"' in page.text                            # the pager keeps the weights
    for bad in ({"limit": "0"}, {"offset": "-1"}, {"limit": "501"}, {"sort": "size"}):
        r = admin.get("/api/attract/EI/targets", params=bad)
        assert r.status_code == 400 and r.json()["detail"].endswith(")"), (bad, r.text)
