"""Reference tables for comparative advantage (national PCI or industry totals).

``advantage_reference`` holds named reference sets imported with
``chainbrain advantage import-reference``: kind ``pci`` (segment → PCI, for
the subnational ECI method) or ``industry`` (GB/T 4754 class → national value
and growth, for location quotients and shift-share against the nation).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

advantage_reference = sa.Table(
    "advantage_reference", metadata,
    sa.Column("name", sa.String(64), primary_key=True),      # reference set, e.g. 'demo-synthetic'
    sa.Column("kind", sa.String(16), primary_key=True),      # pci | industry
    sa.Column("code", sa.String(16), primary_key=True),      # segment code or industry class
    sa.Column("year", sa.Integer),
    sa.Column("value", sa.Double, nullable=False),            # PCI, or the national value in yuan
    sa.Column("growth", sa.Double),
    sa.Column("note", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
)
