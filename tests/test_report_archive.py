"""Reports kept with their data version: migration 0014_reports (DuckDB and PostgreSQL), ``--keep``."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

import web_fixture
from chainbrain.cli import report as report_cli
from chainbrain.reports.archive import content, listing
from chainbrain.store import open_store

P = "2025-06"


def test_migration_0014_up_down_up(db_any):
    from alembic import command

    from chainbrain.store.migrate import alembic_config, current_revision, upgrade

    has = sa.text("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                  "AND table_name = 'report_file'")
    store = open_store(db_any)
    try:
        upgrade(store, "0013_work_links")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(store, "0014_reports")
        assert current_revision(store) == "0014_reports"
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 16
        command.downgrade(alembic_config(store), "0013_work_links")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(store, "0014_reports")
        assert current_revision(store) == "0014_reports"
    finally:
        store.close()


def test_keep_stores_the_file_with_its_data_version(tmp_path):
    db = web_fixture.build(tmp_path / "keep.duckdb", tasks=False)
    root = typer.Typer()
    root.add_typer(report_cli.app, name="report")
    out = tmp_path / "r.xlsx"
    res = CliRunner().invoke(root, ["report", "monthly", "--db", db, "-p", P, "--chain", "EI", "--as", "ei_office",
                                    "--out", str(out), "--keep"])
    assert res.exit_code == 0, res.output
    assert "kept as report #1" in res.output
    with open_store(db) as store:
        rows = listing(store)
        assert len(rows) == 1
        r = rows[0]
        assert (r["period"], r["chain_code"], r["region_code"], r["format"], r["viewer"]) == (P, "EI", None, "xlsx",
                                                                                             "ei_office")
        with store.engine.connect() as conn:
            batch = conn.execute(sa.text(
                "SELECT MAX(batch_id) FROM monthly_report WHERE year = 2025 AND month = 6")).scalar()
        assert r["data_batch_id"] == batch and r["data_loaded_at"] is not None
        body = out.read_bytes()
        assert r["sha256"] == hashlib.sha256(body).hexdigest() and r["size_bytes"] == len(body)
        assert content(store, 1) == body and content(store, 2) is None
    res = CliRunner().invoke(root, ["report", "list", "--db", db, "-p", P, "--format", "csv"])
    assert res.exit_code == 0 and res.output.splitlines()[1].startswith(f"1,{P},EI,,xlsx,ei_office,")


def test_monthly_set_writes_every_unit(tmp_path):
    """The month's set on the hand-made data: the province, the pack's 12 chains and its cities."""
    db = web_fixture.build(tmp_path / "set.duckdb", tasks=False)
    with open_store(db) as store:
        from chainbrain.web import data

        n = 1 + len(data.chains(store)) + len(data.regions(store, "prefecture"))
    root = typer.Typer()
    root.add_typer(report_cli.app, name="report")
    out = tmp_path / "set"
    out.mkdir()
    res = CliRunner().invoke(root, ["report", "monthly-set", "--db", db, "-p", P, "--out-dir", str(out),
                                    "-f", "xlsx", "--keep"])
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == n and f"{P}-province.xlsx" in files and f"{P}-EI.xlsx" in files
    assert f"{P}-360100.xlsx" in files
    with open_store(db) as store:
        assert len(listing(store, P)) == n
    bad = CliRunner().invoke(root, ["report", "monthly-set", "--db", db, "-p", P, "--out-dir", str(tmp_path / "no")])
    assert bad.exit_code == 2 and "输出目录不存在" in bad.output
