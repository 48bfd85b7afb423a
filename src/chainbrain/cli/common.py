"""Options shared by commands."""

import os

import typer

from chainbrain.config import default_db

DB = typer.Option(None, "--db", help="DuckDB file or postgresql:// URL [default: $CHAINBRAIN_DB, the configuration "
                                    "file's store.url, data/chainbrain.duckdb]",
                  callback=lambda v: v or default_db())
PERIOD = typer.Option(..., "--period", "-p", help="YYYY-MM (YTD), YYYY-Qn or YYYY")
CHAIN = typer.Option(None, "--chain", help="chain code, e.g. EI")
REGION = typer.Option(None, "--region", help="region code (province, city or county)")
SCOPE = typer.Option("all", "--scope", help="all (sections B–D) or manufacturing (C)")
FORMAT = typer.Option("table", "--format", "-f", help="json or table")
ENGINE = typer.Option(None, "--engine", help="duckdb, postgres or spark [default: the store's own]; spark reads "
                                            "--lake (docs/spark.md)")
LAKE = typer.Option(None, "--lake", help="a lake written by `chainbrain lake export` (or an ETL, docs/spark.md)")
SPARK_MASTER = typer.Option(None, "--spark-master", help="Spark master URL [default: the configuration's "
                                                        "spark.master, local[*]]")

#: the OS user a server runs a command for (its control socket's peer); None in a command run directly
PEER_USER = __import__("contextvars").ContextVar("chainbrain_peer_user", default=None)


def cli_actor() -> str:
    """Who the audit log names for a command: ``cli:<OS user>`` (the control socket's peer when a
    server runs the command for the command line, else this process's user)."""
    import pwd

    user = PEER_USER.get()
    if user is None:
        try:
            user = pwd.getpwuid(os.getuid()).pw_name
        except KeyError:                       # a uid without a passwd entry (containers)
            user = str(os.getuid())
    return f"cli:{user}"
