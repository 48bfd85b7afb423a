"""/digital and its JSON twins; the enterprise self-assessment (roles, CSRF, bounds)."""
from __future__ import annotations

import contextlib
import re

import pytest
from fastapi.testclient import TestClient

import digital_cases as C
import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("digital-web")
    db = W.build(tmp / "d.duckdb", tasks=False)
    with open_store(db) as st:
        C.load(st, tmp)
    return create_app(db, public_aggregates=True)


@contextlib.contextmanager
def client(app, name=None):
    c = TestClient(app)
    try:
        if name:
            r = c.post("/api/login", json={"username": name, "password": W.password(name)})
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield c
    finally:
        c.close()


def test_coverage_json_page_and_excel(app):
    with client(app) as c:
        j = c.get("/api/digital/coverage", params={"period": "2025-06", "by": "county", "region": "360100"}).json()
        rows = {r["key"]: r for r in j["rows"]}
        assert (rows["360102"]["firms"], rows["360102"]["assessed"], rows["360102"]["level2_plus"]) == (2, 1, 1)
        assert rows["360103"]["level2_plus_share"] == 0.0
        page = c.get("/digital", params={"period": "2025-06", "region": "360100"})
        assert page.status_code == 200
        assert 'data-field="assessed_share" data-value="0.5"' in page.text
        headline = re.search(r'data-testid="headline">(.*?)</h1>', c.get(
            "/digital", params={"period": "2025-06", "chain": "EI"}).text, re.S).group(1)
        assert "电子信息" in headline and " EI " not in headline          # the chain by name, not its code
        x = c.get("/api/digital/coverage", params={"period": "2025-06", "format": "xlsx", "table": "coverage"})
        assert x.status_code == 200 and x.content[:2] == b"PK"
        # the default period is the newest with reports
        assert c.get("/api/digital/coverage").json()["period"] == "2025-06"


@pytest.mark.parametrize("params, msg", [
    ({"by": "town"}, "by must be"), ({"population": "all"}, "population must be"),
    ({"period": "2025-13"}, "period"), ({"region": "999999"}, "unknown region"), ({"chain": "ZZ"}, "unknown chain")])
def test_bad_params_are_400(app, params, msg):
    with client(app) as c:
        for path in ("/api/digital/coverage", "/digital"):
            r = c.get(path, params=params)
            assert r.status_code == 400 and msg in r.text, (path, r.text)


@pytest.mark.parametrize("viewer, seen", [
    (None, []), ("viewer", []), ("dh_county", [5]), ("ei_office", [5]), ("admin", [5, 6]), ("ent3", [])])
def test_firms_to_reach_in_the_viewers_scope(app, viewer, seen):
    with client(app, viewer) as c:
        t = c.get("/api/digital/targets", params={"period": "2025-06"}).json()["targets"]
        plan = next(x for x in t if x["code"] == "plan_full_coverage")
        assert plan["to_reach_total"] == 2
        assert [f["enterprise_id"] for f in plan["to_reach"]] == seen


def test_self_assessment_roles(app):
    body = {"scheme": "gbt39116", "level": 2, "assessed_on": "2025-01-02"}
    with client(app) as c:
        assert c.post("/api/digital/self-assessment", json=body).status_code == 401
    with client(app, "dh_county") as c:
        assert c.post("/api/digital/self-assessment", json=body).status_code == 403
    with client(app, "ent3") as c:
        token = c.headers.pop("X-CSRF-Token")
        assert c.post("/api/digital/self-assessment", json=body).status_code == 403     # no CSRF token
        c.headers["X-CSRF-Token"] = token
        r = c.post("/api/digital/self-assessment", json=body)
        assert r.status_code == 200 and r.json()["new"] == 1 and r.json()["uscc"] == W.USCC[3]
        page = c.get("/digital/self-assessment")
        assert page.status_code == 200 and "2025-01-02" in page.text


