"""The pages under the Content Security Policy (``script-src 'self'; style-src 'self'``, web/headers.py), in Chromium.

Every ``securitypolicyviolation`` event is recorded by a script Playwright adds before the page's
own (the policy does not apply to it), and console and page errors as in every browser test. The
key pages, signed out and signed in, must raise none; the selects that used inline ``onchange``
must still work; a chain named with HTML must show as text in its chart tooltip; every page with
charts raises none with a tooltip of each chart shown (ECharts' default tooltip markup has
``style=`` attributes, which the policy refuses: web/static/html.js ``cbHtml.tip``). And a user
whose password was reset lands on the change-password page and nowhere else until it is changed.

Dataset: tests/web_fixture.py, with chain EI renamed ``<img src=x id=injected>电子信息`` (the
catalog name an import could bring).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import web_fixture as W
from browser import new_page, serve, sign_in
from chainbrain.store import open_store

pytestmark = pytest.mark.browser

EVIL = '<img src=x id=injected>电子信息'
WATCH = """window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});"""


RESET = {}                      # user name → the one-time password ``users reset`` gave


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from chainbrain.web.users import add_user, reset_password

    db = W.build(tmp_path_factory.mktemp("csp") / "csp.duckdb", tasks=False)
    with open_store(db) as store:
        with store.begin() as conn:
            conn.execute(sa.text("UPDATE chain SET name_zh = :n WHERE code = 'EI'"), {"n": EVIL})
        add_user(store, "wu.reset", "wu-first-pass-2026", "viewer")
        RESET["wu.reset"] = reset_password(store, "wu.reset")
    with serve(db, public_aggregates=True) as url:
        yield url


@pytest.fixture
def page(browser, server):
    ctx, pg = new_page(browser, server)
    ctx.add_init_script(WATCH)
    yield pg
    ctx.close()
    assert pg.errors == [], pg.errors
    assert pg.external == [], pg.external


def visit(pg, url: str) -> list[str]:
    """Open ``url``, let its scripts run; the policy violations it raised."""
    response = pg.goto(url)
    assert response.status == 200, url
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-inline" not in csp
    pg.wait_for_load_state("load")
    return [f"{url}: {v}" for v in pg.evaluate("window.__csp")]


SHOW_ROOT_TIP = """(() => {
  var chart = window.pageCharts.tree, d = chart.getModel().getSeriesByIndex(0).getData();
  for (var i = 0; i < d.count(); i++) {
    if (d.getName(i).indexOf("电子信息") >= 0) { chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: i}); return i; }
  }
  return -1;
})()"""


def test_key_pages_raise_no_policy_violation(page, server):
    """The cockpit, a chain (with its tree's tooltip), the gaps page, sign-in and an enterprise profile;
    the selects that used inline ``onchange`` still submit (the request is sent: enough here)."""
    found = visit(page, f"{server}/?period=2025-06")
    page.wait_for_selector("body[data-map-ready]", timeout=20_000)
    other = page.eval_on_selector("select[name=period]", "s => [...s.options].map(o => o.value)"
                                  ".find(v => v && v !== s.value)")
    with page.expect_request(lambda r: f"period={other}" in r.url):
        page.select_option("select[name=period]", other)

    found += visit(page, f"{server}/chains/EI")
    page.wait_for_function("() => window.pageCharts && window.pageCharts.tree")
    assert page.evaluate(SHOW_ROOT_TIP) >= 0
    tip = page.locator("#chart-tree > div").filter(has_text="电子信息")          # ECharts' tooltip box
    tip.wait_for(timeout=5_000)
    assert "<img src=x id=injected>电子信息" in tip.inner_text()                # the name as text
    assert page.locator("#injected").count() == 0                              # no element made from it
    found += [f"/chains/EI (tooltip): {v}" for v in page.evaluate("window.__csp")]

    found += visit(page, f"{server}/attract/EI")
    target = page.eval_on_selector("[data-testid=gaps-chain]", "s => [...s.options].map(o => o.value)"
                                   ".find(v => v !== 'EI')")
    with page.expect_request(lambda r: r.url.split("?")[0].endswith(f"/attract/{target}")):
        page.select_option("[data-testid=gaps-chain]", target)

    found += visit(page, f"{server}/login")
    sign_in(page, server, "admin")
    found += visit(page, f"{server}/enterprises/{W.USCC[1]}") + page.evaluate("window.__csp")
    assert found == []


#: every page with charts, signed in as the province administrator
CHART_PAGES = ["/?period=2025-06", "/chains", "/chains/EI", "/regions/360100", "/focus/360100",
               "/digital", "/maps/EI/chain", "/maps/EI/roadmap", "/maps/EI/fields", "/maps/EI/regions",
               "/maps/EI/supply", f"/enterprises/{W.USCC[1]}"]
#: pages whose templates had inline styles (now classes of app.css), and the change-password page
STYLED_PAGES = ["/attract/EI/targets", "/cultivate/check", "/password"]          # and the roadmap editor (above)

#: the page's chart scripts say they are done (body[data-map-ready], body[data-charts-ready])
DRAWN = """() => {
  var b = document.body.dataset, has = s => !!document.querySelector("script[src*='" + s + "']");
  return (!(has("cockpit.js") || has("digital_map.js")) || b.mapReady)
      && (!(has("pages.js") || has("maps.js") || has("focus.js")) || b.chartsReady);
}"""

#: shows the tooltip of every series of every chart on the page (its first data item that gives one,
#: as a hover would); per chart: [container id, data items, tooltips shown]
SHOW_TIPS = """async () => {
  var out = [];
  for (const el of document.querySelectorAll("[_echarts_instance_]")) {
    var chart = echarts.getInstanceByDom(el);
    if (!chart) continue;
    var model = chart.getModel(), n = (chart.getOption().series || []).length, items = 0, tips = 0;
    for (var si = 0; si < n; si++) {
      var series = model.getSeriesByIndex(si);
      if (!series || series.get("silent") || series.get("tooltip.show") === false) continue;
      var count = series.getData().count();
      items += count;
      for (var i = 0; i < Math.min(count, 60); i++) {
        chart.dispatchAction({type: "showTip", seriesIndex: si, dataIndex: i});
        var box = [...el.children].slice(1).find(c => c.textContent.trim() && c.style.display !== "none");
        if (box) { tips++; break; }
      }
      chart.dispatchAction({type: "hideTip"});
    }
    out.push([el.id || el.className, items, tips]);
  }
  await new Promise(r => setTimeout(r, 50));          // violation events are queued tasks
  return out;
}"""


def test_every_chart_page_shows_its_tooltips_without_a_policy_violation(browser, server):
    """With ``style-src 'self'``: each chart with data shows a tooltip (DOM from ``cbHtml.tip`` or an escaped
    string, never ECharts' default markup or its arrow) and no page raises a policy violation."""
    ctx, pg = new_page(browser, server)
    ctx.add_init_script(WATCH)
    try:
        sign_in(pg, server, "admin")
        found, charts = [], []
        for path in CHART_PAGES:
            found += visit(pg, server + path)
            pg.wait_for_function(DRAWN, timeout=20_000)                 # map outlines fetched, charts drawn
            charts += [(path, *c) for c in pg.evaluate(SHOW_TIPS)]
            found += [f"{path} (tooltips): {v}" for v in pg.evaluate("window.__csp")]
        for path in STYLED_PAGES:
            found += visit(pg, server + path)
        assert found == []
        with_data = [c for c in charts if c[2] > 0]
        assert len(with_data) >= 13, charts
        assert [c for c in with_data if c[3] == 0] == []                 # every chart with data showed a tooltip
    finally:
        ctx.close()
    assert pg.errors == [] and pg.external == [], (pg.errors, pg.external)


def test_a_reset_password_leads_to_the_change_page_and_nowhere_else(browser, server):
    """``users reset`` → sign in with the one-time password → only /password, whatever is asked; a
    common password is refused; a good one opens the site, and the one-time password no longer signs in."""
    ctx, pg = new_page(browser, server, expected_status=(400, 401, 403))
    ctx.add_init_script(WATCH)
    try:
        once = RESET["wu.reset"]
        sign_in(pg, server, "wu.reset", once)
        assert pg.url == f"{server}/password"
        pg.get_by_test_id("password-forced").wait_for()
        assert pg.get_by_test_id("nav-chains").count() == 0
        pg.goto(f"{server}/chains/EI")
        assert pg.url == f"{server}/password"
        assert pg.evaluate("fetch('/api/chains').then(r => r.status)") == 403
        pg.get_by_test_id("password-current").fill(once)
        pg.get_by_test_id("password-new").fill("Password2024!")
        pg.get_by_test_id("password-confirm").fill("Password2024!")
        with pg.expect_navigation():
            pg.get_by_test_id("password-submit").click()
        assert "密码过于常见" in pg.get_by_test_id("password-error").inner_text()
        pg.get_by_test_id("password-current").fill(once)
        pg.get_by_test_id("password-new").fill("quiet-meadow-2039")
        pg.get_by_test_id("password-confirm").fill("quiet-meadow-2039")
        with pg.expect_navigation():
            pg.get_by_test_id("password-submit").click()
        pg.get_by_test_id("password-done").wait_for()
        with pg.expect_navigation():
            pg.get_by_test_id("password-continue").click()
        assert pg.url.rstrip("/") == server and pg.get_by_test_id("nav-chains").count() == 1
        assert pg.goto(f"{server}/chains/EI").status == 200 and pg.url == f"{server}/chains/EI"
        assert pg.evaluate("window.__csp") == []
        with pg.expect_navigation():
            pg.get_by_test_id("logout").click()
        pg.goto(f"{server}/login")
        pg.get_by_test_id("login-username").fill("wu.reset")
        pg.get_by_test_id("login-password").fill(once)
        with pg.expect_navigation():
            pg.get_by_test_id("login-submit").click()
        pg.get_by_test_id("login-error").wait_for()                                # the one-time password is spent
    finally:
        ctx.close()
    assert pg.errors == [] and pg.external == [], (pg.errors, pg.external)
