"""reserved for helper scaleup (#15: stored assessments, scale-up candidates, matching)

Revision ID: 0016_cultivation
Revises: 0015_disclosure_patterns
"""
revision = "0016_cultivation"
down_revision = "0015_disclosure_patterns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
