"""Tasks (项目化清单式) on DuckDB and PostgreSQL: scope, version conflicts, workflow refusals,
verification before closure, evidence limits, audit trail and inbox, meetings → tasks.

Fixture: the hand-made web dataset (web_fixture) plus two ``unit`` users (发改委 P-DRC, 电网
P-GRID). Tasks: T1 (EI chain, 南昌东湖 360102, lead 江西省发展和改革委员会, cooperating 国网江西省电力有限公司),
T2 (NF chain, 九江濂溪 360402, lead 九江市工信局) — assigned by the province administrator.
"""

from __future__ import annotations

import datetime as dt

import pytest

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web.users import add_user, lookup, verify
from chainbrain.work import inbox, records
from chainbrain.work.records import Invalid
from chainbrain.work.meetings import MeetingNotFound, create_meeting, get_meeting, list_meetings
from chainbrain.work.task_write import NotAllowed, act, add_progress, create_task, update_task
from chainbrain.work.tasks import TaskNotFound, get_task, list_tasks
from chainbrain.work.workflow import Refused

TODAY = dt.date(2025, 6, 2)
DRC, GRID = "江西省发展和改革委员会", "国网江西省电力有限公司"
PDF = b"%PDF-1.4 evidence"


def user(store, name):
    return verify(store, name, W.password(name), lookup(store, name))


@pytest.fixture
def world(db_any, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))
    W.build(db_any, tasks=False)
    store = open_store(db_any)
    add_user(store, "drc_unit", W.password("drc_unit"), "unit", unit="P-DRC")
    add_user(store, "grid_unit", W.password("grid_unit"), "unit", unit="P-GRID")
    u = {n: user(store, n) for n in [*W.USERS, "drc_unit", "grid_unit"]}
    with store.begin() as conn:
        t1 = create_task(store, conn, u["admin"], {
            "title": "推动电子信息链主企业扩产", "lead_unit": DRC, "coop_units": [GRID], "chain_code": "EI",
            "region_code": "360102", "deadline": "2025-06-30",
            "milestones": [{"title": "完成用地预审", "due_on": "2025-04-30"}]}, TODAY)
        t2 = create_task(store, conn, u["admin"], {
            "title": "铜冶炼技改项目开工", "lead_unit": "九江市工信局", "chain_code": "NF", "region_code": "360402",
            "deadline": "2025-09-30"}, TODAY)
    yield store, u, t1, t2, tmp_path / "files"
    store.close()


def ids(store, who, **f):
    return {t["id"] for t in list_tasks(store, who, TODAY, f)["items"]}


def test_scope_of_lists_and_detail(world):
    store, u, t1, t2, _ = world
    assert ids(store, u["admin"]) == {t1, t2}
    assert ids(store, u["ei_office"]) == {t1}                     # its chain only
    assert ids(store, u["nc_city"]) == {t1}                       # 360102 lies in 南昌 360100
    assert ids(store, u["dh_county"]) == {t1}
    assert ids(store, u["lx_county"]) == {t2}
    assert ids(store, u["drc_unit"]) == {t1}                      # lead unit
    assert ids(store, u["grid_unit"]) == {t1}                     # cooperating unit
    assert ids(store, u["viewer"]) == {t1, t2}                    # lists only
    assert ids(store, u["ent3"]) == set()
    assert ids(store, u["admin"], chain="NF") == {t2}
    assert ids(store, u["admin"], region="360100") == {t1}
    assert ids(store, u["admin"], unit=GRID) == {t1}
    assert get_task(store, u["grid_unit"], t1, TODAY)["coop_units"] == [GRID]
    for who, tid in (("viewer", t1), ("ent3", t1), ("lx_county", t1), ("ei_office", t2), ("drc_unit", t2)):
        with pytest.raises(TaskNotFound):
            get_task(store, u[who], tid, TODAY)


