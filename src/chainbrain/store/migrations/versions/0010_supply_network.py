"""supply network: partners kept by USCC (registered region), monthly supply links, IO tables

Adds ``enterprise.registered_region`` and ``enterprise.is_partner`` (nullable),
the ``supply_link_month`` table and the input–output tables ``io_table``,
``io_label``, ``io_cell`` (:mod:`chainbrain.store.schema_supply`).

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
    op.create_table(
        "io_table",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("sectors", sa.Integer(), nullable=False),
        sa.Column("has_x", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "io_label",
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("axis", sa.String(4), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("label", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "axis", "idx"),
    )
    op.create_table(
        "io_cell",
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("part", sa.String(1), nullable=False),
        sa.Column("row_idx", sa.Integer(), nullable=False),
        sa.Column("col_idx", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=2), nullable=False),
    )
    op.create_index("ix_io_cell_table", "io_cell", ["table_name", "part"])


def downgrade() -> None:
    op.drop_index("ix_io_cell_table", table_name="io_cell")
    op.drop_table("io_cell")
    op.drop_table("io_label")
    op.drop_table("io_table")
    op.drop_index("ix_supply_link_month_buyer", table_name="supply_link_month")
    op.drop_table("supply_link_month")
    op.drop_column("enterprise", "is_partner")
    op.drop_column("enterprise", "registered_region")
