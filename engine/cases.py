"""Cases: start one, complete, claim and unclaim its work items, cancel it.

Every operation runs the workflow until user input is needed, then brings the work items,
timer rows and audit trail in line with it. The caller commits.
"""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import TaskState

from . import access, audit, calendars, definitions, forms, runtime
from .errors import Conflict, DixianError, Forbidden, InvalidData, NotFound, ScriptError
from .models import (Area, Case, CaseStatus, DefinitionVersion, Household, ItemStatus, Level,
                     Timer, User, WorkItem)

SUCCESS_OUTCOMES = {"", "approved", "completed"}


def _run(workflow, parsed, where: str) -> None:
    try:
        workflow.do_engine_steps()
        if parsed.has_timers:
            workflow.refresh_waiting_tasks()
            workflow.do_engine_steps()
    except WorkflowException as err:
        inner = getattr(err, "error", None) or err.__cause__
        cause = getattr(err, "exception", None) or inner
        task = getattr(getattr(err, "task_spec", None), "bpmn_id", None) or where
        if isinstance(cause, ScriptError):
            raise ScriptError(f"step '{task}': {cause}") from None
        raise DixianError(f"step '{task}' failed: {str(err).splitlines()[0]}") from None
    except ScriptError as err:
        raise ScriptError(f"{where}: {err}") from None


def _waiting_timers(workflow) -> dict[str, datetime]:
    found = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        event = getattr(task.task_spec, "event_definition", None)
        value = task._get_internal_data("event_value") if event is not None else None
        if isinstance(event, TimerEventDefinition) and isinstance(value, str):
            due = TimerEventDefinition.get_datetime(value)
            found[str(task.id)] = due
    return found


class Step:
    """One change of a case's workflow: what was ready and waiting before it."""

    def __init__(self, session: Session, case: Case, parsed, workflow, now: datetime):
        self.session, self.case, self.parsed, self.workflow, self.now = (
            session, case, parsed, workflow, now)
        self.ready_before = set(runtime.ready_user_tasks(workflow))
        self.timers_before = _waiting_timers(workflow) if parsed.has_timers else {}
        self._calendar = None

    @property
    def calendar(self):
        """The business calendar, loaded once and only when a due date is needed."""
        if self._calendar is None:
            self._calendar = calendars.load(self.session)
        return self._calendar

    def finish(self, actor: User | None, data: dict | None = None) -> list[WorkItem]:
        """Sync work items and timers, set the case's status, store the state; new items."""
        session, case, workflow = self.session, self.case, self.workflow
        ready = runtime.ready_user_tasks(workflow)
        gone = [str(t) for t in self.ready_before - set(ready)]
        if gone:
            session.execute(update(WorkItem).where(
                WorkItem.case_id == case.id, WorkItem.task_id.in_(gone),
                WorkItem.status == ItemStatus.OPEN.value).values(
                status=ItemStatus.CANCELLED.value, completed_at=self.now),
                execution_options={"synchronize_session": False})
        created = [self._item(ready[task_id]) for task_id in ready
                   if task_id not in self.ready_before]
        if self.parsed.has_timers:
            self._sync_timers()
        if workflow.completed:
            self._close(actor, data or {})
        case.state = runtime.dump_state(workflow)
        try:
            session.flush()
        except StaleDataError:
            raise Conflict(f"case {case.id} was changed by someone else at the same time; "
                           f"reload and try again") from None
        if created and any(item.due_at for item in created):
            session.add_all([Timer(case_id=case.id, work_item_id=item.id, kind="task_due",
                                   due_at=item.due_at) for item in created if item.due_at])
        runtime.CACHE.put(case.id, case.state, workflow)
        return created

    def _item(self, task) -> WorkItem:
        info = self.parsed.user_tasks[task.task_spec.bpmn_id]
        due = None
        if info.due_days is not None:
            due = self.calendar.due_at(self.now, info.due_days, info.day_kind)
        item = WorkItem(case_id=self.case.id, task_id=str(task.id), task_name=info.name,
                        title=info.title, level=info.level.value,
                        area_code=access.area_at(info.level, self.case.area_code),
                        form=info.form, status=ItemStatus.OPEN.value, created_at=self.now,
                        due_at=due)
        self.session.add(item)
        return item

    def _sync_timers(self) -> None:
        now_waiting = _waiting_timers(self.workflow)
        gone = [t for t in self.timers_before if t not in now_waiting]
        if gone:
            self.session.execute(delete(Timer).where(
                Timer.case_id == self.case.id, Timer.task_id.in_(gone),
                Timer.fired_at.is_(None)), execution_options={"synchronize_session": False})
        for task_id, due in now_waiting.items():
            if task_id not in self.timers_before:
                self.session.add(Timer(case_id=self.case.id, kind="bpmn_timer",
                                       task_id=task_id, due_at=due))

    def _close(self, actor: User | None, data: dict) -> None:
        case, outcome = self.case, ""
        ended = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                 if t.task_spec.name in self.parsed.outcomes]
        if ended:
            last = max(ended, key=lambda t: t.last_state_change)
            outcome = self.parsed.outcomes[last.task_spec.name]
        case.outcome = outcome or "completed"
        case.status = (CaseStatus.COMPLETED if outcome in SUCCESS_OUTCOMES
                       else CaseStatus.REJECTED).value
        if case.status == CaseStatus.REJECTED.value:
            case.outcome_reason = str(data.get("reason") or self.workflow.data.get("reason")
                                      or "")
        case.ended_at = self.now
        self.session.execute(delete(Timer).where(Timer.case_id == case.id,
                                                 Timer.fired_at.is_(None)),
                             execution_options={"synchronize_session": False})
        audit.record(self.session, case, "case_ended", actor, self.now,
                     data={"status": case.status, "outcome": case.outcome,
                           "reason": case.outcome_reason})


