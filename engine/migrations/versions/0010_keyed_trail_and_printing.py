"""keyed audit trail: seals over every chain head (existing chains sealed with the audit
key); print jobs for batch printing in the worker

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""
import hashlib
import hmac

import orjson
import sqlalchemy as sa
from alembic import context, op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

MAC = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def _mac(key: bytes, content: list) -> str:
    # Seal format 1, as engine.audit computes it (copied: a migration must not change
    # when the engine does).
    return hmac.new(key, orjson.dumps(content, option=orjson.OPT_SORT_KEYS), MAC).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('audit_seal', sa.String(64), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('chain_heads') as batch:
        batch.add_column(sa.Column('seal', sa.String(64), nullable=False, server_default=''))
    with op.batch_alter_table('cases') as batch:
        batch.alter_column('audit_seal', server_default=None)
    with op.batch_alter_table('chain_heads') as batch:
        batch.alter_column('seal', server_default=None)
    op.create_table(
        'print_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('area_code', sa.String(12), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('filename', sa.String(200), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['requested_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_print_jobs_status', 'print_jobs', ['status', 'id'])
    op.create_index('ix_print_jobs_requested_by', 'print_jobs', ['requested_by'])
    _seal_existing_chains()


def _seal_existing_chains() -> None:
    """Seal every existing chain head with the audit key, so old chains keep verifying."""
    conn = op.get_bind()
    cases = conn.execute(sa.text("SELECT id, audit_seq, audit_head, state, status, outcome, "
                                 "definition_id FROM cases")).all()
    head = conn.execute(sa.text("SELECT seq, head FROM chain_heads WHERE name = 'global'")
                        ).first()
    key = context.config.attributes.get("audit_key")
    if not key:
        if cases or (head is not None and head.seq):
            raise RuntimeError("existing audit chains must be sealed with the audit key: "
                               "upgrade with `dixian init` (DIXIAN_AUDIT_KEY or its key file)")
        # An empty database: the first global event creates the head row, sealed.
        conn.execute(sa.text("DELETE FROM chain_heads WHERE name = 'global'"))
        return
    for row in cases:
        digest = hashlib.sha256((row.state or "").encode("utf-8")).hexdigest()
        seal = _mac(key, ["case", row.id, row.audit_seq, row.audit_head or "", digest,
                          row.status, row.outcome, row.definition_id])
        conn.execute(sa.text("UPDATE cases SET audit_seal = :s WHERE id = :i"),
                     {"s": seal, "i": row.id})
    if head is None:
        conn.execute(sa.text("INSERT INTO chain_heads (name, seq, head, seal) VALUES "
                             "('global', 0, '', :s)"), {"s": _mac(key, ["global", 0, ""])})
    else:
        conn.execute(sa.text("UPDATE chain_heads SET seal = :s WHERE name = 'global'"),
                     {"s": _mac(key, ["global", head.seq, head.head or ""])})


def downgrade() -> None:
    op.drop_index('ix_print_jobs_requested_by', 'print_jobs')
    op.drop_index('ix_print_jobs_status', 'print_jobs')
    op.drop_table('print_jobs')
    with op.batch_alter_table('chain_heads') as batch:
        batch.drop_column('seal')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('audit_seal')
