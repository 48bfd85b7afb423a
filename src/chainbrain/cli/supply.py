"""``chainbrain supply local-rate|concentration|outside-only``: supply-network measures from the store."""

from __future__ import annotations

import typer

from chainbrain.cli.common import DB, ENGINE, LAKE, SPARK_MASTER

app = typer.Typer(help="Supply network (供应链网络): local supporting rate, supplier concentration.",
                  no_args_is_help=True)
YEAR = typer.Option(..., "--year", help="calendar year of the links; membership as of 31 December")
FMT = typer.Option("json", "--format", "-f", help="json or csv")


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _by(by: str, allowed) -> None:
    if by not in allowed:
        _fail(f"--by must be one of {', '.join(allowed)}, not {by!r} (分组方式应为 {'、'.join(allowed)})")


def _run(compute, columns, year: int, format: str, db: str, engine=None, lake=None, master=None) -> None:
    """Validate, compute on the chosen engine (``--engine/--lake/--spark-master``, docs/spark.md), print."""
    from chainbrain.cli.engine import source
    from chainbrain.cli.output import emit, emit_json
    from chainbrain.store import open_store

    if format not in ("json", "csv"):
        _fail(f"--format must be json or csv, not {format!r} (输出格式应为 json 或 csv)")
    if not 1900 <= year <= 2200:
        _fail(f"--year {year} is not a plausible year (年度无效)")
    try:
        with open_store(db) as st, source(st, engine, lake, master) as store:
            rows = compute(store)
    except ValueError as exc:
        _fail(str(exc))
    if format == "json":
        emit_json(rows)
    else:
        emit(columns, rows, "csv")


@app.command("local-rate")
def local_rate_cmd(
    year: int = YEAR,
    by: str = typer.Option("chain", "--by", help="chain|segment|supplier-segment|city|county|enterprise"),
    basis: str = typer.Option("observed", "--basis", help="observed|estimated|mixed (estimates from an IO table)"),
    io_table: str = typer.Option(None, "--io-table", help="stored IO table for estimates (default: the only one)"),
    delta: float = typer.Option(None, "--delta", help="FLQ δ for estimates (default: the pack's, 0.3)"),
    format: str = FMT,
    db: str = DB,
    engine: str = ENGINE,
    lake: str = LAKE,
    spark_master: str = SPARK_MASTER,
):
    """本地配套率: rows key, name, purchases_yuan, local_yuan, local_rate, city_local_rate, buyers, suppliers,
    local_suppliers, basis, observed_coverage (docs/supply.md)."""
    from chainbrain.analytics.supply_basis import BASES
    from chainbrain.analytics.supply_local import BY, COLUMNS, local_rate

    _by(by, BY)
    if basis not in BASES:
        _fail(f"--basis must be one of {', '.join(BASES)}, not {basis!r} (口径应为 observed、estimated 或 mixed)")
    _run(lambda store: local_rate(store, year, by, basis, io_table, delta), COLUMNS, year, format, db, engine, lake,
         spark_master)


@app.command("concentration")
def concentration_cmd(
    year: int = YEAR,
    by: str = typer.Option("enterprise", "--by", help="enterprise|segment|chain|city|county"),
    basis: str = typer.Option("observed", "--basis", help="observed|estimated|mixed (estimates from an IO table)"),
    io_table: str = typer.Option(None, "--io-table", help="stored IO table for estimates (default: the only one)"),
    delta: float = typer.Option(None, "--delta", help="FLQ δ for estimates (default: the pack's, 0.3)"),
    format: str = FMT,
    db: str = DB,
    engine: str = ENGINE,
    lake: str = LAKE,
    spark_master: str = SPARK_MASTER,
):
    """Supplier concentration per key: largest-supplier share, HHI, effective number of suppliers."""
    from chainbrain.analytics.supply_basis import BASES
    from chainbrain.analytics.supply_concentration import BY, COLUMNS, concentration

    _by(by, BY)
    if basis not in BASES:
        _fail(f"--basis must be one of {', '.join(BASES)}, not {basis!r} (口径应为 observed、estimated 或 mixed)")
    _run(lambda store: concentration(store, year, by, basis, io_table, delta), COLUMNS, year, format, db, engine, lake,
         spark_master)


@app.command("outside-only")
def outside_only_cmd(year: int = YEAR, format: str = FMT, db: str = DB, engine: str = ENGINE, lake: str = LAKE,
                     spark_master: str = SPARK_MASTER):
    """Supplier segments whose sales to in-province buyers all come from outside the province."""
    from chainbrain.analytics.supply_concentration import OUTSIDE_COLUMNS, outside_only

    _run(lambda store: outside_only(store, year), OUTSIDE_COLUMNS, year, format, db, engine, lake,
         spark_master)
