"""scale-up assessments kept per enterprise (``scaleup_assessment``) and 融通 match events (``match_event``), issue #15

One row per target year, month of the monthly signal (0 = none), direction and enterprise: the
probabilities as computed and kept (see ``chainbrain.store.schema_cultivation``).

Revision ID: 0016_cultivation
Revises: 0015_disclosure_patterns
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_cultivation"
down_revision = "0015_disclosure_patterns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scaleup_assessment",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("p_baseline", sa.Double()),
        sa.Column("p_model", sa.Double()),
        sa.Column("p", sa.Double(), nullable=False),
        sa.Column("revenue_prev", sa.Numeric(20, 2), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("kept_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", "month", "direction", "enterprise_id"),
    )
    op.create_index("ix_scaleup_assessment_ent", "scaleup_assessment", ["enterprise_id"])
    op.create_table(
        "match_event",
        sa.Column("id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("need_id", sa.String(64), nullable=False),
        sa.Column("chain_code", sa.String(8)),
        sa.Column("buyer_id", sa.BigInteger(), nullable=False),
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_match_event_need", "match_event", ["need_id", "supplier_id"])


def downgrade() -> None:
    op.drop_index("ix_match_event_need", table_name="match_event")
    op.drop_table("match_event")
    op.drop_index("ix_scaleup_assessment_ent", table_name="scaleup_assessment")
    op.drop_table("scaleup_assessment")
