"""The timer sweep: exactly-due timers, failures retried with backoff, one firing per timer."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.models import AuditEvent, Timer, WorkItem

from support import NOW, count, rows

WAKE = NOW + timedelta(hours=2)


@pytest.fixture
def waiting(eng, deploy, users):
    """Deploys the timer fixture; returns a function starting a case that waits until WAKE."""
    deploy("tests/engine/fixtures/timer_then_script.bpmn")

    def start(divisor=4, wake=WAKE):
        data = {"wake_at": wake.isoformat(), "divisor": divisor}
        return eng.start("timer_then_script", users["village11"], data, NOW).case.id
    return start


def pending(eng, case_id):
    return rows(eng, Timer, Timer.case_id == case_id, Timer.fired_at.is_(None))


def test_a_timer_swept_at_its_exact_due_instant_waits_for_the_next_sweep(eng, waiting):
    """Defect: swept at exactly its due time, a timer was marked fired although
    SpiffWorkflow (which fires only once the time has passed) did not fire it; no row was
    left and the case waited for ever."""
    case_id = waiting()
    timer, = pending(eng, case_id)
    assert timer.due_at == WAKE and timer.kind == "bpmn_timer"
    sweep = eng.fire_due(WAKE)
    assert sweep.fired == 0
    timer, = pending(eng, case_id)  # still there, still unfired
    assert count(eng, WorkItem, WorkItem.case_id == case_id) == 0
    sweep = eng.fire_due(WAKE + timedelta(seconds=1))
    assert sweep.fired == 1 and pending(eng, case_id) == []
    item, = rows(eng, WorkItem, WorkItem.case_id == case_id)
    assert item.task_name == "review"
    assert eng.task(item.id, eng.find_user("village11")).data["result"] == 25


def test_a_timer_spiffworkflow_did_not_fire_keeps_its_row(eng, waiting):
    """If the workflow still waits after a sweep (its clock disagrees by an instant), the row
    stays unfired and is tried again: each waiting BPMN timer always has its row."""
    case_id = waiting()
    with eng.database.begin() as conn:  # the row says due an hour early
        conn.execute(update(Timer).where(Timer.case_id == case_id).values(
            fire_at=WAKE - timedelta(hours=1)))
    sweep = eng.fire_due(WAKE - timedelta(minutes=30))
    assert (sweep.fired, sweep.skipped, sweep.seen) == (0, 1, 1)
    timer, = pending(eng, case_id)
    assert timer.fire_at == WAKE - timedelta(minutes=29, seconds=59)
    assert [e.event for e in eng.trail(case_id, eng.find_user("county1"))] == ["case_started"]


def test_a_failing_case_is_retried_later_and_does_not_stop_the_sweep(eng, waiting):
    broken, healthy = waiting(divisor=0), waiting()
    sweep = eng.fire_due(WAKE + timedelta(minutes=1))
    assert sweep.fired == 1 and [t for t, _ in sweep.failed] == [pending(eng, broken)[0].id]
    assert "ZeroDivisionError" in sweep.failed[0][1]
    timer, = pending(eng, broken)
    assert timer.attempts == 1 and "ZeroDivisionError" in timer.last_error
    assert timer.fire_at == WAKE + timedelta(minutes=1, seconds=30)
    assert pending(eng, healthy) == []
    assert eng.verify(broken).ok and eng.verify(healthy).ok
    # Not tried again before its time; then again, with a doubled delay.
    assert eng.fire_due(WAKE + timedelta(minutes=1, seconds=10)).seen == 0
    eng.fire_due(WAKE + timedelta(minutes=2))
    timer, = pending(eng, broken)
    assert timer.attempts == 2 and timer.fire_at == WAKE + timedelta(minutes=3)


def test_a_database_error_in_one_case_is_contained(eng, waiting, monkeypatch):
    """Defect: an error other than Dixian's own (locked, deadlock, unique violation) killed
    the timer service. It is now rolled back with its case alone and retried."""
    from sqlalchemy.exc import OperationalError

    first, second = waiting(), waiting()
    real = eng.runner.run

    def flaky(workflow, parsed, where, now, task=None):
        if not flaky.failed:
            flaky.failed = True
            raise OperationalError("UPDATE cases", {}, Exception("database is locked"))
        return real(workflow, parsed, where, now, task)
    flaky.failed = False
    monkeypatch.setattr(eng.runner, "run", flaky)
    sweep = eng.fire_due(WAKE + timedelta(minutes=1))
    assert sweep.fired == 1 and len(sweep.failed) == 1
    assert "OperationalError" in sweep.failed[0][1]
    assert sorted(len(pending(eng, c)) for c in (first, second)) == [0, 1]
    assert eng.fire_due(WAKE + timedelta(hours=1)).fired == 1
    assert pending(eng, first) == pending(eng, second) == []


def test_overdue_marks_are_written_once(eng, deploy, users):
    deploy("tests/engine/fixtures/review.bpmn")
    started = eng.start("review", users["village11"], {}, NOW)
    done = eng.complete(started.items[0].id, users["village11"], {"note": "x"}, NOW)
    due = done.items[0].due_at
    assert eng.fire_due(due + timedelta(days=1)).fired == 1
    assert eng.fire_due(due + timedelta(days=2)).fired == 0
    assert [e.event for e in rows(eng, AuditEvent, AuditEvent.case_id == started.case.id,
                                  order=AuditEvent.seq)][-1] == "task_overdue"


def test_concurrent_sweeps_fire_each_timer_once(eng, waiting, db_url):
    """Several workers over the same due timers: every timer fires exactly once."""
    from engine import build_engine

    from conftest import CHEAP_HASHER

    cases = [waiting() for _ in range(12)]
    workers = [build_engine(eng.settings, database=eng.database, password_hasher=CHEAP_HASHER)
               for _ in range(3)]
    barrier, errors, fired = threading.Barrier(3), [], []

    def sweep(worker):
        barrier.wait()
        try:
            while True:
                done = worker.fire_due(WAKE + timedelta(minutes=1), limit=4)
                fired.append(done.fired)
                assert done.failed == []
                if done.seen == 0:
                    break
        except Exception as err:  # noqa: BLE001 - asserted below
            errors.append(err)

    threads = [threading.Thread(target=sweep, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(fired) == 12
    for case_id in cases:
        events = [e.event for e in rows(eng, AuditEvent, AuditEvent.case_id == case_id)]
        assert events.count("timer_fired") == 1 and eng.verify(case_id).ok
        assert count(eng, WorkItem, WorkItem.case_id == case_id) == 1
