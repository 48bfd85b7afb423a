"""ingest: registry fields, mapping evidence, segment overrides

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_ENTERPRISE = [
    ('entity_type', sa.String(length=64)),
    ('legal_rep', sa.String(length=64)),
    ('registered_capital', sa.Numeric(precision=20, scale=2)),
    ('registered_capital_text', sa.String(length=64)),
    ('business_scope', sa.Text()),
    ('address', sa.Text()),
    ('is_branch', sa.Boolean()),
    ('guessed_section', sa.String(length=1)),
    ('main_products', sa.Text()),
    ('employees', sa.Integer()),
    ('region_evidence', sa.String(length=200)),
]


def upgrade() -> None:
    for name, type_ in _ENTERPRISE:
        op.add_column('enterprise', sa.Column(name, type_, nullable=True))
    op.add_column('enterprise_segment', sa.Column('evidence', sa.Text(), nullable=True))
    op.create_table('segment_override',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('segment_code', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('enterprise_id', 'segment_code')
    )


def downgrade() -> None:
    op.drop_table('segment_override')
    op.drop_column('enterprise_segment', 'evidence')
    for name, _ in reversed(_ENTERPRISE):
        op.drop_column('enterprise', name)
