"""The data version on PostgreSQL reads the change counter its triggers keep (migration 0038_change_counter,
store/changes.py): every committed write to a counted table, by any connection, changes it; a read or a
rolled-back write does not; the statement scans no fact table. DuckDB keeps counting rows."""

from __future__ import annotations

import re

import psycopg
import pytest
import sqlalchemy as sa

from chainbrain.store import changes, open_store
from chainbrain.store.admin import init_store
from chainbrain.store.engine import libpq_url
from chainbrain.store.patterns import DATA_SQL, data_key
from chainbrain.store.version import DataVersion
from conftest import new_db


@pytest.fixture
def pg(tmp_path, request):
    db = new_db("postgres", tmp_path, request)
    store = open_store(db)
    init_store(store)
    yield db, store
    store.close()


def _version(store) -> tuple:
    return DataVersion(store, ttl=0).current()[1]        # a fresh reader: nothing memoised


def test_counted_tables_have_the_trigger():
    """The migration's trigger list is the set of tables DATA_SQL counts (a table added there needs one)."""
    import importlib

    mig = importlib.import_module("chainbrain.store.migrations.versions.0038_change_counter")
    counted = set(re.findall(r"COUNT\(\*\) FROM (\w+)", DATA_SQL))
    assert set(mig.COUNTED) == set(changes.COUNTED) == counted


@pytest.mark.postgres
def test_manual_corrections_change_the_version(pg):
    db, store = pg
    assert changes.has_counter(store) and changes.data_sql(store) == changes.COUNTER_SQL
    seen = [(_version(store), data_key(store))]
    code = "x_test_target"
    statements = [
        f"INSERT INTO target (code, name_zh, indicator, kind, scope) "
        f"VALUES ('{code}', '测试', 'revenue', 'level', 'all')",
        f"UPDATE target SET name_zh = '测试二' WHERE code = '{code}'",      # no row count changes
        f"DELETE FROM target WHERE code = '{code}'",
        "TRUNCATE supply_link",
        "COPY designation FROM STDIN",                                    # nothing copied: still a write
    ]
    with psycopg.connect(libpq_url(db), autocommit=True) as raw:          # another process's connection
        for sql in statements:
            if sql.startswith("COPY"):
                with raw.cursor() as cur, cur.copy(sql):
                    pass
            else:
                raw.execute(sql)
            now = (_version(store), data_key(store))
            assert now[0] != seen[-1][0], sql                             # every write moves the version
            if sql.startswith(("COPY", "TRUNCATE")):                      # … the data key only a changed row
                assert now[1] == seen[-1][1], sql                         # (store/content.py; supply_link is
            else:                                                         # empty here)
                assert now[1] != seen[-1][1], sql
            seen.append(now)
        raw.execute("SELECT COUNT(*) FROM monthly_report").fetchone()     # a read
        with raw.transaction():                                           # two writes, one transaction
            raw.execute(f"INSERT INTO target (code, name_zh, indicator, kind, scope) "
                        f"VALUES ('{code}', 'a', 'revenue', 'level', 'all')")
            raw.execute(f"DELETE FROM target WHERE code = '{code}'")
            assert _version(store) == seen[-1][0]                         # not committed: not seen yet
        assert _version(store)[0] == seen[-1][0][0] + 1                   # one change per transaction
        seen.append((_version(store), data_key(store)))
        with pytest.raises(psycopg.errors.RaiseException):                # rolled back: no change
            with raw.transaction():
                raw.execute("UPDATE target SET name_zh = 'b' WHERE code = (SELECT MIN(code) FROM target)")
                raw.execute("DO $$ BEGIN RAISE EXCEPTION 'undo'; END $$")
    assert (_version(store), data_key(store)) == seen[-1]


@pytest.mark.postgres
def test_writers_do_not_wait_for_each_other_on_the_counter(pg):
    """A long write transaction holds no lock on the counter: another writer commits meanwhile."""
    db, store = pg
    first = _version(store)
    with psycopg.connect(libpq_url(db)) as a, psycopg.connect(libpq_url(db), autocommit=True) as b:
        a.execute("UPDATE target SET name_zh = name_zh || '·' WHERE code = (SELECT MIN(code) FROM target)")
        b.execute("SET lock_timeout = '2s'")
        b.execute("TRUNCATE supply_link")                 # would time out if the counter row were locked
        second = _version(store)
        assert second[0] == first[0] + 1
        a.commit()
    assert _version(store)[0] == second[0] + 1


@pytest.mark.postgres
def test_version_statement_scans_no_fact_table(pg):
    db, store = pg
    sql = DataVersion(store, ttl=0)
    sql.current()
    assert "COUNT(*) FROM monthly_report" not in sql._sql
    with store.engine.connect() as conn:
        plan = "\n".join(r[0] for r in conn.execute(sa.text("EXPLAIN " + sql._sql)))
        old = "\n".join(r[0] for r in conn.execute(sa.text("EXPLAIN " + DATA_SQL)))
    assert "Seq Scan on monthly_report" in old                      # what the counts cost
    for table in changes.COUNTED:
        assert f"Seq Scan on {table}" not in plan, plan


@pytest.mark.postgres
def test_store_without_the_counter_counts_rows(pg):
    """A store migrated before 0038 (here: the counter removed by its downgrade) falls back to COUNT(*)."""
    from alembic import command

    from chainbrain.store.migrate import alembic_config

    db, store = pg
    command.downgrade(alembic_config(store), "0038_change_counter-1")
    old = open_store(db)
    try:
        assert not changes.has_counter(old) and changes.data_sql(old) == DATA_SQL
        with old.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT to_regclass('data_change'), to_regclass('data_change_tx')")).one() \
                == (None, None)
        before = (_version(old), data_key(old))
        with psycopg.connect(libpq_url(db), autocommit=True) as raw:
            raw.execute("INSERT INTO target (code, name_zh, indicator, kind, scope) "
                        "VALUES ('x', 'x', 'revenue', 'level', 'all')")
        after = (_version(old), data_key(old))
        assert after[0] != before[0] and after[1] != before[1]
    finally:
        old.close()


def test_duckdb_keeps_counting_rows(duck_store):
    assert not changes.has_counter(duck_store) and changes.data_sql(duck_store) == DATA_SQL
    before = _version(duck_store)
    with duck_store.begin() as conn:
        assert conn.execute(sa.text("SELECT n FROM data_change")).scalar() == 0      # there, unused
        conn.execute(sa.text("DELETE FROM target WHERE code = (SELECT MIN(code) FROM target)"))
    assert _version(duck_store) != before and len(before) == len(_version(duck_store))
