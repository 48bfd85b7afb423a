"""Issue #20: uploads authenticated and capped before their body is read, spreadsheet bombs refused,
import jobs kept in the store (listed, cancelled, expired, marked died after a restart), every
parameter bounded with a bilingual 400."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import re
import time
import zipfile

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.store.schema_imports import import_job
from chainbrain.web import create_app
from chainbrain.web import imports as J
from chainbrain.web.errors import bilingual
from chainbrain.web.limits import IMPORT, ORDINARY

SHAPE = re.compile(r"^(?=.*[A-Za-z]).*\S \([^()]*[\u4e00-\u9fff][^()]*\)$", re.S)
GIB = 1 << 30
HEAD = ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return W.build(tmp_path_factory.mktemp("limits") / "limits.duckdb")


@pytest.fixture(scope="module")
def app(db, tmp_path_factory):
    os.environ["CHAINBRAIN_IMPORT_DIR"] = str(tmp_path_factory.mktemp("imports"))
    yield create_app(db, public_aggregates=True)
    os.environ.pop("CHAINBRAIN_IMPORT_DIR", None)


@pytest.fixture(scope="module")
def admin(app):
    return login(app, "admin")


def login(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def _asgi(app, method, path, headers, chunks):
    """Call the app as a server would; returns (status, body, bytes the app pulled from the client)."""
    pulled, sent = [0], {}
    body_parts = list(chunks)

    async def receive():
        if not body_parts:
            await asyncio.sleep(0)
            return {"type": "http.disconnect"}
        part = body_parts.pop(0)
        pulled[0] += len(part)
        return {"type": "http.request", "body": part, "more_body": bool(body_parts)}

    async def send(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
        elif message["type"] == "http.response.body":
            sent["body"] = sent.get("body", b"") + message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "state": {}}
    asyncio.run(app(scope, receive, send))
    return sent["status"], sent.get("body", b""), pulled[0]


def _gib_chunks(n=8):
    """The first few MiB of a 1 GiB multipart body (the rest would never be asked for)."""
    return [b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n"] + \
        [b"0" * (1 << 20)] * n


def _detail(body: bytes) -> str:
    d = json.loads(body)["detail"]
    assert SHAPE.match(d), d
    return d


def test_anonymous_gib_upload_is_refused_before_its_body_is_read(app, admin):
    headers = {"content-type": "multipart/form-data; boundary=x", "content-length": str(GIB)}
    status, body, pulled = _asgi(app, "POST", "/api/imports", headers, _gib_chunks())
    assert status == 401 and pulled == 0
    assert "sign in" in _detail(body).lower()
    # a signed-in user who may not import: 403, also before the body
    viewer = login(app, "viewer")
    cookie = "; ".join(f"{k}={v}" for k, v in viewer.cookies.items())
    status, body, pulled = _asgi(app, "POST", "/api/imports", {**headers, "cookie": cookie}, _gib_chunks())
    assert status == 403 and pulled == 0
    # the administrator: 413 above 200 MiB, still without reading it
    cookie = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
    status, body, pulled = _asgi(app, "POST", "/api/imports", {**headers, "cookie": cookie}, _gib_chunks())
    assert status == 413 and pulled == 0 and "200 MiB" in _detail(body)


def test_ordinary_routes_cap_bodies_at_one_mib(app):
    big = {"content-type": "application/json", "content-length": str(ORDINARY + 1)}
    status, body, pulled = _asgi(app, "POST", "/api/login", big, [b"{" + b" " * ORDINARY + b"}"])
    assert status == 413 and pulled == 0 and "1 MiB" in _detail(body)
    # no Content-Length (chunked): counted as it streams, refused once past the cap
    chunks = [b'{"username": "' + b"a" * (256 << 10)] + [b"a" * (256 << 10)] * 15 + [b'"}']
    status, body, pulled = _asgi(app, "POST", "/api/login", {"content-type": "application/json"}, chunks)
    assert status == 413 and ORDINARY < pulled <= ORDINARY + (512 << 10)
    _detail(body)
    # under the cap the same route works
    assert TestClient(app).post("/api/login", json={"username": "admin", "password": "wrong"}).status_code == 401
    assert IMPORT == 200 << 20


def _csv_bytes(rows, encoding="utf-8") -> bytes:
    return "\n".join(",".join(r) for r in rows).encode(encoding)


def _upload(c, name, content, kind="enterprises"):
    r = c.post("/api/imports", files={"file": (name, content)}, data={"kind": kind})
    assert r.status_code == 200, r.text
    return r.json()


def test_utf16_and_binary_csv_end_invalid_with_one_message(app, admin):
    from chainbrain.catalog.uscc import make

    rows = [HEAD, [make("360102", 7101), "编码测试公司", "360102", "3985", "2010-03-01", "10", "铜箔"]]
    for name, content, what in (("utf16.csv", b"\xff\xfe" + _csv_bytes(rows, "utf-16-le"), "UTF-16"),
                                ("binary.csv", bytes(range(256)) * 64, "binary")):
        job = _upload(admin, name, content)
        assert job["status"] == "invalid" and job["errors"] == 1, job
        msg = job["issues"][0]["message_en"]
        assert msg.startswith(name) and what in msg and SHAPE.match(msg), msg
        assert admin.get(f"/api/imports/{job['id']}").json()["status"] == "invalid"


def _bomb(path, padding_mib=30):
    """A real workbook (one sheet) plus a member of zeros: ratio far above 100."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEAD)
    wb.close()
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (padding_mib << 20))
    return path


