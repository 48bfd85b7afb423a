"""compute_run records the process running it and what ended a run that did not finish (#20)

Adds ``compute_run.host`` and ``compute_run.pid`` (the process that runs the refresh: a
``running`` row whose process is gone was killed, :mod:`chainbrain.store.compute_runs`) and
``compute_run.message`` (why a run failed or died).

Revision ID: 0033_compute_run_process
Revises: 0029_password_change
"""
from alembic import op
import sqlalchemy as sa

revision = "0033_compute_run_process"
down_revision = "0029_password_change"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("compute_run", sa.Column("host", sa.String(255), nullable=True))
    op.add_column("compute_run", sa.Column("pid", sa.Integer, nullable=True))
    op.add_column("compute_run", sa.Column("message", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("compute_run", "message")
    op.drop_column("compute_run", "pid")
    op.drop_column("compute_run", "host")
