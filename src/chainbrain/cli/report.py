"""``chainbrain report monthly``: the monthly analysis report (月度产业链运行分析) as Word, PDF or Excel.

Without ``--as`` the report is the operator's full view (its cover says so); ``--as USERNAME``
writes what that user may see (their suppression pattern and alerts, as on the pages).
Bad input is one bilingual line on stderr and exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import CHAIN, DB, PERIOD, REGION, SCOPE

app = typer.Typer(help="Analysis reports 分析报告 (Word, PDF, Excel).", no_args_is_help=True)
app.add_typer(__import__("chainbrain.cli.report_schedule", fromlist=["app"]).app, name="schedule")  # 定期生成


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@app.command("monthly")
def monthly(
    period: str = PERIOD,
    db: str = DB,
    chain: str = CHAIN,
    region: str = REGION,
    scope: str = SCOPE,
    as_user: str = typer.Option(None, "--as", help="write the report as this user may see it (scope, suppression)"),
    format: str = typer.Option(None, "--format", "-f", help="docx, pdf or xlsx [default: from --out's suffix]"),
    out: str = typer.Option(..., "--out", "-o", help="the file to write"),
    charts: bool = typer.Option(True, "--charts/--no-charts", help="draw the charts (Word, PDF)"),
    keep: bool = typer.Option(False, "--keep", help="also keep the file in the store with its data version"),
):
    """The monthly analysis report of the province, a chain, a region, or a chain in a region."""
    from chainbrain.reports import FORMATS, write
    from chainbrain.reports.gather import gather
    from chainbrain.reports.viewer import ReportError, as_user as viewer_as, operator
    from chainbrain.store import open_store

    fmt = (format or Path(out).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        _fail(f"--format {fmt or '(none)'}: must be docx, pdf or xlsx (格式应为 docx、pdf 或 xlsx)")
    if not Path(out).parent.exists():
        _fail(f"--out {out}: directory {Path(out).parent} does not exist (输出目录不存在)")
    if "://" not in db and not Path(db).exists():
        _fail(f"--db {db}: no such store (数据库文件不存在)")
    try:
        with open_store(db) as store:
            viewer = viewer_as(store, as_user) if as_user else operator(store)
            model = gather(store, period, chain, region, scope, viewer)
            write(model, fmt, out, charts=charts)
            if keep:
                from chainbrain.reports.archive import keep as keep_file

                kept = keep_file(store, model, fmt, Path(out).read_bytes(), "cli")
    except ReportError as exc:
        _fail(str(exc))
    typer.echo(f"{out}: {model.title} ({fmt}; {'as ' + as_user if as_user else 'operator full view'}; "
               f"data batch #{model.data_version['batch_id']})" + (f"; kept as report #{kept}" if keep else ""))


@app.command("monthly-set")
def monthly_set(
    period: str = PERIOD,
    db: str = DB,
    out_dir: str = typer.Option(..., "--out-dir", help="the directory to write into"),
    format: list[str] = typer.Option(None, "--format", "-f", help="docx, pdf, xlsx (repeatable) [default: all three]"),
    as_user: str = typer.Option(None, "--as", help="write the reports as this user may see them"),
    keep: bool = typer.Option(False, "--keep", help="also keep the files in the store with their data version"),
):
    """The month's set: the province's report, each chain's and each city's (what a scheduler runs
    after ``chainbrain compute``). Files: ``PERIOD-province.docx``, ``PERIOD-EI.pdf``, ``PERIOD-360100.xlsx``."""
    import io

    from chainbrain.reports import FORMATS, write
    from chainbrain.reports.archive import keep as keep_file
    from chainbrain.reports.gather import gather
    from chainbrain.reports.viewer import ReportError, as_user as viewer_as, operator
    from chainbrain.store import open_store
    from chainbrain.web import data

    fmts = format or list(FORMATS)
    bad = [f for f in fmts if f not in FORMATS]
    if bad:
        _fail(f"--format {bad[0]}: must be docx, pdf or xlsx (格式应为 docx、pdf 或 xlsx)")
    if not Path(out_dir).is_dir():
        _fail(f"--out-dir {out_dir}: no such directory (输出目录不存在)")
    if "://" not in db and not Path(db).exists():
        _fail(f"--db {db}: no such store (数据库文件不存在)")
    written = 0
    try:
        with open_store(db) as store:
            viewer = viewer_as(store, as_user) if as_user else operator(store)
            units = [(None, None)] + [(c["code"], None) for c in data.chains(store)] + \
                [(None, r["code"]) for r in data.regions(store, "prefecture")]
            for chain, region in units:
                model = gather(store, period, chain, region, "all", viewer)
                for fmt in fmts:
                    buf = io.BytesIO()
                    write(model, fmt, buf)
                    path = Path(out_dir) / f"{model.period}-{chain or region or 'province'}.{fmt}"
                    path.write_bytes(buf.getvalue())
                    if keep:
                        keep_file(store, model, fmt, buf.getvalue(), "cli")
                    written += 1
    except ReportError as exc:
        _fail(str(exc))
    typer.echo(f"{written} files in {out_dir} ({len(units)} reports × {len(fmts)} formats"
               f"{'; kept in the store' if keep else ''})")


@app.command("list")
def list_reports(db: str = DB, period: str = typer.Option(None, "--period", "-p", help="only this YYYY-MM"),
                 format: str = typer.Option("table", "--format", "-f", help="table or csv")):
    """Reports kept in the store (``monthly --keep``), newest first, with their data version."""
    from chainbrain.cli.output import emit
    from chainbrain.reports.archive import listing
    from chainbrain.store import open_store

    if format not in ("table", "csv"):
        _fail(f"--format {format}: must be table or csv (格式应为 table 或 csv)")
    if "://" not in db and not Path(db).exists():
        _fail(f"--db {db}: no such store (数据库文件不存在)")
    with open_store(db) as store:
        rows = listing(store, period)
    emit(["id", "period", "chain_code", "region_code", "format", "viewer", "data_batch_id", "data_loaded_at",
          "size_bytes", "created_at", "title"], rows, format, "Kept reports 已保存的报告")
