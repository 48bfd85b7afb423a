"""Long lists on the server-side pager (#20): the supply network's lists (flows in and out by place,
suppliers and buyers by firm — ``{list}_limit`` / ``_offset`` / ``_sort`` / ``_q`` with
``{list}_page.total``, on the page and its JSON twin, the Excel download whole), the requests page
(was cut at 200) and the inbox (page and JSON; was cut at 200 with a wrong ``total``); bad bounds are
a bilingual 400.

Dataset: tests/web_fixture.py plus four supply links of 2025 into and out of chain EI (E1, E5, E2):
suppliers E2 → E1 12 亿元 (the fixture's), E6 → E5 6, E4 → E1 4, E3 → E1 3; buyer E3 of E1 5 亿元;
the fixture's two requests; three inbox notices for ``admin``.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pyarrow as pa
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import handmade
import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app
from chainbrain.work.inbox import notify

LINKS = [(6, 5, 6.0), (4, 1, 4.0), (3, 1, 3.0), (1, 3, 5.0)]           # supplier, buyer, 亿元


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("supplypg") / "s.duckdb", tasks=False)
    with open_store(db) as store, store.begin() as conn:
        store.bulk_insert(conn, "supply_link", pa.table({
            "supplier_id": [s for s, _, _ in LINKS], "buyer_id": [b for _, b, _ in LINKS],
            "year": [2025] * len(LINKS), "amount": [a * handmade.YI for _, _, a in LINKS],
            "batch_id": [1] * len(LINKS), "revision": [1] * len(LINKS)}))
        admin_id = conn.execute(sa.text("SELECT id FROM user_account WHERE username = 'admin'")).scalar()
        for n in (1, 2, 3):
            notify(conn, f"通知 {n}", user=admin_id)
    return create_app(db, public_aggregates=True)


@pytest.fixture(scope="module")
def admin(app):
    c = TestClient(app)
    r = c.post("/api/login", json={"username": "admin", "password": W.password("admin")})
    assert r.status_code == 200
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def names(rows):
    return [r["name"] for r in rows]


def test_supplier_and_buyer_lists_page_sort_and_filter_on_the_server(admin):
    api = "/api/maps/EI/supply"
    whole = admin.get(api).json()
    assert names(whole["suppliers"]) == [W.NAME[i] for i in (2, 6, 4, 3)]       # default: amount, largest first
    assert whole["suppliers_page"] == {"limit": 50, "offset": 0, "total": 4, "sort": "-amount_yuan", "q": ""}
    assert W.NAME[3] in names(whole["buyers"]) and whole["buyers_page"]["total"] == len(whole["buyers"])
    first = admin.get(api, params={"suppliers_limit": 2}).json()
    assert names(first["suppliers"]) == [W.NAME[2], W.NAME[6]] and first["suppliers_page"]["total"] == 4
    assert next(t for t in first["tables"] if t["id"] == "suppliers")["rows"] == first["suppliers"]
    last = admin.get(api, params={"suppliers_limit": 2, "suppliers_offset": 2}).json()
    assert names(last["suppliers"]) == [W.NAME[4], W.NAME[3]]
    assert names(admin.get(api, params={"suppliers_limit": 2, "suppliers_offset": 4}).json()["suppliers"]) == []
    asc = admin.get(api, params={"suppliers_sort": "amount_yuan", "suppliers_limit": 1}).json()
    assert names(asc["suppliers"]) == [W.NAME[3]]
    copper = admin.get(api, params={"suppliers_q": "铜"}).json()                  # E3 铜冶炼, E4 退出铜企
    assert names(copper["suppliers"]) == [W.NAME[4], W.NAME[3]] and copper["suppliers_page"]["total"] == 2
    flows = admin.get(api, params={"inflows_limit": 1}).json()
    assert len(flows["inflows"]) == 1 and flows["inflows_page"]["total"] == len(whole["inflows"]) > 1
    assert len(flows["outflows"]) == len(whole["outflows"])                       # the other lists: untouched
    xlsx = admin.get(api, params={"format": "xlsx", "table": "suppliers", "suppliers_limit": 1})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    shown = [r[0] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert shown == [W.NAME[i] for i in (2, 6, 4, 3)]                             # Excel: the whole list
    page = admin.get("/maps/EI/supply", params={"suppliers_limit": 2, "segment": "EI-D1"})
    assert page.status_code == 200 and 'data-testid="suppliers-next"' in page.text
    assert "第 1–2 条，共 4 条" in page.text                                        # EI-D1 (E1, E5) buys from all four
    assert "suppliers_offset=2" in page.text and "segment=EI-D1" in page.text    # the next page keeps the segment


@pytest.mark.parametrize("param,value", [("suppliers_limit", "0"), ("buyers_offset", "-1"), ("inflows_limit", "501"),
                                         ("outflows_sort", "revenue"), ("suppliers_limit", "x")])
def test_bad_bounds_are_a_bilingual_400(app, admin, param, value):
    for c in (admin, TestClient(app)):                  # also for who sees no firm lists
        r = c.get("/api/maps/EI/supply", params={param: value})
        assert r.status_code == 400, (param, value, r.text)
        detail = r.json()["detail"]
        assert param.split("_")[0] in detail and detail.endswith(")") and "（" not in detail[:5]
        assert c.get("/maps/EI/supply", params={param: value}).status_code == 400


def test_requests_and_inbox_are_paged(admin):
    first = admin.get("/requests", params={"limit": 1})
    assert first.status_code == 200 and "第 1–1 条，共 2 条" in first.text and 'data-testid="requests-next"' in first.text
    second = admin.get("/requests", params={"limit": 1, "offset": 1})
    ids = [re.findall(r'<tr data-key="(\d+)" data-status=', r.text) for r in (first, second)]
    assert len(ids[0]) == len(ids[1]) == 1 and ids[0] != ids[1]
    box = admin.get("/api/inbox", params={"limit": 2}).json()
    assert [m["text"] for m in box["items"]] == ["通知 3", "通知 2"] and box["total"] == 3       # newest first
    assert box["page"]["total"] == 3 and box["unread"] == 3
    assert [m["text"] for m in admin.get("/api/inbox", params={"limit": 2, "offset": 2}).json()["items"]] == ["通知 1"]
    page = admin.get("/inbox", params={"limit": 2})
    assert "第 1–2 条，共 3 条" in page.text and "offset=2" in page.text and "通知 1" not in page.text


@pytest.mark.parametrize("url,param,value", [("/requests", "offset", "-1"), ("/api/inbox", "limit", "0"),
                                             ("/inbox", "limit", "501"), ("/api/inbox", "offset", "x")])
def test_bad_bounds_of_the_work_lists_are_a_bilingual_400(admin, url, param, value):
    r = admin.get(url, params={param: value})
    assert r.status_code == 400
    if url.startswith("/api"):
        assert re.fullmatch(rf"[^(]*{param}[^(]* \([^)]*{param}[^)]*[\u4e00-\u9fff][^)]*\)", r.json()["detail"]), r.json()


def test_the_task_list_is_paged(admin):
    """The task list (page and twin) pages its items; ``total`` and the roll-ups stay whole."""
    for n in (1, 2, 3):
        r = admin.post("/api/tasks", json={"title": f"任务 {n}", "lead_unit": "P-FIN", "deadline": f"2026-0{n}-28"})
        assert r.status_code == 201, r.text
    whole = admin.get("/api/tasks").json()
    keys = [x["id"] for x in whole["items"]]
    assert len(keys) == 3 and whole["page"]["total"] == whole["total"] == 3
    one = admin.get("/api/tasks", params={"limit": 1, "offset": 1}).json()
    assert [x["id"] for x in one["items"]] == keys[1:2] and one["total"] == 3 and one["rollup"] == whole["rollup"]
    late = admin.get("/api/tasks", params={"sort": "-deadline", "limit": 1}).json()
    assert [x["title"] for x in late["items"]] == ["任务 3"]
    page = admin.get("/tasks", params={"limit": 1})
    assert page.status_code == 200 and 'data-testid="tasks-next"' in page.text and "第 1–1 条，共 3 条" in page.text
    assert admin.get("/api/tasks", params={"limit": "0"}).status_code == 400