def test_assign_outside_scope_is_refused(world):
    store, u, *_ = world
    with store.begin() as conn, pytest.raises(NotAllowed, match="非本链任务"):
        create_task(store, conn, u["ei_office"], {"title": "x", "lead_unit": DRC, "chain_code": "NF",
                                                  "deadline": "2025-07-01"}, TODAY)
    with store.begin() as conn, pytest.raises(NotAllowed, match="非本地区任务"):
        create_task(store, conn, u["lx_county"], {"title": "x", "lead_unit": DRC, "region_code": "360102",
                                                  "deadline": "2025-07-01"}, TODAY)
    for who in ("drc_unit", "viewer", "ent3"):
        with store.begin() as conn, pytest.raises(NotAllowed):
            create_task(store, conn, u[who], {"title": "x", "lead_unit": DRC, "deadline": "2025-07-01"}, TODAY)


def test_stale_version_conflicts_and_nothing_is_overwritten(world):
    store, u, t1, _, _ = world
    v = get_task(store, u["admin"], t1, TODAY)["version"]
    with store.begin() as conn:
        update_task(conn, u["admin"], t1, v, {"lead_person": "张三"})
    with store.begin() as conn, pytest.raises(records.Conflict, match="请刷新后重试"):
        update_task(conn, u["ei_office"], t1, v, {"lead_person": "李四"})
    d = get_task(store, u["admin"], t1, TODAY)
    assert d["lead_person"] == "张三" and d["version"] == v + 1
    with store.begin() as conn:
        update_task(conn, u["ei_office"], t1, v + 1, {"milestones": [
            {"title": "完成用地预审", "due_on": "2025-04-30", "done_on": "2025-04-28"},
            {"title": "完成电力接入", "due_on": "2025-06-15"}]})
    ms = get_task(store, u["admin"], t1, TODAY)["milestones"]
    assert [(m["title"], m["done_on"]) for m in ms] == [("完成用地预审", "2025-04-28"), ("完成电力接入", None)]


def test_closure_only_after_verification_by_the_assigning_office(world):
    store, u, t1, _, files = world

    def step(who, action, *, refused=None, not_allowed=None):
        v = get_task(store, u["admin"], t1, TODAY)["version"]           # read outside the write
        if refused or not_allowed:
            with store.begin() as conn, pytest.raises(Refused if refused else NotAllowed, match=refused or not_allowed):
                act(conn, u[who], t1, v, action, TODAY)
            return None
        with store.begin() as conn:
            return act(conn, u[who], t1, v, action, TODAY)

    step("admin", "close", refused="「已交办」状态的任务不能执行「办结销号」")
    v = get_task(store, u["admin"], t1, TODAY)["version"]
    with store.begin() as conn:                                    # the unit's first report starts the task
        add_progress(store, conn, u["drc_unit"], t1, v, 60, "用地预审已完成", [("批复.pdf", PDF)], TODAY)
    assert get_task(store, u["admin"], t1, TODAY)["status"] == "in_progress"
    step("grid_unit", "submit", not_allowed="责任单位")                 # a cooperating unit cannot report completion
    assert step("drc_unit", "submit") == "awaiting_verification"
    step("drc_unit", "verify", not_allowed="交办单位")                  # the unit cannot verify its own work
    step("ei_office", "verify", not_allowed="交办单位")                 # nor an office that did not assign it
    step("admin", "close", refused="「待核验」状态的任务不能执行「办结销号」")
    assert step("admin", "verify") == "verified"
    assert step("admin", "close") == "closed"
    d = get_task(store, u["admin"], t1, TODAY)
    assert d["status"] == "closed" and d["rag"] == "green" and d["actions"] == []
    with store.engine.connect() as conn:
        trail = records.history(conn, "work_task", t1)
        msgs = inbox.messages(conn, u["drc_unit"].id)
    assert [e["action"] for e in trail] == ["create", "progress", "submit", "verify", "close"]
    assert trail[-1]["before"]["status"] == "verified" and trail[-1]["after"]["status"] == "closed"
    assert trail[-1]["actor"] == "admin"
    assert any("已办结" in m["text"] for m in msgs) and any("新任务" in m["text"] for m in msgs)


