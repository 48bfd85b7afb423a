"""企业清单 in Debian's Chromium: from a cockpit figure to the enterprises behind it, then Excel.

Server: uvicorn over tests/web_fixture.py. The admin opens 南昌's cockpit for 2025-06, clicks
the EI chain row and lands on the list of 南昌 × EI: E1, E2, E5 (handmade.py), the scope's
comparable growth 165/150 − 1 = 10.0 %, E1's contribution 25/150 × 100 = 16.67 pp, E1's revenue
125 亿元 = 1,250,000.00 万元. Sorting and paging are server-side (links); the Excel download holds
as many rows as the list's total. The county user of 东湖 reached from the region page sees only
its own firms. Console errors and off-server requests fail a test.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

import web_fixture as W
from browser import new_page, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("drill") / "drill.duckdb", tasks=False)
    with serve(db, public_aggregates=True) as url:
        yield url


def sign_in(pg, server, name):
    pg.goto(f"{server}/login")
    pg.get_by_test_id("login-username").fill(name)
    pg.get_by_test_id("login-password").fill(W.password(name))
    with pg.expect_navigation():
        pg.get_by_test_id("login-submit").click()


def finish(ctx, pg):
    ctx.close()
    assert pg.errors == [], pg.errors
    assert pg.external == [], pg.external


def cell(pg, key, field):
    return pg.get_by_test_id("ents-list").locator(f'tr[data-key="{key}"] td[data-field="{field}"]').inner_text().strip()


def test_cockpit_chain_row_to_its_enterprises_and_excel(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "admin")
    pg.goto(f"{server}/?period=2025-06")                  # province cockpit → 南昌 → its EI row
    with pg.expect_navigation():
        pg.get_by_test_id("region-row-360100").locator("a").click()
    assert "region=360100" in pg.url
    with pg.expect_navigation():
        pg.get_by_test_id("chain-row-EI").locator("a").click()
    assert "/enterprises?" in pg.url and "region=360100" in pg.url and "chain=EI" in pg.url
    assert "南昌市" in pg.get_by_test_id("headline").inner_text()
    assert pg.get_by_test_id("ent-total").get_attribute("data-value") == "3"
    rows = pg.get_by_test_id("ents-list").inner_text()
    assert W.NAME[1] in rows and W.NAME[2] in rows and W.NAME[5] in rows and W.NAME[3] not in rows
    assert cell(pg, W.USCC[1], "revenue_ytd_yuan") == "1,250,000.00"
    assert cell(pg, W.USCC[1], "yoy_comparable") == "25.0%"
    assert cell(pg, W.USCC[1], "contribution_pp") == "16.67"
    assert cell(pg, W.USCC[1], "industry") == "通信终端设备制造"
    assert pg.get_by_test_id("scope-growth").inner_text().count("10.0%") == 1
    # server-side sort: contribution, largest first, then ascending
    with pg.expect_navigation():
        pg.get_by_test_id("sort-contribution_pp").click()
    keys = pg.get_by_test_id("ents-list").locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.key)")
    assert keys == [W.USCC[1], W.USCC[2], W.USCC[5]]
    with pg.expect_navigation():
        pg.get_by_test_id("sort-contribution_pp").click()
    keys = pg.get_by_test_id("ents-list").locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.key)")
    assert keys == [W.USCC[2], W.USCC[1], W.USCC[5]]               # nulls stay last
    pg.screenshot(path=str(artifacts / "enterprise-list-nanchang-EI.png"), full_page=True)
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-enterprises").click()
    ws = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == int(pg.get_by_test_id("ent-total").get_attribute("data-value")) == 3
    head = [c.value for c in ws[3]]
    e1 = next(r for r in rows if r[1] == W.USCC[1])           # the same figures as the page's
    assert f"{e1[head.index('营业收入（万元）')]:,.2f}" == cell(pg, W.USCC[1], "revenue_ytd_yuan")
    assert f"{e1[head.index('拉动（百分点）')]:.2f}" == cell(pg, W.USCC[1], "contribution_pp")
    assert f"{e1[head.index('可比增速（%）')] * 100:.1f}%" == cell(pg, W.USCC[1], "yoy_comparable")
    # the chain page from here stays in the city, and its list link too
    with pg.expect_navigation():
        pg.get_by_test_id("ctx-chain").click()
    assert "region=360100" in pg.url
    with pg.expect_navigation():
        pg.get_by_test_id("chain-ents-link").locator("a").click()
    assert "region=360100" in pg.url and pg.get_by_test_id("ent-total").get_attribute("data-value") == "3"
    finish(ctx, pg)


def test_filters_and_paging(browser, server):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "admin")
    pg.goto(f"{server}/enterprises?period=2025-06&limit=2")
    assert pg.get_by_test_id("ent-total").get_attribute("data-value") == "5"
    assert pg.get_by_test_id("ents-list").locator("tbody tr").count() == 2
    with pg.expect_navigation():
        pg.get_by_test_id("page-next").click()
    with pg.expect_navigation():
        pg.get_by_test_id("page-next").click()
    assert pg.get_by_test_id("ents-list").locator("tbody tr").count() == 1      # 5th of 5
    assert pg.get_by_test_id("page-next").count() == 0
    pg.get_by_test_id("f-scale").select_option("below")
    with pg.expect_navigation():
        pg.get_by_test_id("f-apply").click()
    assert pg.get_by_test_id("ent-total").get_attribute("data-value") == "1"
    assert W.NAME[4] in pg.get_by_test_id("ents-list").inner_text()
    finish(ctx, pg)


def test_county_user_from_the_region_page(browser, server):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "dh_county")
    pg.goto(f"{server}/regions/360100?period=2025-06")
    with pg.expect_navigation():
        pg.get_by_test_id("ents-list-link").click()
    rows = pg.get_by_test_id("ents-list").inner_text()
    assert W.NAME[1] in rows and W.NAME[5] in rows and W.NAME[2] not in rows and W.NAME[6] not in rows
    assert pg.get_by_test_id("ents-withheld").is_visible()
    finish(ctx, pg)


def test_region_chain_bar_leads_to_the_citys_enterprises(browser, server):
    """A click on the EI bar of 南昌's chain chart (195.00 亿元) opens 南昌 × EI's list."""
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "admin")
    pg.goto(f"{server}/regions/360100?period=2025-06")
    pg.wait_for_selector("body[data-charts-ready]", timeout=20_000)
    box = pg.locator("#chart-chains canvas").first.bounding_box()
    x, y = pg.evaluate("""() => {
        const c = window.pageCharts.chains, names = c.getOption().yAxis[0].data;
        const i = names.indexOf('电子信息'), v = c.getOption().series[0].data[i];
        return c.convertToPixel({seriesIndex: 0}, [v / 2, i]); }""")
    pg.wait_for_timeout(1500)                              # the bars' entry animation
    pg.mouse.move(box["x"] + x - 5, box["y"] + y)          # ECharts finds the bar under the pointer on hover
    pg.mouse.move(box["x"] + x, box["y"] + y)
    pg.wait_for_timeout(300)
    with pg.expect_navigation():
        pg.mouse.click(box["x"] + x, box["y"] + y)
    assert "region=360100" in pg.url and "chain=EI" in pg.url
    assert pg.get_by_test_id("ent-total").get_attribute("data-value") == "3"
    finish(ctx, pg)
