"""Firing due timer rows: BPMN timers move their case on; deadlines mark it overdue.

``fire_due`` takes a batch of rows whose ``due_at`` has passed, oldest first. On PostgreSQL
rows another worker holds are skipped (``FOR UPDATE SKIP LOCKED``); on SQLite the single
writer needs no lock. A case that fails is logged and left for the next sweep without
stopping the others. Firing is idempotent: a fired row is marked and never fired again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import definitions, runtime
from .errors import DixianError
from .models import Case, CaseStatus, Timer
from .steps import CaseRef, Step, run

log = logging.getLogger(__name__)


@dataclass
class Sweep:
    """What one call of ``fire_due`` did."""

    fired: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


def _due(session: Session, now: datetime, limit: int):
    query = (select(Timer).where(Timer.fired_at.is_(None), Timer.due_at <= now)
             .order_by(Timer.due_at, Timer.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _fire_bpmn_timer(session: Session, timer: Timer, now: datetime) -> None:
    case = session.get(Case, timer.case_id)
    if case is None or case.status != CaseStatus.RUNNING.value:
        return
    parsed = definitions.load(session, case.definition_id)
    ref = CaseRef.read(case)
    workflow = runtime.restore(parsed, case.id, case.state)
    step = Step(session, ref, parsed, workflow, now)
    run(workflow, parsed, f"timer {timer.task_id}", now)
    step.audit("timer_fired", None, {"timer": timer.id, "due_at": timer.due_at.isoformat()})
    step.save(None)


def _mark_overdue(session: Session, timer: Timer, now: datetime) -> None:
    case = session.get(Case, timer.case_id)
    if case is None or case.status != CaseStatus.RUNNING.value:
        return
    from . import audit

    what = "case_overdue" if timer.kind == "case_deadline" else "task_overdue"
    audit.record(session, case, what, None, now,
                 data={"timer": timer.id, "work_item": timer.work_item_id,
                       "due_at": timer.due_at.isoformat()})
    session.flush()


def fire_due(session: Session, now: datetime, limit: int = 100) -> Sweep:
    """Fire up to ``limit`` due timer rows; the caller commits the batch."""
    sweep = Sweep()
    for timer in _due(session, now, limit):
        savepoint = session.begin_nested()
        try:
            # Marked first: the step below replaces unfired timer rows of the case, and
            # this one must stay as the record that it fired.
            session.execute(update(Timer).where(Timer.id == timer.id).values(fired_at=now),
                            execution_options={"synchronize_session": False})
            if timer.kind == "bpmn_timer":
                _fire_bpmn_timer(session, timer, now)
            else:
                _mark_overdue(session, timer, now)
            savepoint.commit()
            sweep.fired += 1
        except DixianError as err:
            savepoint.rollback()
            log.error("timer %s of case %s failed: %s", timer.id, timer.case_id, err)
            sweep.failed.append((timer.id, str(err)))
    return sweep
