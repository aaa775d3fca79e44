"""definition drafts: files saved in the web editor before they are deployed

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('definition_drafts',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=100), nullable=False),
                    sa.Column('base_version_id', sa.Integer(), nullable=True),
                    sa.Column('bpmn', sa.JSON(), nullable=False),
                    sa.Column('dmn', sa.JSON(), nullable=False),
                    sa.Column('forms', sa.JSON(), nullable=False),
                    sa.Column('revision', sa.Integer(), nullable=False),
                    sa.Column('saved_by', sa.Integer(), nullable=True),
                    sa.Column('saved_at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['base_version_id'], ['definition_versions.id']),
                    sa.ForeignKeyConstraint(['saved_by'], ['users.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('key'))


def downgrade() -> None:
    op.drop_table('definition_drafts')
