"""The audit chain: intact trails verify; edited, removed or reordered rows are caught."""
import pytest
from sqlalchemy import select, text, update

from engine import audit, cases, runtime
from engine.models import AuditEvent

from support import NOW


@pytest.fixture
def case_id(db, deploy, users):
    """A case of the review process with five events in its trail."""
    deploy("tests/engine/fixtures/review.bpmn")
    case, items = cases.start_case(db, "review", users["village11"], {}, NOW)
    items = cases.complete(db, items[0].id, users["village11"], {"note": "x"}, NOW,
                           comment="已入户")
    cases.claim(db, items[0].id, users["township1"], NOW)
    cases.complete(db, items[0].id, users["township1"], {"decision": "return",
                                                         "reason": "补充材料"}, NOW)
    db.commit()
    runtime.CACHE.clear()
    assert audit.verify(db, case.id).ok
    return case.id


def events(db, case_id):
    return db.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                      .order_by(AuditEvent.seq)).all()


def test_intact_trail_verifies(db, case_id):
    result = audit.verify(db, case_id)
    assert result.ok and result.events == 5
    assert [e.event for e in events(db, case_id)] == [
        "case_started", "task_completed", "claimed", "task_completed", "returned"]


def test_edited_row_is_detected(db, case_id):
    target = events(db, case_id)[1]
    db.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(comment="篡改"))
    db.commit()
    db.expire_all()
    result = audit.verify(db, case_id)
    assert not result.ok and "event #2 (task_completed) was altered" in result.problem


def test_edited_data_is_detected(db, case_id):
    target = events(db, case_id)[3]
    db.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(
        data={"decision": "approve"}))
    db.commit()
    db.expire_all()
    assert "event #4" in audit.verify(db, case_id).problem


def test_deleted_middle_row_is_detected(db, case_id):
    db.execute(text("DELETE FROM audit_events WHERE case_id = :c AND seq = 3"), {"c": case_id})
    db.commit()
    result = audit.verify(db, case_id)
    assert not result.ok and "event #3 is missing" in result.problem


def test_deleted_last_row_is_detected(db, case_id):
    db.execute(text("DELETE FROM audit_events WHERE case_id = :c AND seq = 5"), {"c": case_id})
    db.commit()
    result = audit.verify(db, case_id)
    assert not result.ok and "events were removed" in result.problem


def test_reordered_rows_are_detected(db, case_id):
    second, third = events(db, case_id)[1:3]
    db.execute(text("UPDATE audit_events SET seq = -1 WHERE id = :i"), {"i": second.id})
    db.execute(text("UPDATE audit_events SET seq = 2 WHERE id = :i"), {"i": third.id})
    db.execute(text("UPDATE audit_events SET seq = 3 WHERE id = :i"), {"i": second.id})
    db.commit()
    db.expire_all()
    result = audit.verify(db, case_id)
    assert not result.ok and "#2" in result.problem


def test_rewritten_chain_is_detected_against_the_case_head(db, case_id):
    """Recomputing every hash after an edit still fails: the case row keeps the head."""
    rows = events(db, case_id)
    prev = audit.GENESIS
    for ev in rows:
        comment = "篡改" if ev.seq == 2 else ev.comment
        digest = audit.event_hash(ev.case_id, ev.seq, ev.at, ev.actor_id, ev.actor_name,
                                  ev.event, ev.task_name, ev.work_item_id, ev.data, comment,
                                  prev)
        db.execute(update(AuditEvent).where(AuditEvent.id == ev.id).values(
            comment=comment, prev_hash=prev, hash=digest))
        prev = digest
    db.commit()
    db.expire_all()
    assert "the chain was rewritten" in audit.verify(db, case_id).problem


def test_deployments_form_a_global_chain(db, deploy):
    deploy("tests/engine/fixtures/review.bpmn")
    deploy("bench/four_tasks.bpmn")
    assert audit.verify(db, None).ok and audit.verify(db, None).events == 2
