"""``chainbrain db init|upgrade|stats``."""

from __future__ import annotations

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import emit_json
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
