"""sign-in attempts counted per user, per address and per pair, before the password check (#20)

Adds ``login_throttle`` (:mod:`chainbrain.store.schema_users`, :mod:`chainbrain.web.throttle`).

Revision ID: 0023_sign_in_attempts
Revises: 0022_import_jobs
"""
from alembic import op
import sqlalchemy as sa

revision = "0023_sign_in_attempts"
down_revision = "0022_import_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(), nullable=True),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.Column("audited_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
