"""``chainbrain cultivate assess``: the SME tiers (创新型 → 专精特新 → 小巨人, size class) of a batch of firms.

Reads the assessment CSV (columns: :mod:`chainbrain.ingest.cultivate_csv`; money 万元, ratios percent,
empty = none) and writes one row per ``case_id`` (columns: :mod:`chainbrain.analytics.cultivate_assess`)
as CSV, or as an Excel workbook when ``--output`` ends in ``.xlsx``.  Rules: docs/cultivation.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Growing enterprises: SME tier assessment (优质中小企业梯度培育).", no_args_is_help=True)


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


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
