"""Import jobs of the web's import page, migration ``0022_import_jobs``.

- ``import_job``: one upload → validation → import, kept in the store so that jobs survive a
  restart and can be listed, cancelled and expired (:mod:`chainbrain.web.imports`). ``id`` is
  a random 16-hex-digit key; ``kind``, the original ``filename``, ``unit``, the ``actor`` who
  uploaded it; ``status`` uploaded | validating | invalid | valid | importing | done | failed |
  cancelled | expired | died; the current ``step``; row, error and warning counts; the first
  issues (``issues`` JSON, at most 500) and their total; ``path`` and ``error_path`` of the
  temporary files (removed when the job ends or expires); ``result`` (JSON) and ``message``;
  ``owner`` (``host:pid`` of the server process running it: a job found validating or
  importing whose process is gone is marked ``died`` at start-up); created and updated times.

A log of work done (like ``import_batch``), not data: listed in ``LOG_TABLES``.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

import_job = sa.Table(
    "import_job", metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("unit", sa.String(16)),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("step", sa.String(32), nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("errors", sa.BigInteger, nullable=False),
    sa.Column("warnings", sa.BigInteger, nullable=False),
    sa.Column("issues", sa.Text, nullable=False),                     # JSON list, at most 500
    sa.Column("issues_total", sa.BigInteger, nullable=False),
    sa.Column("path", sa.Text),
    sa.Column("error_path", sa.Text),
    sa.Column("result", sa.Text),                                     # JSON
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("owner", sa.String(96), nullable=False),                # host:pid
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)   # no index on status: DuckDB lost an updated row from it after a crash (migration 0022)
