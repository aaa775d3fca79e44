"""hand-entered report figures per area and period (走访慰问情况统计表); 督办 by opening and
closing time for the daily update; covering indexes for the visits and register reports

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report', sa.String(length=40), nullable=False),
        sa.Column('area_code', sa.String(length=12), nullable=False),
        sa.Column('date_from', sa.Date(), nullable=False),
        sa.Column('date_to', sa.Date(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['area_code'], ['areas.code'], ),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('report', 'area_code', 'date_from', 'date_to'))
    op.create_index('ix_supervisions_opened_at', 'supervisions', ['opened_at'])
    op.create_index('ix_supervisions_closed_at', 'supervisions', ['closed_at'])
    op.create_index('ix_household_visits_report', 'household_visits',
                    ['month', 'village_code', 'visited_on', 'household_id'])
    op.create_index('ix_monitoring_objects_report', 'monitoring_objects',
                    ['village_code', 'identified_at', 'status', 'object_type', 'eliminated_at',
                     'household_id', 'risk_types', 'aid_measures'])


def downgrade() -> None:
    op.drop_index('ix_monitoring_objects_report', table_name='monitoring_objects')
    op.drop_index('ix_household_visits_report', table_name='household_visits')
    op.drop_index('ix_supervisions_closed_at', table_name='supervisions')
    op.drop_index('ix_supervisions_opened_at', table_name='supervisions')
    op.drop_table('report_entries')
