"""work links: a key project's 招商 lead, users' e-mail, the mail state of inbox messages

- ``work_project.lead_id``: the attraction lead (``attraction_lead.id``) a key project came from
  (NULL: none; the old free-text ``lead_source`` is kept as it was).
- ``user_account.email``: where notifications are also sent when ``[mail] enabled``.
- ``inbox_message.mail_state`` (NULL: not to be mailed; ``pending`` → ``sending`` → ``sent`` |
  ``failed``), ``mail_error`` (why the last attempt failed), ``mail_sent_at``.

No index on the new columns: DuckDB cannot drop, in one transaction, an index and the column it
covers (so the downgrade would fail), and both tables are small or scanned rarely (the mail
claim runs only when mail is enabled).

Revision ID: 0013_work_links
Revises: 0012_work_programs
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_work_links"
down_revision = "0012_work_programs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("work_project", sa.Column("lead_id", sa.BigInteger(), nullable=True))
    op.add_column("user_account", sa.Column("email", sa.String(254), nullable=True))
    op.add_column("inbox_message", sa.Column("mail_state", sa.String(8), nullable=True))
    op.add_column("inbox_message", sa.Column("mail_error", sa.String(500), nullable=True))
    op.add_column("inbox_message", sa.Column("mail_sent_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # DuckDB drops no column of a table that has an index: drop 0008's index first, then recreate it
    op.drop_index("ix_inbox_message_user", table_name="inbox_message")
    op.drop_column("inbox_message", "mail_sent_at")
    op.drop_column("inbox_message", "mail_error")
    op.drop_column("inbox_message", "mail_state")
    op.create_index("ix_inbox_message_user", "inbox_message", ["user_id"])
    op.drop_column("user_account", "email")
    op.drop_column("work_project", "lead_id")
