"""enterprise library: main activity, review queue, registry status and history (``enterprise_activity``,
``mapping_review``, ``enterprise_registry``, ``enterprise_registry_history``)

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
    op.create_table(
        "enterprise_registry",
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("status", sa.String(16)),
        sa.Column("status_on", sa.Date()),
        sa.Column("parent_id", sa.BigInteger()),
        sa.Column("former_names", sa.Text()),
        sa.Column("batch_id", sa.BigInteger()),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )
    op.create_table(
        "enterprise_registry_history",
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("old_value", sa.Text()),
        sa.Column("new_value", sa.Text()),
        sa.Column("changed_on", sa.Date()),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_registry_history_ent", "enterprise_registry_history", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_registry_history_ent", table_name="enterprise_registry_history")
    op.drop_table("enterprise_registry_history")
    op.drop_table("enterprise_registry")
    op.drop_index("ix_mapping_review_status", table_name="mapping_review")
    op.drop_table("mapping_review")
    op.drop_table("enterprise_activity")
