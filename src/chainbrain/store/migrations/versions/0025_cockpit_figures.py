"""cockpit figures kept between runs (``cockpit_figure``)

One row per figure the cockpit shows (KPI record or table, targets and projection of a period ×
region × scope), before disclosure control, compressed, with the data key it was computed at (see
``chainbrain.store.schema_disclosure`` and ``chainbrain.store.figures``).

Revision ID: 0025_cockpit_figures
Revises: 0024_audit_chain
"""
from alembic import op
import sqlalchemy as sa

revision = "0025_cockpit_figures"
down_revision = "0024_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cockpit_figure",
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("data_key", sa.String(64), nullable=False),
        sa.Column("figures", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("cockpit_figure")
