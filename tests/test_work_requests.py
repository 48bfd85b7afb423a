"""Enterprise requests in the work layer, on DuckDB and PostgreSQL: routing, clocks (working days),
scope, refusals, version conflicts, escalation, relay by a chain master, 同题共答, the tick's
boundaries and the statistics. Dates are worked out by hand from the 2026 official calendar
(National Day 1–7 Oct off; Saturday 10 Oct a make-up working day)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web.users import add_user, get_user
from chainbrain.work import inbox, request_groups, request_list, request_stats, requests_clock
from chainbrain.work.records import Conflict, Invalid, Missing, NotAllowed, history
from chainbrain.work.requests import act, submit
from chainbrain.work.workflow import Refused

AT = dt.datetime(2026, 9, 29, 10, 0)          # a Tuesday
D = dt.date


_users: dict = {}


@pytest.fixture
def world(db_any):
    W.build(db_any)
    store = open_store(db_any)
    _users.clear()
    with store.begin() as conn:                  # start without the web fixture's two requests
        for table in ("work_request", "inbox_message", "work_audit", "work_attachment"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    add_user(store, "nf_office", "nf-work-pass-2026", "chain_office", chain="NF")
    add_user(store, "drc_unit", "nf-work-pass-2026", "unit", unit="P-DRC")
    add_user(store, "ent1", "nf-work-pass-2026", "enterprise", uscc=W.USCC[1])
    add_user(store, "jj_city", "nf-work-pass-2026", "city", region="360400")
    for name in list(W.USERS) + ["nf_office", "drc_unit", "ent1", "jj_city"]:
        U(store, name)
    yield store
    store.close()


def U(store, name):
    if name in _users:
        return _users[name]
    with store.engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM user_account WHERE username = :u"), {"u": name}).scalar()
        _users[name] = get_user(conn, uid)
        return _users[name]


def new(store, who="ent3", category="要素保障", at=AT, **extra):
    user = U(store, who)
    with store.begin() as conn:
        return submit(conn, user, {"title": "用地指标", "category": category,
                                            "description": "扩产需要新增用地 50 亩", **extra}, at)


def do(store, who, rid, action, at=None, **data):
    user = U(store, who)
    with store.begin() as conn:
        return act(conn, user, rid, action, data, at)


def sees(store, who, rid) -> bool:
    user = U(store, who)
    with store.engine.connect() as conn:
        try:
            request_list.detail(conn, user, rid)
            return True
        except Missing:
            return False


def test_submit_routes_to_county_with_working_day_clocks(world):
    r = new(world)
    assert (r["status"], r["route_region"], r["route_unit"], r["region_code"], r["chain_code"]) == \
        ("submitted", "360402", None, "360402", "NF")
    # +3 working days from Tue 29 Sep: 30 Sep, 8 Oct, 9 Oct; +15: … 10 Oct (make-up Saturday) … 26 Oct
    assert (r["respond_due"], r["resolve_due"]) == (D(2026, 10, 9), D(2026, 10, 26))
    assert r["rules_version"] == "2026.12.1"
    with world.engine.connect() as conn:       # the county bureau got a notice
        assert [m["link"] for m in inbox.messages(conn, U(world, "lx_county").id)] == [f"/requests/{r['id']}"]
    fin = new(world, category="finance")
    assert (fin["route_region"], fin["route_unit"]) == (None, "P-FIN")
    lab = new(world, category="用工")
    assert (lab["route_region"], lab["route_unit"]) == ("360400", None)
    with pytest.raises(Invalid, match="category"):
        new(world, category="nonsense")
    with pytest.raises(Invalid, match="title"):
        new(world, title=" ")
    with pytest.raises(NotAllowed):
        new(world, who="lx_county")


def test_scope_of_a_county_request(world):
    rid = new(world)["id"]
    visible = {n: sees(world, n, rid) for n in
               ("ent3", "lx_county", "jj_city", "admin", "dh_county", "nc_city", "viewer", "ei_office",
                "nf_office", "fin_unit", "drc_unit", "ent1")}
    assert visible == {"ent3": True, "lx_county": True, "jj_city": True, "admin": True, "dh_county": False,
                       "nc_city": False, "viewer": False, "ei_office": False, "nf_office": False,
                       "fin_unit": False, "drc_unit": False, "ent1": False}
    fin = new(world, category="融资")["id"]
    assert sees(world, "fin_unit", fin) and not sees(world, "drc_unit", fin)
    with world.engine.connect() as conn:
        assert request_list.listing(conn, U(world, "fin_unit"))["total"] == 1
        assert request_list.listing(conn, U(world, "ent3"))["total"] == 2
        assert request_list.listing(conn, U(world, "viewer")) == {"items": [], "total": 0}


def test_refusals_permissions_and_version_conflict(world):
    rid = new(world)["id"]
    with pytest.raises(Refused, match="「已提交」状态的诉求不能执行「确认销号」"):
        do(world, "ent3", rid, "confirm", version=1)
    with pytest.raises(NotAllowed):
        do(world, "ent3", rid, "accept", version=1)
    with pytest.raises(Missing):
        do(world, "dh_county", rid, "accept", version=1)
    with pytest.raises(Invalid, match="version"):
        do(world, "lx_county", rid, "accept")
    assert do(world, "lx_county", rid, "accept", version=1)["version"] == 2
    with pytest.raises(Conflict, match="now version 2, yours 1"):
        do(world, "lx_county", rid, "start", version=1)
    with pytest.raises(Invalid, match="answer"):
        do(world, "lx_county", rid, "answer", version=2)
    with pytest.raises(NotAllowed):                 # not overdue yet: the enterprise cannot escalate
        do(world, "ent3", rid, "escalate", version=2, reason="急", at=dt.datetime(2026, 10, 9, 9))


def test_full_walk_with_reopen_escalation_and_rating(world):
    rid = new(world)["id"]
    do(world, "lx_county", rid, "accept", version=1, at=dt.datetime(2026, 9, 30, 9))
    do(world, "lx_county", rid, "start", version=2)
    do(world, "lx_county", rid, "escalate", version=3, reason="需省级协调用地指标")
    assert sees(world, "nf_office", rid) and not sees(world, "ei_office", rid)
    with pytest.raises(Refused, match="already escalated"):
        do(world, "nf_office", rid, "escalate", version=4, reason="again")
    r = do(world, "nf_office", rid, "answer", version=4, answer="已协调省级用地指标", at=dt.datetime(2026, 10, 16, 9))
    assert r == {"id": rid, "status": "answered", "version": 5}
    do(world, "ent3", rid, "reopen", version=5, reason="指标未落地", at=dt.datetime(2026, 10, 19, 9))
    do(world, "lx_county", rid, "answer", version=6, answer="指标已下达")
    with pytest.raises(Invalid, match="rating"):
        do(world, "ent3", rid, "confirm", version=7, rating=6)
    assert do(world, "ent3", rid, "close", version=7, rating=5)["status"] == "closed"
    with world.engine.connect() as conn:
        d = request_list.detail(conn, U(world, "ent3"), rid)
        assert (d["status"], d["close_reason"], d["rating"], d["reopen_count"], d["escalated"]) == \
            ("closed", "confirmed", 5, 1, True)
        assert d["resolve_due"] == "2026-11-09"      # 15 working days after Mon 19 Oct (reopened): 20 Oct … 9 Nov
        assert d["actions"] == ["reopen", "rate"]
        assert [h["action"] for h in history(conn, "request", rid)] == \
            ["submit", "accept", "start", "escalate", "answer", "reopen", "answer", "confirm"]
        assert history(conn, "request", rid)[3]["actor"] == "lx_county"
        assert history(conn, "request", rid)[4]["before"]["status"] == "in_progress"


def test_chain_master_relays_for_its_chain_only(world):
    r = new(world, who="ent1", on_behalf_of=W.USCC[5])
    assert (r["enterprise_id"], r["relayed_by_id"], r["chain_code"], r["route_region"]) == (5, 1, "EI", "360102")
    assert sees(world, "ent1", r["id"]) and sees(world, "dh_county", r["id"]) and not sees(world, "ent3", r["id"])
    do(world, "dh_county", r["id"], "accept", version=1)
    do(world, "dh_county", r["id"], "answer", version=2, answer="ok")
    assert do(world, "ent1", r["id"], "confirm", version=3)["status"] == "closed"     # the relayer speaks for it
    with pytest.raises(NotAllowed, match="chain master"):
        new(world, who="ent1", on_behalf_of=W.USCC[3])                              # NF, not its chain
    with pytest.raises(NotAllowed, match="chain master"):
        new(world, who="ent3", on_behalf_of=W.USCC[4])                              # not a chain master
    with pytest.raises(Invalid, match="on_behalf_of"):
        new(world, who="ent1", on_behalf_of="91360000000000000X")


def test_tick_escalates_and_closes_at_the_working_day_boundaries(world):
    rid = new(world)["id"]                       # respond_due Fri 9 Oct
    acc = new(world)["id"]
    do(world, "lx_county", acc, "accept", version=1, at=dt.datetime(2026, 9, 30, 9))   # resolve_due Mon 26 Oct
    # escalation of the unaccepted one: 9 Oct + 5 working days = 10 (Sat, make-up), 12, 13, 14, 15 Oct
    assert requests_clock.tick(world, D(2026, 10, 14)) == {"escalated": [], "closed": []}
    assert requests_clock.tick(world, D(2026, 10, 15)) == {"escalated": [rid], "closed": []}
    assert requests_clock.tick(world, D(2026, 10, 15)) == {"escalated": [], "closed": []}      # idempotent
    assert sees(world, "nf_office", rid)
    # the accepted one: 26 Oct + 5 working days = 2 Nov
    assert requests_clock.tick(world, D(2026, 11, 1)) == {"escalated": [], "closed": []}
    assert requests_clock.tick(world, D(2026, 11, 2)) == {"escalated": [acc], "closed": []}
    # answered Fri 16 Oct → confirm_due 23 Oct (19–23 Oct); closes on the first day after it
    do(world, "nf_office", rid, "accept", version=2)
    do(world, "nf_office", rid, "answer", version=3, answer="已解决", at=dt.datetime(2026, 10, 16, 9))
    assert requests_clock.tick(world, D(2026, 10, 23))["closed"] == []
    assert requests_clock.tick(world, D(2026, 10, 24))["closed"] == [rid]
    with world.engine.connect() as conn:
        d = request_list.detail(conn, U(world, "ent3"), rid)
        assert (d["status"], d["close_reason"]) == ("closed", "deadline")
        assert history(conn, "request", rid)[-1]["actor"] == "system"
        assert inbox.unread_count(conn, U(world, "nf_office").id) >= 1


def test_group_answer_serves_every_open_member(world):
    a, b, c = (new(world)["id"] for _ in range(3))
    do(world, "lx_county", b, "accept", version=1)
    with world.begin() as conn:
        g = request_groups.create(conn, U(world, "lx_county"), {"title": "用地指标普遍不足", "request_ids": [a, b]})
    with pytest.raises(NotAllowed), world.begin() as conn:
        request_groups.create(conn, U(world, "admin"), {"title": "x", "request_ids": [c]}) and \
            request_groups.create(conn, U(world, "jj_city"), {"title": "x", "request_ids": [c]})
    with pytest.raises(Missing), world.begin() as conn:
        request_groups.create(conn, U(world, "dh_county"), {"title": "x", "request_ids": [a]})
    with world.begin() as conn:
        out = request_groups.answer(conn, U(world, "lx_county"), g["id"], {"version": 1, "answer": "统一政策答复"})
    assert out["answered"] == [a, b]
    with pytest.raises(Conflict), world.begin() as conn:
        request_groups.answer(conn, U(world, "lx_county"), g["id"], {"version": 1, "answer": "again"})
    with world.engine.connect() as conn:
        items = {i["id"]: i for i in request_list.listing(conn, U(world, "ent3"))["items"]}
        assert [(items[i]["status"], items[i]["answer"], items[i]["group_id"]) for i in (a, b, c)] == \
            [("answered", "统一政策答复", g["id"]), ("answered", "统一政策答复", g["id"]), ("submitted", None, None)]
        assert request_groups.groups(conn, U(world, "ent3"))["total"] == 1
        assert request_groups.groups(conn, U(world, "dh_county"))["total"] == 0


def test_statistics_by_unit_chain_and_city(world):
    a = new(world)["id"]                                                  # lx: accepted on time, answered on time, 4
    do(world, "lx_county", a, "accept", version=1, at=dt.datetime(2026, 10, 9, 17))      # = respond_due
    do(world, "lx_county", a, "answer", version=2, answer="x", at=dt.datetime(2026, 10, 12, 9))
    do(world, "ent3", a, "confirm", version=3, rating=4)
    b = new(world)["id"]                                                  # lx: accepted late, never answered
    do(world, "lx_county", b, "accept", version=1, at=dt.datetime(2026, 10, 12, 9))
    new(world, at=dt.datetime(2026, 12, 1, 9))                           # lx: nothing decided yet on 3 Dec
    f = new(world, category="finance")["id"]                             # P-FIN: answered late, rated 2
    do(world, "fin_unit", f, "accept", version=1, at=dt.datetime(2026, 9, 30, 9))
    do(world, "fin_unit", f, "answer", version=2, answer="y", at=dt.datetime(2026, 10, 27, 9))   # > 26 Oct
    do(world, "ent3", f, "rate", version=3, rating=2)
    with world.engine.connect() as conn:
        s = request_stats.stats(conn, U(world, "admin"), "unit", D(2026, 12, 3))
        by = {i["code"]: i for i in s["items"]}
        lx, fin = by["360402"], by["P-FIN"]
        assert (lx["requests"], lx["response_decided"], lx["responded_on_time"], lx["response_rate"]) == (3, 2, 1, 0.5)
        assert (lx["resolution_decided"], lx["resolved_on_time"], lx["ontime_resolution_rate"]) == (2, 1, 0.5)
        assert (lx["rated"], lx["satisfaction"], lx["satisfied_share"]) == (1, 4.0, 1.0)
        assert (fin["ontime_resolution_rate"], fin["satisfaction"], fin["satisfied_share"]) == (0.0, 2.0, 0.0)
        assert s["total"]["satisfaction"] == 3.0 and s["total"]["requests"] == 4
        city = request_stats.stats(conn, U(world, "admin"), "city", D(2026, 12, 3))["items"]
        assert [(i["code"], i["requests"]) for i in city] == [("360400", 4)]
        assert request_stats.stats(conn, U(world, "fin_unit"), "chain", D(2026, 12, 3))["total"]["requests"] == 1
        with pytest.raises(Invalid):
            request_stats.stats(conn, U(world, "admin"), "nope")
