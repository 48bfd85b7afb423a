"""``chainbrain targets``: every plan target with its value, bounds, target and status."""

from __future__ import annotations

import typer

from chainbrain.cli.common import CHAIN, DB, FORMAT, PERIOD, REGION, SCOPE
from chainbrain.cli.output import emit, emit_json
from chainbrain.periods import PeriodError
from chainbrain.store import open_store

#: the contract fields of every record (docs/monitoring.md, Targets), then the labelled second figures
FIELDS = ["code", "kind", "name_zh", "name_en", "value", "low", "high", "target", "status", "basis", "unit", "n",
          "target_year", "ratio", "required_annual_growth_to_target", "required_growth_rest_of_year", "n_index",
          "actual", "path", "ratio_level", "status_level", "basis_level", "unit_level", "n_level"]


def targets(
    period: str = PERIOD,
    db: str = DB,
    chain: str = CHAIN,
    region: str = REGION,
    scope: str = SCOPE,
    format: str = FORMAT,
):
    """Plan targets: value, bounds, target, status (green|yellow|red|undetermined|null) and basis.

    Growth targets: value = chained comparable index, target = (1+r)^(Y−B); shares: estimate with
    bounds; levels: annualized value in yuan against the level path (docs/monitoring.md, Targets).
    """
    from chainbrain.analytics.targets import target_progress

    if format not in ("json", "table"):
        typer.echo(f"error: --format must be json or table (输出格式应为 json 或 table), not {format!r}",
                   err=True)
        raise typer.Exit(2)
    try:
        with open_store(db) as store:
            rows = target_progress(store, period, chain=chain, region=region, scope=scope)
    except (PeriodError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    rows = [{k: r.get(k) for k in FIELDS} for r in rows]
    if format == "json":
        emit_json(rows)
    else:
        emit(["code", "kind", "value", "low", "high", "target", "status", "basis", "unit", "n"], rows, "table",
             f"Targets 目标 {period}")
