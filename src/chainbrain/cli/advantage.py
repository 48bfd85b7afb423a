"""``chainbrain advantage``: complexity measures on a CSV, focus recommendations per city/county."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer

from chainbrain.cli.common import DB
from chainbrain.cli.output import emit, emit_json

app = typer.Typer(help="Comparative advantage and economic complexity (比较优势与经济复杂度).", no_args_is_help=True)

OUT_COLUMNS = ["region", "product", "rca", "mcp", "density", "cog", "eci", "pci", "diversity", "ubiquity", "coi"]


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@app.command("complexity")
def complexity_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="CSV with columns region,product,value"),
    output: Path = typer.Option(..., "--output", "-o", help="CSV to write (one row per region × product)"),
    threshold: float = typer.Option(1.0, "--threshold", help="RCA (or value) threshold for Mcp = 1"),
    presence: str = typer.Option("rca", "--presence", help="rca (RCA ≥ threshold), value (value ≥ threshold) "
                                 "or manual (value is Mcp)"),
):
    """RCA, Mcp, density, COG, ECI, PCI, diversity, ubiquity, COI (as Growth Lab's ecomplexity)."""
    from chainbrain.analytics.advantage.complexity import complexity

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
    if presence not in ("rca", "value", "manual"):
        _fail("--presence must be rca, value or manual")
    out = complexity(df, presence=presence, threshold=threshold)
    out["mcp"] = out["mcp"].astype(int)
    out["diversity"] = out["diversity"].astype(int)
    out["ubiquity"] = out["ubiquity"].astype(int)
    out[OUT_COLUMNS].to_csv(output, index=False, float_format="%.12g")
    typer.echo(f"wrote {len(out)} rows ({out['region'].nunique()} regions × {out['product'].nunique()} products) "
               f"to {output}", err=True)


@app.command("recommend")
def recommend_cmd(
    region: str = typer.Option(..., "--region", help="city (prefecture) or county code"),
    db: str = DB,
    year: int = typer.Option(None, "--year", help="annual-report year [default: latest]"),
    strategy: str = typer.Option("balanced", "--strategy",
                                 help="low_hanging_fruit, balanced or long_jumps"),
    chain: list[str] = typer.Option(None, "--chain", help="target chain code(s) [default: all]"),
    top: int = typer.Option(10, "--top", help="items per list"),
    format: str = typer.Option("table", "--format", "-f", help="json or table"),
):
    """Main attack points (主攻点) and breakthrough points (突破点) for a city or county."""
    from chainbrain.analytics.advantage.recommend import PRESETS, recommend_from_store
    from chainbrain.store import open_store

    if strategy not in PRESETS:
        _fail(f"--strategy must be one of {', '.join(PRESETS)}")
    try:
        with open_store(db) as store:
            rec = recommend_from_store(store, region, year=year, strategy=strategy,
                                       target_chains=chain or None, top=top)
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
