"""Options shared by commands."""

import typer

from chainbrain.config import default_db

DB = typer.Option(None, "--db", help="DuckDB file or postgresql:// URL [default: $CHAINBRAIN_DB or data/chainbrain.duckdb]",
                  callback=lambda v: v or default_db())
