"""One command line: ``chainbrain catalog|db|demo|kpi|serve``."""

from __future__ import annotations

import typer

from chainbrain.cli import advantage, catalog, db, kpi, serve

app = typer.Typer(help="ChainBrain 产业链大脑 — industrial-chain program platform.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(catalog.app, name="catalog")
app.add_typer(db.app, name="db")
app.command("kpi")(kpi.kpi)
app.add_typer(advantage.app, name="advantage")
app.command("serve")(serve.serve)


def main() -> None:
    app()
