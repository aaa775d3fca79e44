"""A review case with five events in its trail, and raw access to its rows, for the audit
chain tests."""
from support import NOW, rows

from engine.models import AuditEvent


def review_case(eng, deploy, users) -> int:
    """Started, completed, claimed, completed (return), returned: five events."""
    deploy("tests/engine/fixtures/review.bpmn")
    started = eng.start("review", users["village11"], {}, NOW)
    done = eng.complete(started.items[0].id, users["village11"], {"note": "x"}, NOW,
                        comment="已入户")
    eng.claim(done.items[0].id, users["township1"], NOW)
    eng.complete(done.items[0].id, users["township1"], {"decision": "return",
                                                        "reason": "补充材料"}, NOW)
    assert eng.verify(started.case.id).ok
    return started.case.id


def events(eng, case_id):
    """The case's event rows in order."""
    return rows(eng, AuditEvent, AuditEvent.case_id == case_id, order=AuditEvent.seq)


def execute(eng, statement, **params):
    """Run a statement behind the engine's back, as someone with the database would."""
    with eng.database.begin() as conn:
        conn.execute(statement, params)
