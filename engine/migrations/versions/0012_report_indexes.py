"""indexes for the reports: cases by start, end, discovery and decision time, running cases
by deadline; open work items by due time; work items by completion time

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Each holds what its report counts by, so that the index alone answers.
CASE_INDEXES = {
    "ix_cases_started_at": ["started_at", "area_code", "process_key"],
    "ix_cases_ended_at": ["ended_at", "area_code", "status", "process_key"],
    "ix_cases_deadline_from": ["deadline_from", "area_code", "process_key", "status",
                               "deadline", "deadline_met_at", "ended_at"],
    "ix_cases_deadline_met_at": ["deadline_met_at"]}
RUNNING_UNMET = sa.text("status = 'running' AND deadline_met_at IS NULL")


def upgrade() -> None:
    for name, columns in CASE_INDEXES.items():
        op.create_index(name, 'cases', columns)
    op.create_index('ix_cases_open_deadline', 'cases', ['deadline', 'area_code'],
                    sqlite_where=RUNNING_UNMET, postgresql_where=RUNNING_UNMET)
    op.create_index('ix_work_items_completed_at', 'work_items', ['completed_at'])


def downgrade() -> None:
    op.drop_index('ix_work_items_completed_at', table_name='work_items')
    op.drop_index('ix_cases_open_deadline', table_name='cases')
    for name in CASE_INDEXES:
        op.drop_index(name, table_name='cases')
