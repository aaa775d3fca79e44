"""Cases: start one, complete, claim and unclaim its work items, cancel it.

Every operation runs the workflow until user input is needed, then brings the work items,
timer rows and audit trail in line with it. The caller commits.
"""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session
from SpiffWorkflow.task import TaskState

from . import access, audit, definitions, forms, runtime
from .calendar import TIMEZONE
from .errors import Conflict, Forbidden, InvalidData, NotFound
from .models import (Area, Case, CaseStatus, Household, ItemStatus, Level, Timer, User,
                     WorkItem)
from .steps import CaseRef, Step, run


_AREA_LEVEL = select(Area.level).where(Area.code == bindparam("code"))


def _case_area(session: Session, user: User, data: dict, household: Household | None) -> str:
    code = data.get("area_code") or (household.village_code if household else user.area_code)
    if not isinstance(code, str):
        raise InvalidData("area_code must be a 12-digit village code", {"area_code": "invalid"})
    level = session.connection().execute(_AREA_LEVEL, {"code": code}).scalar()
    if level is None:
        raise NotFound(f"area {code} does not exist")
    if level != Level.VILLAGE.value:
        raise InvalidData(f"a case belongs to a village: area {code} is a {level}; "
                          f"give area_code of a village", {"area_code": "not a village"})
    access.check_area(user, code, "a case")
    return code


def _household(session: Session, user: User, data: dict, key: str) -> Household | None:
    household_id = data.get("household_id")
    if household_id is None:
        return None
    household = session.get(Household, household_id) if isinstance(household_id, int) else None
    if household is None:
        raise NotFound(f"household {household_id} does not exist")
    access.check_area(user, household.village_code, f"household {household_id}")
    open_case = session.scalar(select(Case.id).where(
        Case.household_id == household.id, Case.process_key == key,
        Case.status == CaseStatus.RUNNING.value))
    if open_case is not None:
        raise Conflict(f"household {household.id} ({household.head_name}) already has an open "
                       f"case {open_case} of '{key}'")
    return household


def start_case(session: Session, key: str, user: User, data: dict, now: datetime,
               version: int | None = None, comment: str = "") -> tuple[Case, list[WorkItem]]:
    """Start a case of the latest (or given) version and run it to its first user tasks."""
    if not isinstance(data, dict):
        raise InvalidData("data must be a JSON object")
    if not access.can_act(user):
        raise Forbidden(f"user {user.username} has no staff role and cannot start cases")
    row = definitions.find(session, key, version)
    parsed = definitions.load(session, row.id)
    if parsed.start_form:
        forms.validate(parsed.forms[parsed.start_form], data, local_today(now))
    household = _household(session, user, data, key)
    area_code = _case_area(session, user, data, household)
    discovery = data.get("discovery_date")
    discovery = date.fromisoformat(discovery) if isinstance(discovery, str) else None
    workflow = runtime.new_workflow(parsed)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    ref = CaseRef(id=0, definition_id=row.id, area_code=area_code,
                  status=CaseStatus.RUNNING.value, version=1, audit_seq=0, audit_head="",
                  state="")
    step = Step(session, ref, parsed, workflow, now)
    deadline = None
    if parsed.start_properties.get("deadline_days"):
        deadline = step.calendar.due_at(discovery or now,
                                        int(parsed.start_properties["deadline_days"]),
                                        parsed.start_properties.get("deadline_day_kind",
                                                                    "natural"))
        step.new_timers.append({"kind": "case_deadline", "due_at": deadline})
        ref.deadline = deadline
    step.audit("case_started", user, {"definition": row.key, "version": row.version,
                                      "data": data}, comment)
    run(workflow, parsed, "start", now)
    columns = {"definition_id": row.id, "process_key": row.key, "area_code": area_code,
               "household_id": household.id if household else None,
               "status": CaseStatus.RUNNING.value, "outcome": "", "outcome_reason": "",
               "discovery_date": discovery, "deadline": deadline, "deadline_met_at": None,
               "started_by": user.id, "started_at": now, "ended_at": None, "version": 1,
               "audit_seq": 0, "audit_head": ""}
    created = step.save(user, data, insert_case=columns)
    return session.get(Case, ref.id), created


def is_overdue(case: Case, now: datetime) -> bool:
    """Whether a running case has passed its overall deadline without meeting it."""
    return (case.status == CaseStatus.RUNNING.value and case.deadline is not None
            and case.deadline_met_at is None and case.deadline < now)


def local_today(now: datetime) -> date:
    """The date in China at ``now``: what "today" means for forms and deadlines."""
    return now.astimezone(TIMEZONE).date()


def get_item(session: Session, item_id: int) -> WorkItem:
    """The work item, or NotFound."""
    item = session.get(WorkItem, item_id) if isinstance(item_id, int) else None
    if item is None:
        raise NotFound(f"work item {item_id} does not exist")
    return item


def get_case(session: Session, case_id: int) -> Case:
    """The case, or NotFound."""
    case = session.get(Case, case_id) if isinstance(case_id, int) else None
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


def _open(item) -> None:
    if item.status != ItemStatus.OPEN.value:
        raise Conflict(f"work item {item.id} ({item.title}) is already {item.status}; "
                       f"someone else acted on it first")


