"""One step of a case: run the workflow, then bring rows in line with it in few statements.

A step reads what it needs of the case row once, runs SpiffWorkflow until user input is
needed, and then writes: the case row (guarded by its version), the work items that closed
or opened, timer rows, and the audit entries, chained and inserted together. These are Core
statements rather than ORM flushes because this is the path every task completion takes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import TaskState

from . import access, audit, calendars, clock, runtime
from .errors import Conflict, DixianError, ScriptError
from .models import Case, CaseStatus, ItemStatus, Timer, User, WorkItem

SUCCESS_OUTCOMES = {"", "approved", "completed"}
CASES, ITEMS, TIMERS = Case.__table__, WorkItem.__table__, Timer.__table__

# Statements built once: building and keying a statement costs several times what SQLite
# takes to run it, and these run on every step of every case.
UPDATE_CASE = update(CASES).where(CASES.c.id == bindparam("case_id"),
                                  CASES.c.version == bindparam("old_version")).values(
    state=bindparam("state"), version=bindparam("new_version"),
    audit_seq=bindparam("new_seq"), audit_head=bindparam("new_head"),
    status=bindparam("new_status"), outcome=bindparam("new_outcome"),
    outcome_reason=bindparam("new_reason"), ended_at=bindparam("new_ended_at"),
    deadline_met_at=bindparam("new_met_at"))
INSERT_CASE = insert(CASES).returning(CASES.c.id)
SET_CASE_HEAD = update(CASES).where(CASES.c.id == bindparam("case_id")).values(
    audit_seq=bindparam("new_seq"), audit_head=bindparam("new_head"))
CANCEL_ITEMS = update(ITEMS).where(
    ITEMS.c.case_id == bindparam("of_case"),
    ITEMS.c.task_id.in_(bindparam("task_ids", expanding=True)),
    ITEMS.c.status == ItemStatus.OPEN.value).values(
    status=ItemStatus.CANCELLED.value, completed_at=bindparam("now"))
INSERT_ITEMS = insert(ITEMS).returning(ITEMS.c.id, sort_by_parameter_order=True)
INSERT_TIMERS = insert(TIMERS)
DROP_TIMERS = {
    "all": delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                TIMERS.c.fired_at.is_(None)),
    "deadline": delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                     TIMERS.c.kind == "case_deadline"),
    "item": delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                 TIMERS.c.work_item_id == bindparam("item_id"),
                                 TIMERS.c.fired_at.is_(None)),
    "tasks": delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                  TIMERS.c.task_id.in_(bindparam("task_ids", expanding=True)),
                                  TIMERS.c.fired_at.is_(None)),
    "cancelled_items": delete(TIMERS).where(
        TIMERS.c.case_id == bindparam("case_id"), TIMERS.c.fired_at.is_(None),
        TIMERS.c.work_item_id.in_(select(ITEMS.c.id).where(
            ITEMS.c.case_id == bindparam("case_id"),
            ITEMS.c.task_id.in_(bindparam("task_ids", expanding=True))))),
}


@dataclass
class CaseRef:
    """What a step needs of a case row, read once."""

    id: int
    definition_id: int
    area_code: str
    status: str
    version: int
    audit_seq: int
    audit_head: str
    state: str
    outcome: str = ""
    outcome_reason: str = ""
    ended_at: datetime | None = None
    deadline: datetime | None = None
    deadline_met_at: datetime | None = None

    FIELDS = ("id", "definition_id", "area_code", "status", "version", "audit_seq",
              "audit_head", "state", "outcome", "outcome_reason", "ended_at", "deadline",
              "deadline_met_at")

    @classmethod
    def read(cls, source, prefix: str = "") -> "CaseRef":
        """Take the fields from a loaded Case, or from a row whose case columns are prefixed."""
        return cls(**{name: getattr(source, prefix + name) for name in cls.FIELDS})


def run(workflow, parsed, where: str, now: datetime, task=None) -> None:
    """Run ``task`` if given, then engine steps and due timers until user input is needed.

    Errors name the step; SpiffWorkflow's timers see ``now``.
    """
    try:
        with clock.frozen(now):
            if task is not None:
                task.run()
            workflow.do_engine_steps()
            if parsed.has_timers:
                workflow.refresh_timers()
                workflow.do_engine_steps()
    except WorkflowException as err:
        cause = getattr(err, "exception", None) or err.__cause__
        task = getattr(getattr(err, "task_spec", None), "bpmn_id", None) or where
        if isinstance(cause, ScriptError):
            raise ScriptError(f"step '{task}': {cause}") from None
        raise DixianError(f"step '{task}' failed: {str(err).splitlines()[0]}") from None
    except ScriptError as err:
        raise ScriptError(f"{where}: {err}") from None


def waiting_timers(workflow) -> dict[str, datetime]:
    """Waiting BPMN timer tasks by id, with the time each fires."""
    found = {}
    for task in runtime.all_tasks(workflow):
        if task.state != TaskState.WAITING:
            continue
        event = getattr(task.task_spec, "event_definition", None)
        if isinstance(event, TimerEventDefinition):
            value = task._get_internal_data("event_value")
            if isinstance(value, str):
                found[str(task.id)] = TimerEventDefinition.get_datetime(value)
    return found


class Step:
    """A change to one case's workflow, remembering what was ready and waiting before it."""

    def __init__(self, session: Session, case: CaseRef, parsed, workflow, now: datetime):
        self.session, self.case, self.parsed, self.workflow, self.now = (
            session, case, parsed, workflow, now)
        self.ready_before = set(runtime.ready_user_tasks(workflow))
        self.timers_before = waiting_timers(workflow) if parsed.has_timers else {}
        self.events: list[tuple] = []
        self.new_timers: list[dict] = []
        self.drop_timers: list[tuple[str, dict]] = []
        self._calendar = None

    @property
    def calendar(self):
        """The business calendar, loaded once and only when a due date is needed."""
        if self._calendar is None:
            self._calendar = calendars.load(self.session)
        return self._calendar

    def audit(self, event: str, actor: User | None, data: dict | None = None,
              comment: str = "", task_name: str = "", work_item_id: int | None = None):
        """Queue an audit event; it is chained and inserted when the step is saved."""
        self.events.append((event, actor, data, comment, task_name, work_item_id))

    def save(self, actor: User | None, data: dict | None = None,
             insert_case: dict | None = None) -> list[WorkItem]:
        """Write the step: case row, work items, timers, audit; returns the new work items."""
        conn, case, workflow = self.session.connection(), self.case, self.workflow
        ready = runtime.ready_user_tasks(workflow)
        if workflow.completed and case.status == CaseStatus.RUNNING.value:
            self._close(actor, data or {})
        state = runtime.dump_state(workflow)
        if insert_case is not None:
            case.id = conn.execute(INSERT_CASE, [{**insert_case, "state": state}]).scalar_one()
        gone = [str(t) for t in self.ready_before - set(ready)]
        if gone:
            conn.execute(CANCEL_ITEMS, {"of_case": case.id, "task_ids": gone, "now": self.now})
            self.drop_timers.append(("cancelled_items", {"task_ids": gone}))
        created = self._open_items([ready[t] for t in ready if t not in self.ready_before])
        if self.parsed.has_timers:
            self._sync_timers()
        entries = self._chain()
        if insert_case is None:
            self._update_case(state)
        else:
            conn.execute(SET_CASE_HEAD, {"case_id": case.id, "new_seq": case.audit_seq,
                                         "new_head": case.audit_head})
        for kind, params in self.drop_timers:
            conn.execute(DROP_TIMERS[kind], {"case_id": case.id, **params})
        if self.new_timers:
            conn.execute(INSERT_TIMERS, [{"case_id": case.id, "work_item_id": None,
                                          "task_id": None, "fired_at": None, **t}
                                         for t in self.new_timers])
        audit.insert_entries(conn, entries)
        runtime.CACHE.put(case.id, state, workflow)
        return created

    def _update_case(self, state: str) -> None:
        case = self.case
        result = self.session.connection().execute(UPDATE_CASE, {
            "case_id": case.id, "old_version": case.version, "state": state,
            "new_version": case.version + 1, "new_seq": case.audit_seq,
            "new_head": case.audit_head, "new_status": case.status,
            "new_outcome": case.outcome, "new_reason": case.outcome_reason,
            "new_ended_at": case.ended_at, "new_met_at": case.deadline_met_at})
        if result.rowcount != 1:
            raise Conflict(f"case {case.id} was changed by someone else at the same time; "
                           f"reload and try again")
        case.version += 1
        loaded = self.session.identity_map.get(identity_key(Case, case.id))
        if loaded is not None:
            self.session.expire(loaded)

    def _chain(self) -> list[dict]:
        case, rows = self.case, []
        for event, actor, data, comment, task_name, item_id in self.events:
            row = audit.entry(case.id, case.audit_seq + 1, case.audit_head or audit.GENESIS,
                              event, actor, self.now, data, comment, task_name, item_id)
            case.audit_seq, case.audit_head = row["seq"], row["hash"]
            rows.append(row)
        self.events = []
        return rows

    def _open_items(self, tasks) -> list[WorkItem]:
        if not tasks:
            return []
        rows = []
        for task in tasks:
            info = self.parsed.user_tasks[task.task_spec.bpmn_id]
            due = None
            if info.due_days is not None:
                due = self.calendar.due_at(self.now, info.due_days, info.day_kind)
            if self.case.deadline is not None and self.case.deadline_met_at is None:
                # Until the overall limit is met, no step may be due after it.
                due = min(due, self.case.deadline) if due else self.case.deadline
            rows.append({"case_id": self.case.id, "task_id": str(task.id), "task_name": info.name,
                         "title": info.title, "level": info.level.value,
                         "area_code": access.area_at(info.level, self.case.area_code),
                         "assignee_id": None, "form": info.form,
                         "status": ItemStatus.OPEN.value, "created_at": self.now,
                         "due_at": due, "completed_at": None, "completed_by": None})
        ids = self.session.connection().execute(INSERT_ITEMS, rows).scalars().all()
        items = [WorkItem(id=i, **row) for i, row in zip(ids, rows)]
        self.new_timers += [{"work_item_id": item.id, "kind": "task_due", "due_at": item.due_at}
                            for item in items if item.due_at is not None]
        return items

    def _sync_timers(self) -> None:
        now_waiting = waiting_timers(self.workflow)
        gone = [t for t in self.timers_before if t not in now_waiting]
        if gone:
            self.drop_timers.append(("tasks", {"task_ids": gone}))
        self.new_timers += [{"kind": "bpmn_timer", "task_id": task_id, "due_at": due}
                            for task_id, due in now_waiting.items()
                            if task_id not in self.timers_before]

    def _close(self, actor: User | None, data: dict) -> None:
        case, outcome = self.case, ""
        ended = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                 if t.task_spec.name in self.parsed.outcomes]
        if ended:
            last = max(ended, key=lambda t: t.last_state_change)
            outcome = self.parsed.outcomes[last.task_spec.name]
        status = (CaseStatus.COMPLETED if outcome in SUCCESS_OUTCOMES
                  else CaseStatus.REJECTED).value
        reason = ""
        if status == CaseStatus.REJECTED.value:
            reason = str(data.get("reason") or self.workflow.data.get("reason") or "")
        case.status, case.outcome, case.outcome_reason, case.ended_at = (
            status, outcome or "completed", reason, self.now)
        self.drop_timers.append(("all", {}))
        self.audit("case_ended", actor, {"status": status, "outcome": outcome or "completed",
                                         "reason": reason})
