"""placeholder for 0009_work_tasks (the real migration comes with branch h-tasks; replaced at merge)

Revision ID: 0009_work_tasks
Revises: 0008_work_requests
"""

revision = "0009_work_tasks"
down_revision = "0008_work_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
