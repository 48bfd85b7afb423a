"""import jobs kept in the store: listed, cancelled, expired, marked died after a restart (#20)

Adds ``import_job`` (:mod:`chainbrain.store.schema_imports`).

Revision ID: 0022_import_jobs
Revises: 0020_report_schedule
"""
from alembic import op
import sqlalchemy as sa

revision = "0022_import_jobs"
down_revision = "0020_report_schedule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("unit", sa.String(16), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("warnings", sa.BigInteger(), nullable=False),
        sa.Column("issues", sa.Text(), nullable=False),
        sa.Column("issues_total", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("error_path", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(96), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # no index on ``status``: seen on DuckDB 1.5.6, after an UPDATE of the indexed status and a killed
    # server (WAL replayed), ``WHERE status = 'importing'`` found no row while the row held that
    # value, so a dead job was never marked died (tests/test_server_kill.py); the table is small


def downgrade() -> None:
    op.drop_table("import_job")
