"""cluster membership as data: cluster_info, cluster_place, cluster_member (#17)

See ``chainbrain.store.schema_clusters``.

Revision ID: 0018_clusters
Revises: 0017_digital
"""
from alembic import op
import sqlalchemy as sa

revision = "0018_clusters"
down_revision = "0017_digital"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster_info",
        sa.Column("cluster_code", sa.String(16), nullable=False),
        sa.Column("program", sa.String(16), nullable=False),
        sa.Column("designated_year", sa.Integer()),
        sa.PrimaryKeyConstraint("cluster_code"),
    )
    op.create_table(
        "cluster_place",
        sa.Column("cluster_code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("source", sa.Text()),
        sa.PrimaryKeyConstraint("cluster_code", "kind", "code"),
    )
    op.create_table(
        "cluster_member",
        sa.Column("cluster_code", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_to", sa.Date()),
        sa.Column("source", sa.Text()),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cluster_code", "enterprise_id"),
    )


def downgrade() -> None:
    op.drop_table("cluster_member")
    op.drop_table("cluster_place")
    op.drop_table("cluster_info")
