"""The demo province's work programmes: R&D problems in every state (with an overdue milestone),
the guidance fund with a sub-fund per chain and investments, policies in force, expired and not yet
in force, citations — all through the work layer (audit trail) and the five lists built on them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.demo import build_demo
from chainbrain.store import open_store
from chainbrain.web.users import User
from chainbrain.work import fund, policies, rd_read
from chainbrain.work.rd import STATES


def test_demo_programmes(tmp_path):
    store = open_store(str(tmp_path / "demo.duckdb"))
    try:
        result = build_demo(store, scale="tiny", seed=2023)
        counts = result.work_tasks
        today = dt.date.today()
        admin = User(id=0, username="t", role="province_admin")
        lst = rd_read.list_problems(store, admin)
        assert {s["status"] for s in lst["by_status"] if s["problems"]} == set(STATES)         # every state
        assert lst["total"] == counts["work_rd_problem"] == 6 * 12
        assert {p["scope_kind"] for p in lst["items"]} == {"intra", "inter", "group"}
        assert {p["poster"] for p in lst["items"]} == {"chain", "enterprise"}
        closed = [p for p in lst["items"] if p["status"] == "closed"]
        assert closed and all(p["funded_share"] == 1.0 for p in closed)
        overdue = [m for p in lst["items"] if p["status"] == "in_progress"
                   for m in rd_read.get_problem(store, admin, p["id"], today)["milestones"] if m["overdue"]]
        assert overdue
        f = fund.funds_overview(store, admin)
        assert len(f["items"]) == 13 and f["items"][0]["investments"] == counts["work_fund_investment"] > 12
        assert f["items"][0]["leverage"] > 0
        pol = policies.list_policies(store, admin, today)
        assert {p["validity"] for p in pol["items"]} == {"in_force", "expired", "pending"}
        assert sum(p["cited_requests"] + p["cited_tasks"] for p in pol["items"]) > 0
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM work_audit WHERE entity = 'work_rd_problem' "
                                        "AND action = 'post'")).scalar() == 72
            # the demo's signed and landed attraction leads (EI: one each) each link a project under way
            linked = conn.execute(sa.text("SELECT l.status, p.chain_code, p.stage FROM work_project p "
                                          "JOIN attraction_lead l ON l.id = p.lead_id ORDER BY l.status")).all()
        assert [tuple(r) for r in linked] == [("landed", "EI", "started"), ("signed", "EI", "signed")]
    finally:
        store.close()
