"""Render records as CSV, JSON or a rich table on stdout."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys

from rich.console import Console
from rich.table import Table

FORMATS = ("csv", "json", "table")


def _default(o):
    if isinstance(o, decimal.Decimal):
        return float(o)
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    raise TypeError(type(o))


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_default)


def emit(columns: list[str], rows: list[dict], fmt: str, title: str = "") -> None:
    if fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
    elif fmt == "json":
        print(dumps([{k: r.get(k) for k in columns} for r in rows]))
    else:
        table = Table(title=title or None)
        for c in columns:
            table.add_column(c)
        for r in rows:
            table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
        Console().print(table)


def emit_json(obj) -> None:
    print(dumps(obj))


def fail(msg: str) -> None:
    """One line ``error: …`` on stderr and exit status 2 (a bad option: the message is bilingual)."""
    import typer

    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def parse_day(date: str | None):
    """``--date YYYY-MM-DD`` as a date (today when not given); a bad date is :func:`fail`."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        fail(f"--date {date!r} is not YYYY-MM-DD (日期格式应为 YYYY-MM-DD)")


def check_format(format: str, out) -> None:
    """``--format json|xlsx`` with ``--out``: xlsx needs a file (json defaults to stdout)."""
    if format not in ("json", "xlsx"):
        fail(f"--format must be json or xlsx, not {format!r} (输出格式应为 json 或 xlsx)")
    if format == "xlsx" and out is None:
        fail("--format xlsx needs --out FILE (Excel 输出须指定 --out 文件)")


def write_answer(format: str, out, tables, body, done: str) -> None:
    """An answer of a json|xlsx command: ``tables`` as an Excel workbook (``web.render.xlsx``) to
    ``out``, or ``body`` as JSON to ``out`` or stdout; ``done`` names what was written."""
    import typer

    if format == "xlsx":
        from chainbrain.web.render import xlsx

        out.write_bytes(xlsx(tables))
        typer.echo(f"{done} → {out}")
        return
    text = dumps(body)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"{done} → {out}")
