"""Enterprise requests over HTTP on DuckDB and PostgreSQL: the issue's API contract (201 with an
integer id and status, 401/404 scope, 409 on a stale version or a refused transition, 400 on bad
input, bilingual ``detail``), the OpenAPI document, the ``chainbrain work tick`` command and the
server's timer."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import web_fixture as W
from chainbrain.cli import app as cli_app
from chainbrain.web import create_app

BILINGUAL = re.compile(r"[A-Za-z].*[\u4e00-\u9fff]")


@pytest.fixture
def app(db_any):
    W.build(db_any)
    app = create_app(db_any, public_aggregates=True)
    yield app
    app.state.web.store.close()


def login(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def test_api_contract_scope_conflict_and_refusal(app):
    ent, lx, dh, admin = (login(app, n) for n in ("ent3", "lx_county", "dh_county", "admin"))
    r = ent.post("/api/requests", json={"title": "电力增容", "category": "要素保障", "description": "新产线需要增容 2000 kVA"})
    assert r.status_code == 201
    body = r.json()
    assert isinstance(body["id"], int) and body["status"] == "submitted" and body["version"] == 1
    rid = body["id"]
    assert ent.post("/api/requests", json={"title": "t", "category": "tech", "description": "d"}).json()["category"] == "tech"
    # scope: submitter, its county, the province see it; others 404, anonymous 401
    assert [c.get(f"/api/requests/{rid}").status_code for c in (ent, lx, admin, dh, login(app, "viewer"))] == \
        [200, 200, 200, 404, 404]
    assert TestClient(app).get(f"/api/requests/{rid}").status_code == 401
    assert dh.get("/api/requests/99999").status_code == 404
    assert dh.get("/api/requests/abc").status_code == 404
    listed = ent.get("/api/requests").json()
    assert listed["total"] == 4 and {i["id"] for i in listed["items"]} >= {rid}   # + the fixture's two
    # refusals and conflicts
    r = ent.post(f"/api/requests/{rid}/confirm", json={"version": 1})
    assert r.status_code == 409 and BILINGUAL.search(r.json()["detail"])
    assert ent.post(f"/api/requests/{rid}/accept", json={"version": 1}).status_code == 403
    assert dh.post(f"/api/requests/{rid}/accept", json={"version": 1}).status_code == 404
    assert lx.post(f"/api/requests/{rid}/accept", json={"version": 1}).json()["version"] == 2
    r = lx.post(f"/api/requests/{rid}/start", json={"version": 1})
    assert r.status_code == 409 and "version 2" in r.json()["detail"] and "版本" in r.json()["detail"]
    r = lx.post(f"/api/requests/{rid}/answer", json={"version": 2})
    assert r.status_code == 400 and "answer" in r.json()["detail"]
    r = lx.post(f"/api/requests/{rid}/answer", json={"version": "two", "answer": "x"})
    assert r.status_code == 400 and "version" in r.json()["detail"]
    r = lx.post(f"/api/requests/{rid}/answer", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400
    r = lx.post(f"/api/requests/{rid}/answer", json={"version": 2, "answer": "已协调供电公司"},
                headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    assert TestClient(app).post(f"/api/requests/{rid}/answer", json={"version": 2, "answer": "x"}).status_code == 401
    r = lx.post(f"/api/requests/{rid}/answer", json={"version": 2, "answer": "已协调供电公司"})
    assert (r.json()["status"], r.json()["actions"]) == ("answered", [])
    assert ent.get(f"/api/requests/{rid}").json()["actions"] == ["confirm", "reopen", "rate"]
    r = ent.post(f"/api/requests/{rid}/close", json={"version": 3, "rating": 5, "comment": "及时"})
    assert (r.json()["status"], r.json()["close_reason"], r.json()["rating"]) == ("closed", "confirmed", 5)
    for bad in ({"title": "x", "category": "nope", "description": "d"}, {"category": "factor", "description": "d"},
                [1, 2], {"title": "x" * 201, "category": "factor", "description": "d"}):
        r = ent.post("/api/requests", json=bad)
        assert r.status_code == 400 and BILINGUAL.search(r.json()["detail"]), bad
    assert lx.post("/api/requests", json={"title": "x", "category": "factor", "description": "d"}).status_code == 403
    assert ent.get("/api/requests?status=bogus").status_code == 400


def test_openapi_documents_the_routes(app):
    paths = app.openapi()["paths"]
    for p in ("/api/requests", "/api/requests/{request_id}", "/api/requests/{request_id}/accept",
              "/api/requests/{request_id}/escalate", "/api/requests/{request_id}/rate", "/api/requests/stats",
              "/api/request-groups", "/api/request-groups/{group_id}/answer", "/api/inbox", "/api/my"):
        assert p in paths, p
    body = paths["/api/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["title", "category", "description"]
    assert "409" in paths["/api/requests/{request_id}/answer"]["post"]["responses"]


def test_groups_inbox_and_my_home(app):
    ent, lx = login(app, "ent3"), login(app, "lx_county")
    ids = [ent.post("/api/requests", json={"title": f"用工 {i}", "category": "factor", "description": "d"}).json()["id"]
           for i in range(2)]
    r = lx.post("/api/request-groups", json={"title": "用地指标普遍不足", "request_ids": ids})
    assert r.status_code == 201
    gid = r.json()["id"]
    assert login(app, "dh_county").get(f"/api/request-groups/{gid}").status_code == 404
    r = lx.post(f"/api/request-groups/{gid}/answer", json={"version": 1, "answer": "统一答复"})
    assert r.json()["answered"] == ids
    assert lx.post(f"/api/request-groups/{gid}/answer", json={"version": 1, "answer": "x"}).status_code == 409
    assert all(ent.get(f"/api/requests/{i}").json()["answer"] == "统一答复" for i in ids)
    box = ent.get("/api/inbox").json()
    assert box["unread"] >= 4 and any(m["link"] == f"/requests/{ids[0]}" for m in box["items"])
    assert ent.post("/api/inbox/read").json()["marked"] == box["unread"]
    assert ent.get("/api/inbox").json()["unread"] == 0
    my = ent.get("/api/my").json()
    assert my["enterprise"]["uscc"] == W.USCC[3] and my["enterprise"]["chain_code"] == "NF"
    assert {r["id"] for r in my["todo"]} == set(ids) and len(my["requests"]) == 4
    assert lx.get("/api/my").status_code == 403
    assert ent.get("/", follow_redirects=False).headers["location"] == "/my"


def test_tick_command_and_timer(db_any, monkeypatch):
    W.build(db_any)            # the fixture's requests were submitted Tue 29 Sep 2026: respond_due 9 Oct
    run = CliRunner().invoke(cli_app, ["work", "tick", "--db", db_any, "--today", "2026-10-14"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.output)            # the tasks' clock is a job of the same tick (nothing due yet)
    assert {k: out[k] for k in ("today", "requests")} == {"today": "2026-10-14", "requests": {"escalated": [], "closed": []}}
    assert out["tasks"] == {"at_risk": 0, "overdue": 0, "chain": 0, "province": 0}
    run = CliRunner().invoke(cli_app, ["work", "tick", "--db", db_any, "--today", "2026-10-15"])
    assert json.loads(run.output)["requests"] == {"escalated": [1, 2], "closed": []}
    bad = CliRunner().invoke(cli_app, ["work", "tick", "--db", db_any, "--today", "15/10/2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_server_runs_the_clock_on_a_timer(db_any, monkeypatch):
    import time

    from chainbrain.web.views import requests_api
    W.build(db_any)
    monkeypatch.delenv("CHAINBRAIN_WORK_TICK_S", raising=False)
    assert requests_api.tick_interval() == 0.0                 # off under pytest unless asked
    monkeypatch.setenv("CHAINBRAIN_WORK_TICK_S", "off")
    assert requests_api.tick_interval() == 0.0
    with TestClient(create_app(db_any, public_aggregates=True)) as c:      # lifespan: no timer
        c.post("/api/login", json={"username": "admin", "password": W.password("admin")})
        time.sleep(0.5)
        assert [i["escalated"] for i in c.get("/api/requests").json()["items"]] == [False, False]
    monkeypatch.setenv("CHAINBRAIN_WORK_TICK_S", "30")
    assert requests_api.tick_interval() == 30.0
    with TestClient(create_app(db_any, public_aggregates=True)) as c:      # the timer's first run is at once
        c.post("/api/login", json={"username": "admin", "password": W.password("admin")})
        for _ in range(100):               # today (the real date) is past 15 Oct 2026: both get escalated
            items = c.get("/api/requests").json()["items"]
            if all(i["escalated"] for i in items):
                break
            time.sleep(0.1)
        assert [i["escalated"] for i in items] == [True, True]
        assert c.get("/api/requests/1").json()["history"][-1]["actor"] == "system"


def test_page_forms_submit_with_file_act_and_refuse(app):
    ent, lx = login(app, "ent3"), login(app, "lx_county")
    tok = ent.headers["X-CSRF-Token"]
    form = {"title": "环评审批", "category": "approval", "description": "扩建项目环评", "csrf_token": tok}
    r = ent.post("/requests", data=form, files={"file": ("环评.pdf", b"%PDF-1.4 test", "application/pdf")},
                 follow_redirects=False)
    assert r.status_code == 303
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    d = ent.get(f"/api/requests/{rid}").json()
    assert [f["name"] for f in d["files"]] == ["环评.pdf"] and [h["action"] for h in d["history"]] == ["submit", "attach"]
    fid = d["files"][0]["id"]
    got = lx.get(f"/requests/{rid}/files/{fid}")
    assert got.status_code == 200 and got.content == b"%PDF-1.4 test"
    assert login(app, "dh_county").get(f"/requests/{rid}/files/{fid}").status_code == 404
    # a refused file refuses the whole submission: nothing written
    before = ent.get("/api/requests").json()["total"]
    r = ent.post("/requests", data=form, files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 400 and "不接受此类型" in r.text
    assert ent.get("/api/requests").json()["total"] == before
    # act by form: accepted, then a stale form is refused with the bilingual message on the page
    ltok = lx.headers["X-CSRF-Token"]
    assert lx.post(f"/requests/{rid}/act", data={"action": "accept", "version": "1", "csrf_token": ltok},
                   follow_redirects=False).status_code == 303
    r = lx.post(f"/requests/{rid}/act", data={"action": "accept", "version": "1", "csrf_token": ltok})
    assert r.status_code == 409 and "不能执行" in r.text
    r = lx.post(f"/requests/{rid}/act", data={"action": "start", "version": "1", "csrf_token": ltok})
    assert r.status_code == 409 and "请刷新后重试" in r.text
    assert lx.post(f"/requests/{rid}/act", data={"action": "start", "version": "2"},
                   headers={"X-CSRF-Token": ""}).status_code == 403                                  # no CSRF token
    assert lx.get(f"/api/requests/{rid}").json()["status"] == "accepted"
