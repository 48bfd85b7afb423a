"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 03:21:22.761473
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annual_report',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('profit', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('value_added', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('export_value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('rd_expense', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('energy_tce', sa.Double(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('enterprise_id', 'year', 'revision')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('logged_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('chain',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('cluster',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('cluster_city',
    sa.Column('cluster_code', sa.String(length=16), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('cluster_code', 'city_code')
    )
    op.create_table('cluster_segment',
    sa.Column('cluster_code', sa.String(length=16), nullable=False),
    sa.Column('segment_code', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('cluster_code', 'segment_code')
    )
    op.create_table('designation',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('chain_code', sa.String(length=8), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False)
    )
    op.create_index('ix_designation_ent', 'designation', ['enterprise_id'], unique=False)
    op.create_table('enterprise',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('park_code', sa.String(length=16), nullable=True),
    sa.Column('industry_code', sa.String(length=4), nullable=True),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('parent_group', sa.String(length=200), nullable=True),
    sa.Column('is_industrial', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('is_demo', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uscc')
    )
    op.create_table('enterprise_attr',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('attr', sa.String(length=24), nullable=False),
    sa.Column('attr_value', sa.String(length=32), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False)
    )
    op.create_index('ix_enterprise_attr_ent', 'enterprise_attr', ['enterprise_id', 'attr'], unique=False)
    op.create_table('enterprise_scale',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('above_scale', sa.Boolean(), nullable=False),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('enterprise_id', 'year', 'revision')
    )
    op.create_table('enterprise_segment',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('segment_code', sa.String(length=32), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('revenue_share', sa.Double(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False)
    )
    op.create_index('ix_enterprise_segment_ent', 'enterprise_segment', ['enterprise_id'], unique=False)
    op.create_table('import_batch',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('row_count', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('industry',
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=4), nullable=True),
    sa.Column('section', sa.String(length=1), nullable=False),
    sa.Column('sei', sa.String(length=8), nullable=False),
    sa.Column('hightech', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('monthly_report',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('revenue_ytd', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('revenue_ytd_prev', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('profit_ytd', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('profit_ytd_prev', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('value_added_ytd', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('export_ytd', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('rd_expense_ytd', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('enterprise_id', 'year', 'month', 'revision')
    )
    op.create_table('pack_meta',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('park',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('chain_focus', sa.String(length=128), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=6), nullable=True),
    sa.Column('prefecture_code', sa.String(length=6), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('successor_code', sa.String(length=6), nullable=True),
    sa.Column('retired_year', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('segment',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('chain_code', sa.String(length=8), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('name_zh', sa.String(length=128), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('keywords', sa.Text(), nullable=True),
    sa.Column('flags', sa.String(length=64), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('segment_chain',
    sa.Column('segment_code', sa.String(length=32), nullable=False),
    sa.Column('chain_code', sa.String(length=8), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('segment_code', 'chain_code')
    )
    op.create_table('segment_industry',
    sa.Column('segment_code', sa.String(length=32), nullable=False),
    sa.Column('industry_code', sa.String(length=4), nullable=False),
    sa.PrimaryKeyConstraint('segment_code', 'industry_code')
    )
    op.create_table('supply_link',
    sa.Column('supplier_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('batch_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('supplier_id', 'buyer_id', 'year', 'revision')
    )
    op.create_table('target',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('chain_code', sa.String(length=8), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('base_year', sa.Integer(), nullable=True),
    sa.Column('base_value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('annual_rate', sa.Double(), nullable=True),
    sa.Column('target_year', sa.Integer(), nullable=True),
    sa.Column('target_value', sa.Double(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=True),
    sa.Column('yellow_band', sa.Double(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )


def downgrade() -> None:
    op.drop_table('target')
    op.drop_table('supply_link')
    op.drop_table('segment_industry')
    op.drop_table('segment_chain')
    op.drop_table('segment')
    op.drop_table('region')
    op.drop_table('park')
    op.drop_table('pack_meta')
    op.drop_table('monthly_report')
    op.drop_table('industry')
    op.drop_table('import_batch')
    op.drop_index('ix_enterprise_segment_ent', table_name='enterprise_segment')
    op.drop_table('enterprise_segment')
    op.drop_table('enterprise_scale')
    op.drop_index('ix_enterprise_attr_ent', table_name='enterprise_attr')
    op.drop_table('enterprise_attr')
    op.drop_table('enterprise')
    op.drop_index('ix_designation_ent', table_name='designation')
    op.drop_table('designation')
    op.drop_table('cluster_segment')
    op.drop_table('cluster_city')
    op.drop_table('cluster')
    op.drop_table('chain')
    op.drop_table('audit_log')
    op.drop_table('annual_report')
