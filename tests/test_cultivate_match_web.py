"""/cultivate/match (融通) and its JSON twin, needs and outcomes entered on the page, on the web fixture.

The store of test_cultivate_match.py (hand-worked there: N1 E1 buys EI-M1 "电路板" → E2, 7 points,
existing supplier; N2 E1 buys NF-M1 "铜 箔" preferring 九江 → E3, 9 points). Here the needs are
stored (``match_need``): N1 imported from the needs CSV, N2 entered on the page by the EI chain office.
Who sees what (web_fixture.SEES): a need when its buyer is visible, a supplier when it is visible
too, otherwise counted in ``hidden``.
"""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app
from test_cultivate_match import NEEDS, _build

DAY = "2025-12-31"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from chainbrain.work.match_needs import import_csv

    tmp = tmp_path_factory.mktemp("match-web")
    db = _build(tmp / "w.duckdb")
    f = tmp / "needs.csv"
    NEEDS.iloc[:1].to_csv(f, index=False)
    with open_store(db) as s:
        assert import_csv(s, f, "test") == 1
    return create_app(db, public_aggregates=True)


def _client(app, name=None):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def _shown(c):
    r = c.get("/api/cultivate/match", params={"date": DAY})
    assert r.status_code == 200, r.text
    j = r.json()
    return ({n["need_id"]: (n["proposals"], n["hidden"]) for n in j["needs"]},
            [(x["need_id"], x["supplier_id"], x["points"], x["existing"]) for x in j["rows"]], j)


def test_enter_need_match_and_scope(app):
    office, ent3, lx = _client(app, "ei_office"), _client(app, "ent3"), _client(app, "lx_county")
    body = {"need_id": "N2", "buyer_uscc": W.USCC[1], "segment_code": "NF-M1", "product": "铜 箔", "city": "360400"}
    assert office.post("/api/cultivate/match/needs", json=body).status_code == 403     # NF is not the office's chain
    admin = _client(app, "admin")
    for bad, msg in (({"segment_code": "XX-1"}, "未知环节"), ({"city": "360402"}, "不是设区市"),
                     ({"buyer_uscc": "9" * 18}, "不在企业库")):
        r = admin.post("/api/cultivate/match/needs", json={**body, **bad})
        assert r.status_code == 400 and msg in r.json()["detail"], r.text
    assert ent3.post("/api/cultivate/match/needs", json=body).status_code == 403       # E3 is no chain master
    r = admin.post("/api/cultivate/match/needs", json=body)
    assert r.status_code == 201 and r.json()["chain_code"] == "NF", r.text
    assert admin.post("/api/cultivate/match/needs", json=body).status_code == 400      # N2 exists
    needs, rows, j = _shown(admin)
    assert needs == {"N1": (1, 0), "N2": (1, 0)} and rows == [("N1", 2, 7, True), ("N2", 3, 9, False)]
    assert {(c["chain_code"], c["needs"], c["proposals"], c["existing"]) for c in j["counts"]} == \
        {("EI", 1, 1, 1), ("NF", 1, 1, 0)}
    needs, rows, _ = _shown(office)                       # sees E1, E2; E3 counted, not named
    assert needs == {"N1": (1, 0), "N2": (1, 1)} and rows == [("N1", 2, 7, True)]
    needs, rows, j = _shown(lx)                           # the buyer E1 is outside 濂溪: nothing
    assert needs == {} and rows == [] and j["counts"] == []
    for c in (office, lx):
        page = c.get("/cultivate/match", params={"date": DAY}).text
        assert W.NAME[3] not in page and W.USCC[3] not in page
    # an outcome: the office may record one for N1 with E2 (both in its scope), not with E3
    ev = {"need_id": "N1", "supplier_uscc": W.USCC[2], "stage": "trial_order", "date": "2026-01-10"}
    assert office.post("/api/cultivate/match/events", json={**ev, "supplier_uscc": W.USCC[3]}).status_code == 400
    assert office.post("/api/cultivate/match/events", json={**ev, "stage": "won"}).status_code == 400
    assert lx.post("/api/cultivate/match/events", json=ev).status_code == 404
    r = office.post("/api/cultivate/match/events", json=ev)
    assert r.status_code == 201, r.text
    _, _, j = _shown(office)
    assert j["rows"][0]["stage"] == "trial_order"
    ei = next(c for c in j["counts"] if c["chain_code"] == "EI")
    assert (ei["pairs"], ei["trial_order"]) == (1, 1)
    x = office.get("/api/cultivate/match", params={"date": DAY, "format": "xlsx"})
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    text = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert W.NAME[2] in text and W.NAME[3] not in text
    assert _client(app).get("/api/cultivate/match").status_code == 401


def test_cli_import_needs_and_match_stored(tmp_path):
    import json

    from typer.testing import CliRunner

    from chainbrain.cli import app as cli

    db = _build(tmp_path / "c.duckdb")
    run = lambda *a: CliRunner().invoke(cli, ["cultivate", *a, "--db", db])  # noqa: E731
    f = tmp_path / "needs.csv"
    NEEDS.assign(segment_code=["EI-M1", "XX-9"]).to_csv(f, index=False)
    res = run("import-needs", str(f))
    assert res.exit_code == 2 and "row 3, field segment_code" in res.output, res.output
    assert json.loads(run("match", "--date", DAY).output)["rows"] == []       # all or nothing: none kept
    NEEDS.to_csv(f, index=False)
    res = run("import-needs", str(f))
    assert res.exit_code == 0 and "2 needs" in res.output, res.output
    rows = json.loads(run("match", "--date", DAY).output)["rows"]
    assert [(r["need_id"], r["supplier_id"], r["points"]) for r in rows] == [("N1", 2, 7), ("N2", 3, 9)]


def test_migration_0026_up_down_up_and_needs(db_any, tmp_path):
    """match_need on both engines: the migration goes down and up, and stored needs read back the same."""
    import sqlalchemy as sa
    from alembic import command

    from chainbrain.store.migrate import alembic_config, upgrade
    from chainbrain.work.match_needs import import_csv, needs

    has = sa.text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                  "AND table_name = 'match_need'")
    db = W.build(db_any, tasks=False)
    with open_store(db) as s:
        command.downgrade(alembic_config(s), "0020_report_schedule")
        with s.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(s)
        with s.engine.connect() as conn:
            assert conn.execute(has).scalar() == 1
    f = tmp_path / "n.csv"
    NEEDS.to_csv(f, index=False)
    with open_store(db) as s:
        assert import_csv(s, f, "test") == 2
        assert import_csv(s, f, "test") == 2                              # replaced, not doubled
        got = needs(s)
    assert list(got["need_id"]) == ["N1", "N2"] and list(got["chain_code"]) == ["EI", "NF"]
    assert list(got["city"]) == ["", "360400"] and list(got["buyer_id"].astype(int)) == [1, 1]


def test_forms_only_for_those_who_may_enter(app):
    for who, shown in (("admin", True), ("ei_office", True), ("ent3", False), ("dh_county", False)):
        page = _client(app, who).get("/cultivate/match", params={"date": DAY}).text
        assert ('data-testid="need-form"' in page) is shown, who
