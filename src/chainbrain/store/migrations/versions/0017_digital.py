"""digital transformation: maturity assessments and scenario adoptions (issue #16)

Adds ``digital_assessment`` and ``digital_adoption`` (:mod:`chainbrain.store.schema_digital`).

Revision ID: 0017_digital
Revises: 0016_cultivation
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_digital"
down_revision = "0016_cultivation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digital_assessment",
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("scheme", sa.String(16), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "scheme", "assessed_on", "revision"),
    )
    op.create_index("ix_digital_assessment_ent", "digital_assessment", ["enterprise_id"])
    op.create_table(
        "digital_adoption",
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=False),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(200), nullable=True),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "chain_code", "scenario", "adopted_on", "revision"),
    )
    op.create_index("ix_digital_adoption_chain", "digital_adoption", ["chain_code"])


def downgrade() -> None:
    op.drop_index("ix_digital_adoption_chain", table_name="digital_adoption")
    op.drop_table("digital_adoption")
    op.drop_index("ix_digital_assessment_ent", table_name="digital_assessment")
    op.drop_table("digital_assessment")
