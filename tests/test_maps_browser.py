"""四图 in Debian's Chromium: each map drawn from its page checked against its JSON twin.

Dataset: tests/web_fixture.py (chain EI: E1, E5 in EI-D1 at 360102; E2 in EI-M1 at 360103; supply link
E2 → E1 in 2025). Console errors, page errors and off-server requests fail the test; screenshots go
to test-artifacts/.
"""

from __future__ import annotations

import pytest

import web_fixture as W
from browser import new_page, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("mapsb") / "maps.duckdb")
    with serve(db, public_aggregates=True) as url:
        yield url


def charts_ready(pg):
    pg.wait_for_selector("body[data-charts-ready]", timeout=20_000)
    assert pg.get_attribute("body", "data-charts-ready") == "true"


def keys(pg, testid):
    return pg.get_by_test_id(testid).locator("tbody tr[data-key]").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-key'))")


def sign_in(pg, server, name):
    r = pg.request.post(f"{server}/api/login", data={"username": name, "password": W.password(name)})
    assert r.ok, r.text()


def finish(ctx, pg):
    ctx.close()
    assert pg.errors == [], pg.errors
    assert pg.external == [], pg.external


def test_chain_map_against_its_twin(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    sign_in(pg, server, "admin")
    pg.goto(f"{server}/maps")
    pg.get_by_test_id("nav-maps").wait_for()
    pg.goto(f"{server}/maps/EI/chain")
    charts_ready(pg)
    api = pg.request.get(f"{server}/api/maps/EI/chain").json()
    nodes = pg.evaluate("""() => { const out = {}; const walk = n => { if (n.code) out[n.code] = [n.value, n.local_rate];
        (n.children || []).forEach(walk); }; walk(window.pageCharts.tree.getOption().series[0].data[0]); return out; }""")
    assert nodes == {s["code"]: [s["enterprise_count"], s["local_rate"]] for s in api["segments"]}
    assert keys(pg, "segments-table") == [s["code"] for s in api["segments"]]
    # colour by the local supporting rate: EI-D1 (rate 1.0) full blue, a segment without purchases grey
    pg.get_by_test_id("colour-by").select_option("local_rate")
    colours = pg.evaluate("""() => { const out = {}; const walk = n => { if (n.code) out[n.code] = n.itemStyle.color;
        (n.children || []).forEach(walk); }; walk(window.pageCharts.tree.getOption().series[0].data[0]); return out; }""")
    assert colours["EI-D1"] == "rgba(11,58,117,1.00)" and colours["EI-M1"] == "#c9d2de"
    pg.screenshot(path=str(artifacts / "maps-chain.png"), full_page=True)
    # click through to the segment's firms (the twin's firm list, within the viewer's scope)
    pg.goto(f"{server}/maps/EI/chain?segment=EI-D1")
    charts_ready(pg)
    firms = pg.request.get(f"{server}/api/maps/EI/chain?segment=EI-D1").json()["firms"]["rows"]
    assert keys(pg, "firms-table") == [f["key"] for f in firms] == [W.USCC[1], W.USCC[5]]
    assert pg.get_by_test_id("targets-link").get_attribute("href") == "/attract/EI/targets?segment=EI-D1"
    assert pg.request.get(f"{server}/attract/EI/targets?segment=EI-D1").status == 200     # helper attract's page
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-firms").click()
    assert dl.value.suggested_filename == "chainbrain-chain-map-EI-firms.xlsx"
    finish(ctx, pg)


def test_regional_map_against_its_twin(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    pg.goto(f"{server}/maps/EI/regions?segment=EI-D1")
    charts_ready(pg)
    api = pg.request.get(f"{server}/api/maps/EI/regions?segment=EI-D1").json()
    drawn = pg.evaluate("Object.fromEntries(window.pageCharts.map.getOption().series[0].data"
                        ".map(d => [d.name, d.value]))")
    assert drawn == {c["code"]: c["segment_firms"] for c in api["counties"]}
    assert drawn["360102"] == 2 and drawn["360103"] == 0
    outlined = pg.evaluate("window.pageCharts.map.getOption().series[0].data"
                           ".filter(d => d.itemStyle && d.itemStyle.borderColor === '#c0392b').map(d => d.name)")
    assert outlined == [c["code"] for c in api["counties"] if c["chain_firms"] and not c["segment_present"]] \
        == ["360103"]                                       # E2's county has the chain, not EI-D1
    assert pg.locator("#map canvas").count() >= 1
    with pg.expect_navigation():
        pg.get_by_test_id("segment-select").select_option("")
    charts_ready(pg)
    whole = pg.request.get(f"{server}/api/maps/EI/regions").json()
    drawn = pg.evaluate("Object.fromEntries(window.pageCharts.map.getOption().series[0].data"
                        ".map(d => [d.name, d.value]))")
    assert drawn == {c["code"]: c["chain_firms"] for c in whole["counties"]}
    pg.screenshot(path=str(artifacts / "maps-regions.png"), full_page=True)
    finish(ctx, pg)


def test_roadmap_and_fields_against_their_twins_and_the_office_edit(browser, server, artifacts):
    ctx, pg = new_page(browser, server)
    pg.goto(f"{server}/maps/EI/fields")
    charts_ready(pg)
    api = pg.request.get(f"{server}/api/maps/EI/fields").json()
    fields = pg.evaluate("window.pageCharts.fields.getOption().series[0].data[0].children.map(c => c.code)")
    assert fields == [r["code"] for r in api["rows"]]
    assert pg.get_by_test_id("demo-badge").is_visible()
    assert keys(pg, "observed-table") == ["EI"]
    sign_in(pg, server, "ei_office")
    pg.goto(f"{server}/maps/EI/roadmap")
    charts_ready(pg)
    api = pg.request.get(f"{server}/api/maps/EI/roadmap").json()
    cats = pg.evaluate("window.pageCharts.roadmap.getOption().yAxis[0].data")
    assert cats == [r["name"] + ("（演示）" if r["demo"] else "") for r in api["rows"]]
    years = pg.evaluate("window.pageCharts.roadmap.getOption().series[0].data.map(d => d.value[0])")
    assert years == [r["target_year"] for r in api["rows"]]
    assert pg.get_by_test_id("demo-badge").is_visible()
    # the chain office edits its roadmap on the page: one row from its own plan, no longer demo
    pg.get_by_test_id("edit-rows").fill('[{"code": "EI-T7", "name_zh": "先进封装", "segment": "EI-U3", '
                                        '"maturity": "pilot", "target_maturity": "scale", "target_year": 2028, '
                                        '"source": "链办工作方案", "demo": false}]')
    with pg.expect_navigation():
        pg.get_by_test_id("edit-save").click()
    charts_ready(pg)
    assert keys(pg, "roadmap-table") == ["EI-T7"]
    assert pg.get_by_test_id("demo-badge").count() == 0
    assert pg.evaluate("window.pageCharts.roadmap.getOption().yAxis[0].data") == ["先进封装"]
    pg.screenshot(path=str(artifacts / "maps-roadmap.png"), full_page=True)
    finish(ctx, pg)


def test_supply_network_against_its_twin(browser, server, artifacts):
    for who, firm_level in ((None, False), ("admin", True)):
        ctx, pg = new_page(browser, server)
        if who:
            sign_in(pg, server, who)
        pg.goto(f"{server}/maps/EI/supply")
        charts_ready(pg)
        api = pg.request.get(f"{server}/api/maps/EI/supply").json()
        bars = pg.evaluate("window.pageCharts.in.getOption().series[0].data.map(d => d.value)")
        places = [r for r in api["inflows"] if r["level"] == "place"][:15][::-1]
        assert bars == [None if r["amount_yuan"] is None else r["amount_yuan"] / 1e8 for r in places]
        assert keys(pg, "inflows-table") == [r["key"] for r in api["inflows"]]
        assert (pg.get_by_test_id("suppliers-table").count() == 1) == firm_level
        if firm_level:
            assert keys(pg, "suppliers-table") == [W.USCC[2]]
        pg.screenshot(path=str(artifacts / f"maps-supply-{who or 'anon'}.png"), full_page=True)
        finish(ctx, pg)
