"""``chainbrain cultivate assess|funnel``: the SME tiers (创新型 → 专精特新 → 小巨人, size class) of a batch of firms.

Reads the assessment CSV (columns: :mod:`chainbrain.ingest.cultivate_csv`; money 万元, ratios percent,
empty = none) and writes one row per ``case_id`` (columns: :mod:`chainbrain.analytics.cultivate_assess`)
as CSV, or as an Excel workbook when ``--output`` ends in ``.xlsx``.  ``funnel``: the tier funnel of the
store's designations per city / chain (JSON or Excel).  Rules: docs/cultivation.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import check_format, fail, parse_day, write_answer

app = typer.Typer(help="Growing enterprises: SME tier assessment (优质中小企业梯度培育).", no_args_is_help=True)
app.command("scale-up")(__import__("chainbrain.cli.cultivate_scaleup", fromlist=["scale_up"]).scale_up)
app.command("scale-up-backtest")(__import__("chainbrain.cli.cultivate_scaleup", fromlist=["x"]).scale_up_backtest)
app.command("match")(__import__("chainbrain.cli.cultivate_scaleup", fromlist=["x"]).match)
app.command("import-needs")(__import__("chainbrain.cli.cultivate_scaleup", fromlist=["x"]).import_needs)
app.command("match-event")(__import__("chainbrain.cli.cultivate_scaleup", fromlist=["x"]).match_event)
app.command("match-events")(__import__("chainbrain.cli.cultivate_scaleup", fromlist=["x"]).match_events)


_fail = fail                      # one bilingual line, exit 2 (cli.output.fail)


@app.command("assess")
def assess(input: Path = typer.Option(..., "--input", "-i", help="assessment CSV, one row per firm"),
           output: Path = typer.Option(..., "--output", "-o", help="result file (.csv, or .xlsx)")) -> None:
    """Score every firm: 创新型 points and routes, 专精特新 gates and score, 小巨人 dimensions, size class."""
    from chainbrain.analytics.cultivate_assess import assess as run
    from chainbrain.ingest.cultivate_csv import AssessInputError, read, write

    try:
        df = read(input)
    except AssessInputError as exc:
        _fail(str(exc))
    out = run(df)
    try:
        write(out, output)
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc.strerror} (无法写入)")
    n, q = len(out), int(out["innovative_qualifies"].sum())
    typer.echo(f"{n} firms assessed → {output} (创新型 {q}; 专精特新 gates met "
               f"{int((out['srdi_gates_met'] == '1').sum())}, unknown {int((out['srdi_gates_met'] == 'unknown').sum())})")


@app.command("funnel")
def funnel(date: str = typer.Option(None, "--date", help="YYYY-MM-DD (default: today)"),
           by: str = typer.Option("city_chain", "--by", help="city, chain or city_chain"),
           region: str = typer.Option(None, "--region", help="city or county code"),
           chain: str = typer.Option(None, "--chain", help="chain code, e.g. EI"),
           within_days: int = typer.Option(365, "--within-days", help="expiry horizon in days"),
           format: str = typer.Option("json", "--format", "-f", help="json or xlsx"),
           out: Path = typer.Option(None, "--out", help="file to write (required for xlsx; json: default stdout)"),
           db: str = DB) -> None:
    """库 → 创新型 → 专精特新 → 小巨人 → 单项冠军: enterprises holding each designation, per city / chain."""
    from chainbrain.analytics.cultivate_report import funnel_answer
    from chainbrain.store import open_store

    check_format(format, out)
    day = parse_day(date)
    try:
        with open_store(db) as store:
            ans = funnel_answer(store, day, by, region, chain, "zh", within_days)
    except ValueError as exc:
        _fail(str(exc))
    write_answer(format, out, ans["tables"], {k: v for k, v in ans.items() if k != "tables"},
                 f"funnel: {len(ans['rows'])} rows")
