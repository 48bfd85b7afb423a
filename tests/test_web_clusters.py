"""The cluster pages' JSON twins (web/views/clusters.py) on the hand-made web fixture, per viewer.

2025-06 (tests/handmade.py): CL-EI = E1, E2, E5 (南昌; 195 亿), CL-CU = E3 (九江; 200 亿, one firm).
Anonymous: CL-CU's revenue withheld, CL-EI's shown; lx_county (sees E3, E4) sees CL-CU's; admin sees all.
"""

from __future__ import annotations

import contextlib

import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app

YI = 100_000_000


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return W.build(tmp_path_factory.mktemp("clusters-web") / "c.duckdb", tasks=False)


@pytest.fixture(scope="module")
def app(db):
    return create_app(db, public_aggregates=True)


@contextlib.contextmanager
def client(app, name=None):
    c = TestClient(app)
    try:
        if name:
            r = c.post("/api/login", json={"username": name, "password": W.password(name)})
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield c
    finally:
        c.close()


def _row(d, code):
    return next(c for c in d["clusters"] if c["code"] == code)


@pytest.mark.parametrize("viewer, cu_shown", [(None, False), ("lx_county", True), ("admin", True),
                                              ("dh_county", False)])
def test_overview_per_viewer(app, viewer, cu_shown):
    with client(app, viewer) as c:
        r = c.get("/api/clusters", params={"year": "2025"})
        assert r.status_code == 200, r.text
        d = r.json()
    assert d["period"] == "2025-06" and d["partial_year"] is True
    assert len(d["clusters"]) == 16 and [x["program"] for x in d["clusters"][:6]] == ["1269"] * 6
    assert _row(d, "CL-EI")["revenue_yuan"] == 195 * YI and _row(d, "CL-EI")["member_firms"] == 3
    cu = _row(d, "CL-CU")
    assert (cu["revenue_yuan"] == 200 * YI) if cu_shown else (cu["revenue_yuan"] is None
                                                               and "revenue_yuan" in cu["suppressed"])
    assert _row(d, "CL-AV")["revenue_yuan"] is None and _row(d, "CL-AV")["suppressed"] == []   # no data
    # growth against +10 %: CL-EI 165/150 − 1 = 10 % exactly is not below; withheld growth gives no flag
    assert _row(d, "CL-EI")["below_target_growth"] is (None if viewer in (None, "lx_county", "dh_county") else False)
    assert _row(d, "CL-AV")["below_target_growth"] is None
    items = {x["code"]: x for x in d["targets"]["items"]}
    assert items["provincial_clusters"]["value"] == 10 and items["clusters_over_1000yi"]["target"] == 10


def test_cluster_detail_and_errors(app):
    with client(app) as c:
        d = c.get("/api/clusters/CL-EI", params={"year": "2025"}).json()
        assert [x["code"] for x in d["scorecard"]["dimensions"]] == [
            "innovation", "manufacturing", "enterprises", "ecology", "governance"]
        # revenue: 3 firms, shown; comparable growth: 2 firms (E1, E2) → withheld from the anonymous viewer
        assert d["monitoring"]["revenue"] == 195 * YI and d["monitoring"]["revenue_yoy"] is None
        assert "revenue_yoy" in d["monitoring"]["suppressed"]
        grow = [x for dim in d["scorecard"]["dimensions"] for x in dim["indicators"] if x["code"] == "revenue_growth"]
        assert grow[0]["value"] is None and grow[0]["suppressed"]
        stars = {s["location"]: s for s in d["stars"]}
        assert stars["360100"]["stars"] == 2 and stars["360100"]["location_name"] == "南昌市"
        cu = c.get("/api/clusters/CL-CU", params={"year": "2025"}).json()
        assert cu["monitoring"]["revenue"] is None and "revenue" in cu["monitoring"]["suppressed"]
        assert cu["monitoring"]["above_scale_count"] == 1                # a count stays
        r = c.get("/api/clusters/CL-NOPE")
        assert r.status_code == 404 and "未知集群代码" in r.json()["detail"]
        r = c.get("/api/clusters", params={"year": "abc"})
        assert r.status_code == 400 and "年份" in r.json()["detail"]
        assert c.get("/clusters/CL-NOPE").status_code == 404
    with client(app, "nc_city") as c:                                   # 南昌 sees E1, E2, E5: the growth too
        d = c.get("/api/clusters/CL-EI", params={"year": "2025"}).json()
        assert d["monitoring"]["revenue_yoy"] == pytest.approx(0.10)
        page = c.get("/clusters", params={"year": "2025"})
        assert page.status_code == 200 and 'data-testid="clusters-table"' in page.text
        assert "无数据" in page.text                                      # CL-AV: no data, not 0


