"""digital transformation: maturity assessments (``digital_assessment``, issue #16)

Adds ``digital_assessment`` (:mod:`chainbrain.store.schema_digital`).

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


def downgrade() -> None:
    op.drop_index("ix_digital_assessment_ent", table_name="digital_assessment")
    op.drop_table("digital_assessment")
