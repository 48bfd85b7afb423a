"""digital transformation: the service-provider register and the firms' ratings of projects (issue #16)

Adds ``digital_provider`` and ``digital_adoption.provider_uscc`` / ``digital_adoption.rating``
(:mod:`chainbrain.store.schema_digital`).

Revision ID: 0027_digital_providers
Revises: 0026_match_needs
"""
from alembic import op
import sqlalchemy as sa

revision = "0027_digital_providers"
down_revision = "0026_match_needs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digital_provider",
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.Column("chains", sa.String(400), nullable=True),
        sa.Column("scenarios", sa.String(4000), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("uscc", "revision"),
    )
    op.add_column("digital_adoption", sa.Column("provider_uscc", sa.String(18), nullable=True))
    op.add_column("digital_adoption", sa.Column("rating", sa.Integer(), nullable=True))


def downgrade() -> None:
    # DuckDB cannot drop a column of a table that has an index: drop it and make it again
    op.drop_index("ix_digital_adoption_chain", table_name="digital_adoption")
    op.drop_column("digital_adoption", "rating")
    op.drop_column("digital_adoption", "provider_uscc")
    op.create_index("ix_digital_adoption_chain", "digital_adoption", ["chain_code"])
    op.drop_table("digital_provider")
