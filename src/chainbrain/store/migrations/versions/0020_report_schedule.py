"""reserved for helper report (#18: schedules)

Revision ID: 0020_report_schedule
Revises: 0019_library
"""
revision = "0020_report_schedule"
down_revision = "0019_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
