"""audit events record how they were hashed (old events keep version 1); their actor is no
longer a foreign key (appends must not wait on locks of account rows)

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
    # SQLite's keys have no names: batch mode names them by this convention to drop one.
    convention = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
    with op.batch_alter_table('audit_events', naming_convention=convention) as batch:
        batch.alter_column('hash_version', server_default=None)
        name = ('audit_events_actor_id_fkey' if op.get_bind().dialect.name == 'postgresql'
                else 'fk_audit_events_actor_id_users')
        batch.drop_constraint(name, type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.create_foreign_key('audit_events_actor_id_fkey', 'users', ['actor_id'], ['id'])
        batch.drop_column('hash_version')
