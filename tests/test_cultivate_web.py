"""Tier funnel and self-check routes (web/views/cultivate.py) on the hand-made web fixture.

Designations added: E1 (南昌, EI) innovative_sme 2024-07-01 → 2027-06-30; E2 (南昌, EI) srdi from
2025-01-01 (no end: 3 years); E3 (九江, NF) little_giant 2021-07-01 → 2024-06-30 (ended). Funnel on
2025-12-31 by city: 南昌 library E1, E2, E5, E6 = 4, innovative 1, srdi 1; 九江 library E3, E4 = 2, nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app
from cultivate_cases import WHATIF

D = dt.date


def build(path) -> str:
    """The web fixture with the three designations above."""
    from chainbrain.store import open_store

    db = W.build(path, tasks=False)
    with open_store(db) as store, store.begin() as conn:
        store.bulk_insert(conn, "designation", pa.table({
            "enterprise_id": [1, 2, 3], "kind": ["innovative_sme", "srdi", "little_giant"],
            "level": ["provincial", "provincial", "national"], "chain_code": pa.array([None] * 3, pa.string()),
            "valid_from": [D(2024, 7, 1), D(2025, 1, 1), D(2021, 7, 1)],
            "valid_to": pa.array([D(2027, 6, 30), None, D(2024, 6, 30)], pa.date32()),
            "batch_id": [1, 1, 1], "revision": [1, 1, 1]}))
    return db


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(build(tmp_path_factory.mktemp("cultivate-web") / "c.duckdb"), public_aggregates=True)


@contextlib.contextmanager
def client(app, name=None):
    c = TestClient(app)                 # no lifespan: the module's app (and its store) stays open
    try:
        if name:
            r = c.post("/api/login", json={"username": name, "password": W.password(name)})
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield c
    finally:
        c.close()


def test_funnel_json_by_city(app):
    with client(app) as c:
        r = c.get("/api/cultivate/funnel", params={"by": "city", "date": "2025-12-31"})
        assert r.status_code == 200, r.text
        rows = {x["key"]: x for x in r.json()["rows"]}
        nc, jj = rows["360100"], rows["360400"]
        assert (nc["library"], nc["innovative_sme"], nc["srdi"], nc["little_giant"]) == (4, 1, 1, 0)
        assert (jj["library"], jj["little_giant"]) == (2, 0)
        assert r.json()["total"]["library"] == 6
        for name in W.NAME.values():                         # counts only: no firm appears
            assert name not in r.text


def test_funnel_xlsx_and_page(app):
    import openpyxl

    with client(app) as c:
        r = c.get("/api/cultivate/funnel", params={"by": "city", "date": "2025-12-31", "format": "xlsx"})
        assert r.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
        assert [c.value for c in ws[2]][:3] == ["设区市", "库", "创新型中小企业"]
        page = c.get("/cultivate", params={"by": "city", "date": "2025-12-31"})
        assert page.status_code == 200 and 'data-testid="funnel-table"' in page.text


@pytest.mark.parametrize("params,msg", [({"by": "county"}, "分组"), ({"date": "2025-13-01"}, "日期"),
                                        ({"chain": "XX"}, "未知产业链"), ({"region": "999999"}, "未知地区"),
                                        ({"within_days": 0}, "到期窗口")])
def test_funnel_bad_params(app, params, msg):
    with client(app) as c:
        r = c.get("/api/cultivate/funnel", params=params)
        assert r.status_code == 400 and msg in r.json()["detail"]


def test_self_check(app):
    body = {k: v for k, v in WHATIF.items() if v != ""}
    with client(app) as anon:
        assert anon.post("/api/cultivate/check", json=body).status_code == 401
        assert anon.get("/cultivate/check").status_code == 401
    with client(app, "ent3") as c:
        r = c.post("/api/cultivate/check", json=body)
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["innovative_score"], out["innovative_qualifies"]) == (60, 0)
        assert out["innovative_whatif"].startswith("R&D +35 万元 (R&D ratio to 3%) → qualifies")
        del c.headers["X-CSRF-Token"]
        assert c.post("/api/cultivate/check", json=body).status_code == 403


@pytest.mark.parametrize("body,msg", [({"debt_ratio_pct": "abc"}, "field debt_ratio_pct: 'abc' is not a number (不是数字)"),
                                      ({"ip_class": "III"}, "field ip_class"), ({"colour": 1}, "field colour")])
def test_self_check_bad_input(app, body, msg):
    with client(app, "ent3") as c:
        r = c.post("/api/cultivate/check", json=body)
        assert r.status_code == 400 and msg in r.json()["detail"]


# on 2026-12-31 + 365 days (to 2027-12-31): E1's innovative (2027-06-30) and E2's srdi (2025-01-01 + 3 years
# → 2027-12-31) end; E3's little giant ended in 2024
@pytest.mark.parametrize("viewer,ids", [("admin", [1, 2]), ("ei_office", [1, 2]), ("dh_county", [1]),
                                        ("nc_city", [1, 2]), ("lx_county", []), ("ent3", []), ("viewer", [])])
def test_renewals_scope(app, viewer, ids):
    with client(app, viewer) as c:
        r = c.get("/api/cultivate/renewals", params={"date": "2026-12-31"})
        assert r.status_code == 200, r.text
        assert [x["enterprise_id"] for x in r.json()["rows"]] == ids
        for i, name in W.NAME.items():
            if i not in ids:
                assert name not in r.text
        page = c.get("/cultivate/renewals", params={"date": "2026-12-31"})
        assert page.status_code == 200 and page.text.count('data-key="') == len(ids)


def test_renewals_need_sign_in_and_good_params(app):
    with client(app) as c:
        assert c.get("/api/cultivate/renewals").status_code == 401
    with client(app, "admin") as c:
        r = c.get("/api/cultivate/renewals", params={"date": "2026-12-31", "format": "xlsx"})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        rows = c.get("/api/cultivate/renewals", params={"date": "2026-12-31"}).json()["rows"]
        assert [(x["ends_on"], x["end_basis"]) for x in rows] == [("2027-06-30", "stored"), ("2027-12-31", "validity")]
        second = c.get("/api/cultivate/renewals", params={"date": "2026-12-31", "limit": 1, "offset": 1}).json()
        assert second["rows"] == rows[1:] and second["page"]["total"] == 2 and second["page"]["prev"]   # paged (#20)
        assert c.get("/api/cultivate/renewals", params={"limit": 501}).status_code == 400
        assert c.get("/api/cultivate/renewals", params={"within_days": 0}).status_code == 400
