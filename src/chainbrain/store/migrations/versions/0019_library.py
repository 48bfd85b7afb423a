"""enterprise library: main activity and review queue (``enterprise_activity``, ``mapping_review``)

See ``chainbrain.store.schema_library``.

Revision ID: 0019_library
Revises: 0018_clusters
"""
from alembic import op
import sqlalchemy as sa

revision = "0019_library"
down_revision = "0018_clusters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise_activity",
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("section", sa.String(1)),
        sa.Column("class_code", sa.String(4)),
        sa.Column("industrial", sa.Boolean(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("items", sa.Text()),
        sa.Column("evidence", sa.Text()),
        sa.Column("model", sa.String(32)),
        sa.Column("batch_id", sa.BigInteger()),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )
    op.create_table(
        "mapping_review",
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("chain_code", sa.String(8)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("suggested", sa.Text()),
        sa.Column("confidence", sa.Float()),
        sa.Column("decided", sa.Text()),
        sa.Column("actor", sa.String(64)),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("note", sa.Text()),
        sa.Column("batch_id", sa.BigInteger()),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )
    op.create_index("ix_mapping_review_status", "mapping_review", ["status", "chain_code"])


def downgrade() -> None:
    op.drop_index("ix_mapping_review_status", table_name="mapping_review")
    op.drop_table("mapping_review")
    op.drop_table("enterprise_activity")
