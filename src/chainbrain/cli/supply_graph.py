"""``chainbrain supply spof|systemic|estimate``: graph measures and estimated links of the supply network.

Firm-level lists (confidential: province and chain-office roles only on the
web); the command line is an operator's tool with the store's credentials.
"""

from __future__ import annotations

import typer

from chainbrain.cli.common import DB, ENGINE, LAKE, SPARK_MASTER
from chainbrain.cli.supply import FMT, YEAR, _fail, _run


def _records(df) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def register(app: typer.Typer) -> None:
    @app.command("spof")
    def spof_cmd(year: int = YEAR,
                 chain: str = typer.Option(None, "--chain", help="chain code (default: the masters of every chain)"),
                 format: str = FMT, db: str = DB, engine: str = ENGINE, lake: str = LAKE,
                 spark_master: str = SPARK_MASTER):
        """Single points of failure: rows master_uscc, uscc, name, region_code, segment_code, supply_share
        (firms that dominate part of a chain master's supply tree; docs/supply.md)."""
        from chainbrain.analytics.supply_graph import SPOF_COLUMNS, single_points_of_failure

        _run(lambda store: _records(single_points_of_failure(store, year, chain)), SPOF_COLUMNS, year, format, db,
             engine, lake, spark_master)

    @app.command("systemic")
    def systemic_cmd(year: int = YEAR,
                     top: int = typer.Option(50, "--top", help="firms listed (and given the full cascade)"),
                     format: str = FMT, db: str = DB, engine: str = ENGINE, lake: str = LAKE,
                     spark_master: str = SPARK_MASTER):
        """Systemic importance: rows uscc, name, region_code, score, rank, basis, method (score = share of the
        province's output lost downstream if the firm stopped; docs/supply.md)."""
        from chainbrain.analytics.supply_graph import SYSTEMIC_COLUMNS, systemic_importance

        if top < 1:
            _fail(f"--top must be at least 1, not {top} (--top 至少为 1)")
        _run(lambda store: _records(systemic_importance(store, year, top).head(top)), SYSTEMIC_COLUMNS,
             year, format, db, engine, lake, spark_master)

    @app.command("estimate")
    def estimate_cmd(year: int = YEAR,
                     level: str = typer.Option("segment", "--level", help="segment (segment-to-segment flows) or "
                                               "enterprise (the links into one buyer, --buyer)"),
                     buyer: str = typer.Option(None, "--buyer", help="USCC of the buyer (--level enterprise)"),
                     io_table: str = typer.Option(None, "--io-table", help="stored IO table (default: the only one)"),
                     delta: float = typer.Option(None, "--delta", help="FLQ δ (default: the pack's, 0.3)"),
                     format: str = FMT, db: str = DB, engine: str = ENGINE, lake: str = LAKE,
                     spark_master: str = SPARK_MASTER):
        """Estimated links from the input–output table (basis = estimated): segment-to-segment flows
        (supplier_segment OUTSIDE = bought from outside the province) or one buyer's in-province suppliers."""
        from chainbrain.analytics import supply_estimate as E

        if level not in ("segment", "enterprise"):
            _fail(f"--level must be segment or enterprise, not {level!r} (--level 应为 segment 或 enterprise)")
        if level == "enterprise" and not buyer:
            _fail("--level enterprise needs --buyer USCC (按企业估算须指定 --buyer)")
        if delta is not None and not 0 <= delta < 1:
            _fail(f"--delta must lie in [0, 1), not {delta} (δ 应在 [0, 1) 内)")
        if level == "segment":
            _run(lambda store: _records(E.segment_flows(store, year, io_table, delta)), E.FLOW_COLUMNS,
                 year, format, db, engine, lake, spark_master)
        else:
            _run(lambda store: _records(E.enterprise_links(store, year, buyer, io_table, delta)), E.LINK_COLUMNS,
                 year, format, db, engine, lake, spark_master)
