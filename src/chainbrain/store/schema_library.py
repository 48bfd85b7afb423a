"""Enterprise library: main activity of registry firms and the chain offices' review queue (migration 0019_library).

``enterprise_activity``: one row per enterprise mapped from a business scope — the main
activity (GB/T 4754 section, class where the text allows), the calibrated probability that
the firm is industrial, the parsed scope items and the evidence (JSON), the model version
and the import batch that wrote it (``ingest.chainmap``).

``mapping_review``: firms whose best chain confidence lies between the review bounds
(``work``/docs/ingest.md) wait here as ``pending`` with the suggested segments; a chain
office's decision (``accepted``, ``changed``, ``rejected``) is stored with actor and time,
written as ``segment_override`` rows (which survive re-imports) and audited in ``audit_log``.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema import metadata

enterprise_activity = sa.Table(
    "enterprise_activity", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("section", sa.String(1)),
    sa.Column("class_code", sa.String(4)),
    sa.Column("industrial", sa.Boolean, nullable=False),
    sa.Column("probability", sa.Float, nullable=False),          # calibrated P(industrial)
    sa.Column("items", sa.Text),                                 # JSON: parsed scope items
    sa.Column("evidence", sa.Text),                              # JSON: [[feature, log-odds pull], …]
    sa.Column("model", sa.String(32)),
    sa.Column("batch_id", sa.BigInteger),
)

mapping_review = sa.Table(
    "mapping_review", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("chain_code", sa.String(8)),                       # chain of the best suggested segment
    sa.Column("status", sa.String(16), nullable=False),          # pending | accepted | changed | rejected
    sa.Column("suggested", sa.Text),                             # |-joined segment codes
    sa.Column("confidence", sa.Float),
    sa.Column("decided", sa.Text),                               # |-joined segment codes after the decision
    sa.Column("actor", sa.String(64)),
    sa.Column("decided_at", sa.DateTime),
    sa.Column("note", sa.Text),
    sa.Column("batch_id", sa.BigInteger),
)
sa.Index("ix_mapping_review_status", mapping_review.c.status, mapping_review.c.chain_code)
