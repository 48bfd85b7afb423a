"""``chainbrain audit verify|prune`` — the audit log's hash chain (:mod:`chainbrain.store.audit`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import emit_json, fail
from chainbrain.cli.db import open_or_fail

app = typer.Typer(help="Check and prune the hash-chained audit log.", no_args_is_help=True)


def _read_export(path: Path) -> tuple[list[dict], bool]:
    """Entries of an export (CSV or JSON from ``/api/audit/export``) in id order, and whether filtered."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read the export — {exc} (无法读取导出文件)")
    try:
        if path.suffix.lower() == ".json":
            body = json.loads(text)
            rows, filtered = body["entries"], bool(body.get("filtered"))
        else:
            rows, filtered = [dict(r) for r in csv.DictReader(text.splitlines())], None
            for r in rows:
                for k in ("object", "detail"):
                    r[k] = r.get(k) or None
        rows = sorted(rows, key=lambda r: int(r["id"]))
    except (ValueError, KeyError, TypeError) as exc:
        fail(f"{path}: not an audit export (CSV or JSON) — {exc} (不是审计日志导出文件)")
    if filtered is None:                                  # CSV: filtered when the ids have gaps
        ids = [int(r["id"]) for r in rows]
        filtered = any(b != a + 1 for a, b in zip(ids, ids[1:]))
    return rows, filtered


@app.command()
def verify(db: str = DB, file: Path = typer.Option(None, "--file", help="check an export (CSV or JSON) instead")):
    """Check the chain; prints the entries checked and the head hash (keep it outside the database).
    Exit 1 naming the first broken entry."""
    from chainbrain.store.audit import verify as check
    from chainbrain.store.audit import verify_rows

    if file is not None:
        rows, filtered = _read_export(file)
        verdict = verify_rows(rows, excerpt=filtered)
    else:
        with open_or_fail(db) as store:
            verdict = check(store)
    if not verdict.ok:
        typer.echo(f"error: audit chain broken at entry {verdict.broken_id}: {verdict.reason} "
                   f"(审计日志哈希链在第 {verdict.broken_id} 条处断开)", err=True)
        raise typer.Exit(1)
    emit_json(verdict.public())


@app.command()
def prune(db: str = DB, older_than: int = typer.Option(None, "--older-than", help="days [default: the configuration "
                                                      "file's [audit] retention_days]")):
    """Delete entries older than DAYS, keeping the newest of them as the chain's anchor and writing
    an ``audit_prune`` entry (the chain still verifies)."""
    from chainbrain.config import load_settings
    from chainbrain.store.audit import prune as run

    days = older_than if older_than is not None else load_settings().audit_retention_days
    if not days:
        fail("no retention: give --older-than DAYS or set [audit] retention_days "
             "(未设置保留期限：请给出 --older-than 或配置 [audit] retention_days)")
    try:
        with open_or_fail(db) as store:
            emit_json(run(store, int(days)))
    except ValueError as exc:
        fail(str(exc))
