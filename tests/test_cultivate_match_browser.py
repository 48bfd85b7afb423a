"""The 融通 matching page in Debian's Chromium against its JSON twin (a few steps).

Store: test_cultivate_match_web's (N1 imported). The EI chain office follows the link from the tier
funnel, sees N1 with its proposal as in ``/api/cultivate/match``, enters a need through the form
(E1 buys EI-M1 again, N3) and, after the reload, finds it in the needs table with the same proposal;
a bad segment gives the bilingual error. Console errors (other than the expected 400), page errors
and off-server requests fail the test.
"""

from __future__ import annotations

import pytest

import web_fixture as W
from browser import chromium, new_page, serve
from test_cultivate_match import NEEDS, _build
from test_work_tasks_browser import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from chainbrain.store import open_store
    from chainbrain.work.match_needs import import_csv

    tmp = tmp_path_factory.mktemp("match-browser")
    db = _build(tmp / "m.duckdb")
    NEEDS.iloc[:1].to_csv(tmp / "n.csv", index=False)
    with open_store(db) as s:
        import_csv(s, tmp / "n.csv", "test")
    with serve(db, public_aggregates=True) as url:
        yield url


def _rows(pg, testid):
    return pg.get_by_test_id(testid).locator("tbody tr[data-key]").evaluate_all("rs => rs.map(r => r.getAttribute('data-key'))")


def test_match_page_and_need_form(server, artifacts):
    with chromium() as browser:
        ctx, pg = new_page(browser, server, expected_status=(400,))
        sign_in(pg, server, "ei_office")
        pg.goto(f"{server}/cultivate?date=2025-12-31")
        with pg.expect_navigation():
            pg.get_by_test_id("match-link").click()
        pg.goto(f"{server}/cultivate/match?date=2025-12-31")
        api = pg.request.get(f"{server}/api/cultivate/match?date=2025-12-31").json()
        assert _rows(pg, "match-needs") == [n["key"] for n in api["needs"]] == ["N1"]
        assert _rows(pg, "match-proposals") == [r["key"] for r in api["rows"]] == ["N1|2"]
        pg.get_by_test_id("need-buyer").fill(W.USCC[1])
        pg.get_by_test_id("need-segment").fill("XX-1")
        pg.get_by_test_id("need-submit").click()
        pg.get_by_test_id("match-error").wait_for(state="visible")
        assert "未知环节" in pg.get_by_test_id("match-error").inner_text()
        pg.get_by_test_id("need-segment").fill("EI-M1")
        pg.get_by_test_id("need-product").fill("电路板")
        with pg.expect_navigation():
            pg.get_by_test_id("need-submit").click()
        needs = _rows(pg, "match-needs")
        new = next(n for n in needs if n != "N1")
        assert len(needs) == 2 and "N1" in needs and new.startswith("N-")
        assert sorted(_rows(pg, "match-proposals")) == sorted(["N1|2", f"{new}|2"])
        pg.screenshot(path=str(artifacts / "cultivate-match.png"), full_page=True)
        assert pg.errors == [] and pg.external == []
        ctx.close()
