"""indexes for the reports: cases by start, end, discovery and decision time; open work
items by due time; work items by completion time

Revision ID: 0012
Revises: 0005
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0005'
branch_labels = None
depends_on = None

CASE_INDEXES = {"ix_cases_started_at": "started_at", "ix_cases_ended_at": "ended_at",
                "ix_cases_deadline_from": "deadline_from",
                "ix_cases_deadline_met_at": "deadline_met_at"}
OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    for name, column in CASE_INDEXES.items():
        op.create_index(name, 'cases', [column])
    op.create_index('ix_work_items_open_due', 'work_items', ['due_at'],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_work_items_completed_at', 'work_items', ['completed_at'])


def downgrade() -> None:
    op.drop_index('ix_work_items_completed_at', table_name='work_items')
    op.drop_index('ix_work_items_open_due', table_name='work_items')
    for name in CASE_INDEXES:
        op.drop_index(name, table_name='cases')
