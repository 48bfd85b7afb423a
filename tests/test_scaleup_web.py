"""/cultivate/scale-up and its JSON twin on the web fixture with the hand-made annual figures (scaleup_cases.py).

Listed for 2024 (p ≥ 0.10): up E2, E3, E6; down E4. Each viewer sees exactly the listed firms among
its own (web_fixture.SEES), in the JSON, the page and the Excel download, and counts only of those.
"""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

import scaleup_cases as C
import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app

LISTED = {2, 3, 4, 6}
VIEWERS = ["admin", "ei_office", "nc_city", "dh_county", "lx_county", "ent3", "viewer", "fin_unit"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("scaleup-web") / "w.duckdb", tasks=False)
    with open_store(db) as s:
        C.add(s)
    return create_app(db, public_aggregates=True)


def _client(app, name=None):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def _xlsx_text(content: bytes) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(content))
    return " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_rows_are_the_viewers_own(app, viewer):
    sees = W.SEES[viewer] if viewer != "fin_unit" else set()     # a unit sees E3 only on its routed request
    c = _client(app, viewer)
    try:
        r = c.get("/api/cultivate/scale-up", params={"year": 2024})
        assert r.status_code == 200, r.text
        got = {x["enterprise_id"] for x in r.json()["rows"]}
        assert got == LISTED & sees, (viewer, got)
        counted = {c["county"] for c in r.json()["counts"]}
        assert counted == {W_COUNTY[i] for i in sees if i in ALL_SCORED}, (viewer, counted)
        for path, params in (("/cultivate/scale-up", {"year": 2024}),
                             ("/api/cultivate/scale-up", {"year": 2024, "format": "xlsx"})):
            res = c.get(path, params=params)
            assert res.status_code == 200
            body = res.text if "format" not in params else _xlsx_text(res.content)
            for i in W.USCC:
                if i not in sees:
                    assert W.NAME[i] not in body and W.USCC[i] not in body, (viewer, path, i)
                elif i in LISTED and "format" in params:
                    assert W.NAME[i] in body, (viewer, path, i)
    finally:
        c.close()


W_COUNTY = {1: "360102", 2: "360103", 3: "360402", 4: "360402", 5: "360102", 6: "360103"}
ALL_SCORED = {1, 2, 3, 4, 5, 6}


def test_anonymous_is_refused(app):
    c = _client(app)
    try:
        assert c.get("/api/cultivate/scale-up", params={"year": 2024}).status_code == 401
    finally:
        c.close()


def test_page_filters_and_bad_input(app):
    c = _client(app, "admin")
    try:
        page = c.get("/cultivate/scale-up", params={"year": 2024, "direction": "down", "lang": "en"})
        assert page.status_code == 200 and 'data-testid="scaleup-table"' in page.text
        assert W.NAME[4] in page.text and W.NAME[2] not in page.text
        j = c.get("/api/cultivate/scale-up", params={"year": 2024, "direction": "up", "chain": "EI"}).json()
        assert [x["enterprise_id"] for x in j["rows"]] == [2]
        assert j["targets"] == []                                   # a chain's list: the province target not shown
        j = c.get("/api/cultivate/scale-up", params={"year": 2024}).json()
        assert j["targets"][0]["source"] == "unsourced" and j["targets"][0]["expected_entries"] == 1.5
        for params, msg in (({"year": 1900}, "年份"), ({"year": 2024, "month": 13}, "月份"),
                            ({"year": 2024, "direction": "sideways"}, "方向"), ({"year": 2024, "chain": "XX"}, "未知产业链"),
                            ({"year": 2024, "region": "999999"}, ""), ({"year": "abc"}, "")):
            r = c.get("/api/cultivate/scale-up", params=params)
            assert r.status_code == 400 and msg in r.json()["detail"], (params, r.status_code, r.text[:200])
        assert c.get("/cultivate").text.count('data-testid="scaleup-link"') == 1
    finally:
        c.close()


def test_long_list_is_paged_on_the_server(app):
    """The firm list is paged on the page and in the JSON twin (web/paging.py); Excel keeps every row."""
    c = _client(app, "admin")
    try:
        whole = c.get("/api/cultivate/scale-up", params={"year": 2024}).json()
        n = whole["page"]["total"]
        assert n == len(whole["rows"]) >= 3
        one = c.get("/api/cultivate/scale-up", params={"year": 2024, "limit": 1, "offset": 1}).json()
        assert one["page"]["total"] == n and one["rows"] == whole["rows"][1:2] and one["page"]["next"]
        assert len(one["tables"][0]["rows"]) == 1 and len(one["tables"][1]["rows"]) == len(whole["tables"][1]["rows"])
        by_p = c.get("/api/cultivate/scale-up", params={"year": 2024, "sort": "-p"}).json()["rows"]
        assert [r["p"] for r in by_p] == sorted((r["p"] for r in by_p), reverse=True)
        assert c.get("/api/cultivate/scale-up", params={"year": 2024, "sort": "nope"}).status_code == 400
        page = c.get("/cultivate/scale-up", params={"year": 2024, "limit": 1})
        assert page.status_code == 200 and 'data-testid="scaleup-next"' in page.text
        shown = [i for i in (2, 3, 4, 6) if W.NAME[i] in page.text.split('data-testid="scaleup-table"')[1]]
        assert len(shown) == 1
        xlsx = _xlsx_text(c.get("/api/cultivate/scale-up", params={"year": 2024, "format": "xlsx", "limit": 1}).content)
        assert all(W.NAME[i] in xlsx for i in (2, 3, 4, 6))
    finally:
        c.close()
