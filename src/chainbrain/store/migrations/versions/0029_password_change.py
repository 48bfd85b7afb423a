"""an account whose password was reset must choose its own at the next sign-in (#20)

Adds ``user_account.must_change_password`` (true after ``chainbrain users reset`` or an account made
with a temporary password; cleared when the user sets a new password; NULL reads as false).
:mod:`chainbrain.store.schema_users`, :mod:`chainbrain.web.password_gate`.

Revision ID: 0029_password_change
Revises: 0028_compute_engine
"""
from alembic import op
import sqlalchemy as sa

revision = "0029_password_change"
down_revision = "0028_compute_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("must_change_password", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("user_account", "must_change_password")
