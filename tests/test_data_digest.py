"""The content digest PostgreSQL's triggers keep (migration 0039_data_digest, store/digest.py): after any
write — INSERT, UPDATE (changed or not), DELETE, TRUNCATE, COPY, by another connection, rolled back —
and after compaction, the digest equals a scan of every row, so the data key read from it is the
scan's; the inputs keys scan only the sources whose table moved."""

from __future__ import annotations

import contextlib
import importlib

import psycopg
import pytest
import sqlalchemy as sa

import handmade
from chainbrain.store import content, digest, open_store
from chainbrain.store.admin import init_store
from chainbrain.store.engine import libpq_url
from conftest import new_db


def test_the_migration_digests_the_data_key_tables():
    mig = importlib.import_module("chainbrain.store.migrations.versions.0039_data_digest")
    assert mig.TABLES == content.TABLES


@pytest.fixture
def pg(tmp_path, request):
    db = new_db("postgres", tmp_path, request)
    store = open_store(db)
    init_store(store)
    handmade.load(store)
    yield db, store
    store.close()


@contextlib.contextmanager
def _hash_scans(store):
    """The statements hashing rows that ``store`` runs inside the block (a list, filled as they run)."""
    scans = []
    listen = lambda conn, cur, sql, *a: scans.append(sql) if "hashtextextended" in sql else None  # noqa: E731
    sa.event.listen(store.engine, "before_cursor_execute", listen)
    try:
        yield scans
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", listen)


def _scanned(store) -> tuple:
    with store.engine.connect() as conn:
        return tuple(str(x) for x in conn.execute(sa.text(content.fingerprint_sql("postgres"))).one())


def _kept(store) -> tuple:
    with store.engine.connect() as conn:
        return digest.parts(conn, content.TABLES)[0]


@pytest.mark.postgres
def test_the_digest_equals_a_scan_after_every_kind_of_write(pg):
    db, store = pg
    assert digest.has_digest(store)
    seen = [_scanned(store)]
    assert _kept(store) == seen[0] and int(seen[0][0]) > 0          # monthly reports loaded
    statements = [
        "INSERT INTO target (code, name_zh, indicator, kind, scope) VALUES ('x_t', '测试', 'revenue', 'level', 'all')",
        "UPDATE target SET name_zh = '测试二' WHERE code = 'x_t'",
        "UPDATE monthly_report SET revenue_ytd = revenue_ytd WHERE month = 6",      # rows as they were
        "UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1 WHERE year = 2025",
        "DELETE FROM target WHERE code = 'x_t'",
        "DELETE FROM monthly_report WHERE year = 2022",
        "TRUNCATE supply_link",                                                     # empty already
        "TRUNCATE designation, enterprise_segment",
    ]
    with psycopg.connect(libpq_url(db), autocommit=True) as raw:                  # another process's connection
        for sql in statements:
            raw.execute(sql)
            seen.append(_scanned(store))
            assert _kept(store) == seen[-1], sql
        with raw.cursor() as cur:
            rows = cur.execute("SELECT * FROM monthly_report WHERE year = 2025").fetchall()
            cur.execute("DELETE FROM monthly_report WHERE year = 2025")
            with cur.copy("COPY monthly_report FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        assert _kept(store) == _scanned(store) == seen[-1]                     # the same rows again
        with raw.transaction(force_rollback=True):
            raw.execute("DELETE FROM enterprise_attr")
        assert _kept(store) == seen[-1]
    moved = [a != b for a, b in zip(seen, seen[1:])]
    assert moved == [True, True, False, True, True, True, False, True], moved   # but the writes changing nothing
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM data_digest")).scalar() > len(content.TABLES)
    digest.compact(store)
    with store.engine.connect() as conn:
        tables = conn.execute(sa.text("SELECT count(*), count(DISTINCT tbl) FROM data_digest")).one()
    assert tables[0] == tables[1] and _kept(store) == _scanned(store)


@pytest.mark.postgres
def test_the_data_key_reads_the_digest_and_equals_the_scan(pg, monkeypatch):
    db, store = pg
    statements = []
    listen = lambda conn, cur, sql, *a: statements.append(sql)                  # noqa: E731
    sa.event.listen(store.engine, "before_cursor_execute", listen)
    try:
        key = content.data_key(store)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", listen)
    assert not any("hashtextextended" in s for s in statements), statements
    with psycopg.connect(libpq_url(db), autocommit=True) as raw:                 # a change, many deltas
        raw.execute("UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1 WHERE year = 2025")
        raw.execute("UPDATE monthly_report SET revenue_ytd = revenue_ytd - 1 WHERE year = 2025")
    monkeypatch.setattr(digest, "COMPACT_AT", 0)
    assert content.data_key(store) == key                    # folded once the key is read
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) = count(DISTINCT tbl) FROM data_digest")).scalar()
    monkeypatch.setattr(content, "_MEMO", {})                    # as a store migrated before 0039
    monkeypatch.setattr(digest, "has_digest", lambda store: False)
    monkeypatch.setattr(content, "has_digest", lambda store: False)
    assert content.data_key(store) == key


