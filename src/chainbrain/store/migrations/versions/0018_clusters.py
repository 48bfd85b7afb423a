"""cluster membership as data: cluster_info, cluster_place, cluster_member; cluster_progress (#17)

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
    op.create_table(
        "cluster_progress",
        sa.Column("id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("cluster_code", sa.String(16), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text()),
        sa.Column("review_note", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("submitted_at", sa.DateTime()),
        sa.Column("reviewed_at", sa.DateTime()),
        sa.Column("reviewed_by", sa.String(64)),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster_code", "city_code", "year", name="uq_cluster_progress"),
    )
    op.execute("CREATE SEQUENCE cluster_progress_id_seq")


def downgrade() -> None:
    op.execute("DROP SEQUENCE cluster_progress_id_seq")
    op.drop_table("cluster_progress")
    op.drop_table("cluster_member")
    op.drop_table("cluster_place")
    op.drop_table("cluster_info")
