"""The working pages in Debian's Chromium: sign-in, chain, region, enterprise, search, import, scope.

Server: uvicorn in a thread over tests/web_fixture.py (hand-made data with
USCCs and users). Figures are checked against hand-computed values (see
test_web_platform.py): chain EI 195.00 亿元; segment EI-D1 155.00 亿元;
E1's 2025-06 YTD 125 亿元 = 1,250,000.00 万元. Console errors, page errors and
any off-server request fail a test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations


import pytest

import web_fixture as W
from browser import new_page, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("pages") / "pages.duckdb")
    with serve(db, public_aggregates=True) as url:
        yield url


def sign_in(pg, server, name):
    pg.goto(f"{server}/login")
    pg.get_by_test_id("login-username").fill(name)
    pg.get_by_test_id("login-password").fill(W.password(name))
    with pg.expect_navigation():
        pg.get_by_test_id("login-submit").click()
    assert pg.get_by_test_id("userbox").inner_text().startswith(name)


def charts_ready(pg):
    pg.wait_for_selector("body[data-charts-ready]", timeout=20_000)
    assert pg.get_attribute("body", "data-charts-ready") == "true"


def finish(ctx, pg):
    ctx.close()
    assert pg.errors == [], pg.errors
    assert pg.external == [], pg.external


def cell(pg, table, key, field):
    return pg.get_by_test_id(table).locator(f'tr[data-key="{key}"] td[data-field="{field}"]').inner_text().strip()


def test_chain_page_as_admin(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "admin")
    pg.goto(f"{server}/chains?period=2025-06")
    charts_ready(pg)
    assert cell(pg, "chains-table", "EI", "revenue_ytd_yuan") == "195.00"
    with pg.expect_navigation():
        pg.get_by_test_id("chains-table").locator('tr[data-key="EI"] a').click()
    charts_ready(pg)
    assert "电子信息" in pg.get_by_test_id("headline").inner_text()
    assert pg.get_by_test_id("kpi-revenue").inner_text().split() == ["195.00", "亿元"]
    assert pg.locator("#chart-tree canvas").count() >= 1
    pg.get_by_test_id("toggle-segments").click()                # chart → table view
    assert cell(pg, "segments-table", "EI-D1", "revenue_ytd_yuan") == "155.00"
    assert cell(pg, "segments-table", "EI-D1", "enterprise_count") == "2"
    assert W.NAME[1] in pg.get_by_test_id("key-table").inner_text()
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-segments").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / "chain-EI-admin.png"), full_page=True)
    finish(ctx, pg)


def test_chain_page_anonymous_withholds(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    pg.goto(f"{server}/chains/EI?period=2025-06&lang=en")
    charts_ready(pg)
    pg.get_by_test_id("toggle-segments").click()
    assert cell(pg, "segments-table", "EI-D1", "revenue_ytd_yuan") == "—*"
    assert pg.get_by_test_id("key-hidden").is_visible()
    assert W.NAME[1] not in pg.content()
    assert "Chain map" in pg.inner_text("body")
    pg.screenshot(path=str(artifacts / "chain-EI-anonymous-en.png"), full_page=True)
    finish(ctx, pg)


def test_region_page_county_user(browser, server, artifacts):
    ctx, pg = new_page(browser, server, expected_status=(404,))
    sign_in(pg, server, "dh_county")
    pg.goto(f"{server}/regions/360100?period=2025-06")
    charts_ready(pg)
    # 南昌 = E1, E2, E5, E6: the county user sees E1 and E5, so the city total gives E2 + E6 away
    assert pg.get_by_test_id("kpi-revenue").inner_text().split() == ["—*"]
    assert cell(pg, "counties-table", "360102", "revenue_ytd_yuan") == "155.00"   # its own county, 2 firms
    assert cell(pg, "counties-table", "360103", "revenue_ytd_yuan") == "—*"
    ents = pg.get_by_test_id("ents-table").inner_text()
    assert W.NAME[1] in ents and W.NAME[5] in ents and W.NAME[2] not in ents
    assert pg.locator("#map canvas").count() >= 1
    pg.screenshot(path=str(artifacts / "region-nanchang-county-user.png"), full_page=True)
    # drill-down: click E1 → its profile
    with pg.expect_navigation():
        pg.get_by_test_id("ents-table").get_by_text(W.NAME[1]).click()
    charts_ready(pg)
    assert pg.get_by_test_id("ent-uscc").inner_text() == W.USCC[1]
    pg.get_by_test_id("toggle-monthly").click()
    rows = pg.get_by_test_id("monthly-table").inner_text()
    assert "2025-06" in rows and "1,250,000.00" in rows
    assert "链主企业 · 电子信息（省级）" in pg.get_by_test_id("ent-designations").inner_text()   # names, not codes
    assert "chain_master" not in pg.get_by_test_id("designations-table").inner_text()
    pg.screenshot(path=str(artifacts / "enterprise-profile.png"), full_page=True)
    # another county's enterprise: 404 page
    resp = pg.goto(f"{server}/enterprises/{W.USCC[3]}")
    assert resp.status == 404 and W.NAME[3] not in pg.content()
    finish(ctx, pg)


def test_search_pinyin_and_anonymous(browser, server, artifacts):
    ctx, pg = new_page(browser, server, expected_status=(401,))
    resp = pg.goto(f"{server}/enterprises/{W.USCC[1]}")
    assert resp.status == 401 and W.NAME[1] not in pg.content()
    pg.goto(f"{server}/search?q=手工样例")
    assert pg.get_by_test_id("search-withheld").is_visible()
    sign_in(pg, server, "admin")
    pg.goto(f"{server}/search")
    pg.get_by_test_id("search-input").fill("sgyltyl")
    with pg.expect_navigation():
        pg.get_by_test_id("search-submit").click()
    hits = pg.get_by_test_id("search-enterprises")
    assert hits.locator("li a").count() == 1 and W.NAME[3] in hits.inner_text()
    pg.screenshot(path=str(artifacts / "search-pinyin.png"), full_page=True)
    with pg.expect_navigation():
        hits.locator("li a").click()
    charts_ready(pg)
    assert pg.get_by_test_id("ent-uscc").inner_text() == W.USCC[3]
    finish(ctx, pg)


def test_import_flow_in_browser(browser, server, artifacts, tmp_path):
    import csv

    from chainbrain.catalog.uscc import make

    path = tmp_path / "ents.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"],
            [make("360102", 8001), "浏览器导入甲公司", "360102", "3985", "2010-03-01", "50", "铜箔"],
            ["91360102BADBADBAD1", "浏览器导入乙公司", "360102", "3985", "2011-01-01", "60", ""]])
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "admin")
    pg.goto(f"{server}/import")
    pg.get_by_test_id("import-kind").select_option("enterprises")
    pg.get_by_test_id("import-file").set_input_files(str(path))
    pg.get_by_test_id("import-upload").click()
    pg.wait_for_selector("body[data-job-status=invalid]", timeout=20_000)
    assert "91360102BADBADBAD1" in pg.get_by_test_id("job-issues").inner_text()
    assert pg.get_by_test_id("import-confirm").is_disabled()
    with pg.expect_download() as dl:
        pg.get_by_test_id("job-error-file").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / "import-validation.png"), full_page=True)
    pg.get_by_test_id("import-skip").check()
    pg.get_by_test_id("import-confirm").click()
    pg.wait_for_selector("body[data-job-status=done]", timeout=30_000)
    assert "新增 1" in pg.get_by_test_id("job-summary").inner_text()
    assert pg.get_by_test_id("confirm-form").is_hidden()          # imported: the confirm button is gone
    pg.screenshot(path=str(artifacts / "import-done.png"), full_page=True)
    pg.goto(f"{server}/import")                                   # the past imports, newest first
    first = pg.get_by_test_id("import-history-table").locator("tbody tr").first.inner_text()
    assert "ents.csv" in first and "已完成" in first and "enterprises" in first
    assert pg.get_by_test_id("import-cancel").count() == 0        # nothing left running
    pg.get_by_test_id("import-kind").select_option("enterprises")  # a valid upload left unconfirmed …
    pg.get_by_test_id("import-file").set_input_files(str(path))
    pg.get_by_test_id("import-upload").click()
    pg.wait_for_selector("body[data-job-status=invalid]", timeout=20_000)
    pg.goto(f"{server}/import")
    pg.get_by_test_id("import-cancel").first.click()              # … is cancelled from the history
    pg.wait_for_selector("[data-testid=import-history-table] tbody tr:first-child td[data-status=cancelled]",
                         timeout=20_000)
    assert pg.get_by_test_id("import-cancel").count() == 0
    pg.goto(f"{server}/audit")
    assert "import" in pg.get_by_test_id("audit-table").inner_text()
    pg.screenshot(path=str(artifacts / "audit.png"), full_page=True)
    finish(ctx, pg)