@pytest.mark.parametrize("body, field", [
    ({"scheme": "x", "level": 2, "assessed_on": "2025-01-02"}, "scheme"),
    ({"scheme": "miit_sme_2022", "level": 5, "assessed_on": "2024-01-02"}, "level"),
    ({"scheme": "miit_sme_2022", "level": 0, "assessed_on": "2024-01-02"}, "level"),
    ({"scheme": "miit_sme_2022", "level": "two", "assessed_on": "2024-01-02"}, "level"),
    ({"scheme": "miit_sme_2022", "level": 2, "assessed_on": "2024-01-02", "score": 39.99}, "level"),
    ({"scheme": "miit_sme_2022", "level": 2, "assessed_on": "2024-01-02", "score": 101}, "score"),
    ({"scheme": "miit_sme_2024", "level": 2, "assessed_on": "2024-09-03"}, "assessed_on"),
    ({"scheme": "gbt39116", "level": 2, "assessed_on": "2999-01-01"}, "assessed_on"),
    ({"scheme": "gbt39116", "level": 2, "assessed_on": "yesterday"}, "assessed_on"),
    # GB/T 39117 requirement answers: refused while the pack's scoring is unsourced and empty; GB/T 39116 only
    ({"scheme": "gbt39116", "answers": {"1a": "yes"}, "assessed_on": "2025-01-02"}, "answers"),
    ({"scheme": "miit_sme_2024", "answers": {"1a": "yes"}, "assessed_on": "2025-01-02"}, "answers"),
])
def test_self_assessment_bad_input_is_400_naming_the_field(app, body, field):
    with client(app, "ent3") as c:
        r = c.post("/api/digital/self-assessment", json=body)
        assert r.status_code == 400 and r.json()["detail"].startswith(field + ":"), r.text


@pytest.mark.parametrize("viewer, seen", [(None, []), ("dh_county", [1]), ("lx_county", []), ("admin", [1])])
def test_benchmarks_in_the_viewers_scope(app, viewer, seen):
    with client(app, viewer) as c:
        j = c.get("/api/digital/benchmarks", params={"period": "2025-06"}).json()
        assert j["designated"]["total"] == 1 and [r["enterprise_id"] for r in j["designated"]["rows"]] == seen
        assert j["configured"] is False and j["candidates"] == {"total": 0, "rows": []}
        page = c.get("/digital", params={"period": "2025-06"})
        assert ('data-testid="benchmarks-table"' in page.text) == (viewer is not None)


def test_map_only_for_city_and_county_groupings(app):
    import json
    import re

    with client(app) as c:
        page = c.get("/digital", params={"period": "2025-06"}).text          # default: cities of the province
        data = json.loads(re.search(r'id="digital-map-data">(.*?)</script>', page, re.S).group(1))
        assert data["level"] == "city" and data["geo_url"].endswith("jiangxi_cities.geojson")
        nc = next(u for u in data["units"] if u["code"] == "360100")
        assert (nc["value"], nc["firms"], nc["count"]) == (0.5, 4, 2)          # the coverage row as computed
        for measure, want in (("transformed", (0.5, 4, 2)), ("level2_plus", (0.25, 4, 1))):   # E1 E2 done; E1 ≥ 2
            page = c.get("/digital", params={"period": "2025-06", "measure": measure}).text
            data = json.loads(re.search(r'id="digital-map-data">(.*?)</script>', page, re.S).group(1))
            nc = next(u for u in data["units"] if u["code"] == "360100")
            assert (data["measure"], (nc["value"], nc["firms"], nc["count"])) == (measure, want)
        r = c.get("/digital", params={"measure": "firms"})
        assert r.status_code == 400 and "measure must be" in r.text
        county = c.get("/digital", params={"period": "2025-06", "region": "360100"}).text
        assert '"parent": "360100"' in county and "jiangxi_counties.geojson" in county
        for params in ({"by": "chain"}, {"region": "360102"}):
            assert 'id="digital-map"' not in c.get("/digital", params={"period": "2025-06", **params}).text


@pytest.mark.parametrize("viewer, seen", [(None, []), ("dh_county", [1]), ("lx_county", [3]), ("admin", [1, 2, 3])])
def test_scenarios_counts_and_adopters_in_scope(app, viewer, seen):
    with client(app, viewer) as c:
        j = c.get("/api/digital/scenarios", params={"date": "2025-06-30"}).json()
        assert [(r["chain_code"], r["scenario"], r["firms"], r["providers"]) for r in j["catalogue"]] == \
            [("EI", "智能排产", 2, 2), ("NF", "能耗监测", 1, 0)]
        assert j["adopters"]["total"] == 3 and sorted(r["enterprise_id"] for r in j["adopters"]["rows"]) == seen
        page = c.get("/digital/scenarios", params={"date": "2025-06-30"})
        assert page.status_code == 200 and 'data-testid="scenarios-table"' in page.text
        assert c.get("/api/digital/scenarios", params={"date": "2025-13-01"}).status_code == 400


