"""The gaps page and the targets page in Debian's Chromium, checked against their JSON twins.

Fixture: web_fixture + attract_web_data (two out-of-province candidates, EI's chain master buying from
one). The chain office signs in, reads the gaps page (every segment's status, firm count and figures
as in ``/api/attract/EI``), follows a gap to the targets page (ranks, scores and components as in
``/api/attract/EI/targets``), re-ranks with its own weights on the page, marks a target as a lead and
moves it one step. An outside viewer sees the aggregate gaps page without firm links. Console errors,
page errors and off-server requests fail the test.
"""

from __future__ import annotations

import pytest

import attract_web_data as D
from browser import new_page, serve
from test_work_tasks_browser import sign_in

pytestmark = pytest.mark.browser
A = pytest.approx


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = D.build(tmp_path_factory.mktemp("attract-browser") / "attract.duckdb")
    with serve(db, public_aggregates=True) as url:
        yield url


def table_rows(pg, testid, fields):
    return pg.get_by_test_id(testid).locator("tbody tr[data-key]").evaluate_all(
        "(rows, fields) => rows.map(r => Object.fromEntries([['key', r.getAttribute('data-key')]].concat("
        "fields.map(f => { const c = r.querySelector(`[data-field=${f}]`); "
        "return [f, c ? (c.getAttribute('data-value') ?? c.innerText.trim()) : null]; }))))", fields)


def num(v):
    return None if v in (None, "") else float(v)


def test_gaps_and_targets_pages_match_their_twins(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "ei_office")
    pg.goto(f"{server}/attract/EI")
    api = pg.request.get(f"{server}/api/attract/EI").json()
    shown = table_rows(pg, "gaps-table", ["firms", "revenue_yuan", "lq", "local_rate", "density"])
    assert [r["key"] for r in shown] == [r["segment_code"] for r in api["rows"]]
    statuses = pg.get_by_test_id("gaps-table").locator("tbody tr[data-key]").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-status'))")
    assert statuses == [r["status"] for r in api["rows"]]
    for s, a in zip(shown, api["rows"]):
        assert int(s["firms"]) == a["firms"]
        for f in ("revenue_yuan", "lq", "local_rate", "density"):
            assert num(s[f]) == (None if a[f] is None else A(a[f])), (a["segment_code"], f)
    u1 = pg.get_by_test_id("gaps-table").locator("tr[data-key='EI-U1'] [data-field=reasons] li")
    assert u1.count() == len(next(r for r in api["rows"] if r["segment_code"] == "EI-U1")["reasons"]) >= 1
    assert "未见政策依据" in pg.get_by_test_id("thresholds-version").inner_text()
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-gaps").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / "attract-gaps.png"), full_page=True)
    # follow the chain's targets
    with pg.expect_navigation():
        pg.get_by_test_id("link-targets").click()
    tapi = pg.request.get(f"{server}/api/attract/EI/targets").json()
    fields = ["rank", "score", "gap_fill", "size", "distance", "master_link"]
    rows = table_rows(pg, "targets-table", fields)
    assert [r["key"] for r in rows] == [r["key"] for r in tapi["rows"]]
    for s, a in zip(rows, tapi["rows"]):
        assert int(s["rank"]) == a["rank"] and float(s["score"]) == A(a["score"], abs=5e-5)
        for f in ("gap_fill", "size", "distance", "master_link"):
            assert num(s[f]) == A(a[f]), f
    # weights on the page: distance alone puts the nearer candidate (浙江) first
    for c in tapi["criteria"]:
        pg.get_by_test_id(f"w-{c['key']}").fill("1" if c["key"] == "distance" else "0")
    with pg.expect_navigation():
        pg.get_by_test_id("weights-apply").click()
    first = pg.get_by_test_id("targets-table").locator("tbody tr[data-key]").first
    assert D.X2_NAME in first.inner_text()
    assert "w_distance=1" in pg.url
    reranked = pg.request.get(pg.url.replace("/attract/", "/api/attract/")).json()
    assert [r["key"] for r in table_rows(pg, "targets-table", ["rank"])] == [r["key"] for r in reranked["rows"]]
    # mark the first as a lead, then follow it up
    with pg.expect_navigation():
        first.locator("button.mark-lead").click()
    leads = pg.request.get(f"{server}/api/attract/leads?chain=EI").json()["leads"]
    assert len(leads) == 1 and leads[0]["name"] == D.X2_NAME and leads[0]["status"] == "lead"
    lid = leads[0]["id"]
    with pg.expect_navigation():
        pg.get_by_test_id(f"lead-{lid}-follow_up").click()
    assert pg.get_by_test_id("leads-table").locator(f"tr[data-key='{lid}']").get_attribute("data-status") == "followed_up"
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-targets").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / "attract-targets.png"), full_page=True)
    ctx.close()
    assert pg.errors == [], pg.errors
    assert pg.external == [], pg.external


def test_outside_viewer_sees_aggregates_only(browser, server):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "viewer")
    pg.goto(f"{server}/attract/EI")
    assert pg.get_by_test_id("gaps-disclosure").is_visible()
    assert pg.get_by_test_id("link-targets").count() == 0
    api = pg.request.get(f"{server}/api/attract/EI").json()
    shown = table_rows(pg, "gaps-table", ["top_supplier_share"])
    assert all(s["top_supplier_share"] in ("", None) for s in shown)
    assert [r["key"] for r in shown] == [r["segment_code"] for r in api["rows"]]
    ctx.close()
    assert pg.errors == [], pg.errors
