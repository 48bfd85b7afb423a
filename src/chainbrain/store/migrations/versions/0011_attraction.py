"""attraction (placeholder: replaced at merge by helper attract's migration)

Revision ID: 0011_attraction
Revises: 0010_supply_network
"""

revision = "0011_attraction"
down_revision = "0010_supply_network"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
