"""Shared by the tests that check a declaration of what a kept result reads by perturbing the rest
(``test_suppression_inputs.py``, ``test_figure_inputs.py``): a copy of the tiny demo per test, a
fresh data version, the columns of a table and "another value for every row" of a column."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from chainbrain.store import open_store


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
