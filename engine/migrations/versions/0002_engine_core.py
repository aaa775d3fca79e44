"""engine core: generic case subjects, retryable timers, a serialised global audit chain

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('subject_kind', sa.String(length=20), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('title', sa.String(length=200), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('deadline_from', sa.Date(), nullable=True))
    # Existing identification cases: the household is the subject, discovery starts the limit.
    op.execute("UPDATE cases SET subject_kind = 'household', subject_id = household_id, "
               "deadline_from = discovery_date, title = COALESCE((SELECT head_name FROM "
               "households WHERE households.id = cases.household_id), '') "
               "WHERE household_id IS NOT NULL")
    op.execute("UPDATE cases SET deadline_from = discovery_date WHERE household_id IS NULL")
    with op.batch_alter_table('cases') as batch:
        batch.drop_index('ix_cases_household_id')
        batch.drop_column('household_id')
        batch.drop_column('discovery_date')
        batch.alter_column('subject_kind', server_default=None)
        batch.alter_column('title', server_default=None)
        batch.create_index('ix_cases_subject', ['subject_kind', 'subject_id'], unique=False)

    with op.batch_alter_table('timers') as batch:
        batch.add_column(sa.Column('fire_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_error', sa.Text(), nullable=False, server_default=''))
    op.execute("UPDATE timers SET fire_at = due_at")
    with op.batch_alter_table('timers') as batch:
        batch.alter_column('fire_at', existing_type=sa.DateTime(), nullable=False)
        batch.alter_column('attempts', server_default=None)
        batch.alter_column('last_error', server_default=None)
        batch.drop_index('ix_timers_due')
    op.create_index('ix_timers_pending', 'timers', ['fire_at'], unique=False,
                    sqlite_where=sa.text('fired_at IS NULL'),
                    postgresql_where=sa.text('fired_at IS NULL'))

    op.create_table('chain_heads',
                    sa.Column('name', sa.String(length=40), nullable=False),
                    sa.Column('seq', sa.Integer(), nullable=False),
                    sa.Column('head', sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint('name'))
    # The global chain's head as it stands; a chain that already forked stays reported broken.
    op.execute("INSERT INTO chain_heads (name, seq, head) SELECT 'global', "
               "COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit_events WHERE case_id "
               "IS NULL ORDER BY seq DESC, id DESC LIMIT 1), '') FROM audit_events "
               "WHERE case_id IS NULL")
    op.create_index('ux_audit_events_global_seq', 'audit_events', ['seq'], unique=True,
                    sqlite_where=sa.text('case_id IS NULL'),
                    postgresql_where=sa.text('case_id IS NULL'))


def downgrade() -> None:
    op.drop_index('ux_audit_events_global_seq', table_name='audit_events')
    op.drop_table('chain_heads')
    op.drop_index('ix_timers_pending', table_name='timers')
    with op.batch_alter_table('timers') as batch:
        batch.create_index('ix_timers_due', ['fired_at', 'due_at'], unique=False)
        batch.drop_column('last_error')
        batch.drop_column('attempts')
        batch.drop_column('fire_at')
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('discovery_date', sa.Date(), nullable=True))
    op.execute("UPDATE cases SET household_id = subject_id WHERE subject_kind = 'household'")
    op.execute("UPDATE cases SET discovery_date = deadline_from")
    with op.batch_alter_table('cases') as batch:
        batch.drop_index('ix_cases_subject')
        batch.create_index('ix_cases_household_id', ['household_id'], unique=False)
        batch.create_foreign_key('fk_cases_household_id', 'households', ['household_id'], ['id'])
        batch.drop_column('deadline_from')
        batch.drop_column('title')
        batch.drop_column('subject_id')
        batch.drop_column('subject_kind')
