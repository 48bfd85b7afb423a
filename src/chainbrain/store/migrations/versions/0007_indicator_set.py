"""indicator set: the bureau's financial and production form fields, grid electricity

Adds the fields of :mod:`chainbrain.store.schema_operations` (monthly and
annual report columns, all nullable) and the ``power_use`` table.

Revision ID: 0007_indicator_set
Revises: 0006_statistics_inputs
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_indicator_set"
down_revision = "0006_statistics_inputs"
branch_labels = None
depends_on = None

_MONEY = sa.Numeric(precision=20, scale=2)
_MONTHLY = [(c, _MONEY) for c in (
    "gross_output_ytd", "gross_output_ytd_prev", "sales_output_ytd", "sales_output_ytd_prev",
    "main_business_revenue_ytd", "main_business_revenue_ytd_prev", "cost_ytd", "cost_ytd_prev",
    "export_ytd_prev", "assets", "assets_prev", "liabilities", "liabilities_prev",
    "receivables", "receivables_prev", "finished_goods", "finished_goods_prev")] + \
    [("employees_avg", sa.Integer()), ("employees_avg_prev", sa.Integer())]
_ANNUAL = [("main_business_revenue", _MONEY), ("employees_avg", sa.Integer())]


def upgrade() -> None:
    for name, type_ in _MONTHLY:
        op.add_column("monthly_report", sa.Column(name, type_, nullable=True))
    for name, type_ in _ANNUAL:
        op.add_column("annual_report", sa.Column(name, type_, nullable=True))
    op.create_table(
        "power_use",
        sa.Column("enterprise_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("kwh", sa.Double(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "year", "month", "revision"),
    )
    op.create_index("ix_power_use_ent", "power_use", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_power_use_ent", table_name="power_use")
    op.drop_table("power_use")
    for name, _ in reversed(_ANNUAL):
        op.drop_column("annual_report", name)
    for name, _ in reversed(_MONTHLY):
        op.drop_column("monthly_report", name)
