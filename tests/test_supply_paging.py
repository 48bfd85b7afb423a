"""The supply network's lists on the server-side pager (#20): flows in and out by place, suppliers and
buyers by firm — ``{list}_limit`` / ``_offset`` / ``_sort`` / ``_q`` with ``{list}_page.total``, on the
page and its JSON twin, the Excel download whole, bad bounds a bilingual 400.

Dataset: tests/web_fixture.py plus four supply links of 2025 into and out of chain EI (E1, E5, E2):
suppliers E2 → E1 12 亿元 (the fixture's), E6 → E5 6, E4 → E1 4, E3 → E1 3; buyer E3 of E1 5 亿元.
"""

from __future__ import annotations

import io

import openpyxl
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

import handmade
import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app

LINKS = [(6, 5, 6.0), (4, 1, 4.0), (3, 1, 3.0), (1, 3, 5.0)]           # supplier, buyer, 亿元


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("supplypg") / "s.duckdb", tasks=False)
    with open_store(db) as store, store.begin() as conn:
        store.bulk_insert(conn, "supply_link", pa.table({
            "supplier_id": [s for s, _, _ in LINKS], "buyer_id": [b for _, b, _ in LINKS],
            "year": [2025] * len(LINKS), "amount": [a * handmade.YI for _, _, a in LINKS],
            "batch_id": [1] * len(LINKS), "revision": [1] * len(LINKS)}))
    return create_app(db, public_aggregates=True)


@pytest.fixture(scope="module")
def admin(app):
    c = TestClient(app)
    assert c.post("/api/login", json={"username": "admin", "password": W.password("admin")}).status_code == 200
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
