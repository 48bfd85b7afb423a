"""Merge the users and monitoring branches; add advantage_reference.

Revision ID: 0004
Revises: 0003_users, 0003_monitoring
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = ("0003_users", "0003_monitoring")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advantage_reference",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("growth", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("name", "kind", "code", "revision"),
    )


def downgrade() -> None:
    op.drop_table("advantage_reference")
