"""The change counter (migration 0038_change_counter): ``data_change``, one row (``id`` 1) whose ``n``
PostgreSQL's triggers raise by one for every committed transaction that wrote a table the data
version counts (:mod:`chainbrain.store.changes`). On DuckDB (no triggers) the row stays at 0 and is
not read. The content digest (0039_data_digest): ``data_digest``, see :mod:`chainbrain.store.digest`.
Bookkeeping, not data: listed in :data:`CHANGE_TABLES` (reported with the logs).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

data_change = sa.Table(
    "data_change", metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)

#: appended deltas of each data-key table's row count, XOR and sum of row hashes, by PostgreSQL's
#: statement triggers (:mod:`chainbrain.store.digest`); empty on DuckDB
data_digest = sa.Table(
    "data_digest", metadata,
    sa.Column("tbl", sa.Text, nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
    sa.Column("x", sa.BigInteger),
    sa.Column("s", sa.Numeric),
)

CHANGE_TABLES = ("data_change", "data_digest")
