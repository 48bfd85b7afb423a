"""Placeholder for the measures branch's 0006_statistics_inputs (replaced at merge).

Revision ID: 0006_statistics_inputs
Revises: 0005
"""

revision = "0006_statistics_inputs"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
