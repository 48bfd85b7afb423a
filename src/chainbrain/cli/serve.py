"""``chainbrain serve``: run the web UI and JSON API with uvicorn."""

from __future__ import annotations

import typer

from chainbrain.cli.common import DB


def serve(
    db: str = DB,
    host: str = typer.Option("127.0.0.1", "--host", help="interface to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    public_aggregates: bool = typer.Option(False, "--public-aggregates",
                                           help="show aggregate figures without sign-in (the demo does)"),
):
    """Serve the cockpit at http://HOST:PORT/ until Ctrl-C (offline: all assets are local)."""
    import uvicorn

    from chainbrain.store.engine import redact
    from chainbrain.web import create_app

    app = create_app(db, public_aggregates=public_aggregates)
    typer.echo(f"ChainBrain 产业链大脑: http://{host}:{port}/  (db: {redact(db)}; "
               f"public aggregates: {'on' if public_aggregates else 'off'}) — Ctrl-C to stop")
    uvicorn.run(app, host=host, port=port, log_level="info")
