"""The keyed trail: the six rewrites an unkeyed chain let through are all caught, old
chains still verify, and an archived checkpoint shows a chain rolled back to an earlier copy."""
import json
from pathlib import Path

import pytest
from sqlalchemy import text, update

from engine import audit
from engine.models import AuditEvent, Case, ChainHead, WorkItem

from audit_support import events, execute, review_case
from support import NOW, rows


@pytest.fixture
def case_id(eng, deploy, users):
    """A case of the review process with five events in its trail."""
    return review_case(eng, deploy, users)


def unkeyed(ev, prev, **changed):
    """What someone with the database but without the key can compute: a sha256 chain."""
    values = {name: getattr(ev, name) for name in (
        "case_id", "seq", "at", "actor_id", "actor_name", "event", "task_name",
        "work_item_id", "data", "comment")} | changed
    return audit.event_hash(*values.values(), prev, version=2)


def rechain(eng, case_id, evs, keep=0):
    """Recompute the chain after its first ``keep`` events without the key and point the
    case's head at its end."""
    prev = audit.GENESIS
    for seq, (ev, changes) in enumerate(evs, start=1):
        if seq <= keep:
            execute(eng, update(AuditEvent).where(AuditEvent.id == ev.id).values(seq=seq))
            prev = ev.hash
            continue
        digest = unkeyed(ev, prev, seq=seq, **changes)
        execute(eng, update(AuditEvent).where(AuditEvent.id == ev.id).values(
            seq=seq, prev_hash=prev, hash=digest, hash_version=2, **changes))
        prev = digest
    execute(eng, update(Case).where(Case.id == case_id).values(audit_seq=len(evs),
                                                                audit_head=prev))


def test_new_events_are_keyed_with_sm3(eng, case_id):
    assert {e.hash_version for e in events(eng, case_id)} == {3}
    first = events(eng, case_id)[0]
    assert first.hash != unkeyed(first, audit.GENESIS)
    assert audit.ALGORITHM == "HMAC-SM3"


def test_deleting_the_last_row_and_fixing_the_head_is_caught(eng, case_id):
    fourth = events(eng, case_id)[3]
    execute(eng, text("DELETE FROM audit_events WHERE case_id = :c AND seq = 5"), c=case_id)
    execute(eng, update(Case).where(Case.id == case_id).values(audit_seq=4,
                                                                audit_head=fourth.hash))
    result = eng.verify(case_id)
    assert not result.ok and "seal does not match" in result.problem


def test_editing_a_row_and_recomputing_is_caught(eng, case_id):
    evs = events(eng, case_id)
    rechain(eng, case_id, [(ev, {"comment": "篡改"} if ev.seq == 2 else {}) for ev in evs])
    result = eng.verify(case_id)
    assert not result.ok and "seal does not match" in result.problem


def test_recomputing_after_the_edit_only_is_caught_as_a_downgrade(eng, case_id):
    evs = events(eng, case_id)
    rechain(eng, case_id, [(ev, {"comment": "篡改"} if ev.seq == 2 else {}) for ev in evs],
            keep=1)
    result = eng.verify(case_id)
    assert not result.ok
    assert "event #2 claims the older hash version 2 after version 3" in result.problem


def test_editing_a_row_and_recomputing_with_the_current_version_is_caught(eng, case_id):
    evs = events(eng, case_id)
    execute(eng, update(AuditEvent).where(AuditEvent.id == evs[1].id).values(
        comment="篡改", hash=unkeyed(evs[1], evs[0].hash, comment="篡改")))
    result = eng.verify(case_id)
    assert not result.ok and "event #2 (task_completed) was altered" in result.problem


def test_inserting_a_row_and_recomputing_is_caught(eng, case_id):
    evs = events(eng, case_id)
    execute(eng, text("UPDATE audit_events SET seq = seq + 100 WHERE case_id = :c"), c=case_id)
    with eng.database.begin() as conn:
        conn.execute(AuditEvent.__table__.insert().values(
            case_id=case_id, seq=999, at=evs[2].at, actor_id=None, actor_name="system",
            event="comment", task_name="", work_item_id=None, data={}, comment="补记",
            prev_hash="", hash="", hash_version=2))
    inserted = rows(eng, AuditEvent, AuditEvent.seq == 999)[0]
    chain = evs[:2] + [inserted] + evs[2:]
    rechain(eng, case_id, [(ev, {}) for ev in chain], keep=2)
    result = eng.verify(case_id)
    assert not result.ok and "event #3 claims the older hash version" in result.problem
    rechain(eng, case_id, [(ev, {}) for ev in chain])
    assert "seal does not match" in eng.verify(case_id).problem


