"""Role scope through EVERY route of the application (enumerated from ``app.routes``).

For each route and each kind of viewer, path parameters are filled from the
fixture (an enterprise in 南昌东湖 360102, chain EI, county 九江濂溪 360402)
and the answer is checked against what the viewer may see (web_fixture.SEES,
written down independently of the policy code): no enterprise's name or USCC
may appear in any answer to a viewer outside its scope, single-enterprise
endpoints answer 401 to anonymous and 403/404 out of scope, and state-changing
routes refuse anonymous callers. A route with a path parameter this test does
not know fails the test, so a new endpoint cannot escape it.
"""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app

E1 = W.USCC[1]
PARAMS = {"code": {"/chains/{code}": "EI", "/api/chains/{code}": "EI", "/regions/{code}": "360102",
                   "/api/regions/{code}": "360102", "/clusters/{code}": "CL-EI", "/api/clusters/{code}": "CL-EI",
                   "/clusters/{code}/progress": "CL-EI", "/clusters/{code}/progress/document": "CL-EI",
                   "/api/clusters/{code}/progress": "CL-EI",
                   "/api/clusters/{code}/progress/{report_id}/submit": "CL-EI",
                   "/api/clusters/{code}/progress/{report_id}/review": "CL-EI"},
          "report_id": "1",
          "uscc": E1, "job_id": "0000000000000000", "region": "360102",
          "request_id": "1", "file_id": "1", "group_id": "1",
          "task_id": "1", "meeting_id": "1", "notice_id": "1", "project_id": "1",
          "chain": "EI", "lead_id": "1", "action": "follow_up",
          "problem_id": "1", "fund_id": "1", "policy_id": "1", "report_id": "1"}                          # work tasks: web_fixture
VIEWERS = [None, "viewer", "lx_county", "ent3", "ei_office", "dh_county", "admin", "fin_unit"]


LEAD_SEERS = ("admin", "ei_office")        # attraction leads (and their out-of-province firm): province, EI office


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("scope") / "scope.duckdb")
    from chainbrain.store import open_store
    from chainbrain.web.users import _row_user, lookup
    from chainbrain.work.project_leads import set_lead

    with open_store(db) as store:                  # leads #1 (EI) and #2 (NF); project #1 came from lead #1
        ei, _ = W.add_leads(store)
        office = _row_user(lookup(store, "ei_office"))
        with store.begin() as conn:
            set_lead(conn, office, 1, 1, ei)
    return create_app(db, public_aggregates=True)


def client_for(app, name):
    c = TestClient(app)                 # no lifespan: the module's app (and its store) stays open
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def fill(path: str) -> str:
    out = path
    for name in [p.strip("{}") for p in path.split("/") if p.startswith("{")]:
        assert name in PARAMS, f"route {path}: unknown path parameter {name!r} — add it to the scope test"
        v = PARAMS[name]
        out = out.replace("{" + name + "}", v[path] if isinstance(v, dict) else v)
    return out


def _walk(routes):
    """(method, path) of every endpoint, through included routers (FastAPI ≥ 0.16x nests them)."""
    for r in routes:
        if hasattr(r, "effective_candidates"):
            yield from _walk(r.effective_candidates())
            continue
        path = getattr(r, "path", None)
        methods = getattr(r, "methods", None) or getattr(getattr(r, "original_route", None), "methods", None)
        if path and methods and (isinstance(r, APIRoute) or hasattr(r, "original_route")
                                 or getattr(r, "endpoint", None) is not None):
            for m in methods:
                if m != "HEAD":
                    yield m, path


def routes(app):
    return sorted(set(_walk(app.routes)))


