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
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema import Money, enterprise, metadata

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
