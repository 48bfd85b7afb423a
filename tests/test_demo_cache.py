"""The national demo's Parquet cache and its load into DuckDB, on the tiny scale's tables.

The national build writes its tables to a Parquet cache and loads them from there in pieces of whole
row groups, one transaction per piece (``build._read_cache``, ``build._load_pieces``); these tests run
that path on the tiny demo's tables with small pieces: the pieces hold every row once, the loaded
store holds exactly the cached rows, and a failure part-way leaves no demo row behind.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from chainbrain.catalog.pack import load_pack
from chainbrain.demo import generate, scale_spec
from chainbrain.demo.build import TABLES, _load_pieces, _read_cache, _write_cache
from chainbrain.store import open_store
from chainbrain.store.admin import init_store


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    target = tmp_path_factory.mktemp("cache") / "demo-tiny"
    _write_cache(generate(scale_spec("tiny"), 2023, load_pack()), target)
    return target


def count(store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar())


def test_pieces_are_whole_row_groups_holding_every_row_once(cache, tmp_path):
    f = tmp_path / "t.parquet"
    t = pa.table({"x": list(range(10))})
    pq.write_table(t, f, row_group_size=3)              # row groups of 3, 3, 3, 1
    pieces = [p for _, p in _read_cache(cache, rows=40)]
    assert sum(p.num_rows for p in pieces) == sum(pq.ParquetFile(cache / f"{n}.parquet").metadata.num_rows
                                                  for n in TABLES)
    import chainbrain.demo.build as B
    old = B.TABLES
    B.TABLES = ("t",)
    try:
        got = [p for _, p in _read_cache(tmp_path, rows=5)]          # 3 + 3 ≥ 5, then 3 + 1 (the last group)
    finally:
        B.TABLES = old
    assert [p.num_rows for p in got] == [6, 4]
    assert pa.concat_tables(got).column("x").to_pylist() == list(range(10))


def test_load_in_pieces_holds_exactly_the_cached_rows(cache, tmp_path):
    with open_store(str(tmp_path / "d.duckdb")) as store:
        init_store(store)
        pack = load_pack()
        setting = lambda k: store._raw.execute(f"SELECT current_setting('{k}')").fetchone()[0]  # noqa: E731
        before = {k: setting(k) for k in ("memory_limit",)}
        rows, batch = _load_pieces(store, _read_cache(cache, rows=50), False, 2023, "tiny", pack.calibration,
                                   lambda *a: None)
        for name in TABLES:
            want = pq.ParquetFile(cache / f"{name}.parquet").metadata.num_rows
            assert rows[name] == want == count(store, name), name
        with store.engine.connect() as conn:
            n, = conn.execute(sa.text("SELECT row_count FROM import_batch WHERE id = :b"), {"b": batch}).one()
        assert n == sum(rows.values())
        # the memory limit of the load is lifted again afterwards
        assert {k: setting(k) for k in before} == before


def test_a_failure_part_way_leaves_no_demo_row(cache, tmp_path):
    def failing():
        for name, piece in _read_cache(cache, rows=50):
            if name == "supply_link":
                raise RuntimeError("disk full")
            yield name, piece

    with open_store(str(tmp_path / "f.duckdb")) as store:
        init_store(store)
        with pytest.raises(RuntimeError, match="disk full"):
            _load_pieces(store, failing(), False, 2023, "tiny", load_pack().calibration, lambda *a: None)
        for name in TABLES:
            assert count(store, name) == 0, name
        assert count(store, "enterprise") == 0
