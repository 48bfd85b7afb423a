"""``chainbrain kpi``: the headline KPI for a period and scope."""

from __future__ import annotations

import typer

from chainbrain.analytics.kpi import kpi as compute_kpi
from chainbrain.cli.common import CHAIN, DB, ENGINE, FORMAT, LAKE, PERIOD, REGION, SCOPE, SPARK_MASTER
from chainbrain.cli.engine import source
from chainbrain.cli.output import emit, emit_json
from chainbrain.periods import PeriodError
from chainbrain.store import open_store

FIELDS = ["period", "chain", "region", "scope", "above_scale_count", "revenue_ytd_yuan",
          "revenue_ytd_prev_yuan", "comparable_current_yuan", "comparable_base_yuan", "yoy_naive",
          "yoy_comparable", "target_index_comparable", "target_index_count", "target_ratio", "target_status",
          "target_required_growth", "target_required_growth_rest_of_year", "target_path_yuan",
          "target_ratio_level", "target_status_level"]


def kpi(
    period: str = PERIOD,
    db: str = DB,
    chain: str = CHAIN,
    region: str = REGION,
    scope: str = SCOPE,
    format: str = FORMAT,
    indicator: list[str] = typer.Option(None, "--indicator", "-i",
                                        help="also return this indicator (repeatable; see `chainbrain indicators`)"),
    basis: str = typer.Option("ytd", "--basis", help="for --indicator: ytd, month or quarter"),
    engine: str = ENGINE,
    lake: str = LAKE,
    spark_master: str = SPARK_MASTER,
):
    """Above-scale revenue YTD, naive and comparable growth, target verdict (comparable) and level path.

    ``--indicator KEY`` adds ``KEY`` and ``KEY_n`` (contributing enterprises) to the same record.
    ``--engine spark --lake PATH`` computes on Spark over the lake (docs/spark.md).
    """
    from chainbrain.analytics.indicators import evaluate_one
    from chainbrain.analytics.registry import REGISTRY

    unknown = [k for k in indicator or [] if k not in REGISTRY]
    if unknown:
        typer.echo(f"error: unknown indicator {', '.join(unknown)} (未知指标); see `chainbrain indicators`", err=True)
        raise typer.Exit(2)
    try:
        with open_store(db) as st, source(st, engine, lake, spark_master) as store:
            rec = compute_kpi(store, period, chain=chain, region=region, scope=scope)
            if indicator:
                extra = evaluate_one(store, period, scope=scope, region=region, chain=chain, basis=basis,
                                     only=list(indicator))
                for k in indicator:
                    rec[k] = extra.get(k)
                    rec[f"{k}_n"] = extra.get(f"{k}_n", 0)
                rec["indicator_basis"] = basis
    except (PeriodError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    if format == "json":
        emit_json(rec)
    else:
        rows = [{"field": k, "value": rec.get(k)} for k in FIELDS + [f for k in indicator or [] for f in (k, f"{k}_n")]]
        emit(["field", "value"], rows, "table", f"KPI {period} (yuan; growth as fraction)")
