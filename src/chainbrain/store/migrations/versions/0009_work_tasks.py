"""work tasks: tasks (项目化清单式), supervision (督办), working meetings (工作例会), organisation

Adds the tables of :mod:`chainbrain.store.schema_work_tasks` and
:mod:`chainbrain.store.schema_work_org` (chain leaders, units, task forces, working-mode
relationships, the interaction log) and :mod:`chainbrain.store.schema_work_projects` (key
projects, monthly planned and actual investment), with their id sequences.

Revision ID: 0009_work_tasks
Revises: 0008_work_requests
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_work_tasks"
down_revision = "0008_work_requests"
branch_labels = None
depends_on = None

SEQUENCES = ("work_task", "work_task_progress", "work_notice", "work_meeting", "work_org_member", "work_relation",
             "work_interaction", "work_project")
TABLES = ("work_task", "work_task_unit", "work_task_milestone", "work_task_progress",
          "work_task_escalation", "work_notice", "work_meeting", "work_meeting_attendee", "work_meeting_decision",
          "work_org_member", "work_relation", "work_interaction", "work_project", "work_project_month")


def upgrade() -> None:
    op.create_table(
        "work_task",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.String(16), nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("lead_unit", sa.String(128), nullable=False),
        sa.Column("lead_person", sa.String(64), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("progress_pct", sa.Integer(), server_default="0", nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=True),
        sa.Column("last_progress_on", sa.Date(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("verified_by", sa.String(64), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("assigner_scope", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=True),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_task_region", "work_task", ["region_code"])
    op.create_index("ix_work_task_chain", "work_task", ["chain_code"])
    op.create_table(
        "work_task_unit",
        sa.Column("task_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("task_id", "unit"),
    )
    op.create_table(
        "work_task_milestone",
        sa.Column("task_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("task_id", "seq"),
    )
    op.create_table(
        "work_task_progress",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("task_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_task_progress_task", "work_task_progress", ["task_id"])
    op.create_table(
        "work_task_escalation",
        sa.Column("task_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("step", sa.String(24), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("task_id", "step"),
    )
    op.create_table(
        "work_notice",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("task_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issuer_scope", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("automatic", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_notice_task", "work_notice", ["task_id"])
    op.create_table(
        "work_meeting",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("chair", sa.String(64), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("organizer_scope", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_meeting_attendee",
        sa.Column("meeting_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(128), nullable=True),
        sa.Column("title", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id", "seq"),
    )
    op.create_table(
        "work_meeting_decision",
        sa.Column("meeting_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("task_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "seq"),
    )
    op.create_table(
        "work_org_member",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("title", sa.String(64), nullable=True),
        sa.Column("unit", sa.String(128), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_relation",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=False),
        sa.Column("mode", sa.String(24), nullable=False),
        sa.Column("leader", sa.String(128), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=True),
        sa.Column("partner", sa.String(200), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_interaction",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("leader", sa.String(128), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=True),
        sa.Column("task_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_project",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=False),
        sa.Column("segment_code", sa.String(32), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("investor", sa.String(200), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("lead_source", sa.String(200), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("operating_on", sa.Date(), nullable=True),
        sa.Column("full_output_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_project_month",
        sa.Column("project_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("planned", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("actual", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.PrimaryKeyConstraint("project_id", "year", "month"),
    )
    for name in SEQUENCES:
        op.execute(f"CREATE SEQUENCE {name}_id_seq")


def downgrade() -> None:
    for name in reversed(SEQUENCES):
        op.execute(f"DROP SEQUENCE {name}_id_seq")
    for name in reversed(TABLES):
        op.drop_table(name)
