"""work system base and enterprise requests: audit trail, inbox, attachments, unit users, requests

Tables of :mod:`chainbrain.store.schema_work`, their id sequences, and the
``unit_code`` scope column of ``user_account`` (role ``unit``).

Revision ID: 0008_work_requests
Revises: 0007_indicator_set
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_work_requests"
down_revision = "0007_indicator_set"
branch_labels = None
depends_on = None

SEQUENCES = ("work_audit", "inbox_message", "work_attachment", "work_request", "work_request_group")


def upgrade() -> None:
    op.add_column("user_account", sa.Column("unit_code", sa.String(16), nullable=True))
    op.create_table(
        "work_audit",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_audit_entity", "work_audit", ["entity", "entity_id"])
    op.create_table(
        "inbox_message",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(300), nullable=True),
        sa.Column("entity", sa.String(32), nullable=True),
        sa.Column("entity_id", sa.BigInteger(), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbox_message_user", "inbox_message", ["user_id"])
    op.create_table(
        "work_attachment",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_name", sa.String(80), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    op.create_index("ix_work_attachment_entity", "work_attachment", ["entity", "entity_id"])
    op.create_table(
        "work_request",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("relayed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("route_region", sa.String(6), nullable=True),
        sa.Column("route_unit", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("escalated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(), nullable=True),
        sa.Column("escalation_reason", sa.Text(), nullable=True),
        sa.Column("group_id", sa.BigInteger(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("close_reason", sa.String(16), nullable=True),
        sa.Column("respond_due", sa.Date(), nullable=False),
        sa.Column("resolve_due", sa.Date(), nullable=False),
        sa.Column("confirm_due", sa.Date(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rules_version", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_request_enterprise", "work_request", ["enterprise_id"])
    op.create_index("ix_work_request_status", "work_request", ["status"])
    op.create_table(
        "work_request_group",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for name in SEQUENCES:
        op.execute(f"CREATE SEQUENCE {name}_id_seq")


def downgrade() -> None:
    for name in reversed(SEQUENCES):
        op.execute(f"DROP SEQUENCE {name}_id_seq")
    op.drop_table("work_request_group")
    op.drop_index("ix_work_request_status", table_name="work_request")
    op.drop_index("ix_work_request_enterprise", table_name="work_request")
    op.drop_table("work_request")
    op.drop_index("ix_work_attachment_entity", table_name="work_attachment")
    op.drop_table("work_attachment")
    op.drop_index("ix_inbox_message_user", table_name="inbox_message")
    op.drop_table("inbox_message")
    op.drop_index("ix_work_audit_entity", table_name="work_audit")
    op.drop_table("work_audit")
    op.drop_column("user_account", "unit_code")