def test_evidence_limits_and_storage(world):
    store, u, t1, _, files = world
    v = get_task(store, u["admin"], t1, TODAY)["version"]
    for name, content, why in (("a.exe", b"MZ", "不接受"), ("a.pdf", b"MZ\x90", "不符"), ("a.pdf", b"", "为空"),
                               ("a.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过")):
        with store.begin() as conn, pytest.raises(Invalid, match=why):
            add_progress(store, conn, u["drc_unit"], t1, v, 10, "x", [(name, content)], TODAY)
    with store.begin() as conn:
        add_progress(store, conn, u["drc_unit"], t1, v, 10, "进展", [("../../etc/passwd.pdf", PDF)], TODAY)
    ev = get_task(store, u["admin"], t1, TODAY)["progress"][0]["evidence"][0]
    assert ev["filename"] == "passwd.pdf" and ev["size"] == len(PDF)          # the path part is dropped
    stored = [p for p in files.iterdir() if p.read_bytes() == PDF]          # (the fixture's request file aside)
    assert len(stored) == 1 and "passwd" not in stored[0].name and len(stored[0].stem) == 32


def test_meeting_decisions_become_tasks(world):
    store, u, *_ = world
    with store.begin() as conn:
        mid, tasks = create_meeting(store, conn, u["ei_office"], {
            "title": "电子信息产业链第三季度工作例会", "held_on": "2025-07-10", "agenda": ["链主诉求", "重点项目"],
            "attendees": [{"name": "王五", "unit": "省工信厅", "title": "链长办主任"}],
            "decisions": [{"text": "协调解决链主企业用电扩容", "lead_unit": GRID, "deadline": "2025-08-29"},
                          {"text": "编制配套企业招商清单", "lead_unit": "省工信厅", "deadline": "2025-09-30"}]},
            TODAY)
    assert len(tasks) == 2
    m = get_meeting(store, u["ei_office"], mid)
    assert [d["task_id"] for d in m["decisions"]] == tasks and m["agenda"] == ["链主诉求", "重点项目"]
    assert get_task(store, u["grid_unit"], tasks[0], TODAY)["source"] == "meeting"
    assert ids(store, u["ei_office"], meeting=str(mid)) == set(tasks)
    assert [x["id"] for x in list_meetings(store, u["grid_unit"])["items"]] == [mid]   # via its decision task
    assert list_meetings(store, u["lx_county"])["items"] == []
    with pytest.raises(MeetingNotFound):
        get_meeting(store, u["lx_county"], mid)
    with store.begin() as conn, pytest.raises(Invalid, match="第 1 项决定"):
        create_meeting(store, conn, u["ei_office"], {"title": "x", "held_on": "2025-07-10", "agenda": "a",
                                                     "decisions": [{"text": "y", "lead_unit": ""}]}, TODAY)


def test_demo_year_of_work_every_state_overdue_and_meetings(tmp_path):
    from collections import Counter

    from chainbrain.catalog.pack import load_pack
    from chainbrain.demo.work_tasks import build_work_tasks
    from chainbrain.web.users import User

    db = W.build(tmp_path / "demo.duckdb", tasks=False)
    store = open_store(db)
    try:
        day = dt.date(2026, 11, 20)
        first = build_work_tasks(store, load_pack(), 7, day)
        admin = User(id=1, username="a", role="province_admin")
        items = list_tasks(store, admin, day)["items"]
        snapshot1 = [(t["title"], t["deadline"], t["status"], t["lead_unit"]) for t in items]
        again = build_work_tasks(store, load_pack(), 7, day)                  # replaces, same result
        items2 = list_tasks(store, admin, day)["items"]
        assert again == first and [(t["title"], t["deadline"], t["status"], t["lead_unit"]) for t in items2] == snapshot1
        states = Counter(t["status"] for t in items2)
        assert set(states) == {"assigned", "in_progress", "awaiting_verification", "verified", "closed"}
        rags = Counter(t["rag"] for t in items2 if t["status"] in ("assigned", "in_progress"))
        assert rags["red"] >= 5 and rags["green"] >= 5
        assert first["work_meeting"] == 24 and first["escalation_chain"] >= 5 and first["work_notice"] >= 5
        assert first["work_org"] >= 1 + 12 * 10                    # 总链长 + per chain ≥ 10 people and units
        from chainbrain.work.projects import list_projects

        pj = list_projects(store, admin, 2026, 10)
        assert pj["total"] == 72 and all(s["projects"] >= 12 for s in pj["by_stage"])
        assert 0.6 <= pj["by_chain"][0]["completion_rate"] <= 1.15
        meetings = list_meetings(store, admin)["items"]
        assert len(meetings) == 24 and all(m["decisions"] == 2 for m in meetings)
        assert {t["source"] for t in items2} == {"plan", "meeting"}
        assert all(t["chain_code"] for t in items2) and len({t["chain_code"] for t in items2}) == 12
    finally:
        store.close()


