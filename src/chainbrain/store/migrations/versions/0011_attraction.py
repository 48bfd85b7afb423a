"""attraction: investment-attraction leads (招商线索)

Adds ``attraction_lead`` and its id sequence (:mod:`chainbrain.store.schema_attract`).

Revision ID: 0011_attraction
Revises: 0010_supply_network
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_attraction"
down_revision = "0010_supply_network"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attraction_lead",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=False),
        sa.Column("segment_code", sa.String(32), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("score_basis", sa.Text(), nullable=True),
        sa.Column("followed_up_on", sa.Date(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("landed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attraction_lead_chain", "attraction_lead", ["chain_code"])
    op.create_index("ix_attraction_lead_ent", "attraction_lead", ["enterprise_id"])
    op.execute("CREATE SEQUENCE attraction_lead_id_seq")


def downgrade() -> None:
    op.execute("DROP SEQUENCE attraction_lead_id_seq")
    op.drop_index("ix_attraction_lead_ent", table_name="attraction_lead")
    op.drop_index("ix_attraction_lead_chain", table_name="attraction_lead")
    op.drop_table("attraction_lead")
