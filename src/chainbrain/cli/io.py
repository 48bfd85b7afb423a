"""``chainbrain io linkages`` (input–output linkages from CSV files or a stored table) and
``chainbrain import io-table`` (store an input–output table)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from chainbrain.cli.common import DB

app = typer.Typer(help="Input–output linkages (投入产出关联).", no_args_is_help=True)

OUT_COLUMNS = ["region", "sector", "bl", "fl", "output_multiplier", "hem_share"]


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@app.command("linkages")
def linkages_cmd(
    z: Optional[Path] = typer.Option(None, "--z", help="Z.csv: region,sector, then one column per buying "
                                     "region|sector"),
    y: Optional[Path] = typer.Option(None, "--y", help="Y.csv: region,sector, then one column per region|category"),
    x: Optional[Path] = typer.Option(None, "--x", help="x.csv: region,sector,x [default: Z·1 + f]"),
    output: Path = typer.Option(..., "--output", "-o", help="CSV to write: region,sector,bl,fl,"
                                "output_multiplier,hem_share"),
    table: Optional[str] = typer.Option(None, "--table", help="a table stored by `import io-table` "
                                        "(instead of --z/--y/--x)"),
    db: str = DB,
):
    """Backward/forward linkages, output multipliers and hypothetical-extraction shares (see docs/supply.md)."""
    import pandas as pd

    from chainbrain.analytics.io import IOError_, linkages
    from chainbrain.ingest.io_table import TableError, read_io_table

    if (table is None) == (z is None or y is None):
        _fail("give either --z and --y (and optionally --x) or --table (请给出 --z 与 --y，或 --table)")
    try:
        if table is not None:
            from chainbrain.ingest.io_store import load_io_table
            from chainbrain.store import open_store
            with open_store(db) as store:
                t = load_io_table(store, table)
        else:
            t = read_io_table(z, y, x)
        res = linkages(t.Z, t.f, t.x)
    except (TableError, IOError_) as exc:
        _fail(str(exc))
    out = pd.DataFrame({"region": t.regions, "sector": t.sectors, "bl": res.bl, "fl": res.fl,
                        "output_multiplier": res.output_multiplier, "hem_share": res.hem_share})
    try:
        out[OUT_COLUMNS].to_csv(output, index=False)          # floats as repr: full precision
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc} (无法写入)")
    keys = [f"{r}|{s}" for r, s, k in zip(t.regions, t.sectors, res.key) if k]
    typer.echo(f"wrote {len(out)} rows to {output}; {len(keys)} key sector(s) (BL > 1 and FL > 1, 关键部门)"
               + (f": {', '.join(keys[:10])}{' …' if len(keys) > 10 else ''}" if keys else ""), err=True)


def import_io_table(
    z: Path = typer.Option(..., "--z", help="Z.csv (layout of `io linkages`)"),
    y: Path = typer.Option(..., "--y", help="Y.csv"),
    x: Optional[Path] = typer.Option(None, "--x", help="x.csv (checked against Z·1 + f)"),
    name: str = typer.Option(..., "--name", help="the table's name in the store (replaces one of the same name)"),
    unit: Optional[str] = typer.Option(None, "--unit", help="元|千元|万元|亿元 (required)"),
    year: Optional[int] = typer.Option(None, "--year", help="the table's year"),
    title: Optional[str] = typer.Option(None, "--title", help="e.g. 2020年全国投入产出表（153部门）"),
    synthetic: bool = typer.Option(False, "--synthetic", help="mark the table as synthetic (demo data, 合成数据)"),
    db: str = DB,
):
    """Input–output table (Z, Y[, x] in the `io linkages` layout). 投入产出表"""
    from chainbrain.cli.output import emit_json
    from chainbrain.ingest.io_store import store_io_table
    from chainbrain.ingest.io_table import TableError, read_io_table
    from chainbrain.store import open_store

    try:
        t = read_io_table(z, y, x)
        with open_store(db) as store:
            summary = store_io_table(store, t, name, unit, year=year, title=title, source=str(z),
                                     synthetic=synthetic)
    except TableError as exc:
        _fail(str(exc))
    emit_json(summary)


@app.command("demo-table")
def demo_table_cmd(
    db: str = DB,
    name: str = typer.Option("demo-national", "--name", help="the stored table's name"),
    seed: int = typer.Option(2023, "--seed", help="random seed"),
):
    """Store the synthetic demo table (97 GB/T 4754 divisions, labelled 虚构数据/synthetic; docs/supply.md)."""
    from chainbrain.cli.output import emit_json
    from chainbrain.demo.io_table import store_demo_io_table
    from chainbrain.ingest.io_table import TableError
    from chainbrain.store import open_store

    try:
        with open_store(db) as store:
            emit_json(store_demo_io_table(store, name, seed))
    except TableError as exc:
        _fail(str(exc))


def register_import(import_app: typer.Typer) -> None:
    """``chainbrain import io-table`` beside the other import kinds."""
    import_app.command("io-table")(import_io_table)
