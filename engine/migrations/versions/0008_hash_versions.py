"""audit events record how they were hashed (old events keep version 1)

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.add_column(sa.Column('hash_version', sa.SmallInteger(), nullable=False,
                                   server_default='1'))
    with op.batch_alter_table('audit_events') as batch:
        batch.alter_column('hash_version', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_column('hash_version')