def test_route_list_is_complete(app):
    paths = {p for _, p in routes(app)}
    assert {"/api/enterprises/{uscc}", "/enterprises/{uscc}", "/api/chains/{code}", "/api/search",
            "/api/imports", "/api/imports/{job_id}/cancel", "/api/audit", "/api/audit/export", "/api/login",
            "/operations", "/api/operations",
            "/reports", "/api/reports", "/reports/monthly", "/api/reports/jobs", "/api/reports/jobs/{job_id}",
            "/reports/jobs/{job_id}/file", "/reports/kept/{report_id}",
            "/cultivate", "/api/cultivate/funnel", "/cultivate/check", "/api/cultivate/check",
            "/cultivate/renewals", "/api/cultivate/renewals", "/cultivate/scale-up", "/api/cultivate/scale-up",
            "/cultivate/match", "/api/cultivate/match", "/api/cultivate/match/needs", "/api/cultivate/match/events",
            "/clusters/{code}/progress/document",
            "/api/enterprises", "/enterprises",
            "/digital", "/api/digital/coverage", "/api/digital/targets", "/api/digital/benchmarks", "/digital/scenarios", "/api/digital/scenarios", "/digital/self-assessment",
            "/api/digital/self-assessment", "/digital/providers", "/api/digital/providers",
            "/password", "/password/done", "/api/password"} <= paths
    for _, p in routes(app):
        fill(p)
    documented = set(app.openapi()["paths"])
    assert documented <= paths, documented - paths       # nothing documented escapes the walk


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_route_respects_scope(app, viewer):
    c = client_for(app, viewer)
    sees = W.SEES[viewer]
    hidden = [i for i in W.USCC if i not in sees]
    checked = 0
    try:
        for method, path in routes(app):
            url = fill(path)
            if path in ("/login", "/logout", "/api/login", "/api/logout"):
                continue                                   # sign-in itself (tested elsewhere)
            if method == "GET":
                r = c.get(url, params={"q": "手工样例"} if "search" in path else None)
            else:
                r = c.request(method, url)
            checked += 1
            body = r.text.replace(url, "")                 # the page may echo the caller's own URL
            for i in hidden:
                assert W.USCC[i] not in body, (viewer, method, url, i)
                assert W.NAME[i] not in body, (viewer, method, url, i)
            if viewer not in LEAD_SEERS:               # a lead's firm, and the link to it, stay hidden
                assert W.OUTSIDE_NAME not in body and "#lead-" not in body, (viewer, method, url)
            if "{uscc}" in path:
                if viewer is None:
                    assert r.status_code == 401, (method, url, r.status_code)
                elif 1 not in sees:
                    assert r.status_code in (403, 404), (viewer, url, r.status_code)
                else:
                    assert r.status_code == 200 and W.NAME[1] in body
            assert r.status_code != 422, (viewer, method, url)          # validation errors are 400
            if method != "GET" and viewer is None:
                assert r.status_code in (400, 401, 403), (method, url, r.status_code)
            if path.startswith(("/api/imports", "/import", "/api/audit", "/audit")) and viewer != "admin":
                assert r.status_code in (401, 403), (viewer, method, url, r.status_code)
    finally:
        c.close()
    assert checked >= 20


@pytest.mark.parametrize("viewer", VIEWERS + ["nc_city"])
def test_enterprise_list_holds_only_the_viewers_firms(app, viewer):
    """企业清单 with every scale, sort and filter: names and USCCs of exactly the viewer's firms."""
    c = client_for(app, viewer)
    sees = W.SEES[viewer] if viewer != "fin_unit" else set()
    try:
        for query in ({"scale": "all"}, {"scale": "below"}, {"scale": "all", "chain": "EI", "sort": "name"},
                      {"scale": "all", "region": "360100"}, {"scale": "all", "format": "xlsx"}):
            for path in ("/api/enterprises", "/enterprises"):
                if path == "/enterprises" and "format" in query:
                    continue
                r = c.get(path, params=query)
                assert r.status_code == 200, (viewer, path, query, r.text[:200])
                body = r.text if "format" not in query else _xlsx_text(r.content)
                for i in W.USCC:
                    if path == "/enterprises":         # the page also names the viewer's own scope (userbox)
                        assert i in sees or (W.USCC[i] not in body and W.NAME[i] not in body), (viewer, query, i)
                    else:
                        assert (W.USCC[i] in body) == (i in sees and _in(i, query)), (viewer, path, query, i)
    finally:
        c.close()


def _in(i, query) -> bool:
    """Whether E_i belongs to the query's scope (handmade.py: E4 below scale in 2025-06)."""
    if query.get("scale") == "below" and i != 4:
        return False
    if query.get("chain") == "EI" and i not in (1, 2, 5):
        return False
    return not (query.get("region") == "360100" and i in (3, 4))


