"""运行分析 page and its JSON twin on the hand-made web dataset (tests/handmade.py, tests/web_fixture.py).

County 360102 (南昌东湖) holds E1 (125 亿元, 2025-06) and E5 (30 亿元): a 2-enterprise cell. Neither has
employees or an annual report, so both are ``unclassified`` by size: revenue 155 亿元. Anonymous viewers get
it withheld (JSON null, named in ``suppressed``, "—*" on the page); the county office of 360102 sees it.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app

YI = 100_000_000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(W.build(tmp_path_factory.mktemp("ops-web") / "ops.duckdb"), public_aggregates=True)


def _client(app, name=None):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200
    return c


def _table(j, tid):
    return next(tb for tb in j["tables"] if tb["id"] == tid)


def test_small_cell_withheld_for_anonymous_shown_to_the_county(app):
    url = "/api/operations?period=2025-06&region=360102"
    anon = _client(app).get(url).json()
    row = _table(anon, "sizes")["rows"][0]
    assert row["key"] == "unclassified" and row["enterprises"] == 2
    assert row["revenue"] is None and "revenue" in row["suppressed"]
    own = _client(app, "dh_county").get(url).json()
    row = _table(own, "sizes")["rows"][0]
    assert row["revenue"] == pytest.approx(155 * YI) and row["suppressed"] == []
    page = _client(app).get("/operations?period=2025-06&region=360102")
    assert page.status_code == 200 and "运行分析" in page.text and "—*" in page.text


def test_province_page_tables_and_rankings(app):
    j = _client(app).get("/api/operations?period=2025-06").json()
    assert [tb["id"] for tb in j["tables"]] == ["summary", "divisions", "sizes", "groups", "city_rank", "county_rank"]
    summary = {r["key"]: r for r in _table(j, "summary")["rows"]}
    assert summary["gross_output"]["value"] is None and summary["gross_output"]["n"] == 0   # no form data here
    divs = {r["key"]: r for r in _table(j, "divisions")["rows"]}
    assert set(divs) == {"39", "32", "44"} and divs["39"]["enterprises"] == 3
    assert j["growth_breadth"]["divisions_total"] == 41
    counties = _table(j, "county_rank")["rows"]
    assert all(r["rank"] is None for r in counties)               # no value added in this dataset: unranked
    xl = _client(app).get("/api/operations?period=2025-06&format=xlsx&table=summary")
    assert xl.status_code == 200 and xl.content[:2] == b"PK"


@pytest.mark.parametrize("query,needle", [("region=999999", "未知地区代码"), ("chain=XX", "未知产业链"),
                                          ("period=2025-13", "月份应为"), ("scope=nope", "行业范围")])
def test_bad_parameters_are_bilingual_400(app, query, needle):
    for path in ("/api/operations", "/operations"):
        r = _client(app).get(f"{path}?{query}")
        assert r.status_code == 400 and needle in r.text, (path, query, r.status_code)
