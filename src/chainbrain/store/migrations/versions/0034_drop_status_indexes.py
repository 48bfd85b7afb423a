"""Drop the indexes on the status columns of mapping_review and work_request

A status column is updated in place as a review or a request moves on. After a crash, DuckDB 1.5.6
replayed such an update without the index entry (import_job, found by tests/test_server_kill.py: a
``WHERE status = …`` lookup missed the row that held it); the corrupted-ART reports upstream
(duckdb/duckdb#23645, #25928) point the same way. These tables hold thousands of rows: a scan costs
nothing, a lost index entry loses a review or a request from its queue.

Revision ID: 0034_drop_status_indexes
Revises: 0033_compute_run_process
"""
from alembic import op
import sqlalchemy as sa

revision = "0034_drop_status_indexes"
down_revision = "0033_compute_run_process"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_mapping_review_status", table_name="mapping_review")
    op.drop_index("ix_work_request_status", table_name="work_request")


def downgrade() -> None:
    op.create_index("ix_work_request_status", "work_request", ["status"])
    op.create_index("ix_mapping_review_status", "mapping_review", ["status", "chain_code"])
