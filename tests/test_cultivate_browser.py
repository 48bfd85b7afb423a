"""The tier funnel and the self-check form in Debian's Chromium, checked against their JSON twins.

Fixture: test_cultivate_web.build (web fixture + three designations). An enterprise user (ent3)
opens the funnel by city (every cell as in ``/api/cultivate/funnel``), downloads it, follows the
self-check link, enters the issue's what-if firm (revenue 3500 万元, R&D 70 万元, IP II, growth 10 %,
战略性新兴, main share 70 %: score 60, innovation 15 < 20) and reads the assessment and the
“R&D +35 万元” what-if; then a bad value gives the bilingual error naming the field.
Console errors (other than the expected 400), page errors and off-server requests fail the test.
"""

from __future__ import annotations

import pytest

from browser import new_page, serve
from cultivate_cases import WHATIF
from test_cultivate_web import build
from test_work_tasks_browser import sign_in

pytestmark = pytest.mark.browser
FIELDS = ["library", "innovative_sme", "srdi", "little_giant", "single_champion", "expiring_innovative_sme"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = build(tmp_path_factory.mktemp("cultivate-browser") / "c.duckdb")
    with serve(db, public_aggregates=True) as url:
        yield url


def test_funnel_and_self_check(browser, server, artifacts):
    ctx, pg = new_page(browser, server, expected_status=(400,))
    sign_in(pg, server, "ent3")
    pg.goto(f"{server}/cultivate?by=city&date=2025-12-31")
    api = pg.request.get(f"{server}/api/cultivate/funnel?by=city&date=2025-12-31").json()
    shown = pg.get_by_test_id("funnel-table").locator("tbody tr[data-key]").evaluate_all(
        "(rows, fields) => rows.map(r => Object.fromEntries([['key', r.getAttribute('data-key')]].concat("
        "fields.map(f => [f, r.querySelector(`[data-field=${f}]`).getAttribute('data-value')]))))", FIELDS)
    assert [r["key"] for r in shown] == [r["key"] for r in api["rows"]] == ["360100", "360400"]
    for s, a in zip(shown, api["rows"]):
        assert {f: int(s[f]) for f in FIELDS} == {f: a[f] for f in FIELDS}
    assert int(pg.get_by_test_id("total-library").get_attribute("data-value")) == api["total"]["library"] == 6
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-funnel").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / "cultivate-funnel.png"), full_page=True)

    with pg.expect_navigation():
        pg.get_by_test_id("self-check-link").click()
    for k, v in WHATIF.items():
        box = pg.get_by_test_id(f"in-{k}")
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(str(v))
        else:
            box.fill(str(v))
    pg.get_by_test_id("check-submit").click()
    pg.get_by_test_id("check-result").wait_for(state="visible")
    assert pg.get_by_test_id("out-innovative_score").inner_text() == "60"
    assert pg.get_by_test_id("out-innovative_qualifies").inner_text() == "0"
    assert pg.get_by_test_id("out-innovative_whatif").inner_text().startswith("R&D +35 万元 (R&D ratio to 3%) → qualifies")
    assert pg.get_by_test_id("out-srdi_failed_gate").inner_text() == "G2_rd"
    assert pg.get_by_test_id("out-size_class").inner_text() == ""          # employees not given
    pg.screenshot(path=str(artifacts / "cultivate-check.png"), full_page=True)
    pg.get_by_test_id("in-debt_ratio_pct").fill("abc")
    pg.get_by_test_id("check-submit").click()
    pg.get_by_test_id("check-error").wait_for(state="visible")
    assert "field debt_ratio_pct" in pg.get_by_test_id("check-error").inner_text()
    assert "不是数字" in pg.get_by_test_id("check-error").inner_text()
    assert pg.errors == [] and pg.external == []
    ctx.close()