def _xlsx_text(content: bytes) -> str:
    import io

    import openpyxl
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    return " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("viewer,uscc_of,status", [
    ("dh_county", 3, 404), ("lx_county", 1, 404), ("lx_county", 3, 200), ("ent3", 3, 200), ("ent3", 4, 404),
    ("ei_office", 5, 200), ("ei_office", 3, 404), ("nc_city", 6, 200), ("nc_city", 4, 404), ("viewer", 1, 404)])
def test_enterprise_scope_matrix(app, viewer, uscc_of, status):
    c = client_for(app, viewer)
    try:
        assert c.get(f"/api/enterprises/{W.USCC[uscc_of]}").status_code == status
        assert c.get(f"/enterprises/{W.USCC[uscc_of]}").status_code == status
        # numeric ids resolve too, with the same answer
        assert c.get(f"/api/enterprises/{uscc_of}").status_code == status
    finally:
        c.close()


def test_private_deployment_everything_needs_sign_in(tmp_path):
    db = W.build(tmp_path / "private.duckdb")
    app = create_app(db, public_aggregates=False)
    with TestClient(app) as c:
        for method, path in routes(app):
            if method != "GET" or path in ("/login", "/api/health", "/api/live", "/api/me", "/openapi.json"):
                continue
            r = c.get(fill(path), params={"q": "南昌"} if "search" in path else None)
            assert r.status_code == 401, (path, r.status_code)


@pytest.mark.parametrize("viewer,path,status", [
    (None, "/api/requests/1", 401), ("ent3", "/api/requests/1", 200), ("lx_county", "/api/requests/1", 200),
    ("admin", "/api/requests/1", 200), ("dh_county", "/api/requests/1", 404), ("nc_city", "/api/requests/1", 404),
    ("viewer", "/api/requests/1", 404), ("ei_office", "/api/requests/1", 404), ("fin_unit", "/api/requests/1", 404),
    ("fin_unit", "/api/requests/2", 200), ("dh_county", "/api/requests/2", 404),
    ("lx_county", "/api/requests/1/files/1", 200), ("dh_county", "/api/requests/1/files/1", 404),
    ("fin_unit", "/api/requests/1/files/1", 404), (None, "/api/requests/1/files/1", 401),
    ("lx_county", "/api/requests/2/files/1", 404),                 # the file belongs to request 1
    ("dh_county", "/requests/1", 404), ("ent3", "/requests/1", 200),
    ("fin_unit", f"/api/enterprises/{W.USCC[3]}", 404),          # a unit: the request, not the enterprise's data
    ("fin_unit", f"/enterprises/{W.USCC[3]}", 404)])
def test_request_scope_matrix(app, viewer, path, status):
    c = client_for(app, viewer)
    try:
        assert c.get(path).status_code == status
    finally:
        c.close()


@pytest.mark.parametrize("viewer,total", [("ent3", 2), ("lx_county", 2), ("fin_unit", 1), ("dh_county", 0),
                                          ("viewer", 0), ("ei_office", 0), ("admin", 2)])
def test_request_lists_hold_only_visible_requests(app, viewer, total):
    c = client_for(app, viewer)
    try:
        body = c.get("/api/requests").json()
        assert body["total"] == total and len(body["items"]) == total
    finally:
        c.close()


@pytest.mark.parametrize("viewer,status,link", [
    ("admin", 200, True), ("ei_office", 200, True), ("nc_city", 200, False), ("dh_county", 200, False),
    ("viewer", 200, False), ("lx_county", 404, False), ("ent3", 404, False), ("fin_unit", 404, False)])
def test_project_lead_link_only_for_who_sees_the_lead(app, viewer, status, link):
    """Project #1 came from lead #1: its page links the lead for the province and the EI office only;
    a viewer who sees the project but not the lead gets "—", and the JSON carries no lead either."""
    c = client_for(app, viewer)
    try:
        page, api = c.get("/projects/1"), c.get("/api/projects/1")
        assert (page.status_code, api.status_code) == (status, status), viewer
        if status == 200:
            assert ('href="/attract/EI/targets#lead-1"' in page.text) is link
            assert ('data-testid="project-lead">—' in page.text) is not link
            assert (api.json()["lead_id"], (api.json()["lead"] or {}).get("id")) == ((1, 1) if link else (None, None))
        lead = c.get("/api/attract/leads/1")
        assert lead.status_code == (200 if link else 401 if viewer is None else 404), viewer
        if link:
            assert [p["id"] for p in lead.json()["projects"]] == [1]
    finally:
        c.close()
