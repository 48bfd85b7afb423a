"""reserved for helper clusters (#17)

Revision ID: 0018_clusters
Revises: 0017_digital
"""
revision = "0018_clusters"
down_revision = "0017_digital"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
