"""risk elimination: monitoring status history, national system entries, visit reminders

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa



revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('monitoring_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('income_line', sa.Numeric(precision=12, scale=2, asdecimal=False), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_monitoring_events_household', 'monitoring_events',
                    ['household_id', 'id'])
    op.create_index('ix_monitoring_events_at', 'monitoring_events',
                    ['event', 'at', 'village_code'])
    op.create_table('national_entries',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('visit_reminders',
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('due', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('village_code', 'month')
    )


def downgrade() -> None:
    op.drop_table('visit_reminders')
    op.drop_table('national_entries')
    op.drop_index('ix_monitoring_events_at', table_name='monitoring_events')
    op.drop_index('ix_monitoring_events_household', table_name='monitoring_events')
    op.drop_table('monitoring_events')
