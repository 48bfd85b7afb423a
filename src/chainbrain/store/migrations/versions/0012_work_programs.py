"""work programs: joint R&D (揭榜挂帅), the guidance fund (链主+基金), the policy list (一链一策)

Adds the tables of :mod:`chainbrain.store.schema_work_programs` with their id sequences.

Revision ID: 0012_work_programs
Revises: 0011_attraction
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_work_programs"
down_revision = "0011_attraction"
branch_labels = None
depends_on = None

SEQUENCES = ('work_rd_problem', 'work_rd_application', 'work_fund', 'work_fund_investment', 'work_policy')
TABLES = ('work_rd_problem', 'work_rd_application', 'work_rd_milestone', 'work_fund', 'work_fund_investment', 'work_policy', 'work_policy_measure', 'work_policy_cite')


def upgrade() -> None:
    op.create_table(
        "work_rd_problem",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("scope_kind", sa.String(8), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=False),
        sa.Column("other_chains", sa.String(64), nullable=True),
        sa.Column("poster", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("funding", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("apply_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("awarded_on", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("commercialisation", sa.Text(), nullable=True),
        sa.Column("commercial_revenue", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_rd_application",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("problem_id", sa.BigInteger(), nullable=False),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("leader", sa.String(64), nullable=False),
        sa.Column("partners", sa.String(300), nullable=True),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("requested", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_rd_milestone",
        sa.Column("problem_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("tranche", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("problem_id", "seq"),
    )
    op.create_table(
        "work_fund",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("manager", sa.String(200), nullable=True),
        sa.Column("size", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("government", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("set_up_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_fund_investment",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("fund_id", sa.BigInteger(), nullable=False),
        sa.Column("enterprise_id", sa.BigInteger(), nullable=True),
        sa.Column("investee", sa.String(200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("co_invest", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("invested_on", sa.Date(), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=False),
        sa.Column("segment_code", sa.String(32), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("follow_on", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_policy",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("doc_number", sa.String(64), nullable=True),
        sa.Column("issuer", sa.String(128), nullable=False),
        sa.Column("chain_code", sa.String(8), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("source", sa.String(300), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "work_policy_measure",
        sa.Column("policy_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("policy_id", "seq"),
    )
    op.create_table(
        "work_policy_cite",
        sa.Column("policy_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cited_on", sa.Date(), nullable=False),
        sa.Column("cited_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("policy_id", "entity", "entity_id"),
    )
    op.create_index("ix_work_rd_application_problem", "work_rd_application", ["problem_id"])
    op.create_index("ix_work_fund_investment_fund", "work_fund_investment", ["fund_id"])
    for name in SEQUENCES:
        op.execute(f"CREATE SEQUENCE {name}_id_seq")


def downgrade() -> None:
    for name in reversed(SEQUENCES):
        op.execute(f"DROP SEQUENCE {name}_id_seq")
    op.drop_index("ix_work_fund_investment_fund", "work_fund_investment")
    op.drop_index("ix_work_rd_application_problem", "work_rd_application")
    for name in reversed(TABLES):
        op.drop_table(name)
