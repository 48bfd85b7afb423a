"""Shared by the tests that check a declaration of what a kept result reads by perturbing the rest
(``test_suppression_inputs.py``, ``test_figure_inputs.py``): a copy of the tiny demo per test, a
fresh data version, the columns of a table and "another value for every row" of a column."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
import sqlalchemy as sa

from chainbrain.store import open_store
from chainbrain.store.content import NOT_READ


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    """The tiny demo, built once per module."""
    from chainbrain.demo.build import build_demo

    path = tmp_path_factory.mktemp("perturb") / "tiny.duckdb"
    with open_store(str(path)) as store:
        build_demo(store, scale="tiny", seed=2023)
    return path


@pytest.fixture
def store(tiny_db, tmp_path):
    """A copy of the tiny demo for one test (it changes the rows)."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(tiny_db, path)
    with open_store(str(path)) as s:
        yield s


def fresh(store) -> None:
    """A new data version and no data key in memory: rows changed by plain SQL are read again."""
    from chainbrain.store import content
    from chainbrain.web.cache import version_of

    content._MEMO.clear()
    version_of(store).bump()


def columns(c, table) -> list[tuple[str, str]]:
    """(name, SQL type) of ``table``'s columns, through connection ``c``."""
    return [(r[0], str(r[1]).upper()) for r in c.execute(sa.text(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :t "
        "ORDER BY ordinal_position"), {"t": table})]


def changed(col: str, kind: str) -> str:
    """An SQL expression giving every row of ``col`` another value (NULL included; unique columns stay unique)."""
    if kind.startswith(("VARCHAR", "TEXT")):
        return f"coalesce({col} || 'x', 'x' || CAST(random() AS VARCHAR))"
    if kind == "BOOLEAN":
        return f"NOT coalesce({col}, FALSE)"
    if kind == "DATE":
        return f"coalesce({col} + INTERVAL 1 DAY, DATE '2024-02-29')::DATE"
    if kind.startswith("TIMESTAMP"):
        return f"coalesce({col} + INTERVAL 1 DAY, TIMESTAMP '2024-02-29 12:00:00')"
    if kind == "BLOB":
        return f"coalesce({col} || 'x'::BLOB, 'x'::BLOB)"
    return f"coalesce({col} + 1, 7)"


def declared_tables(sources) -> dict:
    """table → None (every column) or the declared columns."""
    out = {}
    for src in sources:
        m = re.fullmatch(r"\(SELECT (.+) FROM (\w+)\)", src)
        out[m.group(2) if m else src] = [c.strip() for c in m.group(1).split(",")] if m else None
    return out


def schema_tables() -> set:
    from chainbrain.store.schema import metadata

    return set(metadata.tables)


def change_outside(store, sources) -> list[str]:
    """Delete the rows of every undeclared table (change its columns where rows are referenced) and
    change the undeclared columns of a partly declared one; the tables changed."""
    declared = declared_tables(sources)
    touched = []
    with store.engine.connect() as c:
        present = [t for t in sa.inspect(c).get_table_names()
                   if t in schema_tables() and t not in NOT_READ and t != "alembic_version"]
    for table in sorted(present):
        cols = declared.get(table, [])
        if cols is None:
            continue
        with store.engine.connect() as c:
            if not c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar():
                continue
            every = columns(c, table)
        if not cols:
            try:
                with store.engine.begin() as c:
                    c.execute(sa.text(f"DELETE FROM {table}"))
                touched.append(table)
                continue
            except sa.exc.DBAPIError:                    # rows referenced by others: change their values
                pass
        other = [(n, k) for n, k in every if n not in cols and n != "id" and not n.endswith("_id")]
        if other:
            with store.engine.begin() as c:
                c.execute(sa.text(f"UPDATE {table} SET " + ", ".join(f"{n} = {changed(n, k)}" for n, k in other)))
            touched.append(table)
    return touched


def batch(store, n: int, sql: str) -> None:
    """Run ``sql`` as import batch ``n`` (a fixture batch row beside it, as an import writes one)."""
    with store.engine.begin() as c:
        c.execute(sa.text("INSERT INTO import_batch (id, kind, source, created_at, row_count, status) "
                          "VALUES (:i, 'fixture', 'perturb', :t, 1, 'loaded')"),
                  {"i": n, "t": dt.datetime(2026, 11, 20)})
        c.execute(sa.text(sql))
