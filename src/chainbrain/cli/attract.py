"""``chainbrain attract gaps|targets|masters|leads``: gaps (补链), ranked attraction targets (精准招商), 链主+.

Every list as JSON (stdout, or ``--out FILE``) or as an Excel workbook (``--format xlsx --out FILE``).
Formulas, thresholds and weights: docs/attract.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import check_format, fail, write_answer

app = typer.Typer(help="Gaps and investment-attraction targets (补链 · 精准招商 · 链主+).", no_args_is_help=True)
CHAIN = typer.Option(..., "--chain", help="chain code, e.g. EI")
YEAR = typer.Option(None, "--year", help="data year (default: the newest annual-report year)")
REGION = typer.Option(None, "--region", help="city or county code (default: the province)")
FMT = typer.Option("json", "--format", "-f", help="json or xlsx")
OUT = typer.Option(None, "--out", help="file to write (required for xlsx; json: default stdout)")


_fail = fail                      # one bilingual line, exit 2 (cli.output.fail)


def _year(store, year: int | None) -> int:
    from chainbrain.analytics.advantage.data import latest_year

    y = year or latest_year(store)
    if y is None:
        _fail("no annual reports in the store; give --year (库中无年报，请指定 --year)")
    if not 1900 <= y <= 2200:
        _fail(f"--year {y} is not a plausible year (年度无效)")
    return int(y)


def _run(compute, name: str, format: str, out: Path | None, db: str) -> None:
    from chainbrain.store import open_store

    check_format(format, out)
    try:
        with open_store(db) as store:
            ans = compute(store, _year)
    except (ValueError, KeyError) as exc:
        _fail(str(exc).strip("'\""))
    body = {k: v for k, v in ans.items() if k != "tables"}
    n = sum(len(t["rows"]) for t in ans["tables"]) if format == "xlsx" else len(body.get("rows", []))
    write_answer(format, out, ans["tables"], body, f"{name}: {n} rows")


@app.command("gaps")
def gaps_cmd(chain: str = CHAIN, region: str = REGION, year: int = YEAR, format: str = FMT, out: Path = OUT,
             db: str = DB):
    """缺链 / 弱链 / 断链 risk per segment of the chain, with the figures, thresholds and feasibility."""
    from chainbrain.analytics.attract_report import gaps_answer

    _run(lambda s, y: gaps_answer(s, y(s, year), chain, region), "gaps", format, out, db)


@app.command("targets")
def targets_cmd(chain: str = CHAIN, segment: str = typer.Option(None, "--segment", help="one segment (any status)"),
                region: str = REGION, year: int = YEAR,
                master: str = typer.Option(None, "--master", help="a chain master's USCC: link to it only"),
                weights: str = typer.Option(None, "--weights", help="override, e.g. size=0.3,distance=0.2"),
                top: int = typer.Option(None, "--top", help="first N rows"), format: str = FMT, out: Path = OUT,
                db: str = DB):
    """Out-of-province candidates for the chain's gap segments, ranked by TOPSIS with every component."""
    from chainbrain.analytics.attract import parse_weights
    from chainbrain.analytics.attract_report import targets_answer

    try:
        w = parse_weights(weights)
    except ValueError as exc:
        _fail(str(exc))
    if top is not None and top < 1:
        _fail("--top must be ≥ 1 (--top 应不小于 1)")
    _run(lambda s, y: targets_answer(s, y(s, year), chain, segment, region, w, top, master=master), "targets",
         format, out, db)


@app.command("masters")
def masters_cmd(chain: str = CHAIN, year: int = YEAR, format: str = FMT, out: Path = OUT, db: str = DB):
    """链主+: each chain master's out-of-province suppliers in segments the province lacks or depends on."""
    from chainbrain.analytics.attract_report import masters_answer

    _run(lambda s, y: masters_answer(s, y(s, year), chain), "masters", format, out, db)