def test_workbook_bomb_refused_before_it_is_unpacked(app, tmp_path, admin):
    path = _bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 100 << 10
    t = time.perf_counter()
    job = _upload(admin, "季度报表.xlsx", path.read_bytes())
    assert time.perf_counter() - t < 5
    assert job["status"] == "invalid", job
    msg = job["issues"][0]["message_en"]
    assert msg.startswith("季度报表.xlsx: refused") and "compression ratio" in msg and SHAPE.match(msg), msg


def test_workbook_cell_limit_reads_dimension_and_counts_cells(tmp_path):
    from chainbrain.ingest.workbook_guard import WorkbookRefused, check_workbook

    def book(name, dimension, cells):
        p = tmp_path / name
        body = "".join(f'<row r="{i + 1}"><c r="A{i + 1}"><v>1</v></c></row>' for i in range(cells))
        sheet = (f'<?xml version="1.0"?><worksheet xmlns="x"><dimension ref="{dimension}"/>'
                 f"<sheetData>{body}</sheetData></worksheet>")
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
        return p

    # the dimension says 20 M cells: refused from the sheet's first bytes
    with pytest.raises(WorkbookRefused, match=r"more than 10,000,000 cells"):
        check_workbook(book("wide.xlsx", "A1:T1000000", 3), max_ratio=10**9)
    # the dimension lies (A1:A1): the cells are counted; the boundary is exact
    check_workbook(book("ok.xlsx", "A1:A1", 5000), max_cells=5000, max_ratio=10**9)
    with pytest.raises(WorkbookRefused, match="lying.xlsx"):
        check_workbook(book("lying.xlsx", "A1:A1", 5001), max_cells=5000, max_ratio=10**9)
    # the ratio boundary: exactly 100 passes, above is refused
    p = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.bin", b"x" * 1000)
    packed = zipfile.ZipFile(p).infolist()[0].compress_size
    check_workbook(p, max_ratio=1000 / packed)
    with pytest.raises(WorkbookRefused, match="compression ratio"):
        check_workbook(p, max_ratio=1000 / packed - 0.01)


