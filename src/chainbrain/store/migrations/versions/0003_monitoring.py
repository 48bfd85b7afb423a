"""monitoring: stored indicator values, alerts, modernization scores, compute runs

Revision ID: 0003_monitoring
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_monitoring'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_value',
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('basis', sa.String(length=8), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('grouping', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('indicator', sa.String(length=48), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'basis', 'scope', 'grouping', 'key', 'indicator')
    )
    op.create_table('monitor_alert',
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=48), nullable=False),
    sa.Column('message_zh', sa.Text(), nullable=False),
    sa.Column('message_en', sa.Text(), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'seq')
    )
    op.create_table('modernization_score',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('breakdown', sa.Text(), nullable=False),
    sa.Column('weights', sa.Text(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'level', 'key')
    )
    op.create_table('compute_run',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('periods', sa.Text(), nullable=True),
    sa.Column('rows', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('seconds', sa.Double(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('compute_run')
    op.drop_table('modernization_score')
    op.drop_table('monitor_alert')
    op.drop_table('indicator_value')
