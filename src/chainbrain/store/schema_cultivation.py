"""Scale-up assessments kept per enterprise (migration 0016_cultivation).

``scaleup_assessment``: one row per target year, month of the monthly signal (0: annual figures
only), direction (``up`` scale-up candidate, ``down`` drop-out risk) and enterprise — the
probabilities as they were computed (``p_baseline``, ``p_model`` NULL where no learned model,
``p`` the one the list shows), last year's revenue (yuan), the model's kind and when it was kept.
Written by ``chainbrain cultivate scale-up --keep``; keeping a year again replaces its rows. What was
predicted then stays comparable with what happened later (``crossed``, ``entered_year``), whatever
the model says now. Read by :mod:`chainbrain.analytics.scaleup_kept`.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema import Money, metadata

scaleup_assessment = sa.Table(
    "scaleup_assessment", metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True),             # 0: annual figures only
    sa.Column("direction", sa.String(4), primary_key=True),       # up|down
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("p_baseline", sa.Double),
    sa.Column("p_model", sa.Double),
    sa.Column("p", sa.Double, nullable=False),
    sa.Column("revenue_prev", Money, nullable=False),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("kept_at", sa.DateTime, nullable=False),
    sa.Index("ix_scaleup_assessment_ent", "enterprise_id"),
)
