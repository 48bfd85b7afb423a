"""reserved for helper library (#19)

Revision ID: 0019_library
Revises: 0018_clusters
"""
revision = "0019_library"
down_revision = "0018_clusters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