def _case_area(session: Session, user: User, data: dict, household: Household | None) -> str:
    code = data.get("area_code") or (household.village_code if household else user.area_code)
    if not isinstance(code, str):
        raise InvalidData("area_code must be a 12-digit village code", {"area_code": "invalid"})
    area = session.get(Area, code)
    if area is None:
        raise NotFound(f"area {code} does not exist")
    if area.level != Level.VILLAGE.value:
        raise InvalidData(f"a case belongs to a village: area {code} is a {area.level}; "
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
        forms.validate(parsed.forms[parsed.start_form], data, _local_today(now))
    household = _household(session, user, data, key)
    area_code = _case_area(session, user, data, household)
    discovery = data.get("discovery_date")
    discovery = date.fromisoformat(discovery) if isinstance(discovery, str) else None
    case = Case(definition_id=row.id, process_key=row.key, area_code=area_code,
                household_id=household.id if household else None,
                status=CaseStatus.RUNNING.value, discovery_date=discovery, started_by=user.id,
                started_at=now, state="", audit_seq=0, audit_head="")
    session.add(case)
    session.flush()
    workflow = runtime.new_workflow(parsed)
    workflow.task_tree.data.update(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    step = Step(session, case, parsed, workflow, now)
    deadline_days = parsed.start_properties.get("deadline_days")
    if deadline_days:
        kind = parsed.start_properties.get("deadline_day_kind", "natural")
        case.deadline = step.calendar.due_at(discovery or now, int(deadline_days), kind)
        session.add(Timer(case_id=case.id, kind="case_deadline", due_at=case.deadline))
    audit.record(session, case, "case_started", user, now,
                 data={"definition": row.key, "version": row.version, "data": data},
                 comment=comment)
    _run(workflow, parsed, "start")
    created = step.finish(user, data)
    return case, created


def _local_today(now: datetime) -> date:
    from .calendar import TIMEZONE

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


def _open(item: WorkItem) -> None:
    if item.status != ItemStatus.OPEN.value:
        raise Conflict(f"work item {item.id} ({item.title}) is already {item.status}; "
                       f"someone else acted on it first")


def complete(session: Session, item_id: int, user: User, data: dict, now: datetime,
             expected_version: int | None = None, comment: str = "") -> list[WorkItem]:
    """Complete a work item with form data; returns the work items that became ready.

    ``expected_version`` is the case version the user's form was based on: a stale form
    raises Conflict and changes nothing.
    """
    if not isinstance(data, dict):
        raise InvalidData("data must be a JSON object")
    item = get_item(session, item_id)
    _open(item)
    access.check_item(user, item)
    case = get_case(session, item.case_id)
    if expected_version is not None and case.version != expected_version:
        raise Conflict(f"case {case.id} changed since this form was opened (version "
                       f"{expected_version}, now {case.version}); reload the task")
    parsed = definitions.load(session, case.definition_id)
    if item.form:
        forms.validate(parsed.forms[item.form], data, _local_today(now))
    workflow = runtime.restore(parsed, case.id, case.state)
    task = workflow.get_task_from_id(UUID(item.task_id))
    if task is None or task.state != TaskState.READY:
        raise Conflict(f"work item {item.id} is no longer waiting for input")
    step = Step(session, case, parsed, workflow, now)
    task.data.update(data)
    task.run()
    _run(workflow, parsed, item.task_name)
    item.status, item.completed_at, item.completed_by = (ItemStatus.COMPLETED.value, now,
                                                         user.id)
    step.ready_before.discard(task.id)
    decision = data.get("decision")
    audit.record(session, case, "task_completed", user, now, data=data, comment=comment,
                 task_name=item.task_name, work_item_id=item.id)
    if decision in ("reject", "return"):
        audit.record(session, case, "rejected" if decision == "reject" else "returned", user,
                     now, data={"reason": data.get("reason", "")}, comment=comment,
                     task_name=item.task_name, work_item_id=item.id)
    stop = parsed.start_properties.get("deadline_stop")
    if stop == item.task_name and decision != "return" and case.deadline_met_at is None:
        case.deadline_met_at = now
        session.execute(delete(Timer).where(Timer.case_id == case.id,
                                            Timer.kind == "case_deadline"),
                        execution_options={"synchronize_session": False})
    if item.due_at is not None:
        session.execute(delete(Timer).where(Timer.work_item_id == item.id,
                                            Timer.fired_at.is_(None)),
                        execution_options={"synchronize_session": False})
    return step.finish(user, data)


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


def definition_of(session: Session, case: Case) -> DefinitionVersion:
    """The definition version a case runs on."""
    return session.get(DefinitionVersion, case.definition_id)
