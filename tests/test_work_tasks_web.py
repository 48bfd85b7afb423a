"""The tasks' and meetings' JSON API on DuckDB and PostgreSQL: sign-in, CSRF, scope (404 out of
scope, enterprise users see none of it, viewers lists only), 409 on a stale version and on a
refused transition, 403 for a role that may not act, 400 (not 422) for bad input, evidence
files only to those who may see the task, Excel import/export through HTTP."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app
from chainbrain.web.users import add_user

PDF = b"%PDF-1.4 minutes of the site visit"


@pytest.fixture
def app(db_any, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))
    W.build(db_any, tasks=False)
    store = open_store(db_any)
    add_user(store, "grid_unit", W.password("grid_unit"), "unit", unit="P-GRID")
    add_user(store, "drc_unit", W.password("drc_unit"), "unit", unit="P-DRC")
    store.close()
    a = create_app(db_any, public_aggregates=True)
    yield a
    a.state.web.store.close()


def client(app, name=None):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def new_task(c, **kw):
    body = {"title": "链主企业用电扩容", "lead_unit": "国网江西省电力有限公司", "deadline": "2025-06-30",
            "region_code": "360102", **kw}
    r = c.post("/api/tasks", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_api_scope_conflict_refusal_and_evidence(app):
    office, grid, drc = client(app, "ei_office"), client(app, "grid_unit"), client(app, "drc_unit")
    tid = new_task(office)
    assert office.get(f"/api/tasks/{tid}").json()["chain_code"] == "EI"        # the office's own chain
    # anonymous: 401; enterprise: 404 everywhere; viewer: the list but not the task
    anon = client(app)
    assert anon.get("/api/tasks").status_code == 401 and anon.get(f"/tasks/{tid}").status_code == 401
    assert anon.post("/api/tasks", json={}).status_code == 401
    ent, viewer, lx = client(app, "ent3"), client(app, "viewer"), client(app, "lx_county")
    for path in ("/api/tasks", f"/api/tasks/{tid}", "/tasks", f"/tasks/{tid}", "/api/meetings", "/api/notices",
                 "/api/tasks/export"):
        assert ent.get(path).status_code == 404, path
    assert [t["id"] for t in viewer.get("/api/tasks").json()["items"]] == [tid]
    assert viewer.get(f"/api/tasks/{tid}").status_code == 404 and viewer.get("/tasks").status_code == 200
    assert lx.get(f"/api/tasks/{tid}").status_code == 404 and lx.get("/api/tasks").json()["total"] == 0
    assert viewer.post("/api/tasks", json={"title": "x", "lead_unit": "y", "deadline": "2025-01-01"}).status_code == 403
    # CSRF, bad bodies: 403 / 400 (never 422)
    no_csrf = client(app, "ei_office")
    del no_csrf.headers["X-CSRF-Token"]
    assert no_csrf.post("/api/tasks", json={"title": "x"}).status_code == 403
    r = office.post("/api/tasks", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = office.post("/api/tasks", json={"title": "x", "lead_unit": "y", "deadline": "30/06/2025"})
    assert r.status_code == 400 and r.json()["detail"] == "deadline 完成时限 must be a date YYYY-MM-DD (deadline 完成时限 应为日期 YYYY-MM-DD)"
    assert office.post("/api/tasks", json={"title": "x", "lead_unit": "y", "deadline": "2025-07-01",
                                           "chain_code": "NF"}).status_code == 403
    assert office.get("/api/tasks?status=done").status_code == 400
    assert office.get("/api/tasks?year=abc").status_code == 400 and office.get("/api/tasks/abc").status_code == 404
    assert office.post("/api/tasks/import").status_code == 400 and office.get("/api/projects?month=x").status_code == 400
    assert office.get("/api/meetings/1x").status_code == 404 and office.get("/tasks/99999").status_code == 404
    # progress with evidence by the lead unit (multipart); a bad file is 400 and writes nothing
    v = grid.get(f"/api/tasks/{tid}").json()["version"]
    r = grid.post(f"/api/tasks/{tid}/progress", data={"version": v, "percent": "40", "text": "方案已报批"},
                  files=[("files", ("run.pdf", b"MZ\x90\x00", "application/pdf"))])
    assert r.status_code == 400 and "内容与扩展名不符" in r.json()["detail"]
    r = grid.post(f"/api/tasks/{tid}/progress", data={"version": v, "percent": "40", "text": "方案已报批"},
                  files=[("files", ("现场照片说明.pdf", PDF, "application/pdf"))])
    assert r.status_code == 201, r.text
    d = grid.get(f"/api/tasks/{tid}").json()
    assert d["status"] == "in_progress" and d["progress_pct"] == 40
    url = d["progress"][0]["evidence"][0]["url"]
    assert grid.get(url).content == PDF and office.get(url).status_code == 200
    for who in (lx, viewer, ent, drc, anon):
        assert who.get(url).status_code in (401, 404)
    # stale version → 409; a refused move → 409 with the bilingual message; wrong role → 403
    assert grid.post(f"/api/tasks/{tid}/submit", json={"version": v}).status_code == 409
    v = d["version"]
    r = office.post(f"/api/tasks/{tid}/close", json={"version": v})
    assert r.status_code == 409 and r.json()["detail"] == (
        "cannot close a task that is in progress (「推进中」状态的任务不能执行「办结销号」)")
    assert office.post(f"/api/tasks/{tid}/submit", json={}).status_code == 400                 # version required
    assert grid.post(f"/api/tasks/{tid}/submit", json={"version": v}).json()["status"] == "awaiting_verification"
    assert grid.post(f"/api/tasks/{tid}/verify", json={"version": v + 1}).status_code == 403
    assert office.post(f"/api/tasks/{tid}/verify", json={"version": v + 1}).json()["status"] == "verified"
    assert office.post(f"/api/tasks/{tid}/close", json={"version": v + 2}).json()["status"] == "closed"
    r = office.patch(f"/api/tasks/{tid}", json={"version": v, "lead_person": "x"})
    assert r.status_code == 409 and "请刷新后重试" in r.json()["detail"]
    # the task page shows it; the list's roll-up counts it done
    page = office.get(f"/tasks/{tid}")
    assert page.status_code == 200 and "链主企业用电扩容" in page.text and 'data-value="closed"' in page.text
    assert office.get("/api/tasks").json()["rollup"]["chain"][0]["done"] == 1


def test_notices_meetings_import_export_over_http(app):
    office, grid, admin = client(app, "ei_office"), client(app, "grid_unit"), client(app, "admin")
    r = office.post("/api/meetings", json={
        "title": "电子信息产业链工作例会", "held_on": "2025-05-08", "agenda": ["用电保障", "招商"],
        "attendees": [{"name": "赵六", "unit": "国网江西省电力有限公司"}],
        "decisions": [{"text": "完成链主企业二期用电接入", "lead_unit": "P-GRID", "deadline": "2025-06-30"}]})
    assert r.status_code == 201, r.text
    mid, (tid,) = r.json()["id"], r.json()["task_ids"]
    m = grid.get(f"/api/meetings/{mid}").json()
    assert m["decisions"][0]["task_id"] == tid and grid.get(f"/meetings/{mid}").status_code == 200
    assert client(app, "lx_county").get(f"/api/meetings/{mid}").status_code == 404
    r = office.post(f"/api/tasks/{tid}/notices", json={"reason": "进度滞后，请说明"})
    assert r.status_code == 201
    n = grid.get("/api/notices").json()["items"][0]
    assert n["status"] == "issued" and n["task_title"] == "完成链主企业二期用电接入"
    assert grid.post(f"/api/notices/{n['id']}/answer", json={"version": n["version"], "answer": "6月底前完成"}).status_code == 200
    assert grid.post(f"/api/notices/{n['id']}/answer", json={"version": n["version"], "answer": "again"}).status_code == 409
    # import: a bad workbook is 400 naming file, row and field; a good one creates the tasks
    def book(rows):
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["序号", "工作任务", "责任单位", "完成时限", "产业链"])
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)
        wb.close()
        return buf.getvalue()
    r = office.post("/api/tasks/import", files={"file": ("清单.xlsx", book([["1", "任务甲", "省工信厅", "明年", "电子信息"]]))})
    assert r.status_code == 400 and "清单.xlsx" in r.json()["detail"] and "row 2 完成时限" in r.json()["detail"]
    r = office.post("/api/tasks/import", files={"file": ("清单.xlsx", book([["1", "任务甲", "省工信厅", "2025-12-31", "电子信息"]]))})
    assert r.status_code == 201 and r.json()["count"] == 1
    assert grid.post("/api/tasks/import", files={"file": ("x.xlsx", b"")}).status_code == 404   # units do not assign
    x = admin.get("/api/tasks/export?chain=EI")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert {"/api/tasks", "/api/tasks/{task_id}", "/api/meetings", "/api/notices/{notice_id}/answer"} <= set(
        admin.get("/openapi.json").json()["paths"])


def test_organisation_over_http(app):
    office, city, viewer = client(app, "ei_office"), client(app, "nc_city"), client(app, "viewer")
    r = office.post("/api/organisation/interactions", json={"kind": "talk", "held_on": "2025-04-01", "leader": "链长乙",
                                                            "enterprise_id": 1, "summary": "座谈"})
    assert r.status_code == 201
    assert city.post("/api/organisation/interactions", json={"kind": "talk", "held_on": "2025-04-01", "leader": "x",
                                                             "summary": "y", "chain_code": "EI"}).status_code == 403
    assert office.post("/api/organisation/members", json={"role": "boss", "name": "x"}).status_code == 400
    o = office.get("/api/organisation").json()
    assert o["chain_code"] == "EI" and o["interactions"][0]["enterprise"] == W.NAME[1]
    v = viewer.get("/api/organisation?chain=EI")
    assert v.status_code == 200 and W.NAME[1] not in v.text and v.json()["chain_masters"]["count"] == 1
    assert office.get("/organisation").status_code == 200 and viewer.get("/organisation").status_code == 200
    assert client(app, "ent3").get("/api/organisation").status_code == 404
    assert viewer.get("/api/organisation?chain=XX").status_code == 404


def test_key_projects_over_http(app):
    office, lx, viewer, grid = client(app, "ei_office"), client(app, "lx_county"), client(app, "viewer"), client(app, "grid_unit")
    r = office.post("/api/projects", json={"name": "智能终端产业园二期", "region_code": "360102", "investor": "示例投资公司",
                                           "amount": 1.2e9, "plan": [{"year": 2025, "month": 1, "planned": 1e8}]})
    assert r.status_code == 201
    pid = r.json()["id"]
    assert office.post(f"/api/projects/{pid}/operate", json={"version": 1}).status_code == 409
    assert lx.post(f"/api/projects/{pid}/sign", json={"version": 1}).status_code == 404           # not its region
    assert office.post(f"/api/projects/{pid}/sign", json={"version": 1, "date": "2025-01-05"}).json()["stage"] == "signed"
    r = office.post(f"/api/projects/{pid}/investment", json={"version": 2, "year": 2025, "month": 1, "actual": 9e7})
    assert r.status_code == 200 and r.json()["months"][0]["rate"] == 0.9
    assert office.post(f"/api/projects/{pid}/investment", json={"version": 2, "year": 2025, "month": 1,
                                                                "actual": 1}).status_code == 409
    d = viewer.get("/api/projects?year=2025&month=1").json()
    assert d["by_chain"][0]["completion_rate"] == 0.9 and d["total"] == 1
    assert viewer.get(f"/projects/{pid}").status_code == 200 and office.get("/projects").status_code == 200
    assert grid.get("/api/projects").status_code == 404 and lx.get("/api/projects").json()["total"] == 0
    assert viewer.get("/api/projects?month=13").status_code == 400


def test_pages_render_in_both_languages(app):
    office = client(app, "ei_office")
    tid = new_task(office)
    pid = office.post("/api/projects", json={"name": "示例项目", "region_code": "360102", "investor": "示例",
                                             "amount": 1e8}).json()["id"]
    mid = office.post("/api/meetings", json={"title": "例会", "held_on": "2025-05-08", "agenda": ["a"]}).json()["id"]
    for lang in ("zh", "en"):
        for path in ("/tasks", f"/tasks/{tid}", "/meetings", f"/meetings/{mid}", "/organisation", "/projects",
                     f"/projects/{pid}"):
            r = office.get(path, params={"lang": lang})
            assert r.status_code == 200, (path, lang)
            assert ('href="/tasks?lang=en">Tasks</a>' in r.text) == (lang == "en"), (path, lang)
            assert ('>任务督办</a>' in r.text) == (lang == "zh"), (path, lang)
