"""Enterprise library: main activity of registry firms and the chain offices' review queue (migration 0019_library).

``enterprise_activity``: one row per enterprise mapped from a business scope — the main
activity (GB/T 4754 section, class where the text allows), the calibrated probability that
the firm is industrial, the parsed scope items and the evidence (JSON), the model version
and the import batch that wrote it (``ingest.chainmap``).

``mapping_review``: firms whose best chain confidence lies between the review bounds
(``work``/docs/ingest.md) wait here as ``pending`` with the suggested segments; a chain
office's decision (``accepted``, ``changed``, ``rejected``) is stored with actor and time,
written as ``segment_override`` rows (which survive re-imports) and audited in ``audit_log``.

``enterprise_registry``: the registry status (存续, 迁出, 注销, 吊销 …) and its date, a branch's
parent and the former names; ``enterprise_registry_history``: every change of name, address,
status or parent that an import found, with its date and batch (``ingest.resolve``).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

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

enterprise_registry = sa.Table(
    "enterprise_registry", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(16)),                          # 存续 | 在业 | 迁出 | 注销 | 吊销 …
    sa.Column("status_on", sa.Date),                             # date of the current status, where given
    sa.Column("parent_id", sa.BigInteger),                       # a branch's parent enterprise
    sa.Column("former_names", sa.Text),                          # |-joined
    sa.Column("batch_id", sa.BigInteger),
)

enterprise_registry_history = sa.Table(
    "enterprise_registry_history", metadata,
    sa.Column("enterprise_id", sa.BigInteger, nullable=False),
    sa.Column("field", sa.String(16), nullable=False),           # name | address | status | parent
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
    sa.Column("changed_on", sa.Date),                            # the export's status date, else the import day
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Index("ix_registry_history_ent", "enterprise_id"),
)
