"""``chainbrain cultivate scale-up``: 升规入统 candidates and 退规 risks of a target year, per county and chain.

``--year Y``: the revenue year predicted (crossing = main-business revenue of Y ≥ 20,000,000 yuan; the
firm enters the sample in Y+1), from the store's annual figures up to Y−1 (and the monthly YTD growth
through ``--month`` of Y where firms report it). JSON (stdout or ``--out``) or Excel (``--out``).
Model and backtest: docs/cultivation.md, "Scale-up pipeline".
"""

from __future__ import annotations

from pathlib import Path

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import check_format, fail, parse_day, write_answer


_fail = fail                      # one bilingual line, exit 2 (cli.output.fail)


def scale_up(year: int = typer.Option(..., "--year", help="target year Y: revenue of Y ≥ 20,000,000 yuan"),
             region: str = typer.Option(None, "--region", help="city or county code"),
             chain: str = typer.Option(None, "--chain", help="chain code, e.g. EI"),
             month: int = typer.Option(None, "--month", help="use monthly YTD growth of Y through this month (2–12)"),
             format: str = typer.Option("json", "--format", "-f", help="json or xlsx"),
             out: Path = typer.Option(None, "--out", help="file to write (required for xlsx; json: default stdout)"),
             lang: str = typer.Option("zh", "--lang", help="zh or en (reasons)"),
             keep: bool = typer.Option(False, "--keep", help="keep every firm's probabilities in the store "
                                       "(scaleup_assessment; replaces the year's kept rows)"),
             db: str = DB) -> None:
    """升规入统 / 退规: each firm's probability of crossing the 2000万 line in Y, with reasons and outcomes."""
    from chainbrain.analytics.scaleup_kept import keep as keep_scores
    from chainbrain.analytics.scaleup_report import answer, score_year
    from chainbrain.store import open_store

    check_format(format, out)
    if not 2000 <= year <= 2100:
        _fail(f"--year {year} is out of range 2000–2100 (年份超出范围)")
    if month is not None and not 2 <= month <= 12:
        _fail(f"--month {month} must be 2–12 (月份须为 2–12；1 月与 2 月合并发布)")
    try:
        with open_store(db) as store:
            _check(store, region, chain)
            scored = score_year(store, year, month)
            if keep:
                n = keep_scores(store, year, month, scored)
                typer.echo(f"kept {n} assessments for {year} (已留存)", err=True)
            ans = answer(store, year, region, chain, lang, month, scored=scored)
    except ValueError as exc:
        _fail(str(exc))
    n_up = sum(r["direction"] == "up" for r in ans["rows"])
    msg = f"scale-up {year}: {n_up} candidates, {len(ans['rows']) - n_up} drop-out risks listed"
    write_answer(format, out, ans["tables"], {k: v for k, v in ans.items() if k != "tables"}, msg)


def _check(store, region: str | None, chain: str | None) -> None:
    if region:
        reg = store.table("region")
        lv = reg.filter(reg.code == region).select("level").execute()
        if lv.empty or lv["level"].iloc[0] not in ("province", "prefecture", "county"):
            raise ValueError(f"--region {region}: not a city or county code (不是设区市或县级代码)")
    if chain:
        ch = store.table("chain")
        if ch.filter(ch.code == chain).count().execute() == 0:
            raise ValueError(f"--chain {chain}: unknown chain (未知产业链)")


def scale_up_backtest(years: str = typer.Option(..., "--years", help="test years, e.g. 2023,2024,2025"),
                      month: int = typer.Option(None, "--month", help="monthly YTD growth through this month (2–12)"),
                      k: int = typer.Option(None, "--k", help="top-k per county (default: pack scaleup.toml top_k)"),
                      out: Path = typer.Option(None, "--out", help="JSON file (default stdout)"),
                      db: str = DB) -> None:
    """Backtest: each test year scored from the history before it (Brier, top-k precision per county)."""
    from chainbrain.analytics.scaleup_backtest import backtest
    from chainbrain.analytics.scaleup_data import load
    from chainbrain.analytics.scaleup_rules import rules
    from chainbrain.cli.output import dumps
    from chainbrain.store import open_store

    try:
        ys = sorted({int(y) for y in years.split(",") if y.strip()})
    except ValueError:
        _fail(f"--years {years!r}: comma-separated years (年份以逗号分隔)")
    if not ys or not all(2000 <= y <= 2100 for y in ys):
        _fail(f"--years {years!r}: years 2000–2100 (年份超出范围)")
    if month is not None and not 2 <= month <= 12:
        _fail(f"--month {month} must be 2–12 (月份须为 2–12)")
    k = k or int(rules()["model"]["top_k"])
    if k < 1:
        _fail(f"--k {k} must be ≥ 1 (k 须 ≥ 1)")
    with open_store(db) as store:
        panel = load(store, ys[-1], month)
    text = dumps({"years": ys, "month": month, "k": k, "results": backtest(panel, ys, k)})
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"backtest {ys} → {out}")


