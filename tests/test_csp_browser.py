"""The pages under the Content Security Policy (``script-src 'self'``, web/headers.py), in Chromium.

Every ``securitypolicyviolation`` event is recorded by a script Playwright adds before the page's
own (the policy does not apply to it), and console and page errors as in every browser test. The
key pages, signed out and signed in, must raise none; the selects that used inline ``onchange``
must still work; and a chain named with HTML must show as text in its chart tooltip.

Dataset: tests/web_fixture.py, with chain EI renamed ``<img src=x id=injected>电子信息`` (the
catalog name an import could bring).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import web_fixture as W
from browser import chromium, new_page, serve, sign_in
from chainbrain.store import open_store

pytestmark = pytest.mark.browser

EVIL = '<img src=x id=injected>电子信息'
WATCH = """window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("csp") / "csp.duckdb", tasks=False)
    with open_store(db) as store, store.begin() as conn:
        conn.execute(sa.text("UPDATE chain SET name_zh = :n WHERE code = 'EI'"), {"n": EVIL})
    with serve(db, public_aggregates=True) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


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
    assert "script-src 'self'" in response.headers["content-security-policy"]
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

    found += visit(page, f"{server}/attract/EI")
    target = page.eval_on_selector("[data-testid=gaps-chain]", "s => [...s.options].map(o => o.value)"
                                   ".find(v => v !== 'EI')")
    with page.expect_request(lambda r: r.url.split("?")[0].endswith(f"/attract/{target}")):
        page.select_option("[data-testid=gaps-chain]", target)

    found += visit(page, f"{server}/login")
    sign_in(page, server, "admin")
    found += visit(page, f"{server}/enterprises/{W.USCC[1]}") + page.evaluate("window.__csp")
    assert found == []
