"""reports: generated analysis reports kept with their data version

Adds ``report_file`` (:mod:`chainbrain.store.schema_reports`).

Revision ID: 0014_reports
Revises: 0013_work_links
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_reports"
down_revision = "0013_work_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_file",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("viewer", sa.String(64), nullable=False),
        sa.Column("data_batch_id", sa.BigInteger(), nullable=True),
        sa.Column("data_loaded_at", sa.DateTime(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_file_period", "report_file", ["period"])


def downgrade() -> None:
    op.drop_index("ix_report_file_period", table_name="report_file")
    op.drop_table("report_file")
