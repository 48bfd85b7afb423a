"""reserved for helper digital (#16)

Revision ID: 0017_digital
Revises: 0016_cultivation
"""
revision = "0017_digital"
down_revision = "0016_cultivation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
