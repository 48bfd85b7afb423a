"""Long lists paged, sorted and filtered on the server (issue #20; web/paging.py): the region page's
enterprise table and the profile's supply links, on the page and the JSON twin, Excel whole."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app
from chainbrain.web.model import BadRequest
from chainbrain.web.paging import Paging


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = W.build(tmp_path_factory.mktemp("paging") / "paging.duckdb", tasks=False)
    with open_store(db) as store, store.begin() as conn:         # E1 buys from E2..E6 over 2023–2025: 1 + 12 links
        conn.execute(sa.text("INSERT INTO supply_link (supplier_id, buyer_id, year, amount, batch_id) "
                             "SELECT s.i, 1, y.y, s.i * 1000000 + y.y, 1 FROM (VALUES (3), (4), (5), (6)) s(i), "
                             "(VALUES (2023), (2024), (2025)) y(y)"))
    return create_app(db, public_aggregates=True)


def login(app, name):
    c = TestClient(app)
    r = c.post("/api/login", json={"username": name, "password": W.password(name)})
    assert r.status_code == 200, r.text
    return c


def test_paging_helper_bounds_and_order():
    rows = [{"n": 3, "s": "b"}, {"n": None, "s": "a"}, {"n": 1, "s": "c"}, {"n": 2, "s": "ab"}]
    pg = Paging.from_query({"limit": "2", "sort": "-n"}, sorts=("n",))
    page, meta = pg.apply(rows, ("s",))
    assert [r["n"] for r in page] == [3, 2] and meta == {"limit": 2, "offset": 0, "total": 4, "sort": "-n", "q": ""}
    page, meta = Paging.from_query({"offset": "2", "sort": "n"}, sorts=("n",)).apply(rows, ("s",))
    assert [r["n"] for r in page] == [3, None]                    # empty values last, ascending too
    assert Paging.from_query({"q": "A"}).apply(rows, ("s",))[1]["total"] == 2
    for bad in ({"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"limit": "x"}, {"sort": "nope"}):
        with pytest.raises(BadRequest, match=r"\(.*[\u4e00-\u9fff]"):
            Paging.from_query(bad, sorts=("n",))
    assert Paging.from_query({"limit": "500"}).limit == 500


def test_profile_supply_links_paged_sorted_filtered(app):
    admin = login(app, "admin")
    url = f"/api/enterprises/{W.USCC[1]}"
    d = admin.get(url, params={"partners_limit": 5}).json()
    assert d["partners_page"]["total"] == 13 and len(d["partners"]) == 5 and d["partners_page"]["next"]
    assert [p["year"] for p in d["partners"]] == sorted((p["year"] for p in d["partners"]), reverse=True)
    seen, nxt = [], url + "?partners_limit=5"
    while nxt:
        page = admin.get(nxt).json()
        seen += [(p["name"], p["year"], p["direction"]) for p in page["partners"]]
        nxt = page["partners_page"]["next"]                       # the twin's links stay on the twin
    assert len(seen) == len(set(seen)) == 13                      # every link once across the pages
    d = admin.get(url, params={"partners_sort": "-amount", "partners_q": W.NAME[4]}).json()
    assert d["partners_page"]["total"] == 3 and {p["name"] for p in d["partners"]} == {W.NAME[4]}
    assert [p["amount"] for p in d["partners"]] == sorted((p["amount"] for p in d["partners"]), reverse=True)
    assert admin.get(url, params={"partners_limit": 9999}).status_code == 400
    xlsx = admin.get(url, params={"format": "xlsx", "table": "partners", "partners_limit": 1})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sum(1 for r in ws.iter_rows(values_only=True) if any(W.NAME[i] in str(r) for i in (2, 3, 4, 5, 6))) == 13
    html = admin.get(f"/enterprises/{W.USCC[1]}", params={"partners_limit": 5, "partners_offset": 10}).text
    assert 'data-testid="partners-prev"' in html and 'data-testid="partners-next"' not in html
    assert "第 11–13 条，共 13 条" in html


def test_region_enterprises_paged_and_excel_whole(app):
    admin = login(app, "admin")
    d = admin.get("/api/regions/360100", params={"period": "2025-06", "ents_limit": 2}).json()
    e = d["enterprises"]
    assert e["page"]["total"] == 4 and len(e["rows"]) == 2 and e["page"]["next"] and e["more"] == 2
    d2 = admin.get("/api/regions/360100", params={"period": "2025-06", "ents_limit": 2, "ents_offset": 2}).json()
    names = [r["name"] for r in e["rows"] + d2["enterprises"]["rows"]]
    assert len(set(names)) == 4 and not d2["enterprises"]["page"]["next"]
    by_name = admin.get("/api/regions/360100", params={"period": "2025-06", "ents_sort": "name"}).json()
    assert [r["name"] for r in by_name["enterprises"]["rows"]] == sorted(names)
    assert admin.get("/api/regions/360100", params={"ents_sort": "nope"}).status_code == 400
    xlsx = admin.get("/api/regions/360100", params={"period": "2025-06", "format": "xlsx", "table": "enterprises",
                                                    "ents_limit": 1})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sum(1 for r in ws.iter_rows(values_only=True) if any(n in str(r) for n in names)) == 4
    page = admin.get("/regions/360100", params={"period": "2025-06", "ents_limit": 2}).text
    assert 'data-testid="ents-next"' in page and "ents_offset=2" in page
