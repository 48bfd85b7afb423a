"""audit chain: object, prev_hash and row_hash on audit_log; existing entries chained (#20)

(:mod:`chainbrain.store.schema_audit`, :mod:`chainbrain.store.audit`)

Revision ID: 0024_audit_chain
Revises: 0023_sign_in_attempts
"""
from alembic import op
import sqlalchemy as sa

revision = "0024_audit_chain"
down_revision = "0023_sign_in_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from chainbrain.store.audit import chain_rows

    op.add_column("audit_log", sa.Column("object", sa.String(128), nullable=True))
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(64), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, logged_at, actor, action, object, detail FROM audit_log ORDER BY id")).all()
    for rid, prev, digest in chain_rows([dict(r._mapping) for r in rows]):
        conn.execute(sa.text("UPDATE audit_log SET prev_hash = :p, row_hash = :h WHERE id = :i"),
                     {"p": prev, "h": digest, "i": rid})
    op.create_index("ix_audit_log_logged_at", "audit_log", ["logged_at"])     # after the updates (DuckDB)


def downgrade() -> None:
    op.drop_index("ix_audit_log_logged_at", table_name="audit_log")
    op.drop_column("audit_log", "row_hash")
    op.drop_column("audit_log", "prev_hash")
    op.drop_column("audit_log", "object")