def test_deleting_everything_and_resetting_the_head_is_caught(eng, case_id):
    execute(eng, text("DELETE FROM audit_events WHERE case_id = :c"), c=case_id)
    execute(eng, update(Case).where(Case.id == case_id).values(audit_seq=0, audit_head=""))
    result = eng.verify(case_id)
    assert not result.ok and "seal does not match" in result.problem


def test_deleting_the_global_chain_and_resetting_its_head_is_caught(eng, case_id):
    assert eng.verify(None).ok and eng.verify(None).events > 1  # users, the deployment
    execute(eng, text("DELETE FROM audit_events WHERE case_id IS NULL"))
    execute(eng, update(ChainHead).values(seq=0, head=""))
    result = eng.verify(None)
    assert not result.ok and "seal does not match" in result.problem


def test_editing_the_workflow_state_is_caught(eng, case_id):
    state = rows(eng, Case, Case.id == case_id)[0].state
    edited = state.replace('"x"', '"y"')
    assert edited != state
    execute(eng, update(Case).where(Case.id == case_id).values(state=edited))
    result = eng.verify(case_id)
    assert not result.ok and "workflow state" in result.problem


def test_editing_the_status_is_caught(eng, case_id):
    execute(eng, update(Case).where(Case.id == case_id).values(status="completed"))
    assert "seal does not match" in eng.verify(case_id).problem


def test_editing_who_completed_a_work_item_is_caught(eng, case_id, users):
    item = rows(eng, WorkItem, WorkItem.case_id == case_id, order=WorkItem.id)[0]
    execute(eng, update(WorkItem).where(WorkItem.id == item.id).values(
        completed_by=users["village12"].id))
    result = eng.verify(case_id)
    assert not result.ok
    assert f"work item {item.id}" in result.problem and "changed outside Dixian" in \
        result.problem


def test_reopening_a_completed_item_is_caught(eng, case_id):
    item = rows(eng, WorkItem, WorkItem.case_id == case_id, order=WorkItem.id)[0]
    execute(eng, update(WorkItem).where(WorkItem.id == item.id).values(
        status="open", completed_by=None, completed_at=None))
    assert f"work item {item.id}" in eng.verify(case_id).problem


def test_another_key_cannot_verify(eng, case_id, db_engine, db_url):
    from engine import Settings, build_engine

    other = build_engine(Settings(database_url=db_url, audit_key="another-key-0123456789"),
                         database=db_engine)
    result = other.verify(case_id)
    assert not result.ok and "event #1 (case_started) was altered" in result.problem


def test_a_checkpoint_shows_a_chain_rolled_back_to_an_earlier_copy(eng, deploy, users,
                                                                   tmp_path):
    """A whole earlier copy of a case's rows (seal included) passes the seal; the
    checkpoint archived after it moved on does not."""
    deploy("tests/engine/fixtures/review.bpmn")
    started = eng.start("review", users["village11"], {}, NOW)
    copy = rows(eng, Case, Case.id == started.case.id)[0]
    eng.claim(started.items[0].id, users["village11"], NOW)
    written = eng.checkpoint(None, NOW, str(tmp_path))
    assert written.cases == 1 and json.loads(Path(written.path).read_text())["cases"][
        str(started.case.id)]["seq"] == 2
    assert eng.check_checkpoint(Path(written.path).read_bytes()).ok
    execute(eng, text("DELETE FROM audit_events WHERE case_id = :c AND seq = 2"),
            c=started.case.id)
    execute(eng, update(Case).where(Case.id == copy.id).values(
        audit_seq=copy.audit_seq, audit_head=copy.audit_head, audit_seal=copy.audit_seal))
    execute(eng, update(WorkItem).where(WorkItem.case_id == copy.id).values(assignee_id=None))
    assert eng.verify(started.case.id).ok  # a consistent earlier copy
    check = eng.check_checkpoint(Path(written.path).read_bytes())
    assert not check.ok
    assert check.problems == [f"case {copy.id}: event #2 is not the one the checkpoint "
                              f"recorded (the chain was rolled back or rewritten)"]


def test_an_altered_checkpoint_file_is_refused(eng, case_id, tmp_path):
    written = eng.checkpoint(None, NOW, str(tmp_path))
    document = json.loads(Path(written.path).read_text())
    document["cases"][str(case_id)]["seq"] = 1
    check = eng.check_checkpoint(json.dumps(document).encode())
    assert not check.ok and "signature does not match" in check.problems[0]


def test_writing_a_checkpoint_is_in_the_global_chain(eng, case_id, tmp_path):
    written = eng.checkpoint(None, NOW, str(tmp_path))
    last = rows(eng, AuditEvent, AuditEvent.case_id.is_(None), order=AuditEvent.seq)[-1]
    assert last.event == "checkpoint_written" and last.data["sha256"] == written.sha256
    assert eng.verify(None).ok
    assert not eng.checkpoint_due(NOW, str(tmp_path))
