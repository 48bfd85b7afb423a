"""``chainbrain supply spof|systemic|estimate``: graph measures and estimated links of the supply network.

Firm-level lists (confidential: province and chain-office roles only on the
web); the command line is an operator's tool with the store's credentials.
"""

from __future__ import annotations

import typer

from chainbrain.cli.common import DB
from chainbrain.cli.supply import FMT, YEAR, _fail, _run


def _records(df) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def register(app: typer.Typer) -> None:
    @app.command("spof")
    def spof_cmd(year: int = YEAR,
                 chain: str = typer.Option(None, "--chain", help="chain code (default: the masters of every chain)"),
                 format: str = FMT, db: str = DB):
        """Single points of failure: rows master_uscc, uscc, name, region_code, segment_code, supply_share
        (firms that dominate part of a chain master's supply tree; docs/supply.md)."""
        from chainbrain.analytics.supply_graph import SPOF_COLUMNS, single_points_of_failure

        _run(lambda store: _records(single_points_of_failure(store, year, chain)), SPOF_COLUMNS, year, format, db)

    @app.command("systemic")
    def systemic_cmd(year: int = YEAR,
                     top: int = typer.Option(50, "--top", help="firms listed (and given the full cascade)"),
                     format: str = FMT, db: str = DB):
        """Systemic importance: rows uscc, name, region_code, score, rank, basis, method (score = share of the
        province's output lost downstream if the firm stopped; docs/supply.md)."""
        from chainbrain.analytics.supply_graph import SYSTEMIC_COLUMNS, systemic_importance

        if top < 1:
            _fail(f"--top must be at least 1, not {top} (--top 至少为 1)")
        _run(lambda store: _records(systemic_importance(store, year, top).head(top)), SYSTEMIC_COLUMNS,
             year, format, db)
