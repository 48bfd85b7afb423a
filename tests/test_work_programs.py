"""Joint R&D, the guidance fund, the policy list and the five lists through the JSON API, on
DuckDB and PostgreSQL: the R&D workflow with refusals (409) and stale versions (409), funding
tranches, leverage and output stock by hand, investment scope, policy validity boundaries and
citations, and the five lists against their workbook. Data: ``web_fixture`` (its docstring)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app

YI = 100_000_000


@pytest.fixture
def app(db_any, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))
    W.build(db_any)
    store = open_store(db_any)
    with store.begin() as conn:           # E1's 2025 annual revenue 8 亿 (output of an invested enterprise)
        conn.execute(sa.text("INSERT INTO annual_report (enterprise_id, year, revenue, batch_id, revision) "
                             "VALUES (1, 2025, 800000000, 1, 1)"))
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


def test_rd_workflow_funding_and_refusals(app):
    office, ent, viewer, lx, unit = (client(app, n) for n in ("ei_office", "ent3", "viewer", "lx_county", "fin_unit"))
    assert client(app).get("/api/rd").status_code == 401
    apply_by = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    r = office.post("/api/rd", json={"title": "功率器件国产替代", "description": "车规 IGBT 模块", "funding": "5000000",
                                     "apply_by": apply_by, "scope_kind": "inter", "other_chains": ["NF"]})
    assert r.status_code == 201 and r.json()["status"] == "open", r.text
    pid = r.json()["id"]
    # bad input 400; a cross-chain problem names its other chains; another chain's office 403
    assert office.post("/api/rd", json={"title": "x", "description": "y", "funding": "-1", "apply_by": apply_by}).status_code == 400
    r = office.post("/api/rd", json={"title": "x", "description": "y", "funding": 1, "apply_by": apply_by, "scope_kind": "group"})
    assert r.status_code == 400 and "协同产业链" in r.json()["detail"]
    assert office.post("/api/rd", json={"title": "x", "description": "y", "funding": 1, "apply_by": apply_by,
                                        "chain_code": "NF"}).status_code == 403
    assert viewer.post("/api/rd", json={"title": "x"}).status_code == 403
    # applicants: the enterprise for its firm (once); a bureau may not apply
    r = ent.post(f"/api/rd/{pid}/apply", json={"team": "铜基材料联合体", "leader": "李工", "proposal": "材料+封装",
                                               "requested": "4500000"})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    assert ent.post(f"/api/rd/{pid}/apply", json={"team": "t", "leader": "l", "proposal": "p", "requested": 1}).status_code == 400
    assert lx.post(f"/api/rd/{pid}/apply", json={"team": "t", "leader": "l", "proposal": "p", "requested": 1}).status_code == 403
    r2 = office.post(f"/api/rd/{pid}/apply", json={"team": "南昌大学团队", "leader": "张教授", "proposal": "p", "requested": "3000000"})
    assert r2.status_code == 201
    # who reads the applications: the office both; the applicant its own; viewer and unit none, E3's name never
    assert len(office.get(f"/api/rd/{pid}").json()["applications"]) == 2
    mine = ent.get(f"/api/rd/{pid}").json()["applications"]
    assert [a["id"] for a in mine] == [aid] and mine[0]["own"] is True
    for c in (viewer, unit):
        body = c.get(f"/api/rd/{pid}")
        assert body.status_code == 200 and body.json()["applications"] == [] and W.NAME[3] not in body.text
    # moves: refused ones 409 with the bilingual message; stale version 409; wrong role 403
    v = office.get(f"/api/rd/{pid}").json()["version"]
    r = office.post(f"/api/rd/{pid}/start", json={"version": v})
    assert r.status_code == 409 and r.json()["detail"] == (
        "cannot start a R&D problem that is open (「张榜征集」状态的攻关榜单不能执行「启动攻关」)")
    assert ent.post(f"/api/rd/{pid}/award", json={"version": v, "application_id": aid}).status_code == 403
    assert office.post(f"/api/rd/{pid}/award", json={"version": v - 1, "application_id": aid}).status_code == 409
    assert office.post(f"/api/rd/{pid}/award", json={"version": v}).status_code == 400
    assert office.post(f"/api/rd/{pid}/award", json={"version": v, "application_id": aid}).json()["status"] == "awarded"
    d = office.get(f"/api/rd/{pid}").json()
    assert {a["id"]: a["status"] for a in d["applications"]} == {aid: "chosen", r2.json()["id"]: "not_chosen"}
    assert d["chosen"]["team"] == "铜基材料联合体"
    assert viewer.get(f"/api/rd/{pid}").json()["chosen"]["team"] == "（企业，名称不公开）"       # E3 hidden from a viewer
    # milestones with tranches: Σ ≤ funding (5 000 000): 2 000 000 + 3 000 000 fits, one yuan more does not
    v = d["version"]
    assert office.post(f"/api/rd/{pid}/milestones", json={"version": v, "title": "样品", "due_on": "2027-03-31",
                                                         "tranche": "2000000"}).status_code == 201
    assert office.post(f"/api/rd/{pid}/milestones", json={"version": v + 1, "title": "验证", "due_on": "2027-09-30",
                                                         "tranche": "3000000"}).status_code == 201
    r = office.post(f"/api/rd/{pid}/milestones", json={"version": v + 2, "title": "x", "due_on": "2027-10-01", "tranche": "1"})
    assert r.status_code == 400 and "超过揭榜资金" in r.json()["detail"]
    v += 2
    assert office.post(f"/api/rd/{pid}/milestone-done", json={"version": v, "seq": 1}).status_code == 409   # not started
    assert office.post(f"/api/rd/{pid}/start", json={"version": v}).json()["status"] == "in_progress"
    v += 1
    d = office.post(f"/api/rd/{pid}/milestone-done", json={"version": v, "seq": 1}).json()
    assert d["funded_yuan"] == 2_000_000 and d["funded_share"] == 0.4
    v += 1
    r = office.post(f"/api/rd/{pid}/complete", json={"version": v, "result": "样品通过验证"})
    assert r.status_code == 409 and "1 milestone(s) not done" in r.json()["detail"]
    assert office.post(f"/api/rd/{pid}/milestone-done", json={"version": v, "seq": 2}).json()["funded_share"] == 1.0
    v += 1
    assert office.post(f"/api/rd/{pid}/complete", json={"version": v}).status_code == 400              # result required
    assert office.post(f"/api/rd/{pid}/complete", json={"version": v, "result": "样品通过验证"}).json()["status"] == "completed"
    assert office.post(f"/api/rd/{pid}/close", json={"version": v + 1, "commercialisation": "已量产",
                                                     "commercial_revenue": "12000000"}).json()["status"] == "closed"
    assert office.post(f"/api/rd/{pid}/withdraw", json={"version": v + 2}).status_code == 409
    d = office.get(f"/api/rd/{pid}").json()
    assert d["commercial_revenue_yuan"] == 12_000_000 and d["closed_on"] == dt.date.today().isoformat()
    assert [h["action"] for h in d["history"]] == ["post", "award", "milestone", "milestone", "start", "milestone_done",
                                                    "milestone_done", "complete", "close"]
    # the list: counts by state, funding offered and funded (fixture problems 1 and 2 are open)
    lst = viewer.get("/api/rd?chain=EI").json()
    assert {s["status"]: s["problems"] for s in lst["by_status"]}["closed"] == 1 and lst["total"] == 3
    assert lst["funded_yuan"] == 5_000_000 and lst["funding_yuan"] == 5_000_000 + 5_000_000 + 1_000_000
    assert [p["id"] for p in viewer.get("/api/rd?chain=NF").json()["items"]] == [pid]   # named as the other chain
    assert viewer.get("/api/rd?chain=N").json()["total"] == 0                            # whole codes only
    assert viewer.get("/api/rd?status=nope").status_code == 400 and viewer.get("/api/rd/abc").status_code == 404
    # problem 2 was posted by E3: its name only to those who may see E3
    assert {p["id"]: p["poster_name"] for p in lst["items"]}[2] == "（企业，名称不公开）"
    assert office.get("/api/rd/2").json()["poster_name"] == "（企业，名称不公开）"        # E3 is not in EI's scope
    assert lx.get("/api/rd/2").json()["poster_name"] == W.NAME[3]


def test_rd_applications_close_on_the_deadline(app):
    office, ent = client(app, "ei_office"), client(app, "ent3")
    today = dt.date.today()
    pid = office.post("/api/rd", json={"title": "t", "description": "d", "funding": 1, "apply_by": today.isoformat()}).json()["id"]
    body = {"team": "t", "leader": "l", "proposal": "p", "requested": 1}
    assert ent.post(f"/api/rd/{pid}/apply", json=body).status_code == 201           # on the deadline: still open
    store = open_store(app.state.web.store.db)
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE work_rd_problem SET apply_by = :d, posted_on = :d WHERE id = :i"),
                     {"d": today - dt.timedelta(days=1), "i": pid})
    store.close()
    r = office.post(f"/api/rd/{pid}/apply", json=body)
    assert r.status_code == 409 and "截止" in r.json()["detail"]                     # the day after: closed


def test_fund_leverage_scope_and_output(app):
    admin, office, viewer, dh, lx, ent = (client(app, n) for n in ("admin", "ei_office", "viewer", "dh_county",
                                                                   "lx_county", "ent3"))
    # fixture sub-fund #2 (size 10 亿, government 3 亿): E1 1 亿 + 2 亿 co-investment, an outside firm 0.5 亿.
    # government money 0.3 + 0.15 = 0.45 亿; social 3.5 − 0.45 = 3.05 亿; leverage 3.05 / 0.45
    funds = {f["id"]: f for f in viewer.get("/api/funds").json()["items"]}
    for fid in (1, 2):                                     # the mother fund adds its sub-fund's investments
        f = funds[fid]
        assert f["invested_yuan"] == 1.5 * YI and f["co_invest_yuan"] == 2 * YI
        assert f["government_yuan"] == 3 * YI and f["government_share"] == 0.3
        assert f["government_invested_yuan"] == pytest.approx(0.45 * YI) and f["leverage"] == pytest.approx(3.05 / 0.45)
        assert f["output_stock_yuan"] == 0 and f["output_covered"] == 0          # the viewer sees no enterprise
    assert admin.get("/api/funds").json()["items"][1]["output_stock_yuan"] == 8 * YI     # E1's 2025 revenue
    # one investment alone: size 10 亿, government 3 亿, 1 亿 + 2 亿 → government 0.3, social 2.7, leverage 9.0
    r = admin.post("/api/funds", json={"name": "测试子基金", "size": 10 * YI, "government": 3 * YI, "set_up_on": "2025-01-01",
                                       "parent_id": 1})
    fid = r.json()["id"]
    assert admin.post(f"/api/funds/{fid}/investments", json={"version": 1, "investee": "某企业", "amount": YI,
                                                             "co_invest": 2 * YI, "invested_on": "2025-05-05",
                                                             "chain_code": "EI", "region_code": "360102"}).status_code == 201
    f = next(x for x in admin.get("/api/funds").json()["items"] if x["id"] == fid)
    assert f["leverage"] == pytest.approx(9.0) and f["social_yuan"] == pytest.approx(2.7 * YI)
    # stale version 409; who may record: province and the chain's office, not a bureau or viewer
    assert admin.post(f"/api/funds/{fid}/investments", json={"version": 1, "investee": "x", "amount": 1,
                                                             "invested_on": "2025-05-05", "chain_code": "EI",
                                                             "region_code": "360102"}).status_code == 409
    assert dh.post(f"/api/funds/{fid}/investments", json={"version": 2, "investee": "x", "amount": 1,
                                                          "invested_on": "2025-05-05", "region_code": "360102"}).status_code == 403
    assert office.post("/api/funds", json={"name": "x", "size": 1, "government": 1, "set_up_on": "2025-01-01"}).status_code == 403
    assert admin.post("/api/funds", json={"name": "x", "size": 1, "government": 2, "set_up_on": "2025-01-01"}).status_code == 400
    # investment rows by scope (fund 2: E1 in 360102, the outside firm in 360402)
    rows = lambda c: sorted(i["region_code"] for i in c.get("/api/funds/2").json()["investments"])  # noqa: E731
    assert rows(admin) == ["360102", "360402"] and rows(office) == ["360102", "360402"]
    assert rows(dh) == ["360102"] and rows(lx) == ["360402"] and rows(viewer) == [] and rows(ent) == []
    assert office.get("/api/funds/2").json()["investments"][0]["investee"] == W.NAME[1]
    assert W.NAME[1] not in lx.get("/api/funds/2").text and W.NAME[1] not in viewer.get("/funds/2").text
    assert viewer.get("/api/funds/99").status_code == 404 and viewer.get("/api/funds?year=20x5").status_code == 400


def test_policies_validity_citations_and_conflict(app):
    admin, office, dh, lx, nc, ent = (client(app, n) for n in ("admin", "ei_office", "dh_county", "lx_county",
                                                               "nc_city", "ent3"))
    today = dt.date.today()
    day = lambda n: (today + dt.timedelta(days=n)).isoformat()  # noqa: E731
    base = {"issuer": "省工业和信息化厅", "chain_code": "EI", "measures": ["措施一"]}
    ids = {}
    for name, vf, vt in (("ends today", day(-10), day(0)), ("ended yesterday", day(-10), day(-1)),
                         ("starts tomorrow", day(1), None), ("starts today", day(0), None)):
        r = office.post("/api/policies", json={**base, "title": name, "valid_from": vf, "valid_to": vt})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    got = {p["title"]: p["validity"] for p in ent.get("/api/policies?chain=EI").json()["items"]}
    assert got["ends today"] == "in_force" and got["ended yesterday"] == "expired"
    assert got["starts tomorrow"] == "pending" and got["starts today"] == "in_force"
    # who records: a chain office for its chain at province level; a city for its city; a county never
    assert office.post("/api/policies", json={**base, "title": "x", "chain_code": "NF", "valid_from": day(0)}).status_code == 403
    assert nc.post("/api/policies", json={**base, "title": "南昌市电子信息若干措施", "valid_from": day(0)}).status_code == 201
    assert dh.post("/api/policies", json={**base, "title": "x", "valid_from": day(0)}).status_code == 403
    assert office.post("/api/policies", json={**base, "title": "x", "valid_from": day(0), "measures": []}).status_code == 400
    r = office.post("/api/policies", json={**base, "title": "x", "valid_from": day(0), "valid_to": day(-1)})
    assert r.status_code == 400 and "失效日期" in r.json()["detail"]
    # edits: version check and audit
    pid = ids["starts today"]
    assert office.patch(f"/api/policies/{pid}", json={"version": 1, "measures": ["措施一", "措施二"]}).json()["version"] == 2
    r = admin.patch(f"/api/policies/{pid}", json={"version": 1, "title": "y"})
    assert r.status_code == 409 and "请刷新后重试" in r.json()["detail"]
    d = office.get(f"/api/policies/{pid}").json()
    assert d["measures"] == ["措施一", "措施二"] and [h["action"] for h in d["history"]] == ["create", "update"]
    # fixture policy 1 is cited by request 1 (lx's) and task 1 (EI, 360102): each sees its own
    p1 = lambda c: c.get("/api/policies/1").json()  # noqa: E731
    assert [r["id"] for r in p1(lx)["requests"]] == [1] and p1(lx)["tasks"] == [] and p1(lx)["citations_hidden"] == 1
    assert [t["id"] for t in p1(dh)["tasks"]] == [1] and p1(dh)["requests"] == []
    assert p1(ent)["citations_hidden"] == 1 and p1(admin)["citations_hidden"] == 0
    assert dh.post("/api/policies/1/cite", json={"request_id": 1}).status_code == 404          # not dh's request
    assert ent.post("/api/policies/1/cite", json={"request_id": 1}).status_code == 403
    assert lx.get("/api/policies?validity=bad").status_code == 400


def test_five_lists_match_their_workbook(app):
    admin, dh, viewer, unit = (client(app, n) for n in ("admin", "dh_county", "viewer", "fin_unit"))
    d = admin.get("/api/lists?chain=EI").json()
    assert [t["id"] for t in d["tables"]] == ["enterprises", "projects", "clusters", "problems", "policies"]
    ents = {e["uscc"]: e for e in d["lists"]["enterprises"]}
    assert set(ents) == {W.USCC[1], W.USCC[2], W.USCC[5]} and ents[W.USCC[1]]["chain_master"] is True
    assert "链主企业" in ents[W.USCC[1]]["designations"]
    assert [p["id"] for p in d["lists"]["projects"]] == [1]
    assert {(p["kind"], p["id"]) for p in d["lists"]["problems"]} >= {("rd", 1), ("rd", 2)}
    assert [p["id"] for p in d["lists"]["policies"]] == [1]
    # scope: a county sees its own enterprises, a viewer none (counted as hidden)
    assert {e["uscc"] for e in dh.get("/api/lists?chain=EI").json()["lists"]["enterprises"]} == {W.USCC[1], W.USCC[5]}
    v = viewer.get("/api/lists?chain=EI").json()
    assert v["lists"]["enterprises"] == [] and v["hidden_enterprises"] == 3
    assert unit.get("/api/lists?chain=EI").json()["lists"]["projects"] == []
    assert admin.get("/api/lists?chain=XX").status_code == 400 and client(app).get("/api/lists").status_code == 401
    # the workbook: one sheet per list, the same rows as the JSON
    r = admin.get("/api/lists?chain=EI&format=xlsx")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["enterprises", "projects", "clusters", "problems", "policies"]
    for tb in d["tables"]:
        ws = wb[tb["id"]]
        body = [row for row in ws.iter_rows(min_row=3, values_only=True)]
        assert len(body) == len(tb["rows"]), tb["id"]
        assert [row[0] for row in body] == [r[tb["columns"][0]["key"]] for r in tb["rows"]], tb["id"]
    ent_sheet = {row[1]: row[4] for row in wb["enterprises"].iter_rows(min_row=3, values_only=True)}
    for uscc, e in ents.items():                   # in 万元, as the page shows it (#22: Excel matches the screen)
        assert ent_sheet[uscc] == pytest.approx(e["revenue_ytd_yuan"] / 1e4)
    page = admin.get("/lists?chain=EI")
    assert page.status_code == 200 and all(f'data-testid="list-{k}"' in page.text for k in ents and
                                           ("enterprises", "projects", "clusters", "problems", "policies"))


def test_my_enterprise_shows_its_projects_and_rd(app):
    admin, ent = client(app, "admin"), client(app, "ent3")
    r = admin.post("/api/projects", json={"name": "铜箔扩产项目", "chain_code": "NF", "region_code": "360402",
                                          "investor": "E3", "enterprise_id": 3, "amount": "300000000"})
    assert r.status_code == 201
    my = ent.get("/api/my").json()
    assert [p["name"] for p in my["projects"]] == ["铜箔扩产项目"]              # not project 1 (E1 invests)
    assert [p["id"] for p in my["rd"]["posted"]] == [2]
    assert [(a["problem_id"], a["status"]) for a in my["rd"]["applications"]] == [(1, "submitted")]
    page = ent.get("/my")
    assert page.status_code == 200 and "铜箔扩产项目" in page.text and "车规级芯片封装可靠性" in page.text


def test_files_dir_from_the_configuration_file(tmp_path, monkeypatch):
    from chainbrain.store import open_store as open_
    from chainbrain.work.files import files_dir

    for k in ("CHAINBRAIN_FILES_DIR", "CHAINBRAIN_CONFIG"):
        monkeypatch.delenv(k, raising=False)
    store = open_(str(tmp_path / "x.duckdb"))
    try:
        assert files_dir(store) == (tmp_path / "files").resolve()                  # default: next to the store
        conf = tmp_path / "chainbrain.toml"
        conf.write_text(f'[work]\nfiles_dir = "{tmp_path / "kept"}"\n', encoding="utf-8")
        monkeypatch.setenv("CHAINBRAIN_CONFIG", str(conf))
        assert files_dir(store) == tmp_path / "kept" and (tmp_path / "kept").is_dir()
        monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "env"))       # the environment wins
        assert files_dir(store) == tmp_path / "env"
    finally:
        store.close()


@pytest.mark.postgres
def test_concurrent_award_on_postgresql(pg_server, tmp_path, monkeypatch):
    """Two managers choose different teams for problem 1 at version 1 at once: the second waits on
    the row lock, then gets the conflict; the first choice stands."""
    import threading

    from chainbrain.web.users import _row_user, lookup
    from chainbrain.work import rd, rd_read, records

    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))
    store = open_store(W.build(pg_server.create_database("cb_rd_concurrent")))
    try:
        admin, office = (_row_user(lookup(store, n)) for n in ("admin", "ei_office"))
        today = dt.date(2026, 10, 8)
        with store.begin() as conn:
            other = rd.apply(conn, office, 1, {"team": "高校团队", "leader": "赵", "proposal": "p", "requested": 1,
                                               "submitted_on": "2026-10-01"}, today)
        first = store.engine.connect()
        tx = first.begin()
        rd.move(first, office, 1, 1, "award", today, {"application_id": 1})      # holds the row lock
        out = {}

        def second():
            try:
                with store.begin() as conn:
                    rd.move(conn, admin, 1, 1, "award", today, {"application_id": other})
                out["r"] = "written"
            except records.Conflict as exc:
                out["r"] = str(exc)
        t = threading.Thread(target=second)
        t.start()
        t.join(0.5)
        assert t.is_alive()
        tx.commit()
        first.close()
        t.join(10)
        assert "now version 2, yours 1" in out["r"]
        d = rd_read.get_problem(store, admin, 1, today)
        assert d["status"] == "awarded" and {a["id"]: a["status"] for a in d["applications"]} == {
            1: "chosen", other: "not_chosen"}
    finally:
        store.close()
