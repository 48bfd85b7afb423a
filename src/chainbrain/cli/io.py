"""``chainbrain io linkages``: input–output linkages of a table given as CSV files."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Input–output linkages (投入产出关联).", no_args_is_help=True)

OUT_COLUMNS = ["region", "sector", "bl", "fl", "output_multiplier", "hem_share"]


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@app.command("linkages")
def linkages_cmd(
    z: Path = typer.Option(..., "--z", help="Z.csv: region,sector, then one column per buying region|sector"),
    y: Path = typer.Option(..., "--y", help="Y.csv: region,sector, then one column per region|category"),
    x: Path = typer.Option(None, "--x", help="x.csv: region,sector,x [default: Z·1 + f]"),
    output: Path = typer.Option(..., "--output", "-o", help="CSV to write: region,sector,bl,fl,"
                                "output_multiplier,hem_share"),
):
    """Backward/forward linkages, output multipliers and hypothetical-extraction shares (see docs/supply.md)."""
    import pandas as pd

    from chainbrain.analytics.io import IOError_, linkages
    from chainbrain.ingest.io_table import TableError, read_io_table

    try:
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
