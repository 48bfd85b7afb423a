"""report schedules: report sets generated after each month's data or on a day of the month (#18)

Adds ``report_schedule``, ``report_run`` and ``report_file.run_id``
(:mod:`chainbrain.store.schema_reports`).

Revision ID: 0020_report_schedule
Revises: 0019_library
"""
from alembic import op
import sqlalchemy as sa

revision = "0020_report_schedule"
down_revision = "0019_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_schedule",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("units", sa.String(32), nullable=False),
        sa.Column("formats", sa.String(32), nullable=False),
        sa.Column("trigger", sa.String(8), nullable=False),
        sa.Column("day_of_month", sa.SmallInteger(), nullable=True),
        sa.Column("as_user", sa.String(64), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "report_run",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("schedule_id", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(8), nullable=False),
        sa.Column("period", sa.String(7), nullable=True),
        sa.Column("data_batch_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_run_schedule", "report_run", ["schedule_id", "period"])
    op.add_column("report_file", sa.Column("run_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # DuckDB cannot drop a column of a table that has an index: drop it and make it again
    op.drop_index("ix_report_file_period", table_name="report_file")
    op.drop_column("report_file", "run_id")
    op.create_index("ix_report_file_period", "report_file", ["period"])
    op.drop_index("ix_report_run_schedule", table_name="report_run")
    op.drop_table("report_run")
    op.drop_table("report_schedule")