def test_jobs_in_the_store_list_cancel_restart_expire(app, db, admin):
    from chainbrain.catalog.uscc import make

    rows = [HEAD, [make("360102", 7201), "任务测试公司", "360102", "3985", "2010-03-01", "10", "铜箔"]]
    a = _upload(admin, "a.csv", _csv_bytes(rows))
    b = _upload(admin, "b.csv", _csv_bytes(rows))
    assert a["status"] == b["status"] == "valid", a
    listed = admin.get("/api/imports", params={"limit": 500}).json()
    assert {a["id"], b["id"]} <= {j["id"] for j in listed["jobs"]} and listed["total"] >= 2
    st = app.state.web
    path_a = st.jobs.get(a["id"]).path
    assert path_a.exists()
    # cancel: the upload is deleted, the job says so, a second cancel is a 409
    r = admin.post(f"/api/imports/{a['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and not path_a.exists()
    assert admin.post(f"/api/imports/{a['id']}/cancel").status_code == 409
    assert admin.post(f"/api/imports/{a['id']}/confirm").status_code == 409
    # a server process died while importing b: the next start marks it died and deletes its file
    path_b = st.jobs.get(b["id"]).path
    st.jobs.live.pop(b["id"], None)
    with st.store.begin() as conn:
        conn.execute(import_job.update().where(import_job.c.id == b["id"]).values(
            status="importing", owner=f"{J.socket.gethostname()}:{2**22 + 12345}"))
    app2 = create_app(db, public_aggregates=True)
    job = login(app2, "admin").get(f"/api/imports/{b['id']}").json()
    assert job["status"] == "died" and "server stopped" in job["message"] and SHAPE.match(job["message"])
    assert not path_b.exists()
    # a job not confirmed within the TTL expires (files deleted) when the jobs are next listed
    c = _upload(admin, "c.csv", _csv_bytes(rows))
    path_c = st.jobs.get(c["id"]).path
    st.jobs.live.pop(c["id"], None)
    with st.store.begin() as conn:
        conn.execute(import_job.update().where(import_job.c.id == c["id"]).values(
            updated_at=dt.datetime.now() - J.TTL - dt.timedelta(minutes=1)))
    admin.get("/api/imports")
    assert admin.get(f"/api/imports/{c['id']}").json()["status"] == "expired" and not path_c.exists()
    assert admin.get("/api/imports/not-a-job-id").status_code == 400


def test_cancelled_import_writes_nothing(app, admin):
    from chainbrain.catalog.uscc import make

    rows = [HEAD, [make("360102", 7301), "取消测试公司", "360102", "3985", "2010-03-01", "10", "铜箔"]]
    job = _upload(admin, "d.csv", _csv_bytes(rows))
    st = app.state.web
    live = st.jobs.get(job["id"])
    live.cancel.set()                                   # cancelled before its first step
    J.run_import(live, st.store, st.lock, False, lambda j: None, st.jobs).join(30)
    after = admin.get(f"/api/imports/{job['id']}").json()
    assert after["status"] == "cancelled" and "nothing was written" in after["message"]
    with st.store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM enterprise WHERE name = '取消测试公司'")).scalar() == 0


@pytest.mark.parametrize("url,params,words", [
    ("/api/cockpit", {"period": "9999-12"}, "1949–2100"),
    ("/api/kpi", {"period": "0000"}, "1949–2100"),
    ("/api/focus/360100", {"year": "-1"}, "year"),
    ("/api/focus/360100", {"year": str(10**20)}, "year"),
    ("/api/regions/360100", {"format": "xlsx", "table": "😀"}, "table"),
    ("/api/regions/360100", {"format": "xlsx", "table": "chains\nx"}, "line breaks"),
    ("/regions/360100", {"period": "9999-12"}, "1949–2100"),
])
def test_parameters_out_of_bounds_are_a_bilingual_400(admin, url, params, words):
    r = admin.get(url, params=params)
    assert r.status_code == 400, r.text[:300]
    if url.startswith("/api"):
        assert words in _detail(r.content)
    else:
        assert words in r.text


def test_bounds_hold_at_their_edges(app, admin):
    assert admin.get("/api/clusters", params={"year": "2100"}).status_code == 200
    assert admin.get("/api/clusters", params={"year": "2101"}).status_code == 400
    assert admin.get("/api/kpi", params={"period": "1949"}).status_code == 200
    assert admin.get("/api/kpi", params={"period": "1948"}).status_code == 400
    # a non-ASCII CSRF token is a wrong token (403), not a crash
    no_header = TestClient(app, raise_server_exceptions=False)
    no_header.cookies = admin.cookies
    r = no_header.post("/api/imports/0123456789abcdef/confirm", data={"csrf_token": "ü€"})
    assert r.status_code == 403 and _detail(r.content)
    # FastAPI's own validation errors are 400 in the same shape
    r = admin.get("/api/imports", params={"limit": "many"})
    assert r.status_code == 400 and "limit" in _detail(r.content)


def test_bilingual_shapes_every_message():
    assert bilingual("year must be 2000–2100 (年份须为 2000–2100): -5") == "year must be 2000–2100: -5 (年份须为 2000–2100)"
    assert bilingual("There was an error parsing the body") == "The request body could not be parsed (请求内容无法解析)"
    assert bilingual("Not found (未找到)") == "Not found (未找到)"
    assert SHAPE.match(bilingual("something odd", 409))
    assert SHAPE.match(bilingual("x" * 5000 + " (中文): " + "y" * 5000)) and len(bilingual("z" * 5000)) < 200


def test_jobs_table_on_both_engines(store_any, tmp_path, monkeypatch):
    """The job rows round-trip on DuckDB and PostgreSQL; recover() marks a dead process's job died."""
    monkeypatch.setenv("CHAINBRAIN_IMPORT_DIR", str(tmp_path / "jobs"))
    jobs = J.Jobs(store_any)
    job = jobs.create("enterprises", "上传/甲.csv", b"a,b\n1,2\n", None, "admin")
    job.status, job.issues, job.result = "valid", [{"row": 2, "message_en": "x"}], {"new": 1}
    jobs.save(job)
    jobs.live.clear()
    back = jobs.get(job.id)
    assert (back.filename, back.status, back.issues, back.result) == ("甲.csv", "valid", job.issues, {"new": 1})
    assert [j["id"] for j in jobs.list()[0]] == [job.id]
    with store_any.begin() as conn:
        conn.execute(import_job.update().values(status="validating", owner=f"{J.socket.gethostname()}:{2**22 + 7}"))
    assert jobs.recover() == [job.id]
    died = jobs.get(job.id)
    assert died.status == "died" and died.path is None and not back.path.exists()


def test_server_errors_the_fuzz_found_are_400s(admin):
    """Each case was a 500 found by benchmarks/fuzz_api.py."""
    r = admin.post("/api/tasks/²/notices", json={"text": "x"})                  # int("²")
    assert r.status_code == 400 and "task_id" in _detail(r.content)
    r = admin.post("/api/organisation/interactions",                            # NOT NULL chain_code
                   json={"kind": "visit", "held_on": "2025-01-01", "leader": "x", "summary": "y"})
    assert r.status_code == 400 and "chain_code" in _detail(r.content)
    r = admin.post("/api/organisation/interactions", json={"kind": "visit", "held_on": "2025-01-01", "leader": "x",
                                                           "summary": "y", "chain_code": "EI", "task_id": "abc"})
    assert r.status_code == 400 and "task_id" in _detail(r.content)
