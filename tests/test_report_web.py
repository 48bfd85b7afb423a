"""The reports page, its JSON twin and the download, per viewer (hand-made data, period 2025-06).

A download is the report as the requesting viewer may see it: its figures are the ones
:func:`chainbrain.reports.gather.gather` gives for that viewer (:func:`~chainbrain.reports.viewer.for_user`,
the pages' pattern), never the operator's full view; no enterprise outside the viewer's scope
is named in it; bad parameters are a bilingual 400.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app

P = "2025-06"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("report-web") / "web.duckdb", tasks=False)
    return create_app(db, public_aggregates=True)


def client_for(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def test_listing_and_page(app):
    c = client_for(app, "viewer")
    body = c.get("/api/reports").json()
    assert body["period"] == P and body["formats"] == ["docx", "pdf", "xlsx"]
    kinds = [i["kind"] for i in body["items"]]
    assert kinds.count("province") == 1 and "chain" in kinds and "region" in kinds
    prov = body["items"][0]
    assert prov["links"]["pdf"] == f"/reports/monthly?period={P}&format=pdf"
    page = c.get("/reports")
    assert page.status_code == 200 and 'data-testid="reports-table"' in page.text
    assert 'data-testid="nav-reports"' in page.text


def _ei_revenue(content: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    sh = next(wb[n] for n in wb.sheetnames if wb[n]["A1"].value and "分产业链" in str(wb[n]["A1"].value))
    head = [c.value for c in sh[2]]
    row = next(r for r in sh.iter_rows(min_row=3, values_only=True) if r[0] == "电子信息")
    return row[head.index("营业收入（亿元）")], "\n".join(str(c.value) for c in wb["封面"]["A"])


@pytest.mark.parametrize("viewer,ei,label", [(None, "—", "公开视图"), ("viewer", "—", "按用户 viewer"),
                                             ("ei_office", 195.0, "按用户 ei_office"),
                                             ("admin", 195.0, "按用户 admin")])
def test_download_is_the_viewers_view(app, viewer, ei, label):
    c = client_for(app, viewer)
    r = c.get("/reports/monthly", params={"period": P, "format": "xlsx"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    value, cover = _ei_revenue(r.content)
    assert value == (pytest.approx(ei) if isinstance(ei, float) else ei)
    assert label in cover and "全量视图" not in cover


@pytest.mark.parametrize("viewer", ["lx_county", "ent3", "viewer"])
def test_docx_names_no_enterprise_outside_scope(app, viewer):
    c = client_for(app, viewer)
    r = c.get("/reports/monthly", params={"period": P, "format": "docx"})
    assert r.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(r.content)).read("word/document.xml").decode()
    for i in W.USCC:
        if i not in W.SEES[viewer]:
            assert W.NAME[i] not in xml and W.USCC[i] not in xml


@pytest.mark.parametrize("params,needle", [({"period": P}, "格式"), ({"period": P, "format": "txt"}, "格式"),
                                           ({"period": "2025-13", "format": "pdf"}, "月份"),
                                           ({"period": "2019-06", "format": "pdf"}, "没有"),
                                           ({"period": P, "chain": "XX", "format": "pdf"}, "未知产业链")])
def test_bad_parameters_400(app, params, needle):
    c = client_for(app, "viewer")
    r = c.get("/reports/monthly", params=params, headers={"accept": "application/json"})
    assert r.status_code == 400 and needle in r.text
    assert c.get("/api/reports", params={"period": "2019-06"}).status_code == 400


def test_private_deployment_needs_sign_in(tmp_path):
    db = W.build(tmp_path / "private.duckdb", tasks=False)
    with TestClient(create_app(db, public_aggregates=False)) as c:
        for path in ("/reports", "/api/reports", f"/reports/monthly?period={P}&format=pdf"):
            assert c.get(path).status_code == 401


def test_background_job_is_off_the_lock_and_its_owners(app):
    """A report job runs while another request holds the analytics lock; only its owner sees it."""
    import time

    st = app.state.web
    c, other, anon = client_for(app, "ei_office"), client_for(app, "viewer"), client_for(app, None)
    with st.lock:                                   # another user's computation holds the lock
        r = c.post("/api/reports/jobs", params={"period": P, "format": "xlsx"})
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["status"] in ("queued", "running", "done") and job["chain"] is None and job["period"] == P
        t0 = time.monotonic()
        while job["status"] not in ("done", "failed") and time.monotonic() - t0 < 120:
            time.sleep(0.2)
            job = c.get(f"/api/reports/jobs/{job['id']}").json()
        assert job["status"] == "done" and job["progress"] == 1.0, job
    assert other.get(f"/api/reports/jobs/{job['id']}").status_code == 404
    assert anon.get(job["file"]).status_code == 404
    f = c.get(job["file"])
    assert f.status_code == 200 and f.content[:2] == b"PK"
    value, cover = _ei_revenue(f.content)
    assert value == pytest.approx(195.0) and "按用户 ei_office" in cover
    # asked again: the cached file, done at once; the plain link gives the same bytes
    again = c.post("/api/reports/jobs", params={"period": P, "format": "xlsx"}).json()
    assert again["status"] == "done" and again["id"] != job["id"]
    assert c.get("/reports/monthly", params={"period": P, "format": "xlsx"}).content == f.content
    # bad input: bilingual 400; no CSRF token: 403
    bad = c.post("/api/reports/jobs", params={"period": P, "format": "odt"})
    assert bad.status_code == 400 and "格式应为" in bad.json()["detail"]
    nocsrf = TestClient(app).post("/api/reports/jobs", params={"period": P, "format": "xlsx"})
    assert nocsrf.status_code == 403
    # a period that cannot be: refused before any job is made (the parameter bounds, web/params.py)
    bad_period = c.post("/api/reports/jobs", params={"period": "2025-13", "format": "xlsx"})
    assert bad_period.status_code == 400
    assert bad_period.json()["detail"].endswith("2025-13: month must be 02–12 (月份应为02–12)")


def test_failed_scheduled_run_shows_on_the_page(app):
    """The administrator sees the schedules' runs, a failed one with its error, and downloads kept files."""
    from chainbrain.reports import schedule

    st = app.state.web
    with st.lock:
        schedule.add(st.store, "web-set", units="province", formats="xlsx")
        schedule.add(st.store, "web-as-gone", units="province", formats="xlsx", as_user="lx_county")
        import sqlalchemy as sa
        with st.store.begin() as conn:
            conn.execute(sa.text("UPDATE user_account SET disabled = TRUE WHERE username = 'lx_county'"))
        done = schedule.run_due(st.store)
        with st.store.begin() as conn:
            conn.execute(sa.text("UPDATE user_account SET disabled = FALSE WHERE username = 'lx_county'"))
    assert [(r["schedule"], r["status"]) for r in done] == [("web-set", "done"), ("web-as-gone", "failed")]
    admin = client_for(app, "admin")
    page = admin.get("/reports").text
    assert 'data-testid="report-runs"' in page and "web-as-gone" in page and "已停用" in page
    link = page.split('href="/reports/kept/')[1].split('"')[0]
    f = admin.get(f"/reports/kept/{link}")
    assert f.status_code == 200 and f.content[:2] == b"PK" and "全量视图" in _ei_revenue(f.content)[1]
    assert admin.get("/reports/kept/99999").status_code == 404
    viewer = client_for(app, "viewer")
    assert 'data-testid="report-runs"' not in viewer.get("/reports").text
    assert viewer.get(f"/reports/kept/{link}").status_code == 403
