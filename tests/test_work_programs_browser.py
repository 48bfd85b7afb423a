"""Joint R&D walked in the browser — a chain office posts a problem, an enterprise applies, the
office chooses the team, sets a milestone with its tranche, starts, marks the milestone done,
records the result and closes with the commercialisation; the enterprise finds the notice (the
nav's unread count) and its chosen application on 我的企业. Then the five lists page against its
JSON twin and its workbook, and the milestone form of a task."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

import web_fixture as W
from browser import chromium, new_page, serve
from test_work_requests_browser import sign_in, sign_out

pytestmark = pytest.mark.browser


def click_reload(pg, testid):
    with pg.expect_navigation():
        pg.get_by_test_id(testid).click()
    pg.wait_for_load_state()


def rd_status(pg) -> str:
    return pg.get_by_test_id("rd-status").get_attribute("data-value")


def test_rd_walk_and_five_lists(tmp_path):
    db = W.build(tmp_path / "walk.duckdb")
    with serve(db, public_aggregates=True) as base, chromium() as browser:
        ctx, pg = new_page(browser, base, expected_status=(409,))          # the refused completion
        # the chain office posts a problem
        sign_in(pg, base, "ei_office")
        pg.goto(f"{base}/rd")
        form = pg.get_by_test_id("rd-post-form")
        form.locator("[name=title]").fill("显示面板驱动芯片攻关")
        form.locator("[name=funding]").fill("6000000")
        form.locator("[name=apply_by]").fill((dt.date.today() + dt.timedelta(days=20)).isoformat())
        form.locator("[name=description]").fill("驱动芯片良率提升")
        with pg.expect_navigation():
            pg.get_by_test_id("rd-post").click()
        pg.wait_for_load_state()
        pid = int(re.search(r"/rd/(\d+)", pg.url).group(1))
        assert rd_status(pg) == "open" and pg.get_by_test_id("rd-funding").get_attribute("data-value") == "6000000.0"
        sign_out(pg)
        # the enterprise applies
        sign_in(pg, base, "ent3")
        assert pg.get_by_test_id("nav-unread").count() == 0
        pg.goto(f"{base}/rd/{pid}")
        form = pg.get_by_test_id("rd-apply-form")
        form.locator("[name=team]").fill("驱动芯片联合体")
        form.locator("[name=leader]").fill("陈工")
        form.locator("[name=requested]").fill("5500000")
        form.locator("[name=proposal]").fill("设计+封测联合攻关")
        click_reload(pg, "rd-apply")
        rows = pg.get_by_test_id("rd-applications").locator("tbody tr")
        assert rows.count() == 1 and "驱动芯片联合体" in rows.first.inner_text()
        assert pg.get_by_test_id("rd-apply-form").count() == 0                    # applied once
        sign_out(pg)
        # the office chooses the team, sets a milestone, starts, marks it done, completes and closes
        sign_in(pg, base, "ei_office")
        pg.goto(f"{base}/rd/{pid}")
        aid = pg.get_by_test_id("rd-applications").locator("tbody tr").first.get_attribute("data-key")
        click_reload(pg, f"rd-award-{aid}")
        assert rd_status(pg) == "awarded" and "驱动芯片联合体" in pg.get_by_test_id("rd-chosen").inner_text()
        form = pg.get_by_test_id("rd-milestone-form")
        form.locator("[name=title]").fill("流片验证")
        form.locator("[name=due_on]").fill((dt.date.today() + dt.timedelta(days=90)).isoformat())
        form.locator("[name=tranche]").fill("6000000")
        click_reload(pg, "rd-milestone-add")
        assert pg.get_by_test_id("rd-milestones").locator("tbody tr[data-seq]").count() == 1
        assert pg.get_by_test_id("rd-complete").count() == 0                     # not before the start
        click_reload(pg, "rd-start")
        assert rd_status(pg) == "in_progress"
        pg.get_by_test_id("rd-result-input").fill("样片良率 92%")
        pg.get_by_test_id("rd-complete").click()                                   # refused: the milestone is open
        pg.wait_for_function("() => document.getElementById('program-message').textContent.length > 0")
        assert "milestone(s) not done" in pg.locator("#program-message").inner_text()
        click_reload(pg, "rd-ms-done-1")
        assert pg.get_by_test_id("rd-funded").get_attribute("data-value") == "6000000.0"
        pg.get_by_test_id("rd-result-input").fill("样片良率 92%")
        click_reload(pg, "rd-complete")
        assert rd_status(pg) == "completed" and pg.get_by_test_id("rd-result").inner_text() == "样片良率 92%"
        pg.get_by_test_id("rd-commercialisation-input").fill("导入链主企业产线")
        click_reload(pg, "rd-close")
        assert rd_status(pg) == "closed" and "导入链主企业产线" in pg.get_by_test_id("rd-commercialisation").inner_text()
        actions = [r.locator("td").nth(2).inner_text() for r in pg.get_by_test_id("rd-history").locator("tbody tr").all()]
        assert actions == ["post", "award", "milestone", "start", "milestone_done", "complete", "close"]
        # the task page's milestone form (fixture task 1 is the EI office's, in progress)
        pg.goto(f"{base}/tasks/1")
        pg.get_by_test_id("milestone-title").fill("完成产品方案")
        pg.get_by_test_id("milestone-due").fill("2026-12-31")
        click_reload(pg, "milestone-add")
        row = pg.get_by_test_id("task-milestones").locator("tbody tr[data-seq='1']")
        assert "完成产品方案" in row.inner_text() and row.locator("[data-field=done_on]").inner_text() == "—"
        click_reload(pg, "milestone-done-1")
        done = pg.get_by_test_id("task-milestones").locator("tbody tr[data-seq='1'] [data-field=done_on]").inner_text()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", done)
        sign_out(pg)
        # the enterprise: a notice in its inbox (the nav counts it) and its chosen application at home
        sign_in(pg, base, "ent3")
        assert int(pg.get_by_test_id("nav-unread").get_attribute("data-value")) >= 1
        assert "揭榜成功" in pg.goto(f"{base}/inbox").text()
        pg.goto(f"{base}/my")
        assert "入选" in pg.get_by_test_id("my-rd-table").inner_text()
        sign_out(pg)
        # the five lists page, its JSON twin and its workbook (the province administrator)
        sign_in(pg, base, "admin")
        pg.get_by_test_id("nav-lists").click()
        pg.wait_for_load_state()
        pg.get_by_test_id("lists-chain").select_option("EI")
        with pg.expect_navigation():
            pg.locator("[data-testid=lists-filters] button[type=submit]").click()
        twin = pg.request.get(f"{base}/api/lists?chain=EI").json()
        for tb in twin["tables"]:
            keys = [r.get_attribute("data-key") for r in pg.get_by_test_id(f"list-{tb['id']}").locator("tbody tr[data-key]").all()]
            want = [str(r.get("key") or r.get("code") or r.get("id") or "") for r in tb["rows"]]
            assert keys == want, tb["id"]
        assert any(p["kind"] == "rd" for p in twin["lists"]["problems"]) and twin["lists"]["enterprises"]
        with pg.expect_download() as dl:
            pg.get_by_test_id("lists-workbook").click()
        wb = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
        assert dl.value.suggested_filename == "chainbrain-lists-EI.xlsx"
        assert wb.sheetnames == [tb["id"] for tb in twin["tables"]]
        for tb in twin["tables"]:
            assert wb[tb["id"]].max_row - 2 == len(tb["rows"]), tb["id"]
        assert not pg.errors and not pg.external, (pg.errors, pg.external)
        ctx.close()
