"""A key project names the 招商 lead it came from (``work_project.lead_id``), on DuckDB and
PostgreSQL: set on creation and changed later (version check, audit), refusals (unknown lead,
another chain's lead, a lead the caller may not see), scope of reading (who sees the link), the
lead's side (the projects that came from it), and the JSON routes and pages.

Fixture: web_fixture with its work items — key project #1 (EI, 南昌东湖 360102) by the EI chain
office — plus ``add_leads``: lead EI and lead NF on an out-of-province firm.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.store import open_store
from chainbrain.web import create_app
from chainbrain.web.users import _row_user, lookup
from chainbrain.work import attract_leads as L
from chainbrain.work import records
from chainbrain.work.project_leads import set_lead
from chainbrain.work.projects import create_project, get_project, list_projects

DAY = dt.date(2026, 10, 8)


@pytest.fixture
def world(db_any):
    W.build(db_any)
    store = open_store(db_any)
    ei, nf = W.add_leads(store)
    u = {n: _row_user(lookup(store, n)) for n in W.USERS}
    yield store, u, ei, nf
    store.close()


def test_set_change_clear_with_version_and_audit(world):
    store, u, ei, nf = world
    with store.begin() as conn:
        assert set_lead(conn, u["ei_office"], 1, 1, ei) == 2
    with store.begin() as conn, pytest.raises(records.Conflict):
        set_lead(conn, u["admin"], 1, 1, None)                          # stale: read at version 1
    assert get_project(store, u["admin"], 1)["lead"]["id"] == ei
    with store.begin() as conn:
        assert set_lead(conn, u["admin"], 1, 2, None) == 3
        assert set_lead(conn, u["admin"], 1, 3, str(ei)) == 4           # a form sends text
    with store.engine.connect() as conn:
        trail = [(e["action"], e["before"], e["after"]) for e in records.history(conn, "work_project", 1)
                 if e["action"] == "lead"]
    assert trail == [("lead", {"lead_id": None, "version": 1}, {"lead_id": ei, "version": 2}),
                     ("lead", {"lead_id": ei, "version": 2}, {"lead_id": None, "version": 3}),
                     ("lead", {"lead_id": None, "version": 3}, {"lead_id": ei, "version": 4})]


@pytest.mark.parametrize("who,lead,message", [
    ("admin", "nf", "lead_id: lead {nf} is of chain NF, the project of chain EI"),
    ("ei_office", "nf", "lead_id: no attraction lead {nf} you may see"),    # another chain's office's lead
    ("ei_office", 99999, "lead_id: no attraction lead 99999 you may see"),
    ("ei_office", "x7", "lead_id: 'x7' is not a lead number"),
    ("dh_county", "ei", "lead_id: no attraction lead {ei} you may see"),   # manages the project, not leads
])
def test_refusals_name_the_field(world, who, lead, message):
    store, u, ei, nf = world
    value = {"ei": ei, "nf": nf}.get(lead, lead)
    with store.begin() as conn, pytest.raises(records.Invalid) as err:
        set_lead(conn, u[who], 1, 1, value)
    assert str(err.value).startswith(message.format(ei=ei, nf=nf)) and str(err.value).endswith(")")
    assert get_project(store, u["admin"], 1)["version"] == 1              # nothing written


def test_create_with_lead_and_refusal_leaves_nothing(world):
    store, u, ei, nf = world
    base = {"name": "新型显示模组", "region_code": "360102", "investor": "广东链外示例科技有限公司", "amount": "500000000"}
    with store.begin() as conn:
        pid = create_project(conn, u["ei_office"], {**base, "lead_id": ei}, DAY)
    with pytest.raises(records.Invalid, match="lead_id: lead .* is of chain NF"), store.begin() as conn:
        create_project(conn, u["admin"], {**base, "name": "另一项目", "chain_code": "EI", "lead_id": nf}, DAY)
    names = [p["name"] for p in list_projects(store, u["admin"], 2026, 10)["items"]]
    assert names == ["智能终端产业园二期", "新型显示模组"]
    assert get_project(store, u["ei_office"], pid)["lead"]["link"] == f"/attract/EI/targets#lead-{ei}"


def test_who_sees_the_link_and_the_lead_side(world):
    store, u, ei, nf = world
    with store.begin() as conn:
        set_lead(conn, u["ei_office"], 1, 1, ei)
    seen = {n: get_project(store, u[n], 1)["lead_id"] for n in ("admin", "ei_office", "nc_city", "dh_county", "viewer")}
    assert seen == {"admin": ei, "ei_office": ei, "nc_city": None, "dh_county": None, "viewer": None}
    assert get_project(store, u["viewer"], 1)["lead"] is None
    items = {n: list_projects(store, u[n], 2026, 10)["items"][0]["lead_id"] for n in ("admin", "dh_county", "viewer")}
    assert items == {"admin": ei, "dh_county": None, "viewer": None}
    assert get_project(store, u["ei_office"], 1)["lead_options"] == [{"id": ei, "name": W.OUTSIDE_NAME,
                                                                       "status_label": "线索"}]
    assert get_project(store, u["dh_county"], 1)["lead_options"] == []   # manages, may not see leads
    with store.begin() as conn, pytest.raises(records.NotAllowed, match="present lead is outside your scope"):
        set_lead(conn, u["dh_county"], 1, 2, None)                     # nor undo a link it is not shown
    with store.engine.connect() as conn:
        assert [p["id"] for p in L.get(conn, u["admin"], ei)["projects"]] == [1]
        assert L.get(conn, u["admin"], nf)["projects"] == []
        assert {d["id"]: [p["name"] for p in d["projects"]] for d in L.leads(conn, u["ei_office"])} == {
            ei: ["智能终端产业园二期"]}


def test_routes_and_pages(world):
    store, u, ei, nf = world
    app = create_app(store.db, public_aggregates=True)

    def client(name):
        c = TestClient(app)
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c

    store.close()
    office = client("ei_office")
    r = office.post("/api/projects/1/lead", json={"version": 1, "lead_id": ei})
    assert r.status_code == 200 and r.json()["lead"]["id"] == ei and r.json()["version"] == 2
    r = office.post("/api/projects/1/lead", json={"version": 1, "lead_id": None})
    assert r.status_code == 409
    r = client("admin").post("/api/projects/1/lead", json={"version": 2, "lead_id": nf})
    assert r.status_code == 400 and "is of chain NF" in r.json()["detail"] and "不一致" in r.json()["detail"]
    r = office.post("/api/projects/1/lead", json={"version": 2, "lead_id": nf})
    assert r.status_code == 400 and r.json()["detail"].startswith(f"lead_id: no attraction lead {nf} you may see (")
    assert client("dh_county").post("/api/projects/1/lead", json={"version": 2, "lead_id": None}).status_code == 403
    page = office.get("/projects/1").text
    assert f'href="/attract/EI/targets#lead-{ei}"' in page and 'data-testid="lead-form"' in page
    for name in ("dh_county", "viewer"):
        c = client(name)
        page = c.get("/projects/1").text
        assert 'data-testid="project-lead">—' in page and "/attract/EI/targets" not in page, name
        assert c.get("/api/projects/1").json()["lead"] is None
    lead = client("admin").get(f"/api/attract/leads/{ei}").json()
    assert [(p["id"], p["link"]) for p in lead["projects"]] == [(1, "/projects/1")]
    targets = office.get("/attract/EI/targets")
    assert targets.status_code == 200
    assert f'id="lead-{ei}"' in targets.text and 'href="/projects/1">智能终端产业园二期</a>' in targets.text


def test_migration_0013_up_down_up(db_any):
    """0012 → 0013 (the new columns exist, nullable), back to 0012 (gone), and up again."""
    import sqlalchemy as sa
    from alembic import command

    from chainbrain.store.migrate import alembic_config, current_revision, upgrade

    cols = sa.text("SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = "
                   "current_schema() AND column_name IN ('lead_id', 'email', 'mail_state', 'mail_error', "
                   "'mail_sent_at') AND table_name IN ('work_project', 'user_account', 'inbox_message')")
    new = {"work_project.lead_id", "user_account.email", "inbox_message.mail_state", "inbox_message.mail_error",
           "inbox_message.mail_sent_at"}
    store = open_store(db_any)
    try:
        upgrade(store, "0012_work_programs")
        with store.engine.connect() as conn:
            assert set(conn.execute(cols).scalars()) == set()
        upgrade(store, "0013_work_links")           # pinned: later migrations (0014_reports) follow it
        assert current_revision(store) == "0013_work_links"
        with store.engine.connect() as conn:
            assert set(conn.execute(cols).scalars()) == new
        command.downgrade(alembic_config(store), "0012_work_programs")
        with store.engine.connect() as conn:
            assert set(conn.execute(cols).scalars()) == set()
        upgrade(store, "0013_work_links")
        assert current_revision(store) == "0013_work_links"
    finally:
        store.close()
