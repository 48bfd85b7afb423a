"""statistics inputs: SEI shares of partial classes, PPI deflators; valid_to becomes inclusive

- ``sei_share`` and ``price_index`` (:mod:`chainbrain.store.schema_statistics`).
- ``valid_to`` is inclusive everywhere from this revision on (the last valid
  day). ``enterprise_attr`` and ``enterprise_segment`` rows were written with an
  exclusive end (the first day no longer valid), so their stored ends move one
  day back; designations were always read as inclusive and stay as they are.

Revision ID: 0006_statistics_inputs
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_statistics_inputs"
down_revision = "0005"
branch_labels = None
depends_on = None

_SHIFTED = ("enterprise_attr", "enterprise_segment")


def upgrade() -> None:
    op.create_table(
        "sei_share",
        sa.Column("industry_code", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("industry_code", "year", "revision"),
    )
    op.create_table(
        "price_index",
        sa.Column("division", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("ppi_ytd", sa.Double(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("division", "year", "month", "revision"),
    )
    for t in _SHIFTED:           # exclusive end → inclusive end (DATE − INTEGER is a DATE on both engines)
        op.execute(f"UPDATE {t} SET valid_to = valid_to - 1 WHERE valid_to IS NOT NULL")


def downgrade() -> None:
    for t in _SHIFTED:
        op.execute(f"UPDATE {t} SET valid_to = valid_to + 1 WHERE valid_to IS NOT NULL")
    op.drop_table("price_index")
    op.drop_table("sei_share")
