"""inbox indexes: open work items only (partial, covering the counts); done by completer

The queue index over every item (status, level, area_code, due_at) and the single-column
assignee and completer indexes give way to a partial index of open items and a
(completed_by, completed_at, id) index for the done view. Only indexes change: no data moves.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index('ix_work_items_queue')
        batch_op.drop_index('ix_work_items_assignee_id')
        batch_op.drop_index('ix_work_items_completed_by')
        batch_op.create_index('ix_work_items_open', ['level', 'area_code', 'due_at',
                                                     'assignee_id', 'status', 'id'], unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_work_items_done', ['completed_by', 'completed_at', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index('ix_work_items_done')
        batch_op.drop_index('ix_work_items_open')
        batch_op.create_index('ix_work_items_completed_by', ['completed_by'], unique=False)
        batch_op.create_index('ix_work_items_assignee_id', ['assignee_id'], unique=False)
        batch_op.create_index('ix_work_items_queue', ['status', 'level', 'area_code', 'due_at'],
                              unique=False)