def test_cluster_alerts_and_progress_document(app):
    """Cluster alerts from the disclosed figures (anonymous: CL-EI's score as shown), on the pages; the
    progress report as Word/PDF for the province and the drafting city only."""
    import io

    import docx

    with client(app) as c:
        anon = c.get("/api/clusters", params={"year": "2025"}).json()
        row = _row(anon, "CL-EI")
        (a,) = [x for x in anon["alerts"] if x["subject"] == "CL-EI"]
        assert a["rule"] == "cluster_score_below" and a["figures"][0]["score"] == row["score"]
        one = c.get("/api/clusters/CL-EI", params={"year": "2025"}).json()
        assert [x["subject"] for x in one["alerts"]] == ["CL-EI"]
        page = c.get("/clusters", params={"year": "2025"}).text
        assert 'data-testid="cluster-alerts"' in page and 'href="/clusters/CL-EI' in page
        assert c.get("/clusters/CL-EI/progress/document", params={"year": "2025"}).status_code == 401
    with client(app, "nc_city") as c:
        r = c.post("/api/clusters/CL-EI/progress", json={"year": 2025, "body": "南昌市推进电子信息集群建设情况（测试）"})
        assert r.status_code == 200, r.text
        r = c.get("/clusters/CL-EI/progress/document", params={"year": "2025"})
        assert r.status_code == 200 and "wordprocessingml" in r.headers["content-type"]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
        assert "南昌市推进电子信息集群建设情况（测试）" in text and "草稿" in text and "195.00亿元" in text
        assert c.get("/clusters/CL-EI/progress/document", params={"year": "2025", "format": "odt"}).status_code == 400
    with client(app, "admin") as c:
        r = c.get("/clusters/CL-EI/progress/document", params={"year": "2025", "format": "pdf"})
        assert r.status_code == 200 and r.content[:4] == b"%PDF"
    with client(app, "ei_office") as c:
        assert c.get("/clusters/CL-EI/progress/document", params={"year": "2025"}).status_code == 404


def test_cli_alerts_and_report(app, db, tmp_path):
    """The operator's view on the same store: CL-EI growth 10 % exactly and CL-CU 11.1 % → no growth
    alert; both scored clusters are below 60. The progress report as Word (PDF: above)."""
    import json

    import docx
    from typer.testing import CliRunner

    from chainbrain.cli import app as cli

    run = lambda *a: CliRunner().invoke(cli, ["clusters", *a, "--db", db])  # noqa: E731
    res = run("alerts", "--year", "2025")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {(a["subject"], a["rule"]) for a in out["alerts"]} == {("CL-EI", "cluster_score_below"),
                                                                  ("CL-CU", "cluster_score_below")}
    assert out["alert_rule"]["version"] == "2026.12.2"
    res = run("report", "CL-EI", "--year", "2025", "--out", str(tmp_path / "r.docx"))
    assert res.exit_code == 0, res.output
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    assert "2025年度发展进展报告" in text and "195.00亿元" in text and "评分低于60" in text
    res = run("report", "CL-EI", "--format", "odt", "--out", str(tmp_path / "r.odt"))
    assert res.exit_code == 2 and "docx 或 pdf" in res.output
