"""The focus page (找准主攻点、突破点) in Debian's Chromium.

Fixture: the hand-made province of test_advantage_recommend.py (12 counties ×
10 segments, 3–5 enterprises per present cell, one enterprise in two
segments).  The expected top items are computed independently here: region
× segment revenue with pandas, RCA / Mcp / density / PCI / COG with Growth
Lab's ``ecomplexity`` package, then the documented scores (weighted
percentile ranks, docs/advantage.md) with pandas ranks.  Console errors,
page errors and off-server requests fail the test; screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from test_advantage_recommend import _fill
from browser import new_page, serve

pytestmark = pytest.mark.browser

PRESETS = {"low_hanging_fruit": (0.60, 0.15, 0.25), "balanced": (0.45, 0.25, 0.30), "long_jumps": (0.25, 0.40, 0.35)}


def expected_top(rows: pd.DataFrame, two_seg, region: str, strategy: str) -> tuple[list[str], list[str]]:
    """(attack, breakthrough) segment codes of ``region``, best first — independent of chainbrain."""
    import ecomplexity as ec  # the reference implementation (dev dependency)
    eid, seg2 = two_seg
    r = rows.copy()
    last = r.enterprise_id == eid
    r.loc[last, "revenue"] /= 2
    r = pd.concat([r, r[last].assign(segment=seg2)])
    v = r.groupby(["region", "segment"], as_index=False)["revenue"].sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ec.ecomplexity(v.assign(year=2025), {"time": "year", "loc": "region", "prod": "segment",
                                                   "val": "revenue"}, verbose=False,
                             check_logsupermodularity=False).dropna(subset=["diversity"])

    def pr(s):
        return (s.rank(method="average") - 1) / (len(s) - 1)

    pci = out.drop_duplicates("segment").set_index("segment")["pci"]
    pci_pr = pr(pci)
    out["share"] = out["revenue"] / out.groupby("segment")["revenue"].transform("sum")
    a = out[out.mcp == 1].copy()
    a["score"] = 0.40 * pr(np.log(a.rca)) + 0.35 * a.segment.map(pci_pr) + 0.25 * pr(a.share)
    b = out[out.mcp == 0].copy()
    wd, wp, wg = PRESETS[strategy]
    b["score"] = wd * pr(b.density) + wp * b.segment.map(pci_pr) + wg * pr(b.cog)

    def top(t):
        t = t[t.region == region].sort_values(["score", "segment"], ascending=[False, True])
        return t.segment.tolist()

    return top(a), top(b)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    db = str(tmp_path_factory.mktemp("focus") / "focus.duckdb")
    store = open_store(db)
    try:
        init_store(store)
        rows, two_seg = _fill(store)
    finally:
        store.close()
    return db, rows, two_seg


@pytest.fixture(scope="module")
def server(province):
    with serve(province[0], public_aggregates=True) as url:
        yield url


def charts_ready(pg):
    pg.wait_for_selector("body[data-charts-ready]", timeout=20_000)
    assert pg.get_attribute("body", "data-charts-ready") == "true"


def keys(pg, testid):
    return pg.get_by_test_id(testid).locator("tbody tr[data-key]").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-key'))")


def test_focus_page_shows_expected_top_items(browser, server, province, artifacts):
    _, rows, two_seg = province
    region = sorted(rows.region.unique())[0]
    attack, breakthrough = expected_top(rows, two_seg, region, "balanced")
    ctx, pg = new_page(browser, server)
    pg.goto(f"{server}/focus/{region}")
    charts_ready(pg)
    assert "找准主攻点" in pg.get_by_test_id("headline").inner_text()
    assert keys(pg, "attack-table") == attack[:10]
    assert keys(pg, "breakthrough-table") == breakthrough[:10]
    assert pg.locator("#chart-scatter canvas").count() >= 1
    n_points = pg.evaluate("window.pageCharts.scatter.getOption().series.reduce((s, x) => s + x.data.length, 0)")
    assert n_points == len(keys(pg, "points-table"))
    pg.get_by_test_id("focus-y").select_option("cog")              # y axis: PCI → COG
    assert pg.evaluate("window.pageCharts.scatter.getOption().yAxis[0].name") == "机会增益 COG"
    pg.get_by_test_id("toggle-points").click()                     # chart → table view
    assert pg.get_by_test_id("points-table").is_visible()
    with pg.expect_download() as dl:
        pg.get_by_test_id("excel-breakthrough").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    pg.screenshot(path=str(artifacts / f"focus-{region}.png"), full_page=True)
    # strategy preset selector: reloads with the long-jumps ranking
    with pg.expect_navigation():
        pg.get_by_test_id("strategy-select").select_option("long_jumps")
    charts_ready(pg)
    assert "strategy=long_jumps" in pg.url
    _, far = expected_top(rows, two_seg, region, "long_jumps")
    assert keys(pg, "breakthrough-table") == far[:10]
    ctx.close()
    assert pg.errors == [], pg.errors
    assert pg.external == [], pg.external


def test_focus_page_english_and_province_view(browser, server, province, artifacts):
    _, rows, _ = province
    region = sorted(rows.region.unique())[1]
    ctx, pg = new_page(browser, server)
    pg.goto(f"{server}/focus/{region}?lang=en")
    charts_ready(pg)
    assert "Where to focus" in pg.get_by_test_id("headline").inner_text()
    crowded = keys(pg, "crowded-table")
    api = pg.request.get(f"{server}/api/focus/{region}").json()
    assert crowded == [c["segment"] for c in api["crowded"]] and crowded
    assert pg.locator("#chart-crowded canvas").count() >= 1
    assert len(keys(pg, "targets-table")) == rows.region.nunique()
    # the map of who targets what: every region of the level drawn, coloured by its first breakthrough point
    assert pg.locator("#focus-map canvas").count() >= 1
    n_regions = pg.evaluate("window.pageCharts.focusMap.getOption().series[0].data.length")
    assert n_regions == rows.region.nunique()
    firsts = {t["targets"][0] for t in api["targets"] if t["targets"]}
    assert pg.evaluate("window.pageCharts.mapState.coloured") == len(firsts)
    # … and, for a crowded segment, the regions that target it shaded by score, the stronger case outlined
    seg = api["crowded"][0]
    pg.get_by_test_id("focus-map-segment").select_option(seg["segment"])
    assert pg.evaluate("window.pageCharts.mapState.shaded") == seg["regions_targeting"]
    shaded = pg.evaluate("window.pageCharts.focusMap.getOption().series[0].data"
                         ".filter(d => d.value !== null).map(d => d.name)")
    assert sorted(shaded) == sorted(r["region"] for r in seg["ranking"])
    outlined = pg.evaluate("window.pageCharts.focusMap.getOption().series[0].data"
                           ".filter(d => d.itemStyle && d.itemStyle.borderColor === '#f2b134').map(d => d.name)")
    assert outlined == [seg["stronger_case"]]
    pg.get_by_test_id("toggle-targets").click()                     # map → table view
    assert pg.get_by_test_id("targets-table").is_visible()
    pg.get_by_test_id("toggle-targets").click()
    pg.screenshot(path=str(artifacts / f"focus-{region}-en.png"), full_page=True)
    ctx.close()
    assert pg.errors == [], pg.errors
    assert pg.external == [], pg.external
