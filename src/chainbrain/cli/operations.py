"""``chainbrain operations``: the department's indicator set (运行分析) on the command line."""

from __future__ import annotations

from typing import Optional

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import emit, emit_json
from chainbrain.periods import PeriodError
from chainbrain.store import open_store

COLUMNS = ["key", "enterprises", "gross_output", "gross_output_yoy", "sales_rate", "cost_per_100", "profit_margin",
           "debt_ratio", "receivable_days", "finished_goods_days", "loss_amount", "employees_avg", "power",
           "energy_per_va", "value_added_yoy", "revenue_yoy"]


def operations(
    period: str = typer.Option(..., "--period", "-p", help="YYYY-MM (YTD), YYYY-Qn or YYYY"),
    db: str = DB,
    by: str = typer.Option("all", "--by", help="all|division|size|hightech|equipment|chain|city|county|…"),
    rank: Optional[str] = typer.Option(None, "--rank", help="city|county: rank by comparable growth instead"),
    measure: str = typer.Option("value_added", "--measure", help="growth ranked / counted in 增长面"),
    scope: str = typer.Option("all", "--scope", help="all (B–D) or manufacturing (C)"),
    region: Optional[str] = typer.Option(None, "--region"),
    chain: Optional[str] = typer.Option(None, "--chain"),
    format: str = typer.Option("table", "--format", "-f", help="json, csv or table"),
):
    """Financial and production indicators per key (YTD), with 增长面 for --by division. Money in yuan."""
    from chainbrain.analytics.breakdowns import divisions_of, growth_breadth, rank_regions
    from chainbrain.analytics.operations import operations_many

    try:
        with open_store(db) as store:
            if rank:
                rows = rank_regions(store, period, rank, measure, scope=scope, region=region, chain=chain)
                cols = ["rank", "key", "value", "value_n"]
            else:
                rows = operations_many(store, period, (by,), scope=scope, region=region, chain=chain)[by]
                cols = COLUMNS
                if by == "division":
                    rows = divisions_of(rows, measure)["rows"]
                    cols = ["key", "name", *COLUMNS[1:]]
    except (PeriodError, ValueError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    if format == "json":
        out = {"rows": rows}
        if by == "division" and not rank:
            out["growth_breadth"] = growth_breadth(rows, measure)
        emit_json(out)
    else:
        emit(cols, rows, format, f"运行分析 Operations {period}")


def register(app: typer.Typer) -> None:
    app.command("operations")(operations)
