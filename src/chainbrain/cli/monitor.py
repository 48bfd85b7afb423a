"""``chainbrain indicators | compute | alerts``: the monitoring engine on the command line."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from chainbrain.cli.common import DB, ENGINE, LAKE, SPARK_MASTER
from chainbrain.cli.engine import source
from chainbrain.cli.output import emit, emit_json
from chainbrain.periods import PeriodError
from chainbrain.store import open_store


def indicators(format: str = typer.Option("table", "--format", "-f", help="json, csv or table")):
    """List the indicator registry: key, names, unit, price basis (现价/可比价), formula, inputs, convention."""
    from chainbrain.analytics.registry import list_indicators

    rows = list_indicators()
    if format == "json":
        emit_json(rows)
    else:
        emit(["key", "name_zh", "name_en", "unit", "price_basis", "formula", "inputs", "convention"], rows, format,
             "Indicators 指标")


def compute(
    db: str = DB,
    period: list[str] = typer.Option(None, "--period", "-p", help="only these YYYY-MM periods (repeatable)"),
    no_alerts: bool = typer.Option(False, "--no-alerts"),
    no_index: bool = typer.Option(False, "--no-index", help="skip the modernization index"),
    operations: str = typer.Option("year", "--operations",
                                   help="运行分析 indicators for: year (the newest year's periods), all, off"),
    disclosure: bool = typer.Option(True, "--disclosure/--no-disclosure",
                                    help="compute and keep the published disclosure patterns of every month's "
                                         "family (or of --period's) for the anonymous viewer and every "
                                         "account's scope"),
    min_cell: int = typer.Option(3, "--min-cell", help="the server's minimum cell size (chainbrain serve --min-cell)"),
    cockpit: bool = typer.Option(True, "--cockpit/--no-cockpit",
                                 help="compute and keep the KPI figures of every period × region (or of --period), "
                                      "the alerts of every period (unless --no-alerts) and the cockpit's other "
                                      "figures of the newest period for the province and every city"),
    engine: str = ENGINE,
    lake: str = LAKE,
    spark_master: str = SPARK_MASTER,
):
    """Refresh every stored aggregate (indicator values, alerts, modernization scores), the
    disclosure patterns pages publish (docs/web.md, "Disclosure") and the cockpit's figures.

    ``--engine spark --lake PATH``: the aggregates are computed on Spark over the lake and written
    to the store in one transaction, tagged with the lake's data version; a failed job changes
    nothing. The disclosure patterns and the cockpit's figures are keyed to the store's own data
    and computed on it."""
    from chainbrain.analytics.aggregates import refresh

    if operations not in ("year", "all", "off"):
        raise typer.BadParameter("--operations must be year, all or off (应为 year、all 或 off)")
    with open_store(db) as store, Progress(TextColumn("{task.description}"), BarColumn(),
                                           TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                           transient=True) as bar, source(store, engine, lake, spark_master) as view:
        task = bar.add_task("compute", total=1)
        refilled = _check_digest(store, bar, task)

        def progress(done, total, label):
            bar.update(task, completed=done, total=total, description=label)

        out = refresh(store, period or None, progress, alerts=not no_alerts, modernization_index=not no_index,
                      operations=operations, source=view)
        if refilled:
            out["digest_refilled"] = refilled
        if disclosure:
            out["disclosure"] = _disclosure(store, period, min_cell, progress)
        if cockpit:
            out["cockpit"] = _cockpit(store, period, progress, alerts=not no_alerts)
    emit_json(out)


def _check_digest(store, bar, task) -> list[str]:
    """PostgreSQL: the content digest checked against a scan, and filled again where writes made with
    triggers off left it behind (store/digest.py ``verify``); the tables filled again."""
    from chainbrain.store.content import TABLES
    from chainbrain.store.digest import verify

    bar.update(task, description="content digest 内容摘要")
    return verify(store, TABLES)


def _cockpit(store, period, progress, alerts: bool = True) -> list[dict]:
    """The KPI figures of every period × region (or of each ``period``; analytics.kpi_stored), the
    alerts of every period (analytics.alerts_stored), then the cockpit's remaining figures (targets,
    projection) of the newest period (or each of ``period``), kept."""
    from chainbrain.analytics import alerts_stored, kpi_stored
    from chainbrain.analytics.kpi import latest_period
    from chainbrain.web.kept import precompute

    which = list(period) if period else None
    done = kpi_stored.keep(store, which, progress=progress)
    out = [{"period": "all" if not period else ",".join(period), "region": "every period × region (KPI)",
            "figures": done["figures"], "seconds": done["seconds"]}]
    if alerts:
        done = alerts_stored.keep(store, which, progress=progress)
        out.append({"period": "all" if not period else ",".join(period), "region": "alerts of every period",
                    "figures": done["periods"], "seconds": done["seconds"]})
    for label in list(period or []) or [latest_period(store)]:
        out += [{"period": label, **row} for row in precompute(store, label, progress)]
    return out


def _disclosure(store, period, min_cell: int, progress) -> list[dict]:
    """The published patterns of every month's family (analytics.suppression_periods.every_family:
    every period on file is then served without a solve), or of each ``period``'s family and the
    Decembers', kept."""
    from chainbrain.analytics.suppression_periods import every_family
    from chainbrain.web.disclosure import precompute

    if period:
        return [row for label in period for row in precompute(store, label, min_cell, progress)]
    return precompute(store, every_family(store), min_cell, progress)


def alerts(
    period: str = typer.Option(..., "--period", "-p", help="YYYY-MM, YYYY-Qn or YYYY"),
    db: str = DB,
    rule: list[str] = typer.Option(None, "--rule", help="only these rules (repeatable)"),
    format: str = typer.Option("table", "--format", "-f", help="json, csv or table"),
):
    """Early warnings at a period, each with rule, figures and message."""
    from chainbrain.analytics.alerts import RULES
    from chainbrain.analytics.alerts import alerts as compute_alerts

    bad = [r for r in rule or [] if r not in RULES]
    if bad:
        typer.echo(f"error: unknown rule {', '.join(bad)}; rules: {', '.join(RULES)}", err=True)
        raise typer.Exit(2)
    try:
        with open_store(db) as store:
            rows = compute_alerts(store, period, rule or None)
    except (PeriodError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    if format == "json":
        emit_json(rows)
    else:
        emit(["rule", "severity", "subject", "period", "message_zh", "message_en"], rows, format,
             f"Alerts 预警 {period}")


def compute_runs(db: str = DB, limit: int = typer.Option(20, "--limit", min=1, max=1000),
                 format: str = typer.Option("table", "--format", "-f", help="json, csv or table")):
    """The newest ``chainbrain compute`` runs: running, done, failed (with the error) or died (its
    process was killed before the results were written: the previous results are unchanged)."""
    from chainbrain.store.compute_runs import runs

    with open_store(db) as store:
        rows = runs(store, limit)
    if format == "json":
        emit_json(rows)
    else:
        emit(["id", "status", "started_at", "finished_at", "seconds", "rows", "periods", "engine", "pid", "message"],
             rows, format, "Compute runs 计算记录")


def register(app: typer.Typer) -> None:
    """Add the commands to a Typer app (the root CLI or a test's)."""
    app.command("indicators")(indicators)
    app.command("compute")(compute)
    app.command("compute-runs")(compute_runs)
    app.command("alerts")(alerts)
