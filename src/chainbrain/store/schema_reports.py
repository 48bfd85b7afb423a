"""Generated analysis reports kept with their data version, migration ``0014_reports``.

- ``report_file``: one generated file (``kind`` monthly; ``period``; the scope ``chain_code`` /
  ``region_code`` / ``scope``; ``format`` docx | pdf | xlsx), who it was written for (``viewer``:
  ``operator`` for the full view, else the username), the data version it was written from
  (``data_batch_id``: the newest import batch behind the period's reports, and that batch's
  ``data_loaded_at``), the title, the file itself (``content``, its ``sha256`` and ``size_bytes``)
  and the stamp (``created_at``, ``created_by``). Rows are never updated: a new run is a new row.

Ids are MAX + 1 (:meth:`chainbrain.store.engine.Store.next_id`); the table is written by
:mod:`chainbrain.reports.archive`.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema import metadata

report_file = sa.Table(
    "report_file", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),                 # monthly
    sa.Column("period", sa.String(7), nullable=False),                # YYYY-MM
    sa.Column("chain_code", sa.String(8)),
    sa.Column("region_code", sa.String(6)),
    sa.Column("scope", sa.String(16), nullable=False),                # all | manufacturing
    sa.Column("format", sa.String(8), nullable=False),                # docx | pdf | xlsx
    sa.Column("viewer", sa.String(64), nullable=False),               # operator | a username
    sa.Column("data_batch_id", sa.BigInteger),
    sa.Column("data_loaded_at", sa.DateTime),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Index("ix_report_file_period", "period"),
)
