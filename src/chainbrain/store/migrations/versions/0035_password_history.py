"""the hashes of a user's replaced passwords, so that a change cannot go back to one of them (#20)

Adds ``password_history`` (user, hash of a replaced password, when it was replaced). Written whenever a
password is replaced (own change, ``users passwd``, ``users reset``); read by a user's own change,
which refuses any of the last ``[server] password_history`` passwords (default 5).
:mod:`chainbrain.store.schema_users`, :mod:`chainbrain.web.users`.

Revision ID: 0035_password_history
Revises: 0034_drop_status_indexes
"""
from alembic import op
import sqlalchemy as sa

revision = "0035_password_history"
down_revision = "0034_drop_status_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_history",
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("replaced_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "password_hash"),
    )


def downgrade() -> None:
    op.drop_table("password_history")
