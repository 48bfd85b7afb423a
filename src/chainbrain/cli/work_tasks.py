"""``chainbrain work tasks-import|tasks-export``: the office's Excel task list from the command line.

Both act as a named web user (``--as``), so the same scope applies as on the page: a chain
office imports and exports its chain's tasks, a bureau its region's. The import is all or
nothing; on any error nothing is written and every problem is printed with file, row and field
in both languages (exit code 1).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from chainbrain.cli.common import DB
from chainbrain.store import open_store


def _user(store, name: str):
    import sqlalchemy as sa

    from chainbrain.store.schema_users import user_account
    from chainbrain.web.users import _row_user

    with store.engine.connect() as conn:
        r = conn.execute(sa.select(user_account).where(user_account.c.username == name)).first()
    if r is None or r.disabled:
        typer.echo(f"error: no enabled user {name!r} (无此用户或已停用)", err=True)
        raise typer.Exit(2)
    return _row_user(r)


def tasks_import(file: Path = typer.Argument(..., help="the task list (.xlsx): 序号, 工作任务, 责任单位, 责任人, "
                                             "配合单位, 产业链, 地区, 完成时限, 进展情况, 状态"),
                 as_user: str = typer.Option(..., "--as", help="the office's user name (its scope applies)"),
                 db: str = DB):
    """Import the office's Excel task list as tasks assigned by that office (all or nothing)."""
    from chainbrain.ingest.work_tasks import TaskFileError
    from chainbrain.work.records import NotAllowed
    from chainbrain.work.task_import import import_tasks

    with open_store(db) as store:
        user = _user(store, as_user)
        try:
            ids = import_tasks(store, user, file, dt.date.today())
        except TaskFileError as exc:
            typer.echo(f"error: {exc}", err=True)
            for i in exc.issues:
                typer.echo(f"  {i.line()}", err=True)
            raise typer.Exit(1) from None
        except NotAllowed as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"imported {len(ids)} tasks (已导入 {len(ids)} 项任务)")


def tasks_export(out: Path = typer.Argument(..., help="the workbook to write (.xlsx)"),
                 as_user: str = typer.Option(..., "--as", help="the office's user name (its scope applies)"),
                 chain: str = typer.Option(None, "--chain"), region: str = typer.Option(None, "--region"),
                 status: str = typer.Option(None, "--status"), db: str = DB):
    """Export the tasks the user may see (optionally filtered) as the office's Excel list."""
    from chainbrain.work.task_import import export_tasks

    with open_store(db) as store:
        body = export_tasks(store, _user(store, as_user), dt.date.today(),
                            {"chain": chain, "region": region, "status": status})
    out.write_bytes(body)
    typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command("tasks-import")(tasks_import)
    app.command("tasks-export")(tasks_export)
