"""credentials: log-in attempts shared by all workers, account lockout, session epoch

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('ip', sa.String(length=45), nullable=False),
                    sa.Column('username', sa.String(length=64), nullable=False),
                    sa.Column('ok', sa.Boolean(), nullable=False),
                    sa.Column('at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_login_attempts_ip_at', 'login_attempts', ['ip', 'at'])
    op.create_index('ix_login_attempts_at', 'login_attempts', ['at'])
    # Existing accounts start unlocked, with no failures and their first session epoch.
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False,
                                   server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_epoch')
        batch.drop_column('locked_until')
        batch.drop_column('failed_logins')
    op.drop_index('ix_login_attempts_at', 'login_attempts')
    op.drop_index('ix_login_attempts_ip_at', 'login_attempts')
    op.drop_table('login_attempts')
