"""monitoring register: household members, income records, monitoring objects

Households taken in by an identification case that ended approved before this revision get
their monitoring_objects row (status monitoring), with the type, risks, helper and aid plan
the case recorded.

Revision ID: 0003
Revises: 0010
Create Date: 2026-11-29
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0010'
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=12, scale=2)


def upgrade() -> None:
    op.create_table('household_members',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('household_id', sa.Integer(), nullable=False),
                    sa.Column('position', sa.Integer(), nullable=False),
                    sa.Column('name', sa.String(length=50), nullable=False),
                    sa.Column('id_number', sa.String(length=18), nullable=False),
                    sa.Column('relation', sa.String(length=20), nullable=False),
                    sa.Column('sex', sa.String(length=10), nullable=False),
                    sa.Column('birth_date', sa.Date(), nullable=True),
                    sa.Column('health', sa.String(length=20), nullable=False),
                    sa.Column('disability_grade', sa.Integer(), nullable=False),
                    sa.Column('labour_capacity', sa.String(length=20), nullable=False),
                    sa.Column('schooling', sa.String(length=20), nullable=False),
                    sa.Column('employment', sa.String(length=100), nullable=False),
                    sa.ForeignKeyConstraint(['household_id'], ['households.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_household_members_household_id', 'household_members',
                    ['household_id'])
    op.create_table('household_incomes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('household_id', sa.Integer(), nullable=False),
                    sa.Column('period_end', sa.Date(), nullable=False),
                    sa.Column('members', sa.Integer(), nullable=False),
                    *[sa.Column(name, MONEY, nullable=False) for name in (
                        'wage', 'business', 'property', 'transfer', 'business_expense',
                        'medical_out_of_pocket', 'schooling_spending', 'accident_loss')],
                    sa.Column('recorded_by', sa.Integer(), nullable=True),
                    sa.Column('recorded_at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['household_id'], ['households.id']),
                    sa.ForeignKeyConstraint(['recorded_by'], ['users.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_household_incomes_period', 'household_incomes',
                    ['household_id', 'period_end'])
    op.create_table('monitoring_objects',
                    sa.Column('household_id', sa.Integer(), nullable=False),
                    sa.Column('village_code', sa.String(length=12), nullable=False),
                    sa.Column('status', sa.String(length=12), nullable=False),
                    sa.Column('object_type', sa.String(length=20), nullable=False),
                    sa.Column('risk_types', sa.String(length=100), nullable=False),
                    sa.Column('helper_name', sa.String(length=50), nullable=False),
                    sa.Column('helper_unit', sa.String(length=100), nullable=False),
                    sa.Column('helper_position', sa.String(length=50), nullable=False),
                    sa.Column('aid_measures', sa.String(length=300), nullable=False),
                    sa.Column('aid_plan', sa.Text(), nullable=False),
                    sa.Column('identified_case_id', sa.Integer(), nullable=True),
                    sa.Column('identified_at', sa.DateTime(), nullable=False),
                    sa.Column('elimination_mode', sa.String(length=20), nullable=False),
                    sa.Column('eliminated_at', sa.DateTime(), nullable=True),
                    sa.Column('updated_at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['household_id'], ['households.id']),
                    sa.ForeignKeyConstraint(['identified_case_id'], ['cases.id']),
                    sa.PrimaryKeyConstraint('household_id'))
    op.create_index('ix_monitoring_objects_village_code', 'monitoring_objects',
                    ['village_code'])
    op.create_index('ix_monitoring_objects_status', 'monitoring_objects', ['status'])
    _carry_approved_cases()


def _case_data(state: str) -> dict:
    """The workflow data a stored state holds (its last values), or {}."""
    try:
        stored = json.loads(state or "{}")
    except ValueError:
        return {}
    data = dict(stored.get("data") or {})
    tasks = (stored.get("tasks") or {}).values()
    for task in sorted((t for t in tasks if isinstance(t, dict)),
                       key=lambda t: t.get("last_state_change") or 0):
        data.update(task.get("data") or {})
    return data


def _carry_approved_cases() -> None:
    conn = op.get_bind()
    cases = conn.execute(sa.text(
        "SELECT id, subject_id, area_code, ended_at, state FROM cases "
        "WHERE subject_kind = 'household' AND process_key = 'monitoring_identification' "
        "AND status = 'completed' AND outcome = 'approved' ORDER BY ended_at, id")).all()
    done = set()
    for case in reversed(cases):             # the latest approval of a household wins
        if case.subject_id is None or case.subject_id in done:
            continue
        done.add(case.subject_id)
        data = _case_data(case.state)
        conn.execute(sa.text(
            "INSERT INTO monitoring_objects (household_id, village_code, status, object_type, "
            "risk_types, helper_name, helper_unit, helper_position, aid_measures, aid_plan, "
            "identified_case_id, identified_at, elimination_mode, eliminated_at, updated_at) "
            "VALUES (:h, :v, 'monitoring', :t, :r, :hn, :hu, :hp, :m, :p, :c, :at, '', NULL, "
            ":at)"), {
                "h": case.subject_id, "v": case.area_code,
                "t": str(data.get("object_type") or data.get("recommended_type") or "")[:20],
                "r": ",".join(map(str, data.get("risk_types") or []))[:100],
                "hn": str(data.get("helper_name") or "")[:50],
                "hu": str(data.get("helper_unit") or "")[:100],
                "hp": str(data.get("helper_position") or "")[:50],
                "m": ",".join(map(str, data.get("measures") or []))[:300],
                "p": str(data.get("plan") or ""), "c": case.id, "at": case.ended_at})


def downgrade() -> None:
    op.drop_table('monitoring_objects')
    op.drop_table('household_incomes')
    op.drop_table('household_members')
