"""Supervision (督办) of tasks: the working-day clock at its boundaries, across the 2025 National
Day holiday, the tick's escalations (once each) and the red/yellow/green roll-up.

2025 calendar (State Council notice; ``chinese_calendar``): 1–8 October off; Sunday 28 September
and Saturday 11 October are make-up working days. A task due Tuesday 30 September, rules
remind 1 / chain 5 / province 10 working days after the deadline, at risk 5 working days before:
working days after the deadline are 9 Oct (1), 10 Oct (2), Sat 11 Oct (3), 13 Oct (4),
14 Oct (5), 15 (6), 16 (7), 17 (8), 20 (9), 21 Oct (10). Before it: (24 Sep, 30 Sep] holds
25, 26, Sun 28, 29, 30 = 5 working days; (23 Sep, 30 Sep] holds 6.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.store.schema_work_tasks import work_notice, work_task_escalation
from chainbrain.web.users import add_user, lookup, verify
from chainbrain.work import inbox
from chainbrain.work.supervision import clock, group_rag, rollup
from chainbrain.work.task_rules import RulesError, load_rules, parse
from chainbrain.work.task_write import answer_notice, create_task
from chainbrain.work.tasks import get_task
from chainbrain.work.tasks_tick import tick

D = dt.date
DUE = D(2025, 9, 30)
R = load_rules()


@pytest.fixture(autouse=True)
def _files_in_tmp(tmp_path, monkeypatch):
    """The web fixture's request file goes to the test's folder, not ./data/files."""
    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))


def test_pack_rules_are_marked_unsourced_and_checked():
    assert (R.at_risk_days, R.stale_days, R.overdue_remind_days, R.escalate_chain_days,
            R.escalate_province_days, R.notice_answer_days) == (5, 10, 1, 5, 10, 3)
    assert R.sourced is False and "未见政策文件依据" in R.note
    with pytest.raises(RulesError):
        parse({"supervision": {"escalate_chain_days": 12, "escalate_province_days": 10}})


@pytest.mark.parametrize("today,rag,days,steps", [
    (D(2025, 10, 8), "red", 0, ()),                          # past the deadline, but the holiday counts no day
    (D(2025, 10, 9), "red", 1, ("overdue",)),
    (D(2025, 10, 11), "red", 3, ("overdue",)),              # make-up Saturday counts
    (D(2025, 10, 12), "red", 3, ("overdue",)),              # Sunday does not
    (D(2025, 10, 13), "red", 4, ("overdue",)),
    (D(2025, 10, 14), "red", 5, ("overdue", "chain")),      # the boundary: 5th working day
    (D(2025, 10, 20), "red", 9, ("overdue", "chain")),
    (D(2025, 10, 21), "red", 10, ("overdue", "chain", "province")),
])
def test_overdue_clock_across_national_day(today, rag, days, steps):
    c = clock("in_progress", DUE, D(2025, 9, 1), today, R)
    assert (c.rag, c.overdue_days, c.steps) == (rag, days, steps)


def test_at_risk_boundary_counts_the_make_up_sunday():
    assert clock("in_progress", DUE, None, D(2025, 9, 23), R).rag == "green"          # 6 working days left
    c = clock("in_progress", DUE, None, D(2025, 9, 24), R)
    assert (c.rag, c.remaining_days, c.steps) == ("yellow", 5, ("at_risk",))
    # a progress report within the last 10 working days keeps it green
    assert clock("in_progress", DUE, D(2025, 9, 10), D(2025, 9, 24), R).rag == "green"
    # 10 Sep → 24 Sep is exactly 10 working days (11,12,15,…,24): still fresh; 9 Sep is 11: stale
    assert clock("in_progress", DUE, D(2025, 9, 9), D(2025, 9, 24), R).rag == "yellow"
    # on the deadline day the task is due, not overdue
    assert clock("assigned", DUE, None, DUE, R).rag == "yellow"
    # completion reported stops the clock
    assert clock("awaiting_verification", DUE, None, D(2025, 12, 1), R).rag == "green"


def test_group_colour_and_rollup():
    assert group_rag(1, 0, 5, R) == "red"          # 1/5 = 0.2 ≥ red_share 0.2
    assert group_rag(1, 0, 6, R) == "yellow"       # 1/6 < 0.2
    assert group_rag(0, 2, 6, R) == "yellow"
    assert group_rag(0, 0, 0, R) == "green"
    tasks = [{"status": "in_progress", "rag": "red", "c": "EI"}, {"status": "closed", "rag": "green", "c": "EI"},
             {"status": "assigned", "rag": "green", "c": "NF"}, {"status": "in_progress", "rag": "yellow", "c": "NF"}]
    g = {x["code"]: x for x in rollup(tasks, lambda t: (t["c"], t["c"]), R)}
    assert (g["EI"]["rag"], g["EI"]["open"], g["EI"]["done"], g["EI"]["done_rate"]) == ("red", 1, 1, 0.5)
    assert (g["NF"]["rag"], g["NF"]["yellow"], g["NF"]["green"]) == ("yellow", 1, 1)


def test_tick_escalates_once_at_each_boundary(db_any):
    W.build(db_any, tasks=False)
    store = open_store(db_any)
    try:
        add_user(store, "grid_unit", W.password("grid_unit"), "unit", unit="P-GRID")
        u = {n: verify(store, n, W.password(n), lookup(store, n)) for n in ("admin", "ei_office", "grid_unit")}
        with store.begin() as conn:
            tid = create_task(store, conn, u["ei_office"], {"title": "链主企业用电扩容", "deadline": DUE.isoformat(),
                                                            "lead_unit": "国网江西省电力有限公司",
                                                            "region_code": "360102"}, D(2025, 9, 1))
        assert tick(store, D(2025, 9, 23))["at_risk"] == 0
        assert tick(store, D(2025, 9, 24))["at_risk"] == 1
        assert tick(store, D(2025, 9, 25))["at_risk"] == 0                     # once only
        assert tick(store, D(2025, 10, 8)) == {"at_risk": 0, "overdue": 0, "chain": 0, "province": 0}
        assert tick(store, D(2025, 10, 9))["overdue"] == 1
        assert tick(store, D(2025, 10, 13))["chain"] == 0                      # 4th working day
        assert tick(store, D(2025, 10, 14))["chain"] == 1                      # 5th: escalated
        assert tick(store, D(2025, 10, 14))["chain"] == 0                      # a second run does nothing
        assert tick(store, D(2025, 10, 20))["province"] == 0
        assert tick(store, D(2025, 10, 21))["province"] == 1
        with store.engine.connect() as conn:
            steps = [(r.step, r.applied_on, r.working_days) for r in conn.execute(
                sa.select(work_task_escalation).order_by(work_task_escalation.c.applied_on))]
            notice = conn.execute(sa.select(work_notice)).one()
            unit_msgs = [m["text"] for m in inbox.messages(conn, u["grid_unit"].id)]
            office_msgs = [m["text"] for m in inbox.messages(conn, u["ei_office"].id)]
            admin_msgs = [m["text"] for m in inbox.messages(conn, u["admin"].id)]
        assert steps == [("at_risk", D(2025, 9, 24), 5), ("overdue", D(2025, 10, 9), 1), ("chain", D(2025, 10, 14), 5),
                         ("province", D(2025, 10, 21), 10)]
        assert notice.automatic and notice.issuer_scope == "chain:EI" and notice.number == "督办〔2025〕1号"
        assert notice.answer_due == D(2025, 10, 17)                            # 3 working days after 14 Oct
        assert any("临期预警" in m for m in unit_msgs) and any("逾期提醒" in m for m in unit_msgs)
        assert any("督办单" in m for m in unit_msgs) and any("升级督办" in m for m in office_msgs)
        assert any("报省督办" in m for m in admin_msgs)
        d = get_task(store, u["admin"], tid, D(2025, 10, 21))
        assert d["escalation_level"] == 3 and d["rag"] == "red" and d["overdue_days"] == 10
        assert [e["step"] for e in d["escalations"]] == ["at_risk", "overdue", "chain", "province"]
        # the unit answers the notice; a stale version of the notice conflicts
        with store.begin() as conn:
            answer_notice(conn, u["grid_unit"], notice.id, notice.version, "已完成扩容方案，10月底投运", D(2025, 10, 16))
        assert get_task(store, u["admin"], tid, D(2025, 10, 21))["notices"][0]["status"] == "answered"
        with store.begin() as conn, pytest.raises(Exception, match="请刷新后重试"):
            answer_notice(conn, u["grid_unit"], notice.id, notice.version, "again", D(2025, 10, 16))
    finally:
        store.close()
