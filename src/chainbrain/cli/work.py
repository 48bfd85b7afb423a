"""``chainbrain work tick``: the work system's command group (other parts add their commands here)."""

from __future__ import annotations

import datetime as dt

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import emit_json
from chainbrain.store import open_store

app = typer.Typer(help="Work system (工作体系): clocks, requests, tasks.", no_args_is_help=True)


@app.command()
def tick(db: str = DB, today: str = typer.Option(None, "--today", help="YYYY-MM-DD (default: today)")):
    """Apply the clocks: escalate overdue requests (一事一议), close answered requests whose
    confirmation deadline passed (销号), and the other parts' reminders. Prints a JSON summary."""
    from chainbrain.work.tick import run

    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        typer.echo(f"error: --today {today!r} is not a date YYYY-MM-DD (日期格式应为 YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    with open_store(db) as store:
        emit_json({"today": day.isoformat(), **run(store, day)})
__import__("chainbrain.cli.work_tasks", fromlist=["register"]).register(app)   # 任务清单 tasks-import/-export
