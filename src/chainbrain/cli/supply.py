"""``chainbrain supply local-rate``: 本地配套率 from the store's supply links."""

from __future__ import annotations

import typer

from chainbrain.cli.common import DB

app = typer.Typer(help="Supply network (供应链网络): local supporting rate.", no_args_is_help=True)


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@app.command("local-rate")
def local_rate_cmd(
    year: int = typer.Option(..., "--year", help="calendar year of the links; membership as of 31 December"),
    by: str = typer.Option("chain", "--by", help="chain|segment|supplier-segment|city|county|enterprise"),
    format: str = typer.Option("json", "--format", "-f", help="json or csv"),
    db: str = DB,
):
    """Rows key, name, purchases_yuan, local_yuan, local_rate, city_local_rate, buyers, suppliers,
    local_suppliers, basis, observed_coverage (docs/supply.md)."""
    from chainbrain.analytics.supply_local import BY, COLUMNS, local_rate
    from chainbrain.cli.output import emit, emit_json
    from chainbrain.store import open_store

    if by not in BY:
        _fail(f"--by must be one of {', '.join(BY)}, not {by!r} (分组方式应为 {'、'.join(BY)})")
    if format not in ("json", "csv"):
        _fail(f"--format must be json or csv, not {format!r} (输出格式应为 json 或 csv)")
    if not 1900 <= year <= 2200:
        _fail(f"--year {year} is not a plausible year (年度无效)")
    try:
        with open_store(db) as store:
            rows = local_rate(store, year, by)
    except ValueError as exc:
        _fail(str(exc))
    if format == "json":
        emit_json(rows)
    else:
        emit(COLUMNS, rows, "csv")
