"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.models import Base


def test_migrations_match_the_models(db_engine):
    with db_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_existing_cases_and_chains_survive_the_engine_core_migration(tmp_path):
    """0001 → 0002 moves identification data into generic subjects and keeps chains valid."""
    from datetime import date, datetime, timezone

    from sqlalchemy import text

    from engine import Settings, build_engine
    from engine.db import make_engine, migrate

    from conftest import CHEAP_HASHER

    url = f"sqlite:///{tmp_path}/old.sqlite"
    database = make_engine(url)
    migrate(database, "0001")
    now = datetime(2026, 11, 1, 2, tzinfo=timezone.utc)
    with database.begin() as conn:
        conn.execute(text("INSERT INTO areas VALUES ('360799', '示范县', 'county', NULL)"))
        conn.execute(text("INSERT INTO users (id, username, display_name, level, area_code, "
                          "roles, password_hash, locale, active, created_at) VALUES (1, 'c', "
                          "'c', 'county', '360799', 'staff', 'x', 'zh_CN', 1, :t)"), {"t": now})
        conn.execute(text("INSERT INTO households (id, head_name, id_number, members, "
                          "village_code, household_type, phone, created_at) VALUES (7, '王建国', "
                          "'360799196503124515', 4, '360799', '', '', :t)"), {"t": now})
        conn.execute(text("INSERT INTO definition_versions (id, key, version, name, sha256, "
                          "bpmn, dmn, forms, deployed_at) VALUES (1, 'k', 1, 'k', 'abc', '{}', "
                          "'{}', '{}', :t)"), {"t": now})
        conn.execute(text("INSERT INTO cases (id, definition_id, process_key, household_id, "
                          "area_code, status, outcome, outcome_reason, discovery_date, deadline,"
                          " started_by, started_at, state, version, audit_seq, audit_head) "
                          "VALUES (3, 1, 'k', 7, '360799', 'running', '', '', '2026-10-30', :t,"
                          " 1, :t, '{}', 4, 0, '')"), {"t": now})
        conn.execute(text("INSERT INTO timers (case_id, kind, due_at) VALUES "
                          "(3, 'case_deadline', :t)"), {"t": now})
    old = build_engine(Settings(database_url=url), database=database,
                       password_hasher=CHEAP_HASHER)
    # Two global events written the old way: hashed with version 1, no head row yet.
    from engine import audit

    with database.begin() as conn:
        prev = audit.GENESIS
        for seq in (1, 2):
            digest = audit.event_hash(None, seq, now, None, "system", "login", "", None, {},
                                      "", prev, version=1)
            conn.execute(text("INSERT INTO audit_events (case_id, seq, at, actor_id, "
                              "actor_name, event, task_name, work_item_id, data, comment, "
                              "prev_hash, hash) VALUES (NULL, :seq, :at, NULL, 'system', "
                              "'login', '', NULL, '{}', '', :prev, :hash)"),
                         {"seq": seq, "at": now.replace(tzinfo=None), "prev": prev,
                          "hash": digest})
            prev = digest
    migrate(database, audit_key=old.audit_key)
    with database.connect() as conn:
        case = conn.execute(text("SELECT subject_kind, subject_id, title, deadline_from, "
                                 "version FROM cases WHERE id = 3")).one()
        timer = conn.execute(text("SELECT fire_at, due_at, attempts FROM timers")).one()
    assert (case.subject_kind, case.subject_id, case.title, case.version) == (
        "household", 7, "王建国", 4)
    assert str(case.deadline_from) == str(date(2026, 10, 30))
    assert timer.fire_at == timer.due_at and timer.attempts == 0
    assert old.verify(None).ok and old.verify(None).events == 2
    assert old.verify(3).ok  # the case's head was sealed by 0010 with the audit key
    # New events are hashed with the current version; the mixed chain verifies.
    old.record("calendar_changed", None, {"day": "2026-10-01"}, now)
    result = old.verify(None)
    assert result.ok and result.events == 3
    with database.begin() as conn:
        conn.execute(text("UPDATE audit_events SET comment = 'x' WHERE seq = 1 "
                          "AND case_id IS NULL"))
    assert "event #1 (login) was altered" in old.verify(None).problem
    database.dispose()


def test_approved_households_enter_the_register_by_migration(tmp_path):
    """0005 → 0003: a household taken in before the register existed gets its row, with the
    type, risks, helper and plan its case recorded."""
    import json
    from datetime import datetime, timezone

    from sqlalchemy import text

    from engine.db import make_engine, migrate

    url = f"sqlite:///{tmp_path}/old.sqlite"
    database = make_engine(url)
    migrate(database, "0005")
    now = datetime(2026, 11, 1, 2, tzinfo=timezone.utc)
    state = json.dumps({"data": {"risk_types": ["01", "03"]}, "tasks": {
        "a": {"last_state_change": 1, "data": {"object_type": "边缘易致贫户"}},
        "b": {"last_state_change": 2, "data": {"helper_name": "赵干部", "plan": "医疗救助",
                                               "measures": ["health"]}}}})
    with database.begin() as conn:
        conn.execute(text("INSERT INTO areas VALUES ('360799', '示范县', 'county', NULL)"))
        conn.execute(text("INSERT INTO users (id, username, display_name, level, area_code, "
                          "roles, password_hash, locale, active, created_at) VALUES (1, 'c', "
                          "'c', 'county', '360799', 'staff', 'x', 'zh_CN', 1, :t)"), {"t": now})
        conn.execute(text("INSERT INTO households (id, head_name, id_number, members, "
                          "village_code, household_type, phone, created_at) VALUES (7, '王建国', "
                          "'360799196503124515', 4, '360799', '', '', :t)"), {"t": now})
        conn.execute(text("INSERT INTO definition_versions (id, key, version, name, sha256, "
                          "bpmn, dmn, forms, deployed_at) VALUES (1, 'monitoring_identification',"
                          " 1, 'k', 'abc', '{}', '{}', '{}', :t)"), {"t": now})
        conn.execute(text("INSERT INTO cases (id, definition_id, process_key, subject_kind, "
                          "subject_id, title, area_code, status, outcome, outcome_reason, "
                          "started_by, started_at, ended_at, state, version, audit_seq, "
                          "audit_head) VALUES (3, 1, 'monitoring_identification', 'household', 7,"
                          " '王建国', '360799', 'completed', 'approved', '', 1, :t, :t, :s, 9, "
                          "0, '')"), {"t": now, "s": state})
    # The keyed-trail migration on the way seals the existing chains with the key.
    migrate(database, audit_key=b"migration-test-key")
    with database.connect() as conn:
        row = conn.execute(text("SELECT * FROM monitoring_objects")).one()
    assert (row.household_id, row.status, row.object_type, row.risk_types, row.helper_name,
            row.aid_measures, row.aid_plan, row.identified_case_id) == (
        7, "monitoring", "边缘易致贫户", "01,03", "赵干部", "health", "医疗救助", 3)
    database.dispose()
