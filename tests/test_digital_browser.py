"""/digital and the self-assessment form in Debian's Chromium, checked against their JSON twins.

Fixture: the web fixture with tests/digital_cases.py's assessments. The county office of 东湖 (E1, E5)
opens /digital by county within 南昌 (every cell as in ``/api/digital/coverage``), reads the targets
(as ``/api/digital/targets``) and the firms still to reach (E5 only: its scope), downloads a list;
then the enterprise user E3 records a self-assessment: a level outside GB/T 39116's 1–5 gives the
bilingual error naming the field, a good one is stored and listed. Console errors (other than the
expected 400), page errors and off-server requests fail the test.
"""

from __future__ import annotations

import pytest

import digital_cases as C
import web_fixture as W
from browser import new_page, serve
from chainbrain.store import open_store

pytestmark = pytest.mark.browser
FIELDS = ["firms", "assessed", "level2_plus", "assessed_share", "level2_plus_share", "transformed", "transformed_share"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("digital-browser")
    db = W.build(tmp / "d.duckdb", tasks=False)
    with open_store(db) as st:
        C.load(st, tmp)
    with serve(db, public_aggregates=True) as url:
        yield url


def sign_in(pg, server, name):
    """Sign in through the API in the page's context (the cookie is the context's): the walk starts on
    /digital, not on the cockpit the login form leads to."""
    r = pg.request.post(f"{server}/api/login", data={"username": name, "password": W.password(name)})
    assert r.status == 200, r.text()


def _num(v):
    return None if v in ("", "None") else float(v)


def test_coverage_targets_and_self_assessment(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "dh_county")
    q = "period=2025-06&by=county&region=360100"
    pg.goto(f"{server}/digital?{q}")
    assert pg.get_by_test_id("userbox").inner_text().startswith("dh_county")
    pg.wait_for_function("() => document.body.getAttribute('data-map-ready') === 'true'")   # 南昌's counties
    api = pg.request.get(f"{server}/api/digital/coverage?{q}").json()
    shown = pg.get_by_test_id("coverage-table").locator("tbody tr[data-key]").evaluate_all(
        "(rows, fields) => rows.map(r => Object.fromEntries([['key', r.getAttribute('data-key')]].concat("
        "fields.map(f => [f, r.querySelector(`[data-field=${f}]`).getAttribute('data-value')]))))", FIELDS)
    assert [r["key"] for r in shown] == [r["key"] for r in api["rows"]]
    for s, a in zip(shown, api["rows"]):
        assert {f: _num(s[f]) for f in FIELDS} == {f: a[f] for f in FIELDS}, s["key"]
    dh = next(s for s in shown if s["key"] == "360102")
    assert [_num(dh[f]) for f in FIELDS] == [2, 1, 1, 0.5, 0.5, 1, 0.5]
    tg = pg.request.get(f"{server}/api/digital/targets?{q}").json()["targets"]
    for t in tg:
        row = pg.get_by_test_id(f"target-{t['code']}")
        assert int(row.locator("[data-field=remaining]").get_attribute("data-value")) == t["remaining"]
        assert row.locator("[data-field=status]").get_attribute("data-value") == t["status"]
    plan = pg.get_by_test_id("reach-table-plan_full_coverage").locator("tbody tr")
    assert plan.all_inner_texts() and [r.split("\t")[0] for r in plan.all_inner_texts()] == [W.NAME[5]]
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-reach-plan_full_coverage").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / "digital-coverage.png"), full_page=True)
    with pg.expect_navigation():
        pg.get_by_test_id("scenarios-link").click()
    sc = pg.request.get(f"{server}/api/digital/scenarios").json()
    cells = pg.get_by_test_id("scenarios-table").locator("tbody tr[data-key]").evaluate_all(
        "rows => rows.map(r => [r.getAttribute('data-key'), r.querySelector('[data-field=firms]').getAttribute('data-value')])")
    assert cells == [[r["key"], str(r["firms"])] for r in sc["catalogue"]] and len(cells) == 3    # today: 设备联网 too
    assert [r.split("\t")[0] for r in pg.get_by_test_id("adopters-table").locator("tbody tr").all_inner_texts()] == \
        [W.NAME[1], W.NAME[5]]                                  # 东湖: E1 (智能排产), E5 (设备联网)
    # a scenario opens its providers (P1 甲 and P2 乙 serve EI 智能排产): the table is the JSON twin's, 乙's mean
    # rating withheld (its one rating firm E2 is outside 东湖), 甲's shown (E1 and E5 are 东湖's)
    with pg.expect_navigation():
        pg.get_by_test_id("scenarios-table").locator("tbody tr[data-key='EI|智能排产'] a").click()
    pv = pg.request.get(f"{server}/api/digital/providers?{pg.url.split('?', 1)[1]}").json()
    got = pg.get_by_test_id("providers-table").locator("tbody tr[data-key]").evaluate_all(
        "rows => rows.map(r => [r.getAttribute('data-key'), r.querySelector('[data-field=projects]').getAttribute("
        "'data-value'), r.querySelector('[data-field=rating]').getAttribute('data-value')])")
    assert got == [[r["uscc"], str(r["projects"]), "" if r["rating"] is None else str(r["rating"])]
                   for r in pv["providers"]]
    assert got == [[C.PROVIDER[2], "1", ""], [C.PROVIDER[1], "1", "3.5"]]          # by name: 乙 before 甲
    with pg.expect_navigation():
        pg.get_by_test_id("providers-table").locator(f"tbody tr[data-key='{C.PROVIDER[1]}'] a").click()
    assert [r.split("\t")[0] for r in pg.get_by_test_id("projects-table").locator("tbody tr").all_inner_texts()] == \
        [W.NAME[1], W.NAME[5]]                                  # 甲's projects: E1 and E5
    pg.screenshot(path=str(artifacts / "digital-providers.png"), full_page=True)
    assert pg.errors == [] and pg.external == []
    ctx.close()

    ctx, pg = new_page(browser, server, expected_status=(400,))
    sign_in(pg, server, "ent3")
    pg.goto(f"{server}/digital?period=2025-06")
    with pg.expect_navigation():
        pg.get_by_test_id("self-link").click()
    pg.get_by_test_id("in-scheme").select_option("gbt39116")
    pg.get_by_test_id("in-level").fill("6")
    pg.get_by_test_id("in-assessed_on").fill("2025-03-04")
    pg.get_by_test_id("self-submit").click()
    pg.get_by_test_id("self-error").wait_for(state="visible")
    err = pg.get_by_test_id("self-error").inner_text()
    assert err.startswith("level:") and "1–5" in err and "等级超出" in err
    pg.get_by_test_id("in-level").fill("3")
    with pg.expect_navigation():
        pg.get_by_test_id("self-submit").click()
    rows = pg.get_by_test_id("own-table").locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [r.querySelector('[data-field=scheme]').getAttribute('data-value'),"
        " r.querySelector('[data-field=level]').innerText, r.querySelector('[data-field=assessed_on]').innerText])")
    assert ["gbt39116", "3", "2025-03-04"] in rows, rows
    assert "智能制造能力成熟度模型" in pg.get_by_test_id("own-table").inner_text()
    pg.screenshot(path=str(artifacts / "digital-self.png"), full_page=True)
    assert [e for e in pg.errors if "400" not in e] == [] and pg.external == []
    ctx.close()
