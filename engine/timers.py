"""Firing due timer rows: BPMN timers move their case on; step and case deadlines are marked.

``fire_due`` takes a batch of rows whose ``fire_at`` has passed, oldest first, in one
transaction. Rows are grouped by case and each case is fired in a savepoint, under its row
lock: on PostgreSQL rows and cases another worker (or a user) holds are skipped, never waited
for, so several workers never step one case at once and cannot deadlock. A case that fails —
for any reason, a database error included — is rolled back alone, logged, and tried again
later with a doubling delay; the sweep goes on. Firing is idempotent: a fired row is marked
in the same transaction as the step it caused.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from . import store, supervision
from .models import CaseStatus, Timer
from .sql import Prepared
from .store import CaseWrite

log = logging.getLogger(__name__)
OVERDUE_EVENT = {"case_deadline": "case_overdue", "task_due": "task_overdue",
                 "supervision_due": "supervision_overdue"}
TIMERS = Timer.__table__
# The due rows, whole: a case's rows are fired as this read found them, without reading
# them again under the case's lock (they cannot change meanwhile: SQLite has one writer, and
# on PostgreSQL this read locks them).
_DUE_ROWS = select(TIMERS).where(
    TIMERS.c.fired_at.is_(None), TIMERS.c.fire_at < bindparam("now"),
    TIMERS.c.incident_at.is_(None)).order_by(
    TIMERS.c.fire_at, TIMERS.c.id).limit(bindparam("limit"))
_DUE = {"sqlite": Prepared(_DUE_ROWS),
        "postgresql": Prepared(_DUE_ROWS.with_for_update(skip_locked=True, of=TIMERS))}
MARK_FIRED = Prepared(update(TIMERS).where(TIMERS.c.id == bindparam("timer_id"),
                                  TIMERS.c.fired_at.is_(None)).values(fired_at=bindparam("now")))
_RETRY = update(TIMERS).where(TIMERS.c.id.in_(bindparam("ids", expanding=True))).values(
    attempts=TIMERS.c.attempts + 1, fire_at=bindparam("fire_at"),
    last_error=bindparam("error"), incident_at=bindparam("incident_at"))
_LATER = Prepared(update(TIMERS).where(TIMERS.c.id == bindparam("timer_id")).values(
    fire_at=bindparam("fire_at")))


@dataclass
class Sweep:
    """What one call of ``fire_due`` did."""

    fired: int = 0
    skipped: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def seen(self) -> int:
        """Rows looked at in this sweep."""
        return self.fired + self.skipped + len(self.failed)


class TimerVerbs:
    """Mixed into ``Engine``: the timer service's one verb."""

    def fire_due(self, now: datetime | None = None, limit: int | None = None) -> Sweep:
        """Fire up to ``limit`` due timer rows in one transaction; how many fired and failed."""
        now, limit = now or self.clock(), limit or self.settings.timer_batch
        sweep = Sweep()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            cases: dict[int, list] = {}
            for row in _DUE[tx.dialect].all(conn, {"now": now, "limit": limit}):
                cases.setdefault(row.case_id, []).append(row)
            for case_id, rows in cases.items():
                ids = [row.id for row in rows]
                try:
                    with tx.savepoint():
                        fired = self._fire_case(tx, case_id, rows, now)
                    sweep.fired += fired
                    sweep.skipped += len(ids) - fired
                except Exception as err:  # one case's failure must not stop the sweep
                    message = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
                    log.error("timers %s of case %s failed: %s", ids, case_id, message)
                    self._retry_later(conn, ids, now, message)
                    sweep.failed += [(i, message) for i in ids]
        return sweep

    def _retry_later(self, conn, ids: list[int], now: datetime, message: str) -> None:
        attempts = conn.execute(select(TIMERS.c.attempts).where(TIMERS.c.id == ids[0])
                                ).scalar() or 0
        delay = min(self.settings.timer_retry_seconds * 2 ** attempts,
                    self.settings.timer_retry_cap_seconds)
        # After the last allowed failure the rows wait for an administrator (an incident).
        incident = now if attempts + 1 >= self.settings.timer_max_attempts else None
        conn.execute(_RETRY, {"ids": ids, "fire_at": now + timedelta(seconds=delay),
                              "error": message[:2000], "incident_at": incident})
        if incident is not None:
            log.error("timers %s became an incident after %d failures", ids, attempts + 1)

    def _fire_case(self, tx, case_id: int, rows: list, now: datetime) -> int:
        """Fire these due rows of one case; how many fired (0 if another holds the case or
        it has ended; the rest count as skipped)."""
        conn = tx.conn
        lock = store.LOCK_CASE_SKIP if tx.dialect == "postgresql" else store.LOCK_CASE
        found = lock.first(conn, {"case_id": case_id})
        if found is None:
            return 0
        case = store.CaseRow(*found)
        write = CaseWrite(conn, case, now)
        if case.status != CaseStatus.RUNNING.value:
            for row in rows:  # nothing left to fire for a closed case
                write.guarded(MARK_FIRED, {"timer_id": row.id, "now": now}, None)
            write.save()
            return 0
        early = [r for r in rows if r.kind == "task_due" and r.due_at > now]
        for row in early:  # the day-before reminder: the row waits on for the due time
            supervision.remind(self, write, row, now)
            write.guarded(_LATER, {"timer_id": row.id, "fire_at": row.due_at}, None)
        fired = [r for r in rows if r.kind != "bpmn_timer" and r not in early]
        bpmn = [r for r in rows if r.kind == "bpmn_timer"]
        moved = self._fire_bpmn(tx, write, bpmn, now) if bpmn else None
        if moved is not None:
            fired += moved[0]
        for row in fired:
            write.guarded(MARK_FIRED, {"timer_id": row.id, "now": now},
                          f"timer {row.id} was fired by another worker")
            if row.kind == "bpmn_timer":
                write.audit("timer_fired", None, {"timer": row.id,
                                                  "due_at": row.due_at.isoformat()})
            else:
                write.audit(OVERDUE_EVENT.get(row.kind, "task_overdue"), None,
                            {"timer": row.id, "work_item": row.work_item_id,
                             "due_at": row.due_at.isoformat()})
                if row.kind in ("task_due", "supervision_due"):
                    supervision.escalate(self, tx, write, row, now)
        if moved is not None and moved[0]:
            _, parsed, workflow, state = moved
            write.set_state(state)
            self._save(conn, write, parsed, workflow, state)
        else:
            write.save()
        return len(fired)

    def _fire_bpmn(self, tx, write: CaseWrite, rows, now: datetime):
        """Run the workflow's due timers: ``(rows that fired, parsed, workflow, state)``."""
        case = write.case
        parsed = self.registry.load(tx.conn, case.definition_id, case.definition_sha)
        workflow = self.runner.restore(parsed, case.id, case.state)
        before = self.runner.snapshot(workflow, parsed)
        self.runner.run(workflow, parsed, "timer", now)
        after = self.runner.snapshot(workflow, parsed)
        fired = []
        for row in rows:
            due = before.timers.get(row.task_id)
            if due is not None and after.timers.get(row.task_id) == due:
                # SpiffWorkflow did not fire it (it fires only once its time has passed):
                # the row stays and is tried again in a second.
                write.guarded(_LATER, {"timer_id": row.id,
                                       "fire_at": now + timedelta(seconds=1)}, None)
                continue
            fired.append(row)
        if not fired:
            return [], parsed, workflow, None
        return fired, parsed, workflow, self._advance(tx, write, parsed, workflow, before,
                                                      None, {})
