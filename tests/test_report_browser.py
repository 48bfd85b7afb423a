"""分析报告 in Debian's Chromium: a report written in the background, and a failed scheduled run.

Server: uvicorn over tests/web_fixture.py, with two schedules run before it starts: one done
(the province's Excel, the operator's full view) and one failed (written as a user who has
been disabled since). The administrator opens /reports: the failed run shows with its error
and the kept file of the good one is linked. A click on the province's Excel starts a job
(``POST /api/reports/jobs``); the page shows its progress, then the file downloads; its EI
revenue is 195 亿元 (handmade.py: E1 125 + E2 50 + E5 20) and its cover names the admin.
Console errors and off-server requests fail the test.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa

import web_fixture as W
from browser import chromium, new_page, serve
from chainbrain.reports import schedule
from chainbrain.store import open_store

pytestmark = pytest.mark.browser
P = "2025-06"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("reports-browser") / "web.duckdb", tasks=False)
    with open_store(db) as store:
        schedule.add(store, "月报全省", units="province", formats="xlsx")
        schedule.add(store, "县区视图", units="province", formats="xlsx", as_user="lx_county")
        with store.begin() as conn:
            conn.execute(sa.text("UPDATE user_account SET disabled = TRUE WHERE username = 'lx_county'"))
        assert [r["status"] for r in schedule.run_due(store)] == ["done", "failed"]
    with serve(db, public_aggregates=True) as url:
        yield url


def test_report_job_with_progress_and_failed_run(server, tmp_path):
    with chromium() as browser:
        ctx, pg = new_page(browser, server)
        pg.goto(f"{server}/login")
        pg.get_by_test_id("login-username").fill("admin")
        pg.get_by_test_id("login-password").fill(W.password("admin"))
        with pg.expect_navigation():
            pg.get_by_test_id("login-submit").click()
        pg.goto(f"{server}/reports?period={P}")
        runs = pg.get_by_test_id("report-runs").inner_text()
        assert "县区视图" in runs and "失败" in runs and "已停用" in runs
        assert "月报全省" in runs and "全省.xlsx" in runs
        with pg.expect_download(timeout=120_000) as dl:
            pg.get_by_test_id("report-province-province-xlsx").click()
            pg.wait_for_function("() => ['queued', 'running', 'done'].includes("
                                 "document.getElementById('report-status').dataset.state)")
        path = tmp_path / "r.xlsx"
        dl.value.save_as(path)
        assert pg.get_by_test_id("report-status").get_attribute("data-state") == "done"
        assert "已生成" in pg.get_by_test_id("report-status").inner_text()
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        sh = next(wb[n] for n in wb.sheetnames if "分产业链" in str(wb[n]["A1"].value or ""))
        head = [c.value for c in sh[2]]
        row = next(r for r in sh.iter_rows(min_row=3, values_only=True) if r[0] == "电子信息")
        assert row[head.index("营业收入（亿元）")] == pytest.approx(195.0)
        assert "按用户 admin" in "\n".join(str(c.value) for c in wb["封面"]["A"])
        ctx.close()
        assert pg.errors == [], pg.errors
        assert pg.external == [], pg.external
