"""One task's life in Debian's Chromium: a working-meeting decision → overdue → escalated by the
server's work clock (supervision notice on the chain office's behalf) → the unit answers the
notice, reports progress with evidence and completion → the chain office verifies and closes.

The meeting is recorded after the fact: held 40 days ago, its decision due 30 days ago, so the
decision's task is overdue at once (≥ 10 working days: every escalation step is due) and the
server's clock (``CHAINBRAIN_WORK_TICK_S=1``) escalates it. Console errors, page errors and any
off-server request fail the test.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

import web_fixture as W
from browser import chromium, new_page, serve
from chainbrain.store import open_store
from chainbrain.web.users import add_user

pytestmark = pytest.mark.browser


def sign_in(pg, server, name):
    pg.goto(f"{server}/login")
    pg.get_by_test_id("login-username").fill(name)
    pg.get_by_test_id("login-password").fill(W.password(name))
    with pg.expect_navigation():
        pg.get_by_test_id("login-submit").click()
    assert pg.get_by_test_id("userbox").inner_text().startswith(name)


def test_meeting_decision_to_verified_closure(tmp_path, monkeypatch, artifacts):
    monkeypatch.setenv("CHAINBRAIN_WORK_TICK_S", "1")
    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))
    db = W.build(tmp_path / "walk.duckdb", tasks=False)
    store = open_store(db)
    add_user(store, "grid_unit", W.password("grid_unit"), "unit", unit="P-GRID")
    store.close()
    today = dt.date.today()
    held, due = today - dt.timedelta(days=40), today - dt.timedelta(days=30)
    evidence = tmp_path / "验收报告.pdf"
    evidence.write_bytes(b"%PDF-1.4 acceptance report")
    with serve(db, public_aggregates=True) as server, chromium() as b:
        ctx, pg = new_page(b, server)
        sign_in(pg, server, "ei_office")
        pg.get_by_test_id("nav-tasks").click()
        pg.get_by_test_id("nav-meetings").click()
        pg.get_by_test_id("meeting-title").fill("电子信息产业链工作例会")
        pg.get_by_test_id("meeting-date").fill(held.isoformat())
        pg.get_by_test_id("meeting-chair").fill("链长（示例）")
        pg.get_by_test_id("meeting-agenda").fill("链主企业用电保障\n配套企业招商")
        pg.get_by_test_id("meeting-attendees").fill("赵六，国网江西省电力有限公司")
        pg.get_by_test_id("meeting-decisions").fill(f"完成链主企业二期用电接入 | P-GRID | {due.isoformat()}")
        with pg.expect_navigation():
            pg.get_by_test_id("meeting-save").click()
        assert pg.get_by_test_id("meeting-title").inner_text() == "电子信息产业链工作例会"
        with pg.expect_navigation():
            pg.get_by_test_id("decision-task-1").click()
        assert pg.get_by_test_id("task-status").get_attribute("data-value") == "assigned"
        assert pg.get_by_test_id("task-rag").get_attribute("data-value") == "red"
        # the server's work clock escalates the overdue task (within a few seconds)
        deadline = time.monotonic() + 20
        while pg.get_by_test_id("task-escalation").get_attribute("data-value") != "3":
            assert time.monotonic() < deadline, "the work clock did not escalate the task"
            time.sleep(1)
            pg.reload()
        steps = pg.locator("[data-testid=escalation-table] tbody tr").evaluate_all(
            "rows => rows.map(r => r.getAttribute('data-step'))")
        assert steps == ["overdue", "chain", "province"]                         # past the deadline: no at-risk step
        assert "督办〔" in pg.get_by_test_id("notice-table").inner_text()
        pg.screenshot(path=str(artifacts / "task-escalated.png"), full_page=True)
        # the office edits the task — after the clock's escalations: an edit from a page loaded before
        # one of them carries a stale version and is refused (409), as it should be
        pg.reload()
        pg.locator("#edit-form [name=lead_person]").fill("钱七（示例）")        # the office edits the task
        with pg.expect_navigation():
            pg.get_by_test_id("edit-save").click()
        assert "钱七（示例）" in pg.get_by_test_id("task-detail").inner_text()
        # the unit: answers the notice, reports progress with evidence, reports completion
        uctx, upg = new_page(b, server)
        sign_in(upg, server, "grid_unit")
        upg.goto(f"{server}/tasks")
        with upg.expect_navigation():
            upg.locator("[data-testid=task-table] a").first.click()
        upg.get_by_test_id("notice-answer-text").fill("二期接入工程已开工，月底投运")
        with upg.expect_navigation():
            upg.get_by_test_id("notice-answer").click()
        assert upg.locator("[data-testid=notice-table] tr[data-status=answered]").count() == 1
        upg.get_by_test_id("progress-percent").fill("100")
        upg.get_by_test_id("progress-text").fill("二期用电接入已投运")
        upg.get_by_test_id("progress-files").set_input_files(str(evidence))
        with upg.expect_navigation():
            upg.get_by_test_id("progress-submit").click()
        assert upg.get_by_test_id("task-status").get_attribute("data-value") == "in_progress"
        assert upg.get_by_test_id("evidence-link").inner_text() == "验收报告.pdf"
        assert upg.get_by_test_id("action-verify").count() == 0                 # a unit never verifies
        with upg.expect_navigation():
            upg.get_by_test_id("action-submit").click()
        assert upg.get_by_test_id("task-status").get_attribute("data-value") == "awaiting_verification"
        # the chain office that assigned it verifies, then closes (销号)
        pg.reload()
        assert pg.get_by_test_id("action-close").count() == 0                   # closure only after verification
        with pg.expect_navigation():
            pg.get_by_test_id("action-verify").click()
        assert pg.get_by_test_id("task-status").get_attribute("data-value") == "verified"
        with pg.expect_navigation():
            pg.get_by_test_id("action-close").click()
        assert pg.get_by_test_id("task-status").get_attribute("data-value") == "closed"
        assert pg.get_by_test_id("task-rag").get_attribute("data-value") == "green"
        pg.screenshot(path=str(artifacts / "task-closed.png"), full_page=True)
        pg.goto(f"{server}/tasks")
        row = pg.locator("[data-testid=rollup-chain] tr[data-key=EI]")
        assert row.locator("[data-field=rag]").get_attribute("data-value") == "green"
        for c, p in ((ctx, pg), (uctx, upg)):
            c.close()
            assert p.errors == [] and p.external == [], (p.errors, p.external)
