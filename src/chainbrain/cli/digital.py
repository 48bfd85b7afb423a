"""``chainbrain digital coverage|targets|providers``: digital-transformation coverage (智改数转网联) from the store.

``coverage`` prints the JSON list of rows ``key, name, firms, assessed, level2_plus, assessed_share,
level2_plus_share`` (issue #16) and ``transformed, transformed_share`` (已完成改造) (:mod:`chainbrain.analytics.digital_coverage`) or writes it as Excel; ``targets``
prints each coverage target of the pack (deadlines, shares) with the firms still to reach it; ``providers``
the service-provider register per chain / scenario with projects and ratings (every firm: no disclosure
filter, as for the other commands). The
command line sees every enterprise (it runs with the store's own rights). Rules: docs/digital.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import check_format, fail, parse_day, write_answer

app = typer.Typer(help="Digital transformation: assessment coverage and targets (智改数转网联).", no_args_is_help=True)


_fail = fail                      # one bilingual line, exit 2 (cli.output.fail)


def _period(period: str) -> str:
    from chainbrain.periods import parse_period

    try:
        parse_period(period)
    except ValueError as exc:
        _fail(f"--period {period!r}: {exc}")
    return period


@app.command("coverage")
def coverage(period: str = typer.Option(..., "--period", help="YTD period, e.g. 2025-06"),
             by: str = typer.Option("province", "--by", help="province, city, county or chain"),
             population: str = typer.Option("above_scale", "--population", help="above_scale or srdi"),
             region: str = typer.Option(None, "--region", help="city or county code"),
             chain: str = typer.Option(None, "--chain", help="chain code, e.g. EI"),
             format: str = typer.Option("json", "--format", "-f", help="json or xlsx"),
             out: Path = typer.Option(None, "--out", help="file to write (required for xlsx; json: default stdout)"),
             db: str = DB) -> None:
    """Share of firms assessed and at level ≥ 2, per province / city / county / chain."""
    from chainbrain.analytics.digital_report import coverage_answer
    from chainbrain.store import open_store

    check_format(format, out)
    _period(period)
    try:
        with open_store(db) as store:
            ans = coverage_answer(store, period, by, population, region, chain)
    except ValueError as exc:
        _fail(str(exc))
    keys = ("key", "name", "firms", "assessed", "level2_plus", "assessed_share", "level2_plus_share",
            "transformed", "transformed_share")
    write_answer(format, out, ans["tables"], [{k: r[k] for k in keys} for r in ans["rows"]],
                 f"coverage: {len(ans['rows'])} rows")


@app.command("targets")
def targets(period: str = typer.Option(..., "--period", help="YTD period, e.g. 2025-06"),
            region: str = typer.Option(None, "--region", help="city or county code"),
            chain: str = typer.Option(None, "--chain", help="chain code, e.g. EI"),
            db: str = DB) -> None:
    """Each target (the plan's deadline, the 2027 national ones, local targets) with the firms still to reach it."""
    from chainbrain.analytics.digital_report import targets_answer
    from chainbrain.cli.output import dumps
    from chainbrain.store import open_store

    _period(period)
    try:
        with open_store(db) as store:
            ans = targets_answer(store, period, region, chain, lambda ids: set(ids), limit=10**9)
    except ValueError as exc:
        _fail(str(exc))
    typer.echo(dumps({k: v for k, v in ans.items() if k != "tables"}))


@app.command("providers")
def providers(date: str = typer.Option(None, "--date", help="YYYY-MM-DD (default today)"),
              chain: str = typer.Option(None, "--chain", help="chain code, e.g. EI"),
              scenario: str = typer.Option(None, "--scenario", help="scenario name"),
              provider: str = typer.Option(None, "--provider", help="a provider's USCC: its projects"),
              format: str = typer.Option("json", "--format", "-f", help="json or xlsx"),
              out: Path = typer.Option(None, "--out", help="file to write (required for xlsx; json: default stdout)"),
              db: str = DB) -> None:
    """Service providers (服务商) per chain / scenario: projects, firms served, mean rating; and their projects."""
    from chainbrain.analytics.digital_provider_report import providers_answer
    from chainbrain.store import open_store

    check_format(format, out)
    day = parse_day(date)
    try:
        with open_store(db) as store:
            if chain and chain not in {c for c in store.table("chain").select("code").execute()["code"]}:
                _fail(f"--chain: unknown chain {chain!r} (未知的产业链)")
            ans = providers_answer(store, day, chain, scenario, provider, lambda ids: set(ids))
    except ValueError as exc:
        _fail(str(exc))
    write_answer(format, out, ans["tables"], {k: v for k, v in ans.items() if k != "tables"},
                 f"providers: {len(ans['providers'])} rows")
