"""Membership snapshots on PostgreSQL (store/snapshots.py): made once, never stale, optional.

On the hand-made dataset (test_monitor_data; EI = A 400 + B 520 万元 at 2025-06): the KPI reads
snapshot tables; a mapping override that puts C (250 万元) into EI changes the fingerprint, so
the next KPI counts C and the old snapshots are gone — its statements re-pointed at the new
snapshots, not compiled again (indicators._run); a role that may not create tables gets
the same figures computed inline."""

from __future__ import annotations

import traceback

import pytest
import sqlalchemy as sa

from test_monitor_data import U, WAN, load

from chainbrain.analytics.kpi import kpi
from chainbrain.ingest.mapping import set_override
from chainbrain.store import open_store
from chainbrain.store.admin import init_store

pytestmark = pytest.mark.postgres


def _snaps(store) -> set[str]:
    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'cb\\_snap\\_%'"))}


def test_snapshots_made_used_and_never_stale(pg_server, tmp_path, monkeypatch):
    from chainbrain.store import snapshots

    monkeypatch.setattr(snapshots, "TTL", 3600.0)       # only this process's own writes refresh it
    url = pg_server.create_database("snapshots")
    with open_store(url) as store:
        init_store(store)
        load(store, tmp_path)
        ei = kpi(store, "2025-06", chain="EI")
        assert ei["above_scale_count"] == 2 and ei["revenue_ytd_yuan"] == 920 * WAN
        first = _snaps(store)
        assert any(n.startswith("cb_snap_located_20250630_") for n in first)
        assert any(n.startswith("cb_snap_chains_20250630_") for n in first)
        assert kpi(store, "2025-06", chain="EI") == ei                   # read from the snapshots again

        with store.engine.connect() as conn:                             # an EI segment (B's)
            seg = conn.execute(sa.text(
                "SELECT es.segment_code FROM enterprise_segment es JOIN enterprise e ON e.id = es.enterprise_id "
                "JOIN segment_chain sc ON sc.segment_code = es.segment_code "
                "WHERE e.uscc = :u AND sc.chain_code = 'EI' ORDER BY 1 LIMIT 1"), {"u": U["B"]}).scalar()
        assert set_override(store, U["C"], seg, "add")
        be = store.ibis()
        compiled = []
        real = type(be).compile
        # who compiled: the functions on the stack (the backend's compile is wrapped by store/compiled.py)
        monkeypatch.setattr(type(be), "compile", lambda self, *a, **k: compiled.append(
            {f.name for f in traceback.extract_stack()[:-1]}) or real(self, *a, **k))
        after = kpi(store, "2025-06", chain="EI")                        # immediately: no stale snapshot
        assert after["above_scale_count"] == 3 and after["revenue_ytd_yuan"] == (920 + 250) * WAN
        # the statements compiled against the old snapshots were re-pointed at the new ones, not
        # compiled again by indicators._run (the new snapshots' own SELECTs, CREATE … AS, are the old
        # ones' under new names: remembered by store/compiled.py, compiled no more either)
        assert not any("_run" in who for who in compiled)
        now = _snaps(store)
        assert now and not (now & first)                                 # older fingerprints dropped


def test_role_without_create_right_computes_inline(pg_server, tmp_path):
    url = pg_server.create_database("snapshots_ro")
    with open_store(url) as store:
        init_store(store)
        load(store, tmp_path)
        with store.engine.begin() as conn:
            conn.execute(sa.text("DROP ROLE IF EXISTS cb_reader"))
            conn.execute(sa.text("CREATE ROLE cb_reader LOGIN"))
            conn.execute(sa.text("GRANT SELECT ON ALL TABLES IN SCHEMA public TO cb_reader"))
            conn.execute(sa.text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    reader = url.replace("postgresql://postgres@", "postgresql://cb_reader@")
    with open_store(reader) as ro:
        got = kpi(ro, "2025-06", chain="NF")
        assert got["above_scale_count"] == 2 and got["revenue_ytd_yuan"] == 650 * WAN
        assert not _snaps(ro)
    with open_store(url) as store:
        assert kpi(store, "2025-06", chain="NF") == got                   # the owner, with snapshots
        assert _snaps(store)
