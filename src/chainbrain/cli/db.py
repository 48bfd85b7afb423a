"""``chainbrain db init|upgrade|stats|backup|restore|verify``."""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import emit_json, fail
from chainbrain.store import open_store
from chainbrain.store.admin import init_store, stats
from chainbrain.store.engine import redact
from chainbrain.store.migrate import upgrade as run_upgrade

app = typer.Typer(help="Create, migrate and inspect the store.", no_args_is_help=True)


@app.command()
def init(db: str = DB, pack: str = typer.Option(None, help="province pack (default: jiangxi)")):
    """Create the store (apply migrations) and load the province pack."""
    with open_store(db) as store:
        counts = init_store(store, pack)
    typer.echo(f"initialised {redact(db)}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@app.command()
def upgrade(db: str = DB):
    """Apply pending migrations."""
    with open_store(db) as store:
        run_upgrade(store)
    typer.echo("store is at the newest schema revision")


@app.command("stats")
def stats_cmd(db: str = DB, format: str = typer.Option("json", "--format", "-f")):
    """Rows per table: {"data": {...}, "log": {...}}."""
    with open_store(db, read_only=False) as store:
        emit_json(stats(store))


def open_or_fail(db: str):
    """The store, or one bilingual line when the DuckDB file does not exist or another process (a
    running server) holds it."""
    import duckdb

    from chainbrain.store.engine import StoreMissing

    try:
        return open_store(db, must_exist=True)
    except StoreMissing as exc:
        fail(str(exc))
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        fail(f"{db} is held by another process (a running server): stop it and run the command again "
             f"(数据库文件被其他进程占用：请先停止服务器再执行)")


@app.command()
def backup(db: str = DB, out: Path = typer.Option(..., "--out", help="the backup file to write (must not exist)")):
    """Back up the store: DuckDB → a .tar of EXPORT DATABASE (Parquet); PostgreSQL → pg_dump custom
    format (+ FILE.manifest.json). The manifest holds every table's rows and checksum."""
    from chainbrain.store.backup import BackupError
    from chainbrain.store.backup import backup as run

    try:
        with open_or_fail(db) as store:
            man = run(store, out)
    except BackupError as exc:
        fail(str(exc))
    emit_json({"file": str(out), "tables": len(man["tables"]), "rows": sum(t["rows"] for t in man["tables"].values())})


@app.command()
def restore(db: str = DB, from_: Path = typer.Option(..., "--from", help="the backup file")):
    """Restore a backup into a new DuckDB file or an empty PostgreSQL database, then verify it
    (rows and checksum of every table against the backup's manifest; exit 1 on a difference)."""
    from chainbrain.store.backup import BackupError
    from chainbrain.store.backup import restore as run

    try:
        res = run(db, from_)
    except BackupError as exc:
        fail(str(exc))
    emit_json(res)
    if not res["ok"]:
        raise typer.Exit(1)


@app.command("verify")
def verify_cmd(db: str = DB, from_: Path = typer.Option(..., "--from", help="the backup file")):
    """Compare a store with a backup's manifest (rows and checksum per table); exit 1 on a difference."""
    from chainbrain.store.backup import BackupError
    from chainbrain.store.backup import verify as run

    try:
        res = run(db, from_)
    except BackupError as exc:
        fail(str(exc))
    emit_json(res)
    if not res["ok"]:
        raise typer.Exit(1)
