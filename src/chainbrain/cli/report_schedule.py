"""``chainbrain report schedule add|list|remove|run``: report sets generated on a schedule.

``run`` is what cron calls (e.g. hourly): it generates every due schedule's set and keeps the
files in the store (:mod:`chainbrain.reports.schedule`); ``run --force NAME`` runs one now.
The web server runs due schedules by itself in the background. Bad input: one bilingual line
on stderr and exit code 2; a failed run: exit code 1 (the error is kept with the run).
"""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import DB

app = typer.Typer(help="Scheduled report sets 定期生成的报告.", no_args_is_help=True)


def _fail(msg: str, code: int = 2) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


def _store(db: str):
    from chainbrain.store import open_store

    if "://" not in db and not Path(db).exists():
        _fail(f"--db {db}: no such store (数据库文件不存在)")
    return open_store(db)


@app.command("add")
def add(name: str = typer.Argument(..., help="the schedule's name"), db: str = DB,
        units: str = typer.Option("province,chains,cities", "--units", help="comma list: province, chains, cities"),
        formats: str = typer.Option("docx,pdf,xlsx", "--formats", help="comma list: docx, pdf, xlsx"),
        trigger: str = typer.Option("data", "--trigger", help="data: after each month's data arrive; day: on --day"),
        day: int = typer.Option(None, "--day", help="day of the month (1–28) with --trigger day"),
        as_user: str = typer.Option(None, "--as", help="write the set as this user may see it")):
    """Add a schedule."""
    from chainbrain.reports import schedule
    from chainbrain.reports.viewer import ReportError

    with _store(db) as store:
        try:
            sid = schedule.add(store, name, units, formats, trigger, day, as_user)
        except ReportError as exc:
            _fail(str(exc))
    typer.echo(f"schedule #{sid} {name}: {units} × {formats}, "
               f"{'after each month’s data' if trigger == 'data' else f'on day {day} of each month'}")


@app.command("remove")
def remove(name: str = typer.Argument(..., help="the schedule's name"), db: str = DB):
    """Remove a schedule (its runs and kept files stay)."""
    from chainbrain.reports import schedule
    from chainbrain.reports.viewer import ReportError

    with _store(db) as store:
        try:
            schedule.remove(store, name)
        except ReportError as exc:
            _fail(str(exc))
    typer.echo(f"schedule {name} removed")


@app.command("list")
def list_schedules(db: str = DB, format: str = typer.Option("table", "--format", "-f", help="table or csv"),
                   runs: bool = typer.Option(False, "--runs", help="list the newest runs instead")):
    """The schedules (or, with ``--runs``, the newest runs and their errors)."""
    from chainbrain.cli.output import emit
    from chainbrain.reports import schedule

    if format not in ("table", "csv"):
        _fail(f"--format {format}: must be table or csv (格式应为 table 或 csv)")
    with _store(db) as store:
        if runs:
            emit(["id", "name", "trigger", "period", "data_batch_id", "status", "files", "started_at",
                  "finished_at", "error"], schedule.runs(store), format, "Report runs 报告生成记录")
        else:
            emit(["id", "name", "units", "formats", "trigger", "day_of_month", "as_user", "enabled"],
                 schedule.schedules(store), format, "Report schedules 报告生成计划")


@app.command("run")
def run(db: str = DB, force: str = typer.Option(None, "--force", help="run this schedule now, due or not")):
    """Run the due schedules (for cron), or one schedule now."""
    from chainbrain.reports import schedule
    from chainbrain.reports.viewer import ReportError

    with _store(db) as store:
        try:
            done = schedule.run_due(store, force=force)
        except ReportError as exc:
            _fail(str(exc))
    for r in done:
        typer.echo(f"run #{r['id']} {r['schedule']} {r['period']}: {r['status']}, {r['files']} files"
                   + (f" — {r['error']}" if r["error"] else ""))
    if not done:
        typer.echo("nothing due (没有到期的计划)")
    if any(r["status"] == "failed" for r in done):
        raise typer.Exit(1)
