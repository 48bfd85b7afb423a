"""The demo province's year of enterprise requests: every state, deterministic by seed and anchor,
consistent with the clock (nothing left for the tick to change on the anchor day)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.demo import build_demo
from chainbrain.demo.work_requests import write_requests
from chainbrain.store import open_store
from chainbrain.work import requests_clock

ANCHOR = dt.date(2026, 6, 30)


def _requests(tmp_path, name):
    store = open_store(str(tmp_path / f"{name}.duckdb"))
    build_demo(store, scale="tiny", seed=2023)                 # its own year (anchored today)
    with store.begin() as conn:
        conn.execute(sa.text("DELETE FROM work_request"))
    counts = write_requests(store, 2023, anchor=ANCHOR, per_month=12)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.category, r.status, r.escalated, e.uscc, r.relayed_by_id IS NOT NULL, r.rating, "
            "r.submitted_at FROM work_request r JOIN enterprise e ON e.id = r.enterprise_id "
            "ORDER BY r.submitted_at, r.id")).all()
    return store, counts, rows


def test_demo_year_of_requests(tmp_path):
    store, counts, rows = _requests(tmp_path, "a")
    try:
        assert set(counts) == {"submitted", "accepted", "in_progress", "answered", "closed"}
        assert sum(counts.values()) == 144 == len(rows)
        assert min(r.submitted_at for r in rows).date() >= ANCHOR - dt.timedelta(days=365)
        assert max(r.submitted_at for r in rows).date() <= ANCHOR
        assert any(r[2] for r in rows) and any(r[4] for r in rows) and any(r.rating for r in rows)
        assert requests_clock.tick(store, ANCHOR) == {"escalated": [], "closed": []}     # already settled
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM work_request_group")).scalar() >= 1
            # every change is in the trail: one 'submit' per request, and the states agree with the last change
            assert conn.execute(sa.text("SELECT COUNT(*) FROM work_audit WHERE entity = 'request' "
                                        "AND action = 'submit'")).scalar() == 144
    finally:
        store.close()
    other, _, again = _requests(tmp_path, "b")
    other.close()
    assert again == rows                                        # same seed and anchor: the same year
