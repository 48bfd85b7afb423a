"""Scale-up assessments kept per enterprise, 融通 match events (migration 0016_cultivation) and needs (0026).

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

from chainbrain.store.schema_core import Money, metadata

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

#: stages of a 融通 match, in order (``declined`` ends it)
MATCH_STAGES = ("proposed", "contacted", "trial_order", "supplier", "declined")

# ``match_event``: what happened to a proposed match (融通) — one row per event, entered by the chain
# office: the need (its id in the needs file), the chain, buyer and supplier, the stage reached, the day.
match_event = sa.Table(
    "match_event", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("need_id", sa.String(64), nullable=False),
    sa.Column("chain_code", sa.String(8)),
    sa.Column("buyer_id", sa.BigInteger, nullable=False),
    sa.Column("supplier_id", sa.BigInteger, nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),            # MATCH_STAGES
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_match_event_need", "need_id", "supplier_id"),
)

#: states of a 融通 need
NEED_STATES = ("open", "closed")

# ``match_need``: a chain master's procurement need (融通, migration 0026) — imported from the needs CSV
# (``chainbrain cultivate import-needs``) or entered on the matching page by the chain master, its chain
# office or the province: the buyer, the segment bought from (its chain), the product words, the city
# preferred (empty = the buyer's), open or closed. Written by :mod:`chainbrain.work.match_needs`.
match_need = sa.Table(
    "match_need", metadata,
    sa.Column("need_id", sa.String(64), primary_key=True),
    sa.Column("buyer_id", sa.BigInteger, nullable=False),
    sa.Column("segment_code", sa.String(32), nullable=False),
    sa.Column("chain_code", sa.String(8)),
    sa.Column("product", sa.Text),
    sa.Column("city", sa.String(12)),
    sa.Column("status", sa.String(8), nullable=False),            # NEED_STATES
    sa.Column("entered_by", sa.String(64), nullable=False),
    sa.Column("entered_at", sa.DateTime, nullable=False),
    sa.Index("ix_match_need_buyer", "buyer_id"),
)
