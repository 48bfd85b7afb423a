"""Stored aggregates of the monitoring engine (migration 0003_monitoring), refreshed by ``chainbrain compute``.

- ``indicator_value``: long form of :func:`chainbrain.analytics.indicators.evaluate`
  — one row per period × basis × scope × grouping × key × indicator, with the
  number of contributing enterprises ``n`` (pages suppress n < 3).
- ``monitor_alert``: alerts of :mod:`chainbrain.analytics.alerts` for a period,
  figures as JSON text.
- ``modernization_score``: :mod:`chainbrain.analytics.modernization` scores per
  chain and city×chain, with the breakdown and weights as JSON text.
- ``compute_run``: one row per refresh (what was computed, when, how long, on which engine and
  data version; the process running it, and why a run failed or died — :mod:`chainbrain.store.compute_runs`).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

indicator_value = sa.Table(
    "indicator_value", metadata,
    sa.Column("period", sa.String(8), primary_key=True),
    sa.Column("basis", sa.String(8), primary_key=True),          # ytd|month|quarter
    sa.Column("scope", sa.String(16), primary_key=True),         # all|manufacturing
    sa.Column("grouping", sa.String(16), primary_key=True),      # all|chain|city|county|city_chain|...
    sa.Column("key", sa.String(48), primary_key=True),
    sa.Column("indicator", sa.String(48), primary_key=True),
    sa.Column("value", sa.Double),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("run_id", sa.BigInteger, nullable=False),
)

monitor_alert = sa.Table(
    "monitor_alert", metadata,
    sa.Column("period", sa.String(8), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("rule", sa.String(32), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("subject_kind", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(48), nullable=False),
    sa.Column("message_zh", sa.Text, nullable=False),
    sa.Column("message_en", sa.Text, nullable=False),
    sa.Column("figures", sa.Text, nullable=False),               # JSON
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("confidential", sa.Boolean, nullable=False),
    sa.Column("run_id", sa.BigInteger, nullable=False),
)

modernization_score = sa.Table(
    "modernization_score", metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("level", sa.String(16), primary_key=True),         # chain|city_chain
    sa.Column("key", sa.String(48), primary_key=True),
    sa.Column("score", sa.Double, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("breakdown", sa.Text, nullable=False),             # JSON: dimension → points, indicator → value/points
    sa.Column("weights", sa.Text, nullable=False),               # JSON: indicator → weight
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("run_id", sa.BigInteger, nullable=False),
)

compute_run = sa.Table(
    "compute_run", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("periods", sa.Text),
    sa.Column("rows", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("seconds", sa.Double),
    sa.Column("status", sa.String(16), nullable=False),          # running|done|failed|died
    sa.Column("engine", sa.String(16)),                          # duckdb|postgres|spark (#21)
    sa.Column("data_version", sa.String(64)),                    # data key of the store or lake read
    sa.Column("host", sa.String(255)),                           # the process running it (0033, #20)
    sa.Column("pid", sa.Integer),
    sa.Column("message", sa.Text),                               # why it failed or died
)
