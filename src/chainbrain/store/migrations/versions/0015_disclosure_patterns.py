"""disclosure patterns kept between runs (``disclosure_pattern``)

One row per linked family, viewer scope and minimum cell size: the withheld cells of every period
of the family, compressed, with the data key they were computed at (see
``chainbrain.store.schema_disclosure``).

Revision ID: 0015_disclosure_patterns
Revises: 0014_reports
"""
from alembic import op
import sqlalchemy as sa

revision = "0015_disclosure_patterns"
down_revision = "0014_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosure_pattern",
        sa.Column("family", sa.String(400), nullable=False),
        sa.Column("viewer", sa.String(200), nullable=False),
        sa.Column("min_cell", sa.Integer(), nullable=False),
        sa.Column("data_key", sa.String(64), nullable=False),
        sa.Column("patterns", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("family", "viewer", "min_cell"),
    )


def downgrade() -> None:
    op.drop_table("disclosure_pattern")
