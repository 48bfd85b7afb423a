"""/api/enterprises and /enterprises (企业清单) over the hand-made fixture (tests/web_fixture.py).

Hand-worked figures (2025-06, 亿元; handmade.py): province comparable base 338, E1 +25, E2 −10,
E3 +20, E6 +2 → contributions 25/338 × 100 … summing to (375/338 − 1) × 100 = 10.95 pp.
Who sees which firms: web_fixture.SEES (independent of the policy code). The 南昌 city user
sees every firm of 南昌 × EI (E1, E2, E5), so that scope's contributions are shown to it; the
province's comparable sums are withheld from it (province − 南昌 = E3 alone), and so are its
contributions to the province.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(W.build(tmp_path_factory.mktemp("drill") / "drill.duckdb", tasks=False),
                      public_aggregates=True)


def client_for(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def ids(body):
    return {next(i for i, u in W.USCC.items() if u == x["uscc"]) for x in body["items"]}


@pytest.mark.parametrize("viewer", [None, "viewer", "fin_unit", "admin", "ei_office", "nc_city", "dh_county",
                                    "lx_county", "ent3"])
def test_rows_are_exactly_the_viewers_firms(app, viewer):
    c = client_for(app, viewer)
    body = c.get("/api/enterprises", params={"period": "2025-06", "scale": "all"}).json()
    sees = W.SEES[viewer] if viewer != "fin_unit" else set()          # a unit sees no enterprise data
    assert ids(body) == sees and body["total"] == len(sees)
    assert body["withheld"] == 6 - len(sees)
    c.close()


def test_admin_items_fields_and_contributions(app):
    c = client_for(app, "admin")
    body = c.get("/api/enterprises", params={"period": "2025-06", "sort": "-contribution_pp"}).json()
    assert body["total"] == 5                                           # above scale: E4 exited
    first = body["items"][0]
    assert {"uscc", "name", "region_code", "industry_code", "industry_name", "revenue_ytd_yuan",
            "yoy_comparable", "contribution_pp", "designations"} <= set(first)
    assert first["uscc"] == W.USCC[1] and first["industry_name"] == "通信终端设备制造"
    assert first["contribution_pp"] == pytest.approx(25 / 338 * 100, rel=1e-12)
    assert first["designations"] == ["省级链主企业"]
    assert [x["uscc"] for x in body["items"]] == [W.USCC[i] for i in (1, 3, 6, 2, 5)]   # nulls last
    pp = sum(x["contribution_pp"] or 0 for x in body["items"])
    assert pp == pytest.approx(body["summary"]["yoy_comparable"] * 100, rel=1e-12)
    assert pp == pytest.approx((375 / 338 - 1) * 100, rel=1e-12)
    c.close()


def test_paging_and_region_chain_filters(app):
    c = client_for(app, "admin")
    page = c.get("/api/enterprises", params={"period": "2025-06", "limit": 2, "offset": 2}).json()
    assert page["total"] == 5 and [x["uscc"] for x in page["items"]] == [W.USCC[2], W.USCC[5]]
    city_ei = c.get("/api/enterprises", params={"period": "2025-06", "region": "360100", "chain": "EI"}).json()
    assert ids(city_ei) == {1, 2, 5}
    assert city_ei["summary"]["yoy_comparable"] == pytest.approx(165 / 150 - 1, rel=1e-12)
    below = c.get("/api/enterprises", params={"period": "2025-06", "region": "360402", "scale": "below"}).json()
    assert ids(below) == {4}
    c.close()


def test_contribution_withheld_where_the_base_is_confidential(app):
    c = client_for(app, "nc_city")
    prov = c.get("/api/enterprises", params={"period": "2025-06"}).json()
    assert prov["contribution_withheld"] is True and prov["summary"]["yoy_comparable"] is None
    assert all(x["contribution_pp"] is None for x in prov["items"]) and prov["items"]
    own = c.get("/api/enterprises", params={"period": "2025-06", "region": "360100", "chain": "EI"}).json()
    assert own["contribution_withheld"] is False                     # it sees every firm of 南昌 × EI
    assert {x["uscc"]: x["contribution_pp"] for x in own["items"]}[W.USCC[1]] == pytest.approx(25 / 150 * 100)
    c.close()


@pytest.mark.parametrize("query,word", [
    ({"scale": "big"}, "scale"), ({"sort": "-revenue"}, "sort"), ({"limit": "x"}, "limit"), ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"), ({"offset": "-1"}, "offset"), ({"region": "999999"}, "region"),
    ({"chain": "ZZ"}, "chain"), ({"segment": "ZZ"}, "segment"), ({"cluster": "ZZ"}, "cluster"),
    ({"period": "2025-13"}, "02–12"), ({"format": "pdf"}, "format"), ({"scope": "x"}, "scope")])
def test_bad_parameters_are_400_bilingual(app, query, word):
    c = client_for(app, "admin")
    r = c.get("/api/enterprises", params=query)
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert word in detail
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail)
    c.close()


def test_excel_has_every_row_with_formats(app):
    c = client_for(app, "admin")
    r = c.get("/api/enterprises", params={"period": "2025-06", "scale": "all", "limit": 1, "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[3]]
    assert "营业收入（万元）" in header and "拉动（百分点）" in header and "可比增速（%）" in header
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True) if row[0]]
    assert len(rows) == 6                                                # all rows, not the page of 1
    e1 = next(row for row in ws.iter_rows(min_row=4) if row[1].value == W.USCC[1])
    rev, yoy, pp = e1[header.index("营业收入（万元）")], e1[header.index("可比增速（%）")], \
        e1[header.index("拉动（百分点）")]
    assert rev.value == 1_250_000 and rev.number_format == "#,##0.00"   # 125 亿元 = 1,250,000 万元
    assert yoy.value == pytest.approx(0.25) and yoy.number_format == "0.0%"
    assert pp.value == pytest.approx(25 / 338 * 100) and pp.number_format == "0.00"
    assert "本期无月报" in [row[6] for row in rows]
    assert "2025年1–6月" in ws["A1"].value
    c.close()


def test_page_lists_sorts_and_links(app):
    c = client_for(app, "admin")
    r = c.get("/enterprises", params={"period": "2025-06", "region": "360100", "chain": "EI"})
    assert r.status_code == 200
    assert W.NAME[1] in r.text and W.NAME[3] not in r.text and "通信终端设备制造" in r.text
    assert 'data-testid="ent-total" data-value="3"' in r.text
    assert "sort=-contribution_pp" in r.text and "format=xlsx" in r.text
    region = c.get("/regions/360100", params={"period": "2025-06"}).text
    assert "/enterprises?period=2025-06&amp;region=360100&amp;chain=EI" in region
    cockpit = c.get("/", params={"period": "2025-06", "region": "360100"}).text
    assert "/enterprises?period=2025-06&amp;region=360100&amp;chain=EI" in cockpit
    chain = c.get("/chains/EI", params={"period": "2025-06", "region": "360100"}).text
    assert "/enterprises?period=2025-06&amp;chain=EI&amp;region=360100" in chain
    assert c.get("/enterprises", params={"scale": "nope"}).status_code == 400
    c.close()


@pytest.mark.parametrize("viewer,q,expected", [
    ("admin", "南昌 电子信息", {1, 2, 5}), ("dh_county", "南昌 电子信息", {1, 5}), ("viewer", "南昌 电子信息", set()),
    ("admin", "南昌 手机", {1, 5}),                       # 手机 → segment EI-D1 (its keywords)
    ("admin", "九江 铜", {3, 4}), ("lx_county", "九江 铜", {3, 4}), ("ent3", "九江 铜", {3}),
    ("admin", "手工样例 电路板", {2}),                     # a name word and a segment
    ("admin", "南昌 供电", {6})])                         # no segment matches 供电: a name word
def test_two_word_search(app, viewer, q, expected):
    c = client_for(app, viewer)
    body = c.get("/api/search", params={"q": q}).json()
    assert ids(body["enterprises"] and {"items": body["enterprises"]} or {"items": []}) == expected
    assert "enterprises_withheld" not in body                 # no count of the firms outside the scope
    assert body["lists"] and all(x["href"].startswith("/enterprises?") for x in body["lists"])
    c.close()


def test_two_word_search_links_the_list(app):
    c = client_for(app, "admin")
    body = c.get("/api/search", params={"q": "南昌 电子信息"}).json()
    assert body["lists"] == [{"title": "南昌市 · 电子信息", "href": "/enterprises?region=360100&chain=EI"}]
    page = c.get("/search", params={"q": "南昌 电子信息"}).text
    assert 'data-testid="search-lists"' in page and "/enterprises?region=360100&amp;chain=EI" in page
    c.close()
