"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('areas',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['areas.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_areas_parent_code'), ['parent_code'], unique=False)

    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('household_type', sa.String(length=20), nullable=False),
    sa.Column('income_per_head', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['village_code'], ['areas.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_number')
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_head_name'), ['head_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_village_code'), ['village_code'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('roles', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('api_token_hash', sa.String(length=64), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('api_token_hash'),
    sa.UniqueConstraint('username')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_area_code'), ['area_code'], unique=False)

    op.create_table('definition_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('bpmn', sa.JSON(), nullable=False),
    sa.Column('dmn', sa.JSON(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('deployed_by', sa.Integer(), nullable=True),
    sa.Column('deployed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deployed_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'version')
    )
    with op.batch_alter_table('definition_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_definition_versions_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_definition_versions_sha256'), ['sha256'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=100), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('outcome_reason', sa.Text(), nullable=False),
    sa.Column('discovery_date', sa.Date(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('deadline_met_at', sa.DateTime(), nullable=True),
    sa.Column('started_by', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('audit_head', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['definition_versions.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['started_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('task_name', sa.String(length=100), nullable=False),
    sa.Column('work_item_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'seq')
    )
    op.create_table('work_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('task_name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('form', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('completed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['completed_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_items_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_completed_by'), ['completed_by'], unique=False)
        batch_op.create_index('ix_work_items_queue', ['status', 'level', 'area_code', 'due_at'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('work_item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_case_id'), ['case_id'], unique=False)

    op.create_table('timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('work_item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timers_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_timers_due', ['fired_at', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_due')
        batch_op.drop_index(batch_op.f('ix_timers_case_id'))

    op.drop_table('timers')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_case_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index('ix_work_items_queue')
        batch_op.drop_index(batch_op.f('ix_work_items_completed_by'))
        batch_op.drop_index(batch_op.f('ix_work_items_case_id'))
        batch_op.drop_index(batch_op.f('ix_work_items_assignee_id'))

    op.drop_table('work_items')
    op.drop_table('audit_events')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_household_id'))
        batch_op.drop_index(batch_op.f('ix_cases_area_code'))

    op.drop_table('cases')
    with op.batch_alter_table('definition_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_definition_versions_sha256'))
        batch_op.drop_index(batch_op.f('ix_definition_versions_key'))

    op.drop_table('definition_versions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_area_code'))

    op.drop_table('users')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_village_code'))
        batch_op.drop_index(batch_op.f('ix_households_head_name'))

    op.drop_table('households')
    op.drop_table('calendar_days')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_areas_parent_code'))

    op.drop_table('areas')