@pytest.mark.parametrize("viewer, rating_1, rating_2, seen", [
    # 甲 (P1) on 2025-07-02 is rated by E1 (5) and E5 (2); 乙 (P2) by E2 (4). Withheld when 1–2 rating firms are
    # outside what the viewer sees one by one.
    (None, None, None, []), ("dh_county", 3.5, None, [1, 5]), ("lx_county", None, None, []),
    ("nc_city", 3.5, 4.0, [1, 2, 5]), ("admin", 3.5, 4.0, [1, 2, 5])])
def test_providers_ratings_and_projects_in_scope(app, viewer, rating_1, rating_2, seen):
    with client(app, viewer) as c:
        j = c.get("/api/digital/providers", params={"date": "2025-07-02", "chain": "EI"}).json()
        got = {r["uscc"]: r for r in j["providers"]}
        assert set(got) == {C.PROVIDER[1], C.PROVIDER[2]}                 # 丙 serves NF only
        p1, p2 = got[C.PROVIDER[1]], got[C.PROVIDER[2]]
        assert (p1["projects"], p1["firms"], p1["rated"], p2["projects"], p2["rated"]) == (2, 2, 2, 1, 1)
        assert (p1["rating"], p2["rating"]) == (rating_1, rating_2)
        assert p1["suppressed"] == ([] if rating_1 else ["rating"])
        assert j["projects"]["total"] == 3 and sorted(r["enterprise_id"] for r in j["projects"]["rows"]) == seen
        page = c.get("/digital/providers", params={"date": "2025-07-02", "chain": "EI"})
        assert page.status_code == 200 and 'data-testid="providers-table"' in page.text
        if rating_1 is None:
            assert 'data-field="rating" data-value="" title=' in page.text          # —*, the withheld mark


def test_providers_per_scenario_provider_and_excel(app):
    with client(app, "admin") as c:
        j = c.get("/api/digital/providers", params={"date": "2025-06-30", "scenario": "能耗监测"}).json()
        assert [(r["name"], r["projects"]) for r in j["providers"]] == [("丙智造服务", 0), ("乙工业互联网", 0)]
        j = c.get("/api/digital/providers", params={"date": "2025-06-30", "provider": C.PROVIDER[1]}).json()
        assert [(r["enterprise_id"], r["rating"]) for r in j["projects"]["rows"]] == [(1, 5)]   # E5's is later
        assert [(r["uscc"], r["rating"]) for r in j["providers"]] == [(C.PROVIDER[1], 5.0)]
        assert j["provider_name"] == "甲数字科技"
        en = c.get("/digital/providers", params={"date": "2025-06-30", "provider": C.PROVIDER[1], "lang": "en"})
        assert en.status_code == 200 and "Digital service providers · 甲数字科技" in en.text and "unsourced" in en.text
        x = c.get("/api/digital/providers", params={"date": "2025-06-30", "format": "xlsx", "table": "providers"})
        assert x.status_code == 200 and x.content[:2] == b"PK"
        for params, msg in (({"provider": "91360102MA0000000X"}, "not in the register"), ({"chain": "ZZ"}, "unknown chain"),
                            ({"date": "2025-02-30"}, "YYYY-MM-DD")):
            r = c.get("/api/digital/providers", params=params)
            assert r.status_code == 400 and msg in r.json()["detail"], r.text
        # the links to the providers: scenario rows and adopters, benchmarks (E1 holds a 标杆 title; 甲 did its project)
        s = c.get("/api/digital/scenarios", params={"date": "2025-06-30"}).json()
        assert s["catalogue"][0]["href"].startswith("/digital/providers?chain=EI&scenario=")
        e1 = next(r for r in s["adopters"]["rows"] if r["enterprise_id"] == 1)
        assert e1["provider_href"] == f"/digital/providers?provider={C.PROVIDER[1]}"
        b = c.get("/api/digital/benchmarks", params={"period": "2025-06"}).json()
        row = next(r for r in b["designated"]["rows"] if r["enterprise_id"] == 1)
        assert row["providers"] == "甲数字科技" and C.PROVIDER[1] in row["providers_href"]
