"""projects: the project library, campaigns, fund releases, allocations and payments

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fund_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('document', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], ),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fund_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_releases_area_code'), ['area_code'], unique=False)

    op.create_table('project_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('guide_due', sa.Date(), nullable=False),
    sa.Column('intake_due', sa.Date(), nullable=False),
    sa.Column('entry_due', sa.Date(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('project_type', sa.String(length=30), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('cross_village', sa.Boolean(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('emergency_cause', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('engineering', sa.Boolean(), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('budget', sa.JSON(), nullable=False),
    sa.Column('budget_total', sa.BigInteger(), nullable=False),
    sa.Column('beneficiary_households', sa.Integer(), nullable=False),
    sa.Column('beneficiary_people', sa.Integer(), nullable=False),
    sa.Column('monitoring_households', sa.Integer(), nullable=False),
    sa.Column('benefit_mechanism', sa.Text(), nullable=False),
    sa.Column('performance_targets', sa.JSON(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('admitted_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], ),
    sa.ForeignKeyConstraint(['campaign_id'], ['project_campaigns.id'], ),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_area_year', ['area_code', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_status'), ['status'], unique=False)

    op.create_table('fund_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('allocated_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.ForeignKeyConstraint(['release_id'], ['fund_releases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fund_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_allocations_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_allocations_release_id'), ['release_id'], unique=False)

    op.create_table('fund_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fund_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_payments_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('fund_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_payments_project_id'))

    op.drop_table('fund_payments')
    with op.batch_alter_table('fund_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_allocations_release_id'))
        batch_op.drop_index(batch_op.f('ix_fund_allocations_project_id'))

    op.drop_table('fund_allocations')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_status'))
        batch_op.drop_index('ix_projects_area_year')

    op.drop_table('projects')
    op.drop_table('project_campaigns')
    with op.batch_alter_table('fund_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_releases_area_code'))

    op.drop_table('fund_releases')
