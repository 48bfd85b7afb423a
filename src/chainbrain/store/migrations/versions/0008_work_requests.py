"""placeholder for helper *requests*' 0008_work_requests (replaced at merge)

Revision ID: 0008_work_requests
Revises: 0007_indicator_set
"""

revision = "0008_work_requests"
down_revision = "0007_indicator_set"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
