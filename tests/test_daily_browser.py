"""Daily use in Debian's Chromium (#22): every role lands on its home, the period chosen on one page
is the period on the next, and the admin's weekly question is answered by clicking.

Server: uvicorn over tests/web_fixture.py (hand-made figures in handmade.py). The admin chooses
2025-06 on the province cockpit, clicks 南昌, clicks the 电子信息 (EI) chain row and lands on the
enterprises of 南昌 × EI: E1, E2, E5, E1's revenue 125 亿元 = 1,250,000.00 万元, contribution
25/150 × 100 = 16.67 pp. The Excel download holds as many rows as the list's total, with the same
revenue. The chain page reached from there is 南昌's EI (195 亿元 = E1 125 + E2 45 + E5 25), still for
2025年1–6月, and so is the operations page opened from the nav.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

import web_fixture as W
from browser import new_page, serve, sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("daily") / "daily.duckdb", tasks=False)
    with serve(db, public_aggregates=True) as url:
        yield url


def _period(pg) -> str:
    return pg.get_by_test_id("period-label").first.get_attribute("data-value")


def test_admin_from_the_cockpit_to_the_enterprises_and_excel(browser, server):
    ctx, pg = new_page(browser, server)
    pg.set_default_timeout(90_000)                     # a cold first cockpit on a shared CI machine
    sign_in(pg, server, "admin")
    assert pg.get_by_test_id("headline").inner_text().startswith("江西省")
    with pg.expect_navigation():
        pg.locator("select[name=period]").first.select_option("2025-06")
    assert _period(pg) == "2025-06" and "2025年1–6月" in pg.get_by_test_id("period-label").inner_text()
    with pg.expect_navigation():
        pg.get_by_test_id("region-row-360100").locator("a").click()
    assert pg.get_by_test_id("headline").inner_text().startswith("南昌市") and _period(pg) == "2025-06"
    table = pg.get_by_test_id("region-table")             # every table sorts by a click on its header
    table.locator("thead th").nth(1).click()
    vals = table.locator("tbody [data-field=revenue_ytd_yuan]").evaluate_all("cs => cs.map(c => c.dataset.value)")
    nums = [float(v) for v in vals if v]
    assert len(nums) >= 2 and nums == sorted(nums)
    ei_row = pg.get_by_test_id("chain-row-EI")
    shown = ei_row.locator("[data-field=revenue_ytd_yuan]").inner_text()
    assert shown == "195.00"
    with pg.expect_navigation():
        ei_row.locator("a").click()
    # the enterprises behind the figure
    assert "/enterprises" in pg.url and _period(pg) == "2025-06"
    total = int(pg.get_by_test_id("ent-total").get_attribute("data-value"))
    assert total == 3
    e1 = pg.locator(f"tr[data-key='{W.USCC[1]}']")
    assert e1.locator("[data-field=revenue_ytd_yuan]").inner_text() == "1,250,000.00"
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-enterprises").click()
    ws = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
    assert "2025年1–6月" in ws["A1"].value
    head = [c.value for c in ws[3]]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == total
    row1 = next(r for r in rows if r[head.index("统一社会信用代码")] == W.USCC[1])
    assert f"{row1[head.index('营业收入（万元）')]:,.2f}" == "1,250,000.00"
    # the chain in that city, same period
    with pg.expect_navigation():
        pg.get_by_test_id("ctx-chain").click()
    assert pg.get_by_test_id("chain-region").inner_text() == "南昌市" and _period(pg) == "2025-06"
    assert float(pg.get_by_test_id("kpi-revenue").get_attribute("data-value")) == pytest.approx(195 * 1e8)
    # the nav keeps the period
    with pg.expect_navigation():
        pg.get_by_test_id("nav-operations").click()
    assert _period(pg) == "2025-06"
    ctx.close()
    assert pg.errors == [] and pg.external == [], (pg.errors, pg.external)


HOMES = {  # user → (path it lands on, text in the headline or None, nav entries shown, nav entries absent)
    "nc_city": ("/?region=360100", "南昌市", ["nav-home", "nav-enterprises"], []),
    "dh_county": ("/?region=360102", "东湖区", ["nav-home", "nav-enterprises"], []),
    "ei_office": ("/chains/EI", "电子信息", ["nav-home", "nav-enterprises"], []),
    "ent3": ("/my", None, ["nav-my"], ["nav-home", "nav-operations", "nav-enterprises"]),
    "viewer": ("/", "江西省", ["nav-home"], ["nav-enterprises"]),
    "fin_unit": ("/requests", None, ["nav-requests"], ["nav-enterprises"]),
}


def test_every_role_lands_on_its_home(browser, server):
    ctx, pg = new_page(browser, server)
    pg.set_default_timeout(90_000)
    for name, (path, headline, shown, absent) in HOMES.items():
        sign_in(pg, server, name)
        assert pg.url == server + path, (name, pg.url)
        if headline:
            assert headline in pg.get_by_test_id("headline").inner_text(), name
        for testid in shown:
            assert pg.get_by_test_id(testid).count() == 1, (name, testid)
        for testid in absent:
            assert pg.get_by_test_id(testid).count() == 0, (name, testid)
        if name == "ei_office":                # a chain office sees its chain's enterprises in full
            with pg.expect_navigation():
                pg.get_by_test_id("nav-enterprises").click()
            keys = pg.locator("table[data-testid=ents-list] tbody tr[data-key]").evaluate_all(
                "rs => rs.map(r => r.dataset.key)")
            assert sorted(keys) == sorted(W.USCC[i] for i in (1, 2, 5)), keys
        sign_out(pg)
    ctx.close()
    assert pg.errors == [] and pg.external == [], (pg.errors, pg.external)
