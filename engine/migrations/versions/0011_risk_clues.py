"""risk clues, department warnings, screening campaigns, monthly visits

Revision ID: 0011
Revises: 0003
Create Date: 2026-11-29 20:22:32.235282
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('household_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('visitors', sa.String(length=200), nullable=False),
    sa.Column('income_change', sa.String(length=12), nullable=False),
    sa.Column('income_per_head', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True),
    sa.Column('spending_change', sa.String(length=12), nullable=False),
    sa.Column('food_clothing', sa.Boolean(), nullable=False),
    sa.Column('education', sa.Boolean(), nullable=False),
    sa.Column('medical', sa.Boolean(), nullable=False),
    sa.Column('housing', sa.Boolean(), nullable=False),
    sa.Column('safe_water', sa.Boolean(), nullable=False),
    sa.Column('aid_received', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('clue_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('household_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_visits_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_household_visits_month', ['month', 'village_code'], unique=False)

    op.create_table('screening_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['areas.code'], ),
    sa.ForeignKeyConstraint(['opened_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('screening_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_campaigns_county_code'), ['county_code'], unique=False)

    op.create_table('warning_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('department', sa.String(length=30), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('good_rows', sa.Integer(), nullable=False),
    sa.Column('error_rows', sa.Integer(), nullable=False),
    sa.Column('duplicate_rows', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['county_code'], ['areas.code'], ),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('warning_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_imports_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_warning_imports_sha256'), ['sha256'], unique=False)

    op.create_table('screening_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('finding', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('screened_on', sa.Date(), nullable=True),
    sa.Column('screened_by', sa.Integer(), nullable=True),
    sa.Column('clue_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['screening_campaigns.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['screened_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'household_id')
    )
    with op.batch_alter_table('screening_entries', schema=None) as batch_op:
        batch_op.create_index('ix_screening_entries_area', ['campaign_id', 'village_code'], unique=False)

    op.create_table('visit_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['household_visits.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_photos_visit_id'), ['visit_id'], unique=False)

    op.create_table('warning_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['warning_imports.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('import_id', 'position')
    )
    with op.batch_alter_table('warning_rows', schema=None) as batch_op:
        batch_op.create_index('ix_warning_rows_status', ['import_id', 'status', 'position'], unique=False)

    op.create_table('risk_clues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('department', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('risk_types', sa.JSON(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('open_key', sa.String(length=18), nullable=True),
    sa.Column('source_sha', sa.String(length=64), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['screening_campaigns.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['handled_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['import_id'], ['warning_imports.id'], ),
    sa.ForeignKeyConstraint(['village_code'], ['areas.code'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['household_visits.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key'),
    sa.UniqueConstraint('source_sha', 'id_number')
    )
    with op.batch_alter_table('risk_clues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_clues_id_number'), ['id_number'], unique=False)
        batch_op.create_index('ix_risk_clues_queue', ['status', 'village_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('risk_clues', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_clues_queue')
        batch_op.drop_index(batch_op.f('ix_risk_clues_id_number'))

    op.drop_table('risk_clues')
    with op.batch_alter_table('warning_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_warning_rows_status')

    op.drop_table('warning_rows')
    with op.batch_alter_table('visit_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_photos_visit_id'))

    op.drop_table('visit_photos')
    with op.batch_alter_table('screening_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_entries_area')

    op.drop_table('screening_entries')
    with op.batch_alter_table('warning_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_imports_sha256'))
        batch_op.drop_index(batch_op.f('ix_warning_imports_county_code'))

    op.drop_table('warning_imports')
    with op.batch_alter_table('screening_campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_campaigns_county_code'))

    op.drop_table('screening_campaigns')
    with op.batch_alter_table('household_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_household_visits_month')
        batch_op.drop_index(batch_op.f('ix_household_visits_household_id'))

    op.drop_table('household_visits')
