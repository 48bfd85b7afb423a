"""``chainbrain lake export``: the analytics' tables as a Parquet lake (docs/spark.md)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from chainbrain.cli.common import DB
from chainbrain.cli.output import emit_json
from chainbrain.store import open_store

app = typer.Typer(help="Parquet lake for Spark and other engines (数据湖).", no_args_is_help=True)


@app.command("export")
def export(
    db: str = DB,
    out: Path = typer.Option(..., "--out", help="the lake's directory (replaced when it is a lake already)"),
):
    """Write the tables the analytics read as Parquet (facts partitioned by year/month) with a
    ``_lake.json`` manifest: data version, schemas, row counts. All-or-nothing."""
    from chainbrain.store.lake import LakeError
    from chainbrain.store.lake import export as write_lake

    try:
        with open_store(db) as store, Progress(TextColumn("{task.description}"), BarColumn(),
                                               TextColumn("{task.completed}/{task.total} tables"),
                                               TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("lake", total=1)
            manifest = write_lake(store, out, progress=lambda i, n, label: bar.update(
                task, completed=i, total=n, description=label))
    except (LakeError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    emit_json({"lake": str(out), "data_version": manifest["data_version"],
               "tables": len(manifest["tables"]), "rows": sum(t["rows"] for t in manifest["tables"].values())})


@app.command("scale")
def scale(
    lake: Path = typer.Option(..., "--lake", help="the source lake"),
    out: Path = typer.Option(..., "--out", help="the new lake's directory"),
    factor: int = typer.Option(10, "--factor", help="copies of every enterprise (monthly rows, supply links × factor)"),
):
    """A synthetic lake ``factor`` times larger, written directly (benchmarks at national scale and
    beyond; sums × factor, rates unchanged; docs/spark.md)."""
    from chainbrain.store.lake import LakeError
    from chainbrain.store.lake_scale import scale as write_scaled

    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} tables"),
                      TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("lake", total=1)
            manifest = write_scaled(lake, out, factor, progress=lambda i, n, label: bar.update(
                task, completed=i, total=n, description=label))
    except (LakeError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    emit_json({"lake": str(out), "data_version": manifest["data_version"], "factor": factor,
               "rows": {t: manifest["tables"][t]["rows"] for t in ("enterprise", "monthly_report", "supply_link")}})
