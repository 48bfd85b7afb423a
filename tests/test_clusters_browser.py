"""The clusters overview and one cluster's page in Debian's Chromium, against their JSON twins.

Fixture: the hand-made web fixture. An anonymous visitor (public aggregates) opens /clusters: every
cluster row shows the twin's revenue, growth and member count ("—*" where withheld, "无数据" where
there are no data), and the cluster alerts are the twin's; follows CL-EI to its page: the scorecard's values and scores and the star table
are the twin's. Console errors, page errors and off-server requests fail the test.
"""

from __future__ import annotations

import pytest

from browser import chromium, new_page, serve
import web_fixture as W

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("clusters-browser") / "c.duckdb", tasks=False)
    with serve(db, public_aggregates=True) as url:
        yield url


def _num(v):
    return None if v in ("", None) else float(v)


def test_clusters_pages(server, artifacts):
    with chromium() as browser:
        ctx, pg = new_page(browser, server)
        pg.goto(f"{server}/clusters?year=2025")
        api = pg.request.get(f"{server}/api/clusters?year=2025").json()
        codes = pg.get_by_test_id("cluster-row").evaluate_all("rows => rows.map(r => r.getAttribute('data-code'))")
        assert codes == [c["code"] for c in api["clusters"]]
        for c in api["clusters"]:
            for tid, key in (("revenue", "revenue_yuan"), ("growth", "revenue_growth"), ("members", "member_firms")):
                el = pg.get_by_test_id(f"{tid}-{c['code']}")
                v = _num(el.get_attribute("data-value"))
                assert v == (None if c[key] is None else pytest.approx(c[key])), (tid, c["code"])
                if key in c["suppressed"]:
                    assert el.inner_text() == "—*"
                elif c[key] is None:
                    assert el.inner_text() == "无数据"
        assert pg.get_by_test_id("revenue-CL-CU").inner_text() == "—*"           # one firm: withheld
        assert pg.get_by_test_id("revenue-CL-AV").inner_text() == "无数据"        # no members: no data
        rows = pg.get_by_test_id("target-row").evaluate_all("rows => rows.map(r => r.getAttribute('data-code'))")
        assert rows == [x["code"] for x in api["targets"]["items"]]
        shown = pg.get_by_test_id("alert-row").evaluate_all(
            "rows => rows.map(r => [r.getAttribute('data-subject'), r.getAttribute('data-rule')])")
        assert shown == [[a["subject"], a["rule"]] for a in api["alerts"]] and shown    # cluster alerts as the twin's
        pg.screenshot(path=str(artifacts / "clusters.png"), full_page=True)

        with pg.expect_navigation():
            pg.locator("[data-code=CL-EI] [data-testid=cluster-link]").click()
        card = pg.request.get(f"{server}/api/clusters/CL-EI?year=2025").json()
        for dim in card["scorecard"]["dimensions"]:
            for x in dim["indicators"]:
                v = _num(pg.get_by_test_id(f"value-{x['code']}").get_attribute("data-value"))
                assert v == (None if x["value"] is None else pytest.approx(x["value"])), x["code"]
                s = _num(pg.get_by_test_id(f"score-{x['code']}").get_attribute("data-value"))
                assert s == (None if x["score"] is None else pytest.approx(x["score"])), x["code"]
        assert _num(pg.get_by_test_id("card-score").get_attribute("data-value")) == pytest.approx(card["scorecard"]["score"])
        for s in card["stars"]:
            got = pg.get_by_test_id(f"stars-{s['location']}").get_attribute("data-value")
            assert got == ("" if s["stars"] is None else str(s["stars"]))
        assert "unsourced" in pg.get_by_test_id("unsourced").inner_text()
        pg.screenshot(path=str(artifacts / "cluster-CL-EI.png"), full_page=True)
        assert pg.errors == [] and pg.external == []
        ctx.close()


def test_progress_report_city_drafts_province_reviews(server, artifacts):
    """南昌 (nc_city) drafts CL-EI's 2025 report, submits it; the province returns it with a note, the city
    resubmits, the province approves — each step read back from the JSON twin."""
    from test_work_tasks_browser import sign_in

    url = f"{server}/clusters/CL-EI/progress?year=2025"
    api = f"{server}/api/clusters/CL-EI/progress?year=2025"

    def status(pg):
        return [(r["city_code"], r["status"]) for r in pg.request.get(api).json()["reports"]]

    with chromium() as browser:
        ctx, city = new_page(browser, server)
        sign_in(city, server, "nc_city")
        city.goto(url)
        twin = city.request.get(api).json()
        assert twin["may_draft"] and not twin["may_review"] and twin["due"] == "2026-03-31"
        assert _num(city.get_by_test_id("fig-revenue_yuan").get_attribute("data-value")) == twin["figures"]["revenue_yuan"]
        city.get_by_test_id("progress-body").fill("南昌电子信息集群 2025 年进展：营收 195 亿元。")
        with city.expect_navigation():
            city.get_by_test_id("save-draft").click()
        assert status(city) == [("360100", "draft")]
        with city.expect_navigation():
            city.get_by_test_id("submit-report").click()
        assert status(city) == [("360100", "submitted")]
        rid = city.request.get(api).json()["reports"][0]["id"]
        assert city.request.get(api).json()["reports"][0]["figures"]["revenue_yuan"] == 195 * 100_000_000

        actx, prov = new_page(browser, server)
        sign_in(prov, server, "admin")
        prov.goto(url)
        assert prov.get_by_test_id(f"status-{rid}").get_attribute("data-value") == "submitted"
        prov.get_by_test_id(f"review-note-{rid}").fill("请补充省内配套率")
        with prov.expect_navigation():
            prov.get_by_test_id(f"return-{rid}").click()
        assert status(prov) == [("360100", "returned")]

        city.goto(url)
        assert "请补充省内配套率" in city.get_by_test_id("my-review-note").inner_text()
        city.get_by_test_id("progress-body").fill("第二稿：省内配套率数据暂缺。")
        with city.expect_navigation():
            city.get_by_test_id("save-draft").click()
        with city.expect_navigation():
            city.get_by_test_id("submit-report").click()
        prov.goto(url)
        with prov.expect_navigation():
            prov.get_by_test_id(f"approve-{rid}").click()
        assert status(prov) == [("360100", "approved")]
        assert prov.get_by_test_id(f"kept-figures-{rid}").get_attribute("data-value") != ""
        prov.screenshot(path=str(artifacts / "cluster-progress.png"), full_page=True)
        assert city.errors == [] and city.external == [] and prov.errors == [] and prov.external == []
        ctx.close()
        actx.close()
