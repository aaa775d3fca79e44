"""supervision: 督办 items, urges, notifications and deliveries, worker leases, timer
incidents, users' e-mail and phone

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email', sa.String(length=200), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('phone', sa.String(length=20), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('timers') as batch:
        batch.add_column(sa.Column('incident_at', sa.DateTime(), nullable=True))
    op.create_table('supervisions',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('case_id', sa.Integer(), nullable=False),
                    sa.Column('work_item_id', sa.Integer(), nullable=False),
                    sa.Column('level', sa.String(length=10), nullable=False),
                    sa.Column('area_code', sa.String(length=12), nullable=False),
                    sa.Column('tier', sa.Integer(), nullable=False),
                    sa.Column('opened_at', sa.DateTime(), nullable=False),
                    sa.Column('due_at', sa.DateTime(), nullable=True),
                    sa.Column('closed_at', sa.DateTime(), nullable=True),
                    sa.Column('outcome', sa.String(length=20), nullable=False),
                    sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
                    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('work_item_id', 'level'))
    op.create_index('ix_supervisions_case_id', 'supervisions', ['case_id'])
    op.create_index('ix_supervisions_open', 'supervisions', ['level', 'area_code'],
                    sqlite_where=sa.text('closed_at IS NULL'),
                    postgresql_where=sa.text('closed_at IS NULL'))
    op.create_table('urges',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('case_id', sa.Integer(), nullable=False),
                    sa.Column('work_item_id', sa.Integer(), nullable=False),
                    sa.Column('by_user', sa.Integer(), nullable=False),
                    sa.Column('note', sa.Text(), nullable=False),
                    sa.Column('at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
                    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id']),
                    sa.ForeignKeyConstraint(['by_user'], ['users.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_urges_work_item_id', 'urges', ['work_item_id'])
    op.create_table('notifications',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.Column('case_id', sa.Integer(), nullable=True),
                    sa.Column('work_item_id', sa.Integer(), nullable=True),
                    sa.Column('supervision_id', sa.Integer(), nullable=True),
                    sa.Column('data', sa.JSON(), nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('read_at', sa.DateTime(), nullable=True),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id']),
                    sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
                    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id']),
                    sa.ForeignKeyConstraint(['supervision_id'], ['supervisions.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_notifications_user', 'notifications', ['user_id', 'read_at', 'id'])
    op.create_table('deliveries',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('notification_id', sa.Integer(), nullable=False),
                    sa.Column('channel', sa.String(length=10), nullable=False),
                    sa.Column('address', sa.String(length=200), nullable=False),
                    sa.Column('next_at', sa.DateTime(), nullable=False),
                    sa.Column('attempts', sa.Integer(), nullable=False),
                    sa.Column('last_error', sa.Text(), nullable=False),
                    sa.Column('sent_at', sa.DateTime(), nullable=True),
                    sa.Column('failed_at', sa.DateTime(), nullable=True),
                    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_deliveries_pending', 'deliveries', ['next_at'],
                    sqlite_where=sa.text('sent_at IS NULL AND failed_at IS NULL'),
                    postgresql_where=sa.text('sent_at IS NULL AND failed_at IS NULL'))
    op.create_table('worker_leases',
                    sa.Column('name', sa.String(length=100), nullable=False),
                    sa.Column('host', sa.String(length=100), nullable=False),
                    sa.Column('pid', sa.Integer(), nullable=False),
                    sa.Column('started_at', sa.DateTime(), nullable=False),
                    sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
                    sa.Column('lease_until', sa.DateTime(), nullable=False),
                    sa.Column('fired', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('name'))
    # Data: every step already past its due time gets a 督办 at the next sweep — its
    # task_due timer has fired, so one is added again for each open overdue item.
    op.execute(sa.text(
        "INSERT INTO timers (case_id, work_item_id, kind, task_id, due_at, fire_at, "
        "attempts, last_error) SELECT w.case_id, w.id, 'task_due', NULL, w.due_at, w.due_at, "
        "0, '' FROM work_items w WHERE w.status = 'open' AND w.due_at IS NOT NULL AND "
        "EXISTS (SELECT 1 FROM timers t WHERE t.work_item_id = w.id AND t.kind = 'task_due' "
        "AND t.fired_at IS NOT NULL)"))


def downgrade() -> None:
    op.drop_table('worker_leases')
    op.drop_index('ix_deliveries_pending', 'deliveries')
    op.drop_table('deliveries')
    op.drop_index('ix_notifications_user', 'notifications')
    op.drop_table('notifications')
    op.drop_index('ix_urges_work_item_id', 'urges')
    op.drop_table('urges')
    op.drop_index('ix_supervisions_open', 'supervisions')
    op.drop_index('ix_supervisions_case_id', 'supervisions')
    op.drop_table('supervisions')
    with op.batch_alter_table('timers') as batch:
        batch.drop_column('incident_at')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('phone')
        batch.drop_column('email')
