"""``chainbrain clusters list|scorecard|stars|targets|alerts|report|import-members``: the advanced manufacturing clusters.

Membership, scorecard, star rule and targets: docs/clusters.md. Figures are the operator's full view
(the CLI runs on the store itself); money in yuan, rates as fractions, None = no data.
"""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import DB

app = typer.Typer(help="Advanced manufacturing clusters (先进制造业集群): membership, scorecard, stars, targets.",
                  no_args_is_help=True)
YEAR = typer.Option(None, "--year", help="year (default: the latest year with monthly reports)")
FORMAT = typer.Option("json", "--format", "-f", help="json or table")


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _answer(db, year, kind: str, code: str | None = None) -> dict:
    from chainbrain.analytics.cluster_answer import compute, view
    from chainbrain.store import open_store

    if year is not None and not 1990 <= year <= 2100:
        _fail(f"--year must be 1990–2100, not {year} (年份应在 1990–2100 之间)")
    with open_store(db) as store:
        full = compute(store, year)
    if code is not None and code not in {c["code"] for c in full["clusters"]}:
        _fail(f"unknown cluster {code!r} (未知集群代码 {code!r})")
    return view(full, kind, None, 1, code=code)


def _emit(ans, format: str, cols: list[str], rows: list[dict]) -> None:
    from chainbrain.cli.output import dumps

    if format == "json":
        typer.echo(dumps(ans))
    elif format == "table":
        typer.echo("\t".join(cols))
        for r in rows:
            typer.echo("\t".join("" if r.get(c) is None else str(r.get(c)) for c in cols))
    else:
        _fail(f"--format must be json or table, not {format!r} (输出格式应为 json 或 table)")


@app.command("list")
def list_(year: int = YEAR, format: str = FORMAT, db: str = DB) -> None:
    """Every cluster: programme, places, revenue, comparable growth, member firms, score, best city's stars."""
    ans = _answer(db, year, "overview")
    _emit(ans, format, ["code", "name", "program", "revenue_yuan", "revenue_growth", "member_firms", "score",
                        "best_city", "best_city_stars"], ans["clusters"])


@app.command("scorecard")
def scorecard(year: int = YEAR, format: str = FORMAT, cluster: str = typer.Option(None, "--cluster"),
              db: str = DB) -> None:
    """MIIT's five dimensions per cluster: indicators with value, reference, gap, score and sources."""
    ans = _answer(db, year, "scorecards")
    if cluster:
        ans["clusters"] = [c for c in ans["clusters"] if c["code"] == cluster]
        if not ans["clusters"]:
            _fail(f"unknown cluster {cluster!r} (未知集群代码 {cluster!r})")
    rows = [{"cluster": c["code"], "dimension": d["code"], "indicator": x["code"], "value": x["value"],
             "unit": x["unit"], "reference": x["reference"], "gap": x["gap"], "score": x["score"]}
            for c in ans["clusters"] for d in c["dimensions"] for x in d["indicators"]]
    _emit(ans, format, ["cluster", "dimension", "indicator", "value", "unit", "reference", "gap", "score"], rows)


@app.command("stars")
def stars(cluster: str = typer.Argument(..., help="cluster code, e.g. CL-EI"), year: int = YEAR,
          format: str = FORMAT, db: str = DB) -> None:
    """The European Cluster Observatory stars of one cluster category in every city."""
    ans = _answer(db, year, "cluster", cluster)
    out = {k: ans[k] for k in ("year", "period", "partial_year", "measure", "star_rule", "stars")}
    _emit(out, format, ["location", "x", "total", "firms", "lq", "share", "star_size", "star_specialisation",
                        "star_focus", "stars"], ans["stars"])


@app.command("targets")
def targets(year: int = YEAR, format: str = FORMAT, db: str = DB) -> None:
    """Progress against the 2025 cluster upgrade plan's targets (赣工强省小组字〔2025〕4号)."""
    ans = _answer(db, year, "overview")
    out = {k: ans[k] for k in ("year", "period", "partial_year", "targets")}
    _emit(out, format, ["code", "name_zh", "value", "target", "share", "met"], ans["targets"]["items"])


@app.command("alerts")
def alerts(year: int = YEAR, format: str = FORMAT, db: str = DB) -> None:
    """Cluster alerts: growth below the upgrade plan's target, scorecard below the pack's threshold."""
    ans = _answer(db, year, "overview")
    out = {k: ans[k] for k in ("year", "period", "partial_year", "alert_rule", "alerts")}
    _emit(out, format, ["rule", "severity", "subject", "period", "message_zh", "message_en"], ans["alerts"])


@app.command("report")
def report(cluster: str = typer.Argument(..., help="cluster code, e.g. CL-EI"), year: int = YEAR,
           format: str = typer.Option("docx", "--format", "-f", help="docx or pdf"),
           out: Path = typer.Option(..., "--out", help="file to write"),
           city: str = typer.Option(None, "--city", help="only this city's progress report (city code)"),
           db: str = DB) -> None:
    """The annual progress report of a cluster as Word or PDF (figures from the store, the cities' texts)."""
    import datetime as dt

    import sqlalchemy as sa

    from chainbrain.reports.cluster_progress import FORMATS, write
    from chainbrain.store import open_store
    from chainbrain.store.schema_clusters import cluster_progress as T
    from chainbrain.work.cluster_progress import _row, due

    if format not in FORMATS:
        _fail(f"--format must be docx or pdf, not {format!r} (格式应为 docx 或 pdf)")
    ans = _answer(db, year, "cluster", cluster)
    y = ans["year"]
    with open_store(db) as store, store.engine.connect() as conn:
        q = sa.select(T).where(T.c.cluster_code == cluster, T.c.year == y).order_by(T.c.city_code)
        if city:
            q = q.where(T.c.city_code == city)
        reps = [_row(r) for r in conn.execute(q)]
        names = dict(conn.execute(sa.text("SELECT code, name FROM region WHERE level = 'prefecture'")).all())
    for r in reps:
        r["city_name"] = names.get(r["city_code"], r["city_code"])
    try:
        write(ans, {"due": due(y).isoformat(), "reports": reps}, "operator（全量视图）", format, out)
    except OSError as exc:
        _fail(f"{out}: cannot write: {exc.strerror} (无法写入)")
    typer.echo(f"cluster progress report {cluster} {y}: {len(reps)} city reports → {out} ({dt.date.today()})")


@app.command("import-members")
def import_members(path: Path = typer.Argument(..., help="CSV: cluster_code, uscc, valid_from, valid_to, source"),
                   db: str = DB) -> None:
    """Load designated member firms (all or nothing; replaces the lists of the clusters in the file)."""
    from chainbrain.ingest.cluster_members import MemberImportError, import_members as run
    from chainbrain.store import open_store

    try:
        with open_store(db) as store:
            res = run(store, path)
    except MemberImportError as exc:
        _fail(str(exc))
    typer.echo(f"{res['rows']} designated members loaded for {', '.join(res['clusters'])} "
               f"(batch {res['batch_id']}; 已导入认定成员企业)")