def test_organisation_scope_and_changes(world):
    from chainbrain.work.organisation import add_interaction, add_member, add_relation, organisation

    store, u, *_ = world
    with store.begin() as conn:
        add_member(conn, u["admin"], {"role": "chief_leader", "name": "总链长甲", "title": "省长"})
        add_member(conn, u["ei_office"], {"role": "chain_leader", "name": "链长乙", "title": "副省长"})
        add_relation(conn, u["ei_office"], {"mode": "leader_master", "leader": "链长乙", "enterprise_id": 1})
        add_interaction(conn, u["ei_office"], {"kind": "visit", "held_on": "2025-05-06", "leader": "链长乙",
                                               "enterprise_id": 1, "summary": "走访链主", "commitment": "扩大本地采购"})
    with store.begin() as conn, pytest.raises(NotAllowed):
        add_member(conn, u["ei_office"], {"role": "chain_leader", "name": "x", "chain_code": "NF"})
    with store.begin() as conn, pytest.raises(NotAllowed):
        add_member(conn, u["ei_office"], {"role": "chief_leader", "name": "x"})
    with store.begin() as conn, pytest.raises(Invalid, match="工作模式"):
        add_relation(conn, u["ei_office"], {"mode": "leader_bank", "leader": "x"})
    sees_e1 = lambda ids: {i for i in ids if i in (1, 2, 5)}        # noqa: E731  (the EI office's enterprises)
    o = organisation(store, u["ei_office"], "EI", TODAY, sees_e1)
    assert [(m["role"], m["name"]) for m in o["members"]] == [("chief_leader", "总链长甲"), ("chain_leader", "链长乙")]
    assert o["chain_masters"]["count"] == 1 and o["chain_masters"]["items"][0]["name"] == W.NAME[1]
    assert o["relations"][0]["mode_label"] == "链长+链主" and o["relations"][0]["enterprise"] == W.NAME[1]
    assert o["interactions"][0]["commitment"] == "扩大本地采购"
    v = organisation(store, u["viewer"], "EI", TODAY, lambda ids: set())      # the structure, no names, no log
    assert v["chain_masters"] == {"count": 1, "items": []} and v["relations"][0]["enterprise"] is None
    assert v["interactions"] == [] and not v["sees_log"] and len(v["members"]) == 2
    assert organisation(store, u["nc_city"], "EI", TODAY, sees_e1)["interactions"] == []
    with store.engine.connect() as conn:
        assert [e["action"] for e in records.history(conn, "work_interaction", o["interactions"][0]["id"])] == ["create"]


