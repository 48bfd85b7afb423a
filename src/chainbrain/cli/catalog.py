"""``chainbrain catalog regions|industries|chains|segments|clusters|parks|targets``."""

from __future__ import annotations

from enum import Enum

import typer

from chainbrain.catalog import listing
from chainbrain.catalog.pack import load_pack
from chainbrain.cli.output import emit, emit_json

app = typer.Typer(help="Show the catalog: the plan's regions, industries, chains, clusters, parks, targets.",
                  no_args_is_help=True)


class Fmt(str, Enum):
    csv = "csv"
    json = "json"
    table = "table"


FMT = typer.Option(Fmt.table, "--format", "-f", help="csv, json or table")
PACK = typer.Option(None, "--pack", help="province pack name or folder (default: jiangxi)")


@app.command()
def regions(format: Fmt = FMT, pack: str = PACK):
    """Administrative divisions (GB/T 2260), current and retired with successors."""
    cols, rows = listing.regions(load_pack(pack))
    emit(cols, rows, format.value, "regions")


@app.command()
def industries(format: Fmt = FMT):
    """GB/T 4754-2017 classes with SEI (2018) and high-tech manufacturing (2017) flags."""
    cols, rows = listing.industry_rows()
    emit(cols, rows, format.value, "industries")


@app.command()
def chains(format: Fmt = FMT, pack: str = PACK):
    """The key chains in official order; JSON nests each chain's segment tree."""
    p = load_pack(pack)
    if format is Fmt.json:
        emit_json(listing.chains_json(p))
    else:
        cols, rows = listing.chains_table(p)
        emit(cols, rows, format.value, "chains")


@app.command()
def segments(format: Fmt = FMT, pack: str = PACK, chain: str = typer.Option(None, help="only this chain")):
    """Every segment and sub-segment with classes, keywords and flags."""
    cols, rows = listing.segments(load_pack(pack))
    if chain:
        rows = [r for r in rows if r["chain_code"] == chain or chain in r["also_chains"].split(";")]
    emit(cols, rows, format.value, "segments")


@app.command()
def clusters(format: Fmt = FMT, pack: str = PACK):
    """Advanced manufacturing clusters as sets of segments with host cities."""
    p = load_pack(pack)
    if format is Fmt.json:
        emit_json(listing.clusters_json(p))
    else:
        cols, rows = listing.clusters_table(p)
        emit(cols, rows, format.value, "clusters")


@app.command()
def parks(format: Fmt = FMT, pack: str = PACK):
    """Development zones and industrial parks."""
    cols, rows = listing.parks(load_pack(pack))
    emit(cols, rows, format.value, "parks")


@app.command()
def targets(format: Fmt = FMT, pack: str = PACK):
    """Plan targets (growth paths, shares, coverage, chain-level entries)."""
    cols, rows = listing.targets(load_pack(pack))
    emit(cols, rows, format.value, "targets")