_ITEM_AND_CASE = (select(*WorkItem.__table__.c, *(
    getattr(Case, name).label(f"case_{name}") for name in CaseRef.FIELDS if name != "id"))
    .join(Case, Case.id == WorkItem.case_id).where(WorkItem.id == bindparam("item_id")))


_COMPLETE_ITEM = update(WorkItem.__table__).where(
    WorkItem.id == bindparam("item_id"), WorkItem.status == ItemStatus.OPEN.value).values(
    status=ItemStatus.COMPLETED.value, completed_at=bindparam("now"),
    completed_by=bindparam("user_id"))


def complete(session: Session, item_id: int, user: User, data: dict, now: datetime,
             expected_version: int | None = None, comment: str = "") -> list[WorkItem]:
    """Complete a work item with form data; returns the work items that became ready.

    ``expected_version`` is the case version the user's form was based on: a stale form
    raises Conflict and changes nothing.
    """
    if not isinstance(data, dict):
        raise InvalidData("data must be a JSON object")
    session.flush()  # ORM changes (a claim in this session) must be seen by the read below
    row = session.connection().execute(_ITEM_AND_CASE, {"item_id": item_id}).first() if (
        isinstance(item_id, int)) else None
    if row is None:
        raise NotFound(f"work item {item_id} does not exist")
    _open(row)
    access.check_item(user, row)
    if expected_version is not None and row.case_version != expected_version:
        raise Conflict(f"case {row.case_id} changed since this form was opened (version "
                       f"{expected_version}, now {row.case_version}); reload the task")
    case = CaseRef.read(row, "case_")
    parsed = definitions.load(session, case.definition_id)
    if row.form:
        forms.validate(parsed.forms[row.form], data, local_today(now))
    workflow = runtime.restore(parsed, case.id, case.state)
    task = workflow.get_task_from_id(UUID(row.task_id))
    if task is None or task.state != TaskState.READY:
        raise Conflict(f"work item {row.id} is no longer waiting for input")
    step = Step(session, case, parsed, workflow, now)
    step.ready_before.discard(task.id)
    task.data.update(data)
    run(workflow, parsed, row.task_name, now, task)
    done = session.connection().execute(_COMPLETE_ITEM, {"item_id": row.id, "now": now,
                                                         "user_id": user.id})
    if done.rowcount != 1:
        raise Conflict(f"work item {row.id} was completed by someone else at the same time")
    decision = data.get("decision")
    step.audit("task_completed", user, data, comment, row.task_name, row.id)
    if decision in ("reject", "return"):
        step.audit("rejected" if decision == "reject" else "returned", user,
                   {"reason": data.get("reason", "")}, comment, row.task_name, row.id)
    stop = parsed.start_properties.get("deadline_stop")
    if stop == row.task_name and decision != "return" and case.deadline_met_at is None:
        case.deadline_met_at = now
        step.drop_timers.append(("deadline", {}))
    if row.due_at is not None:
        step.drop_timers.append(("item", {"item_id": row.id}))
    return step.save(user, data)


def claim(session: Session, item_id: int, user: User, now: datetime) -> WorkItem:
    """Take an unclaimed work item so that only ``user`` may complete it."""
    item = get_item(session, item_id)
    _open(item)
    access.check_item(user, item)
    if item.assignee_id == user.id:
        return item
    item.assignee_id = user.id
    case = get_case(session, item.case_id)
    audit.record(session, case, "claimed", user, now, task_name=item.task_name,
                 work_item_id=item.id)
    return item


def unclaim(session: Session, item_id: int, user: User, now: datetime) -> WorkItem:
    """Give a claimed work item back to the group."""
    item = get_item(session, item_id)
    _open(item)
    access.check_item(user, item)
    if item.assignee_id is None:
        return item
    item.assignee_id = None
    case = get_case(session, item.case_id)
    audit.record(session, case, "unclaimed", user, now, task_name=item.task_name,
                 work_item_id=item.id)
    return item


def cancel(session: Session, case_id: int, user: User, reason: str, now: datetime) -> Case:
    """Cancel a running case (county staff of its area): items and timers close with it."""
    case = get_case(session, case_id)
    if case.status != CaseStatus.RUNNING.value:
        raise Conflict(f"case {case.id} is already {case.status}")
    if user.level != Level.COUNTY.value or not access.can_act(user):
        raise Forbidden("only county staff may cancel a case")
    access.check_area(user, case.area_code, f"case {case.id}")
    if not reason.strip():
        raise InvalidData("a reason is required to cancel a case", {"reason": "required"})
    parsed = definitions.load(session, case.definition_id)
    workflow = runtime.restore(parsed, case.id, case.state)
    workflow.cancel()
    session.execute(update(WorkItem).where(WorkItem.case_id == case.id,
                                           WorkItem.status == ItemStatus.OPEN.value).values(
        status=ItemStatus.CANCELLED.value, completed_at=now),
        execution_options={"synchronize_session": False})
    session.execute(delete(Timer).where(Timer.case_id == case.id, Timer.fired_at.is_(None)),
                    execution_options={"synchronize_session": False})
    case.status, case.outcome, case.outcome_reason, case.ended_at = (
        CaseStatus.CANCELLED.value, "cancelled", reason, now)
    case.state = runtime.dump_state(workflow)
    audit.record(session, case, "cancelled", user, now, data={"reason": reason})
    session.flush()
    return case