def test_key_projects_stages_completion_rate_and_scope(world):
    from decimal import Decimal

    from chainbrain.work.projects import create_project, get_project, list_projects, move, report_month

    store, u, *_ = world
    with store.begin() as conn:
        p1 = create_project(conn, u["ei_office"], {
            "name": "智能终端产业园二期", "region_code": "360102", "investor": "示例投资公司", "amount": "1200000000",
            "lead_source": "2025年深圳招商推介会", "plan": [{"year": 2025, "month": m, "planned": "100000000"} for m in (1, 2, 3, 4)]},
            TODAY)
        p2 = create_project(conn, u["lx_county"], {
            "name": "铜箔扩产", "chain_code": "NF", "investor": "示例铜业", "amount": "300000000", "stage": "started",
            "plan": [{"year": 2025, "month": 1, "planned": "50000000", "actual": "40000000"}]}, TODAY)
    with store.begin() as conn, pytest.raises(NotAllowed):
        create_project(conn, u["lx_county"], {"name": "x", "chain_code": "EI", "region_code": "360102", "investor": "y",
                                              "amount": 1}, TODAY)
    with store.begin() as conn, pytest.raises(Refused, match="「洽谈」状态的项目不能执行「投产」"):
        move(conn, u["ei_office"], p1, 1, "operate", TODAY)
    with store.begin() as conn:
        assert move(conn, u["ei_office"], p1, 1, "sign", dt.date(2025, 1, 10)) == "signed"
        assert move(conn, u["ei_office"], p1, 2, "start", dt.date(2025, 2, 1)) == "started"
        # actuals: Jan 80, Feb 130, Mar not reported, Apr 90 (million yuan)
        for month, actual, v in ((1, "80000000", 3), (2, "130000000", 4), (4, "90000000", 5)):
            report_month(conn, u["ei_office"], p1, v, 2025, month, actual=actual)
    with store.begin() as conn, pytest.raises(records.Conflict):
        report_month(conn, u["ei_office"], p1, 5, 2025, 3, actual="1")
    d = list_projects(store, u["admin"], 2025, 4)
    one = {x["id"]: x for x in d["items"]}
    # p1: reported months 1, 2, 4 → planned 300 M, actual 300 M → rate 1.0; up to Feb: 210/200 = 1.05
    assert (one[p1]["planned_ytd_yuan"], one[p1]["actual_ytd_yuan"], one[p1]["completion_rate"]) == (3e8, 3e8, 1.0)
    assert list_projects(store, u["admin"], 2025, 2)["items"][0]["completion_rate"] == pytest.approx(1.05)
    assert one[p1]["planned_year_yuan"] == 4e8 and one[p2]["completion_rate"] == 0.8
    by_city = {g["code"]: g for g in d["by_city"]}
    assert by_city["360100"]["projects"] == 1 and by_city["360400"]["completion_rate"] == 0.8
    assert {s["stage"]: s["projects"] for s in d["by_stage"]}["started"] == 2
    assert [x["id"] for x in list_projects(store, u["ei_office"], 2025, 4)["items"]] == [p1]
    assert [x["id"] for x in list_projects(store, u["lx_county"], 2025, 4)["items"]] == [p2]
    assert list_projects(store, u["drc_unit"], 2025, 4)["items"] == []
    g = get_project(store, u["ei_office"], p1)
    assert [a["action"] for a in g["actions"]] == ["operate"] and g["amount_yuan"] == 1.2e9
    assert [m["rate"] for m in g["months"]] == [0.8, 1.3, None, 0.9]
    assert get_project(store, u["viewer"], p1)["actions"] == []
    with store.begin() as conn:                                 # a problem raised on the project is a task
        tid = create_task(store, conn, u["ei_office"], {"title": "项目用电增容", "lead_unit": "国网江西省电力有限公司",
                                                        "deadline": "2025-05-30", "project_id": p1}, TODAY)
    with store.begin() as conn, pytest.raises(records.Missing):                 # not its region
        create_task(store, conn, u["lx_county"], {"title": "x", "lead_unit": "y", "deadline": "2025-05-30",
                                                  "project_id": p1}, TODAY)
    t = get_task(store, u["ei_office"], tid, TODAY)
    assert (t["source"], t["region_code"], t["chain_code"]) == ("project", "360102", "EI")
    assert [p["task_id"] for p in get_project(store, u["ei_office"], p1)["problems"]] == [tid]
    with store.engine.connect() as conn:
        assert [e["action"] for e in records.history(conn, "work_project", p1)] == [
            "create", "sign", "start", "investment", "investment", "investment"]
    assert Decimal("1200000000.00") == Decimal(str(g["amount"]))


def test_concurrent_task_edits_on_postgresql(pg_server, tmp_path, monkeypatch):
    """Two offices edit task version 1 at once: the second waits on the row lock, then gets the
    conflict; the first edit stands (no silent overwrite)."""
    import threading

    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))
    db = W.build(pg_server.create_database("cb_tasks_concurrent"), tasks=False)
    store = open_store(db)
    try:
        admin, office = user(store, "admin"), user(store, "ei_office")
        with store.begin() as conn:
            tid = create_task(store, conn, admin, {"title": "并发编辑", "lead_unit": DRC, "chain_code": "EI",
                                                   "deadline": "2025-07-01"}, TODAY)
        first = store.engine.connect()
        tx = first.begin()
        update_task(first, admin, tid, 1, {"lead_person": "甲"})            # holds the row lock
        out = {}

        def second():
            try:
                with store.begin() as conn:
                    update_task(conn, office, tid, 1, {"lead_person": "乙"})
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
        d = get_task(store, admin, tid, TODAY)
        assert (d["lead_person"], d["version"]) == ("甲", 2)
    finally:
        store.close()
