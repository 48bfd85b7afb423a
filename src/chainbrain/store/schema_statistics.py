"""Statistical inputs published by the statistics bureau (migration 0006_statistics_inputs).

- ``sei_share``: the product-level share of strategic emerging industries (SEI,
  战略性新兴产业) in the value added of a GB/T 4754 class flagged ``partial`` in
  the SEI catalogue, per year (import kind ``sei-shares``; source: the bureau's
  SEI value-added tables, or enterprises' declared SEI products). A fraction
  0–1. Used by the SEI share indicator to narrow its bounds
  (:mod:`chainbrain.analytics.formulas`).
- ``price_index``: the producer price index (PPI, 工业生产者出厂价格指数) of a
  GB/T 4754 division (行业大类, two digits), year-to-date through the month,
  previous year's same period = 100 (import kind ``deflators``). Used to
  deflate value-added growth to constant prices (可比价).

Both are revisioned like the reports (``batch_id``, ``revision``: the newest
revision of a key is the value; older ones are history).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

sei_share = sa.Table(
    "sei_share", metadata,
    sa.Column("industry_code", sa.String(8), primary_key=True),     # GB/T 4754 class (4 digits)
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("share", sa.Double, nullable=False),                   # fraction 0–1 of the class's value added
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
)

price_index = sa.Table(
    "price_index", metadata,
    sa.Column("division", sa.String(2), primary_key=True),          # GB/T 4754 division (行业大类), 2 digits
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True),               # YTD through this month (02 = Jan–Feb)
    sa.Column("ppi_ytd", sa.Double, nullable=False),                # previous year's same period = 100
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
)
