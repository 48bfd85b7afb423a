"""The store, run in full on DuckDB and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pyarrow as pa
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainbrain.catalog.pack import load_pack
from chainbrain.cli import app
from chainbrain.store import open_store
from chainbrain.store.admin import init_store, stats
from chainbrain.store.migrate import current_revision, head_revision
from chainbrain.store.schema import metadata


def _batch(store, conn, batch_id: int) -> None:
    store.bulk_insert(conn, "import_batch", pa.table({
        "id": [batch_id], "kind": ["test"], "source": ["test_store"], "created_at": [dt.datetime(2026, 1, 1)],
        "row_count": [0], "status": ["loaded"]}))


def _enterprise(store, conn, ident: int, uscc: str | None, batch: int = 1) -> None:
    store.bulk_insert(conn, "enterprise", pa.table({
        "id": [ident], "uscc": pa.array([uscc], pa.string()), "name": [f"测试企业{ident}"],
        "province_code": ["360000"], "region_code": ["360102"], "industry_code": ["3985"],
        "is_industrial": [True], "is_demo": [False], "batch_id": [batch], "revision": [1]}))


def test_migrations_reach_head(store_any):
    assert current_revision(store_any) == head_revision(store_any)


def test_schema_matches_metadata(store_any):
    """Every table and column of the SQLAlchemy schema exists with its nullability."""
    q = sa.text("SELECT table_name, column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = current_schema()")
    with store_any.engine.connect() as conn:
        found = {(r[0], r[1]): r[2] for r in conn.execute(q)}
    for table in metadata.tables.values():
        for col in table.columns:
            assert (table.name, col.name) in found, (table.name, col.name)
            assert (found[(table.name, col.name)] == "YES") == bool(col.nullable), (table.name, col.name)


def test_pack_loaded_with_version(store_any):
    pack = load_pack()
    with store_any.engine.connect() as conn:
        name, version, eff = conn.execute(sa.text("SELECT name, version, effective_date FROM pack_meta")).one()
        assert (name, version, eff) == (pack.name, pack.version, pack.effective_date)
        assert conn.execute(sa.text("SELECT COUNT(*) FROM chain")).scalar() == 12
        assert conn.execute(sa.text("SELECT COUNT(*) FROM region WHERE status = 'current'")).scalar() == 112
        assert conn.execute(sa.text("SELECT COUNT(*) FROM industry WHERE level = 'class'")).scalar() == 1382
        n_seg = conn.execute(sa.text("SELECT COUNT(*) FROM segment")).scalar()
        assert n_seg == len(pack.segments)
        multi = conn.execute(sa.text("SELECT COUNT(*) FROM segment_chain WHERE NOT is_primary")).scalar()
        assert multi > 0


def test_money_is_exact(store_any):
    vals = ["0.10", "0.20", "12345678901234567.89", "-0.01"]
    with store_any.begin() as conn:
        _batch(store_any, conn, 1)
        _enterprise(store_any, conn, 1, None)
        for i, v in enumerate(vals):
            conn.execute(sa.text("INSERT INTO annual_report (enterprise_id, year, revenue, batch_id, revision) "
                                 "VALUES (1, :y, :v, 1, 1)"), {"y": 2000 + i, "v": decimal.Decimal(v)})
    with store_any.engine.connect() as conn:
        got = [r[0] for r in conn.execute(sa.text("SELECT revenue FROM annual_report ORDER BY year"))]
        total = conn.execute(sa.text("SELECT SUM(revenue) FROM annual_report")).scalar()
    assert got == [decimal.Decimal(v) for v in vals]
    assert total == sum(decimal.Decimal(v) for v in vals)
    assert decimal.Decimal("0.10") + decimal.Decimal("0.20") == got[0] + got[1]


def test_uscc_unique_but_optional(store_any):
    with store_any.begin() as conn:
        _batch(store_any, conn, 1)
        _enterprise(store_any, conn, 1, "91360100MA35XXXX0A")
        _enterprise(store_any, conn, 2, None)
        _enterprise(store_any, conn, 3, None)        # several partners without USCC are fine
    with pytest.raises(Exception):
        with store_any.begin() as conn:
            _enterprise(store_any, conn, 4, "91360100MA35XXXX0A")


def test_transaction_is_all_or_nothing(store_any):
    with store_any.begin() as conn:
        _batch(store_any, conn, 1)
    with pytest.raises(Exception):
        with store_any.begin() as conn:
            _enterprise(store_any, conn, 10, None)
            _enterprise(store_any, conn, 10, None)    # duplicate primary key → whole batch rolls back
    with store_any.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar() == 0


def test_revisions_keep_history(store_any):
    with store_any.begin() as conn:
        _batch(store_any, conn, 1)
        _batch(store_any, conn, 2)
        _enterprise(store_any, conn, 1, None)
        for rev, batch, value in ((1, 1, 100.0), (2, 2, 105.5)):
            store_any.bulk_insert(conn, "monthly_report", pa.table({
                "enterprise_id": [1], "year": [2026], "month": [3], "revenue_ytd": [value],
                "batch_id": [batch], "revision": [rev]}))
    with store_any.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT revision, batch_id, revenue_ytd FROM monthly_report ORDER BY revision")).all()
    assert [(r[0], r[1], float(r[2])) for r in rows] == [(1, 1, 100.0), (2, 2, 105.5)]
    t = store_any.table("monthly_report")
    from chainbrain.analytics.scope import latest
    assert float(latest(t, ["enterprise_id", "year", "month"]).revenue_ytd.sum().execute()) == 105.5


def _enterprises(store, n: int, **columns) -> None:
    """Batch 1 and enterprises 1…n without USCC (``columns`` added or replaced)."""
    with store.begin() as conn:
        _batch(store, conn, 1)
        store.bulk_insert(conn, "enterprise", pa.table({
            "id": list(range(1, n + 1)), "uscc": pa.array([None] * n, pa.string()),
            "name": [f"企业{i}" for i in range(n)], "province_code": ["360000"] * n,
            "is_industrial": [True] * n, "is_demo": [False] * n, "batch_id": [1] * n, "revision": [1] * n,
            **columns}))


def test_bulk_insert_roundtrip(store_any):
    n = 5000
    _enterprises(store_any, n, name=[f"企业,\"{i}\"" for i in range(n)], province_code=["440000"] * n,
                 is_demo=[True] * n)
    with store_any.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar() == n
        assert conn.execute(sa.text("SELECT name FROM enterprise WHERE id = 8")).scalar() == '企业,"7"'


def test_stats_split_data_and_logs(store_any):
    with store_any.begin() as conn:
        _batch(store_any, conn, 1)
        _enterprise(store_any, conn, 1, None)
    s = stats(store_any)
    assert s["data"]["enterprise"] == 1 and s["data"]["chain"] == 12
    assert s["log"]["import_batch"] == 1 and "audit_log" in s["log"]
    assert "import_batch" not in s["data"] and "audit_log" not in s["data"]


def test_init_is_rerunnable_and_keeps_data(store_any):
    with store_any.begin() as conn:
        _batch(store_any, conn, 1)
        _enterprise(store_any, conn, 1, None)
    init_store(store_any)
    assert stats(store_any)["data"]["enterprise"] == 1


def test_cli_db_init_and_stats(db_any):
    r = CliRunner().invoke(app, ["db", "init", "--db", db_any])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["db", "upgrade", "--db", db_any])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["db", "stats", "--db", db_any, "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert set(out) == {"data", "log"}
    assert out["data"]["region"] == 123 and out["data"]["enterprise"] == 0


def test_default_db_from_environment(monkeypatch, tmp_path):
    from chainbrain.config import default_db
    monkeypatch.delenv("CHAINBRAIN_DB", raising=False)
    assert default_db() == "data/chainbrain.duckdb"
    monkeypatch.setenv("CHAINBRAIN_DB", str(tmp_path / "x.duckdb"))
    assert default_db() == str(tmp_path / "x.duckdb")
    r = CliRunner().invoke(app, ["db", "init"])
    assert r.exit_code == 0, r.output
    with open_store(str(tmp_path / "x.duckdb")) as s:
        assert stats(s)["data"]["chain"] == 12


def test_fetch_arrow_in_chunks_equals_one_read(store_any):
    """fetch_arrow streams other engines' rows in chunks: a NULL-only chunk and chunks of different
    decimal precision widen to one type, and the table equals the one-chunk read."""
    from chainbrain.store.engine import fetch_arrow

    n = 25
    _enterprises(store_any, n,
                 registered_capital=pa.array([None] * 10 + [decimal.Decimal(f"{10 ** (i % 9)}.25")
                                                            for i in range(n - 10)], pa.decimal128(20, 2)),
                 founded_on=pa.array([None] * 10 + [dt.date(2000 + i, 1, 1) for i in range(n - 10)], pa.date32()))
    sql = "SELECT id, uscc, name, registered_capital, founded_on FROM enterprise ORDER BY id"
    with store_any.engine.connect() as conn:
        whole = fetch_arrow(conn, sql, chunk_rows=10_000)
        chunked = fetch_arrow(conn, sql, chunk_rows=4)
    assert whole.num_rows == chunked.num_rows == n
    assert chunked.to_pylist() == whole.to_pylist()
    assert whole.column("registered_capital").to_pylist()[10] == decimal.Decimal("1.25")
    assert whole.column("founded_on").to_pylist()[-1] == dt.date(2014, 1, 1)


def test_indexes_match_metadata(store_any):
    """The migrations leave exactly the schema's named indexes (no status index on a row updated in place:
    DuckDB lost one after a crash, migration 0034)."""
    if store_any.engine.dialect.name == "postgresql":
        q = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        q = "SELECT index_name FROM duckdb_indexes()"
    with store_any.engine.connect() as conn:
        found = {r[0] for r in conn.execute(sa.text(q)) if r[0].startswith("ix_")}
    wanted = {ix.name for t in metadata.tables.values() for ix in t.indexes if ix.name.startswith("ix_")}
    assert found == wanted
    assert "ix_work_request_status" not in found and "ix_mapping_review_status" not in found
