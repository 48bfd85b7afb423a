"""compute_run records the engine and the data version its results were computed from (#21)

Adds ``compute_run.engine`` (duckdb | postgres | spark) and ``compute_run.data_version``
(the data key of the store or of the lake read, :mod:`chainbrain.store.lake`).

Revision ID: 0028_compute_engine
Revises: 0027_digital_providers
"""
from alembic import op
import sqlalchemy as sa

revision = "0028_compute_engine"
down_revision = "0027_digital_providers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("compute_run", sa.Column("engine", sa.String(16), nullable=True))
    op.add_column("compute_run", sa.Column("data_version", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("compute_run", "data_version")
    op.drop_column("compute_run", "engine")
