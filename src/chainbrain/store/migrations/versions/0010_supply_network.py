"""supply network: partners kept by USCC (registered region), monthly supply links

Adds ``enterprise.registered_region`` and ``enterprise.is_partner`` (nullable)
and the ``supply_link_month`` table (:mod:`chainbrain.store.schema_supply`).

Revision ID: 0010_supply_network
Revises: 0009_work_tasks
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_supply_network"
down_revision = "0009_work_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enterprise", sa.Column("registered_region", sa.String(6), nullable=True))
    op.add_column("enterprise", sa.Column("is_partner", sa.Boolean(), nullable=True))
    op.create_table(
        "supply_link_month",
        sa.Column("supplier_id", sa.BigInteger(), nullable=False),
        sa.Column("buyer_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("supplier_id", "buyer_id", "year", "month", "revision"),
    )
    op.create_index("ix_supply_link_month_buyer", "supply_link_month", ["buyer_id"])


def downgrade() -> None:
    op.drop_index("ix_supply_link_month_buyer", table_name="supply_link_month")
    op.drop_table("supply_link_month")
    op.drop_column("enterprise", "is_partner")
    op.drop_column("enterprise", "registered_region")
