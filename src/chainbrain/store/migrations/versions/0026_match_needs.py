"""融通 needs of chain masters kept in the store (``match_need``), issue #15

One row per need: the buyer (a chain master), the segment it buys from, the product words, the city
preferred, who entered it and when, and whether it is still open (see
``chainbrain.store.schema_cultivation``).

Revision ID: 0026_match_needs
Revises: 0025_cockpit_figures
"""
from alembic import op
import sqlalchemy as sa

revision = "0026_match_needs"
down_revision = "0025_cockpit_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_need",
        sa.Column("need_id", sa.String(64), nullable=False),
        sa.Column("buyer_id", sa.BigInteger(), nullable=False),
        sa.Column("segment_code", sa.String(32), nullable=False),
        sa.Column("chain_code", sa.String(8)),
        sa.Column("product", sa.Text()),
        sa.Column("city", sa.String(12)),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("need_id"),
    )
    op.create_index("ix_match_need_buyer", "match_need", ["buyer_id"])


def downgrade() -> None:
    op.drop_index("ix_match_need_buyer", table_name="match_need")
    op.drop_table("match_need")
