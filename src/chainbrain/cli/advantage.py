"""``chainbrain advantage``: complexity measures on a CSV, focus recommendations per city/county."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer

from chainbrain.cli.common import DB, ENGINE, LAKE, SPARK_MASTER
from chainbrain.cli.output import emit, emit_json

app = typer.Typer(help="Comparative advantage and economic complexity (比较优势与经济复杂度).", no_args_is_help=True)

OUT_COLUMNS = ["region", "product", "rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@app.command("complexity")
def complexity_cmd(
    input: Path = typer.Option(None, "--input", "-i", help="CSV with columns region,product,value "
                               "[default: the store's annual reports, region × segment revenue of --level]"),
    output: Path = typer.Option(..., "--output", "-o", help="CSV to write (one row per region × product)"),
    threshold: float = typer.Option(1.0, "--threshold", help="RCA (or value) threshold for Mcp = 1"),
    presence: str = typer.Option("rca", "--presence", help="rca (RCA ≥ threshold), value (value ≥ threshold) "
                                 "or manual (value is Mcp)"),
    level: str = typer.Option("county", "--level", help="without --input: county or prefecture (city)"),
    year: int = typer.Option(None, "--year", help="without --input: annual-report year [default: latest]"),
    db: str = DB,
    engine: str = ENGINE,
    lake: str = LAKE,
    spark_master: str = SPARK_MASTER,
):
    """RCA, Mcp, density, COG, ECI, PCI, diversity, ubiquity, COI (as Growth Lab's ecomplexity), of a CSV
    or of the store's region × segment revenue (``--engine spark --lake PATH``: that table is
    aggregated on Spark over the lake, docs/spark.md; the matrix algebra runs here)."""
    from chainbrain.analytics.advantage.complexity import complexity

    if presence not in ("rca", "value", "manual"):
        _fail("--presence must be rca, value or manual (--presence 应为 rca、value 或 manual)")
    df = _csv_values(input) if input is not None else _store_values(db, level, year, engine, lake, spark_master)
    if df.empty:
        _fail("no region × segment revenue to compute on (无可计算的地区 × 环节营业收入)")
    out = complexity(df, presence=presence, threshold=threshold)
    out["mcp"] = out["mcp"].astype(int)
    out["diversity"] = out["diversity"].astype(int)
    out["ubiquity"] = out["ubiquity"].astype(int)
    out[OUT_COLUMNS].to_csv(output, index=False, float_format="%.17g")
    typer.echo(f"wrote {len(out)} rows ({out['region'].nunique()} regions × {out['product'].nunique()} products) "
               f"to {output}", err=True)


def _csv_values(input: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(input, dtype={"region": str, "product": str}, keep_default_na=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        _fail(f"{input}: cannot read CSV (无法读取 CSV): {exc}")
    missing = [c for c in ("region", "product", "value") if c not in df.columns]
    if missing:
        _fail(f"{input}: missing column(s) {', '.join(missing)} (缺少列)")
    v = pd.to_numeric(df["value"], errors="coerce")
    bad = v.isna() & df["value"].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        _fail(f"{input}: row {row + 2}, field value: not a number {df['value'].iloc[row]!r} (数值无效)")
    df["value"] = v
    return df


def _store_values(db: str, level: str, year: int | None, engine, lake, master) -> pd.DataFrame:
    """(region, product, value): the year's region × segment revenue (yuan) of ``level``
    (:func:`chainbrain.analytics.advantage.data.region_segment_values`) on the chosen engine."""
    from chainbrain.analytics.advantage import data
    from chainbrain.cli.engine import source
    from chainbrain.store import open_store

    if level not in data.LEVELS:
        _fail(f"--level must be one of {', '.join(data.LEVELS)}, not {level!r} (--level 应为 county 或 prefecture)")
    with open_store(db) as st, source(st, engine, lake, master) as store:
        df = data.region_segment_values(store, year, level)
    return pd.DataFrame({"region": df["region"].astype(str), "product": df["segment"].astype(str),
                         "value": df["revenue"].astype(float)})


@app.command("recommend")
def recommend_cmd(
    region: str = typer.Option(..., "--region", help="city (prefecture) or county code"),
    db: str = DB,
    year: int = typer.Option(None, "--year", help="annual-report year [default: latest]"),
    strategy: str = typer.Option("balanced", "--strategy",
                                 help="low_hanging_fruit, balanced or long_jumps"),
    chain: list[str] = typer.Option(None, "--chain", help="target chain code(s) [default: all]"),
    top: int = typer.Option(10, "--top", help="items per list"),
    reference: Path = typer.Option(None, "--reference", help="reference CSV (product,pci or industry_code,value): "
                                   "external PCI for the subnational ECI, or national values for LQ"),
    format: str = typer.Option("table", "--format", "-f", help="json or table"),
):
    """Main attack points (主攻点) and breakthrough points (突破点) for a city or county."""
    from chainbrain.analytics.advantage.recommend import PRESETS, recommend_from_store
    from chainbrain.analytics.advantage.reference import read_reference
    from chainbrain.store import open_store

    if strategy not in PRESETS:
        _fail(f"--strategy must be one of {', '.join(PRESETS)}")
    if format not in ("json", "table"):
        _fail("--format must be json or table")
    try:
        ref = read_reference(reference) if reference else None
        with open_store(db) as store:
            rec = recommend_from_store(store, region, year=year, strategy=strategy,
                                       target_chains=chain or None, top=top, reference=ref)
    except ValueError as exc:
        _fail(str(exc))
    if format == "json":
        emit_json(rec)
        return
    for kind, title in (("attack", "主攻点 attack"), ("breakthrough", "突破点 breakthrough")):
        rows = [{"segment": it["segment"], "name": it["evidence"].get("name_zh"), "score": it["score"],
                 "rca": it["evidence"]["rca"], "density": it["evidence"]["density"], "pci": it["evidence"]["pci"],
                 "cog": it["evidence"]["cog"]} for it in rec[kind]]
        emit(["segment", "name", "score", "rca", "density", "pci", "cog"], rows, "table",
             f"{title} — {region} {rec.get('year')} ({rec.get('strategy')})")


@app.command("import-reference")
def import_reference_cmd(
    file: Path = typer.Argument(..., help="CSV: product,pci (external PCI by segment) or "
                                "industry_code,value[,growth][,year] (national values by GB/T 4754 class); "
                                "optional note column"),
    db: str = typer.Option(None, "--db", help="store to write into (needs the advantage_reference table)"),
    name: str = typer.Option(None, "--name", help="reference set name [default: the file's stem]"),
    format: str = typer.Option("json", "--format", "-f", help="json or table"),
):
    """Validate a national reference table; with ``--db`` store it in ``advantage_reference``.

    ``recommend --reference FILE`` uses a reference file directly.
    """
    from chainbrain.analytics.advantage import reference as R

    try:
        ref = R.read_reference(file)
    except R.ReferenceError as exc:
        _fail(str(exc))
    summary = {"file": str(file), "name": name or file.stem, **ref.summary(), "stored": False}
    if db:
        from chainbrain.store import open_store

        with open_store(db) as store:
            if ref.kind == "industry":
                seg = ref.by_segment(R.segment_industry(store))
                summary["segments_mapped"] = 0 if seg is None else int(seg.notna().sum())
                known = set(store.table("industry").select("code").execute()["code"])
                unknown = sorted(set(ref.table["industry_code"]) - known)
                summary["unknown_industry_codes"] = unknown[:20]
                summary["unknown_industry_count"] = len(unknown)
            else:
                known = set(store.table("segment").select("code").execute()["code"])
                unknown = sorted(set(ref.table["segment"]) - known)
                summary["unknown_segments"] = unknown[:20]
                summary["unknown_segment_count"] = len(unknown)
            if not R.has_table(store):
                typer.echo(f"error: the store has no {R.TABLE} table yet (库中尚无参考表); the file is valid — "
                           f"use `chainbrain advantage recommend --reference {file}` meanwhile", err=True)
                emit_json(summary) if format == "json" else None
                raise typer.Exit(2)
            import datetime as dt

            import pyarrow as pa

            rows = R.to_rows(ref, summary["name"])
            with store.begin() as conn:
                batch = store.next_id(conn, "import_batch")
                store.bulk_insert(conn, "import_batch", pa.table({
                    "id": [batch], "kind": ["advantage_reference"], "source": [str(file)],
                    "created_at": [dt.datetime.now()], "row_count": [len(rows)], "status": ["loaded"]}))
                rows["batch_id"], rows["revision"] = batch, 1
                store.bulk_insert(conn, R.TABLE, pa.Table.from_pandas(rows, preserve_index=False))
            summary["stored"] = True
    if format == "json":
        emit_json(summary)
    else:
        emit(list(summary), [summary], "table", f"reference {file}")
