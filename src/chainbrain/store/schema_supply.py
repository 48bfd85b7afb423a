"""The supply network as it comes (migration 0010_supply_network).

- ``enterprise.registered_region``: for a supply partner kept by its USCC
  (not in the enterprise library), the registering authority's region code,
  characters 3–8 of the USCC (GB 32100-2015); NULL for library enterprises,
  whose location is ``region_code`` / ``enterprise_attr``.
- ``enterprise.is_partner``: TRUE for an enterprise created by a supply import
  (a partner named by USCC, or by name + province), not by the enterprise
  library; NULL/FALSE otherwise.
- ``supply_link_month``: monthly links as reported — the month's amount
  (当月, not year-to-date), yuan, revisioned like every fact table.  The
  year's ``supply_link`` row of a supplier × buyer pair with monthly links is
  the sum of its latest monthly amounts (written by the same import), so every
  consumer of ``supply_link`` sees yearly amounts.
- ``io_table`` / ``io_label`` / ``io_cell``: input–output tables imported by
  ``chainbrain import io-table`` (the ``chainbrain io linkages`` layout): one
  ``io_table`` row per named table (unit as imported, values stored in yuan,
  ``synthetic`` for a labelled demo table), the row labels (region, sector) and
  final-demand column labels (region, category) in file order, and the nonzero
  cells of Z, Y and x (``part``; x: column 0).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import Money, enterprise, metadata

ENTERPRISE_COLUMNS = (("registered_region", sa.String(6)), ("is_partner", sa.Boolean))
for _name, _type in ENTERPRISE_COLUMNS:
    enterprise.append_column(sa.Column(_name, _type))

supply_link_month = sa.Table(
    "supply_link_month", metadata,
    sa.Column("supplier_id", sa.BigInteger, primary_key=True),
    sa.Column("buyer_id", sa.BigInteger, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True),            # the calendar month (当月), 1–12
    sa.Column("amount", Money, nullable=False),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Index("ix_supply_link_month_buyer", "buyer_id"),
)

io_table = sa.Table(
    "io_table", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("title", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("unit", sa.String(8), nullable=False),              # the unit of the imported files (values: yuan)
    sa.Column("source", sa.Text),
    sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sectors", sa.Integer, nullable=False),             # rows of Z (region × sector)
    sa.Column("has_x", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
)

io_label = sa.Table(
    "io_label", metadata,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("axis", sa.String(4), primary_key=True),            # row (Z's rows = columns) | y (final demand)
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("label", sa.String(128), nullable=False),           # sector, or final-demand category
)

io_cell = sa.Table(
    "io_cell", metadata,
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("part", sa.String(1), nullable=False),              # Z | Y | x
    sa.Column("row_idx", sa.Integer, nullable=False),
    sa.Column("col_idx", sa.Integer, nullable=False),
    sa.Column("value", Money, nullable=False),                    # yuan
    sa.Index("ix_io_cell_table", "table_name", "part"),
)