@pytest.mark.postgres
def test_an_inputs_key_scans_only_the_sources_whose_table_moved(pg, monkeypatch):
    from chainbrain.analytics import suppression_inputs as SI

    db, store = pg
    monkeypatch.setattr(content, "_SOURCE_MEMO", {})
    with _hash_scans(store) as scans:
        first = SI.fingerprint(store, 6)
        assert len(scans) == 1 and "monthly_report" in scans[0]
        scans.clear()
        assert SI.fingerprint(store, 6) == first
        assert all("monthly_report" not in s and "enterprise_attr" not in s for s in scans)   # catalog tables only
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE enterprise_attr SET revision = revision + 1 "
                                 "WHERE attr = 'region_code' AND enterprise_id = (SELECT min(enterprise_id) "
                                 "FROM enterprise_attr WHERE attr = 'region_code')"))
        scans.clear()
        moved = SI.fingerprint(store, 6)
        assert moved != first and any("enterprise_attr" in s for s in scans)
        assert all("monthly_report" not in s for s in scans)
    monkeypatch.setattr(content, "_SOURCE_MEMO", {})
    assert SI.fingerprint(store, 6) == moved                     # the same as with nothing remembered
    monkeypatch.setattr(content, "has_digest", lambda store: False)
    assert SI.fingerprint(store, 6) == moved                     # and as the one-statement scan


@pytest.mark.postgres
def test_compute_fills_again_a_digest_left_behind_by_writes_with_triggers_off(pg):
    """Writes with triggers off (a data-only restore with --disable-triggers) are not in the digest;
    ``chainbrain compute`` checks it against a scan first and fills those tables again."""
    import json

    from typer.testing import CliRunner

    from chainbrain.cli import app

    db, store = pg
    assert digest.verify(store, content.TABLES) == []
    with psycopg.connect(libpq_url(db), autocommit=True) as raw:
        raw.execute("SET session_replication_role = replica")
        raw.execute("UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1 WHERE year = 2025")
        raw.execute("DELETE FROM designation")
    assert _kept(store) != _scanned(store)
    res = CliRunner().invoke(app, ["compute", "--db", db, "--no-index", "--no-alerts", "--operations", "off",
                                   "--no-disclosure", "--no-cockpit"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output[res.output.index("{"):])
    assert out["digest_refilled"] == ["monthly_report"]            # designation had no row to delete
    assert _kept(store) == _scanned(store) and digest.verify(store, content.TABLES) == []


@pytest.mark.postgres
def test_a_store_migrated_before_the_digest_scans_and_the_migration_fills_it(pg):
    from alembic import command

    from chainbrain.store.migrate import alembic_config

    db, store = pg
    command.downgrade(alembic_config(store), "0038_change_counter")
    with psycopg.connect(libpq_url(db), autocommit=True) as raw:                 # written without the triggers
        raw.execute("UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1 WHERE year = 2025")
    old = open_store(db)
    try:
        assert not digest.has_digest(old)
        key = content.data_key(old)
    finally:
        old.close()
    command.upgrade(alembic_config(store), "head")
    new = open_store(db)
    try:
        assert digest.has_digest(new) and _kept(new) == _scanned(new)
        content._MEMO.clear()
        assert content.data_key(new) == key                                     # the same key, from the digest
    finally:
        new.close()


@pytest.mark.postgres
def test_a_whole_digested_table_is_not_scanned_for_an_inputs_key(pg, monkeypatch):
    from chainbrain.analytics.kpi_rekey import SOURCES

    db, store = pg
    monkeypatch.setattr(content, "_SOURCE_MEMO", {})
    with _hash_scans(store) as scans:
        key = content.sources_key(store, list(SOURCES))
    assert "monthly_report" in SOURCES and len(scans) == 1
    assert not any(f"FROM {t} " in s for s in scans for t in content.TABLES), scans[0]     # catalog tables only
    monkeypatch.setattr(content, "has_digest", lambda store: False)
    assert content.sources_key(store, list(SOURCES)) == key                  # as the one-statement scan