def match(needs: Path = typer.Option(None, "--needs", help="needs CSV: need_id, buyer_uscc, segment_code, product, "
                                    "city (default: the store's open needs, match_need)"),
          date: str = typer.Option(None, "--date", help="YYYY-MM-DD (default: today): segments and tiers valid then"),
          top: int = typer.Option(None, "--top", help="proposals per need (default: pack scaleup.toml [matching] top)"),
          format: str = typer.Option("json", "--format", "-f", help="json or xlsx"),
          out: Path = typer.Option(None, "--out", help="file to write (required for xlsx; json: default stdout)"),
          db: str = DB) -> None:
    """融通: for each chain master's need, the capable small suppliers ranked with their reasons."""
    from chainbrain.analytics.cultivate_match import counts, match as run
    from chainbrain.ingest.match_needs import NeedsError, read
    from chainbrain.store import open_store

    check_format(format, out)
    if top is not None and top < 1:
        _fail(f"--top {top} must be ≥ 1 (须 ≥ 1)")
    day = parse_day(date)
    try:
        df = read(needs) if needs is not None else None
    except NeedsError as exc:
        _fail(str(exc))
    try:
        with open_store(db) as store:
            if df is None:
                from chainbrain.work.match_needs import needs as stored

                df = stored(store)
            rows = run(store, df, day, top)
            seg = store.table("segment").select("code", "chain_code").execute()
    except ValueError as exc:
        _fail(str(exc))
    per_chain = counts(rows, df, dict(zip(seg["code"], seg["chain_code"])))
    msg = f"match: {len(df)} needs, {len(rows)} proposals"
    cols = [{"key": k, "label": k, "kind": "text" if k not in ("points", "rank") else "count"}
            for k in ("need_id", "rank", "name", "uscc", "city", "points", "tier", "existing", "reasons")]
    ccols = [{"key": k, "label": k, "kind": "text" if k == "chain_code" else "count"}
             for k in ("chain_code", "needs", "needs_matched", "proposals", "existing")]
    tables = [{"id": "matches", "title": "融通 matches", "period": day.isoformat(), "columns": cols, "rows": rows},
              {"id": "per-chain", "title": "per chain", "period": day.isoformat(), "columns": ccols, "rows": per_chain}]
    write_answer(format, out, tables, {"date": day.isoformat(), "rows": rows, "per_chain": per_chain,
                                       "note": "points: pack scaleup.toml [matching] (unsourced weights)"}, msg)


def match_event(need: str = typer.Option(..., "--need", help="need id (from the needs file)"),
                buyer: str = typer.Option(..., "--buyer", help="buyer's USCC"),
                supplier: str = typer.Option(..., "--supplier", help="supplier's USCC"),
                stage: str = typer.Option(..., "--stage", help="proposed, contacted, trial_order, supplier or declined"),
                date: str = typer.Option(None, "--date", help="YYYY-MM-DD (default: today)"),
                chain: str = typer.Option(None, "--chain", help="chain code"),
                note: str = typer.Option(None, "--note"),
                actor: str = typer.Option("cli", "--actor", help="who records it"),
                db: str = DB) -> None:
    """融通: record what happened to a proposed match (contacted, trial order, supplier, declined)."""
    from chainbrain.store import open_store
    from chainbrain.work.match_events import record

    day = parse_day(date)
    try:
        with open_store(db) as store:
            if chain:
                _check(store, None, chain)
            i = record(store, need, buyer, supplier, stage, day, actor, chain, note)
    except ValueError as exc:
        _fail(str(exc))
    typer.echo(f"match event #{i}: {need} {supplier} → {stage} ({day})")


def match_events(chain: str = typer.Option(None, "--chain", help="chain code"), db: str = DB) -> None:
    """融通: per chain, the need × supplier pairs by their latest stage (JSON)."""
    from chainbrain.cli.output import dumps
    from chainbrain.store import open_store
    from chainbrain.work.match_events import summary

    with open_store(db) as store:
        typer.echo(dumps({"chain": chain, "rows": summary(store, chain)}))


def import_needs(path: Path = typer.Argument(..., help="needs CSV: need_id, buyer_uscc, segment_code, product, city"),
                 actor: str = typer.Option("cli", "--actor", help="who imports them"),
                 db: str = DB) -> None:
    """融通: keep chain masters' needs in the store (all or nothing; a stored need id is replaced)."""
    from chainbrain.ingest.match_needs import NeedsError
    from chainbrain.store import open_store
    from chainbrain.work.match_needs import import_csv

    try:
        with open_store(db) as store:
            n = import_csv(store, path, actor)
    except (NeedsError, ValueError) as exc:
        _fail(str(exc))
    typer.echo(f"{n} needs kept (已导入 {n} 条需求)")
