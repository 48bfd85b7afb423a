"""Generated analysis reports kept with their data version, migration ``0014_reports``.

- ``report_file``: one generated file (``kind`` monthly; ``period``; the scope ``chain_code`` /
  ``region_code`` / ``scope``; ``format`` docx | pdf | xlsx), who it was written for (``viewer``:
  ``operator`` for the full view, else the username), the data version it was written from
  (``data_batch_id``: the newest import batch behind the period's reports, and that batch's
  ``data_loaded_at``), the title, the file itself (``content``, its ``sha256`` and ``size_bytes``)
  and the stamp (``created_at``, ``created_by``). Rows are never updated: a new run is a new row.

- ``report_schedule`` (migration ``0020_report_schedule``): a set of reports generated without
  anyone asking — ``units`` (comma list of ``province``, ``chains``, ``cities``), ``formats``
  (comma list of docx, pdf, xlsx), ``trigger`` (``data``: after the newest month's data arrive
  or are revised, i.e. once per period and data batch; ``day``: on ``day_of_month`` (1–28) or
  later in each calendar month, for the newest month on file), ``as_user`` (whose view; empty =
  the operator's full view), ``enabled``, the stamp.
- ``report_run``: one run of a schedule (``trigger`` data | day | manual), the ``period`` and
  data batch it was for, ``status`` running | done | failed, ``files`` kept, the ``error`` of a
  failed run, start and end. ``report_file.run_id`` names the run a kept file came from.

Ids are MAX + 1 (:meth:`chainbrain.store.engine.Store.next_id`); the table is written by
:mod:`chainbrain.reports.archive`.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

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
    sa.Column("run_id", sa.BigInteger),                               # 0020: the scheduled run, if any
    sa.Index("ix_report_file_period", "period"),
)

report_schedule = sa.Table(
    "report_schedule", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("units", sa.String(32), nullable=False),                # province,chains,cities
    sa.Column("formats", sa.String(32), nullable=False),              # docx,pdf,xlsx
    sa.Column("trigger", sa.String(8), nullable=False),               # data | day
    sa.Column("day_of_month", sa.SmallInteger),                       # 1..28 when trigger = day
    sa.Column("as_user", sa.String(64)),                              # None: the operator's full view
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
)

report_run = sa.Table(
    "report_run", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("schedule_id", sa.BigInteger, nullable=False),
    sa.Column("trigger", sa.String(8), nullable=False),               # data | day | manual
    sa.Column("period", sa.String(7)),
    sa.Column("data_batch_id", sa.BigInteger),
    sa.Column("status", sa.String(8), nullable=False),                # running | done | failed
    sa.Column("files", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Index("ix_report_run_schedule", "schedule_id", "period"),
)
