"""The scale-up page in Debian's Chromium, checked against its JSON twin (one walk).

Fixture: the web fixture with the hand-made annual figures (scaleup_cases.py). The county user of
九江濂溪 (lx_county: E3, E4) follows the link from the tier funnel, asks for 2024, sees E3 (candidate,
p 0.5, crossed, entered 2025) and E4 (drop-out risk, p 1.0) exactly as the twin lists them, narrows
to scale-up candidates, and downloads the Excel file. Console errors, page errors and off-server
requests fail the test.
"""

from __future__ import annotations

import pytest

import scaleup_cases as C
import web_fixture as W
from browser import new_page, serve
from chainbrain.store import open_store
from test_work_tasks_browser import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("scaleup-browser") / "b.duckdb", tasks=False)
    with open_store(db) as s:
        C.add(s)
    with serve(db, public_aggregates=True) as url:
        yield url


def _shown(pg):
    return pg.get_by_test_id("scaleup-table").locator("tbody tr[data-key]").evaluate_all(
        "rows => rows.map(r => [r.getAttribute('data-key'), r.querySelector('[data-field=p]').getAttribute('data-value')])")


def test_scaleup_page_walk(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "lx_county")
    pg.goto(f"{server}/cultivate")
    with pg.expect_navigation():
        pg.get_by_test_id("scaleup-link").click()
    pg.get_by_test_id("scaleup-year").fill("2024")
    with pg.expect_navigation():
        pg.get_by_test_id("scaleup-apply").click()
    api = pg.request.get(f"{server}/api/cultivate/scale-up?year=2024").json()
    shown = _shown(pg)
    assert [k for k, _ in shown] == [f"{r['direction']}|{r['enterprise_id']}" for r in api["rows"]] == ["up|3", "down|4"]
    assert [float(p) for _, p in shown] == [r["p"] for r in api["rows"]] == [0.5, 1.0]
    row3 = pg.get_by_test_id("scaleup-table").locator("tr[data-key='up|3']")
    assert W.NAME[3] in row3.inner_text() and "2025" in row3.inner_text()
    assert W.NAME[1] not in pg.content() and W.NAME[2] not in pg.content()
    pg.get_by_test_id("scaleup-direction").select_option("up")
    with pg.expect_navigation():
        pg.get_by_test_id("scaleup-apply").click()
    assert [k for k, _ in _shown(pg)] == ["up|3"]
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-scaleup").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / "cultivate-scaleup.png"), full_page=True)
    assert pg.errors == [] and pg.external == []
    ctx.close()
