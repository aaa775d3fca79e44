"""The verbs that change cases: start, complete, claim, unclaim, reassign, cancel, attach.

Each verb reads the case row under its lock, checks the policy and the state before it looks
at the submitted data, runs the workflow when there is one to run, and hands every change
to one ``CaseWrite``. Nothing is written when any check fails.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from SpiffWorkflow.task import TaskState

from . import attachments, calendars, forms, notifying, policy, store, supervision, views
from .calendar import TIMEZONE
from .errors import Conflict, InvalidData, NotFound
from .models import CaseStatus, ItemStatus
from .runner import Snapshot, find_task
from .store import CaseRow, CaseWrite

SUCCESS_OUTCOMES = {"", "approved", "completed"}


@dataclass(frozen=True)
class Started:
    """A new case and the work items it opened."""

    case: views.CaseBrief
    items: list[views.ItemView]


@dataclass(frozen=True)
class Completed:
    """What completing an item did: the case's new version and the items it opened."""

    case_id: int
    case_version: int
    items: list[views.ItemView]


def local_today(now: datetime) -> date:
    """The date in China at ``now``: what "today" means for forms and deadlines."""
    return now.astimezone(TIMEZONE).date()


def ended_data(workflow) -> dict:
    """The case data as the workflow ended: every completed task's data, latest last."""
    data = dict(workflow.data)
    for task in sorted(workflow.get_tasks(state=TaskState.COMPLETED),
                       key=lambda t: t.last_state_change):
        data.update(task.data)
    return data


def _refuse(problems: dict[str, str]) -> None:
    """Raise InvalidData naming each field a procedure's rules refuse."""
    if problems:
        raise InvalidData("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)


def _data(data) -> dict:
    """The caller's form data as a dict of the engine's own: procedures add to it (a start's
    province, a deadline field), and the caller's dict must stay as it was given."""
    if not isinstance(data, dict):
        raise InvalidData("data must be a JSON object", {"data": "not an object"})
    return dict(data)


class CaseVerbs:
    """Mixed into ``Engine``: uses its registry, runner, procedures and transactions."""

    def calendar(self, tx):
        """The business calendar, read once per transaction."""
        if "calendar" not in tx.state:
            tx.state["calendar"] = calendars.load(tx.conn)
        return tx.state["calendar"]

    def start(self, key: str, actor, data: dict, now: datetime | None = None,
              version: int | None = None, comment: str = "", locale: str = "zh_CN") -> Started:
        """Start a case of the latest (or given) version and run it to its first steps."""
        now, data = now or self.clock(), _data(data)
        with self.transaction(write=True) as tx:
            conn = tx.conn
            policy.require(policy.work_queue, actor)
            row = self.registry.find(conn, key, version)
            parsed = self.registry.load(conn, row.id, row.sha256)
            procedure = self.procedure_of(parsed)
            subject = procedure.subject(conn, actor, data, parsed.key)
            if parsed.start_form:
                forms.validate(parsed.forms[parsed.start_form], data, local_today(now), locale)
            _refuse(procedure.check(conn, parsed, None, "start", data, {
                "deadline": self._deadline(tx, parsed, data, now)[1]}, now, locale))
            subject = procedure.open(conn, actor, subject, data, now)
            # after open: a procedure may put the field the deadline reads into the data
            deadline_from, deadline = self._deadline(tx, parsed, data, now)
            case = CaseRow(0, row.id, row.sha256, row.key, subject.kind, subject.id,
                           subject.title, subject.area_code, CaseStatus.RUNNING.value, "", "",
                           deadline_from, deadline, None, actor.id, now, None, "", 1, 0, "")
            write = CaseWrite(conn, case, now)
            write.audit("case_started", actor, {"definition": row.key, "version": row.version,
                                                "data": data}, comment)
            workflow = self.runner.new(parsed)
            for task in workflow.get_tasks(state=TaskState.READY):
                task.data.update(data)
            self.runner.run(workflow, parsed, "start", now)
            state = self._advance(tx, write, parsed, workflow, Snapshot({}, {}), actor, data)
            write.insert_case({name: getattr(case, name) for name in store.CASE_NAMES
                               if name not in ("id", "definition_sha", "version", "audit_seq",
                                               "audit_head")} | {"state": state})
            if deadline is not None:
                write.add_timer("case_deadline", deadline)
            created = self._save(conn, write, parsed, workflow, state)
            return Started(views.brief(case, now), views.item_views(
                conn, created, now, {case.id: (case.title, case.process_key)}, returns=False))

    def _deadline(self, tx, parsed, data: dict, now: datetime):
        rule = parsed.deadline_rule()
        if rule is None:
            return None, None
        days, kind, field, _stop = rule
        on = data.get(parsed.start_properties.get("deadline_date", ""))
        if days is None:
            # A fixed last day (a campaign's): the case ends by 24:00 of it.
            return local_today(now), (self.calendar(tx).due_at(date.fromisoformat(on), 0, kind)
                                      if isinstance(on, str) else None)
        start = data.get(field) if field else None
        counted_from = date.fromisoformat(start) if isinstance(start, str) else local_today(now)
        return counted_from, self.calendar(tx).due_at(counted_from, days, kind)

    def complete(self, item_id: int, actor, data: dict, now: datetime | None = None,
                 expected_version: int | None = None, comment: str = "",
                 locale: str = "zh_CN") -> Completed:
        """Complete a work item with form data; returns the items that became ready.

        ``expected_version`` is the case version the user's form was based on: a stale form
        raises Conflict and changes nothing.
        """
        now, data = now or self.clock(), _data(data)
        with self.transaction(write=True) as tx:
            conn = tx.conn
            item, case = self._open_item(conn, item_id)
            policy.require(policy.act, actor, item)
            if expected_version is not None and case.version != expected_version:
                raise Conflict(f"case {case.id} changed since this form was opened (version "
                               f"{expected_version}, now {case.version}); reload the task")
            parsed = self.registry.load(conn, case.definition_id, case.definition_sha)
            if item.form:
                forms.validate(parsed.forms[item.form], data, local_today(now), locale)
            workflow = self.runner.restore(parsed, case.id, case.state)
            task = find_task(workflow, item.task_id)
            if task is None or task.state != TaskState.READY:
                raise Conflict(f"work item {item.id} is no longer waiting for input")
            return self._step(tx, parsed, case, workflow, task, item.task_name, actor, data,
                              now, comment, locale, item)

    def _step(self, tx, parsed, case, workflow, task, step: str, actor, data: dict,
              now: datetime, comment: str, locale: str, item=None) -> Completed:
        """Complete a READY task (of a work item, or of a period without one) with valid
        form data: procedure rules, the run, the trail, the overall limit, new items."""
        conn = tx.conn
        procedure = self.procedure_of(parsed)
        _refuse(procedure.check(conn, parsed, case, step, data, task.data, now, locale))
        procedure.completing(conn, actor, case, step, data, now)
        before = self.runner.snapshot(workflow, parsed)
        write = CaseWrite(conn, case, now)
        task.data.update(data)
        self.runner.run(workflow, parsed, step, now, task)
        item_id = item.id if item is not None else None
        if item is not None:
            write.complete_item(item, actor.id)
        write.audit("task_completed", actor, data, comment, step, item_id)
        decision = data.get("decision")
        if decision in ("reject", "return"):
            write.audit("rejected" if decision == "reject" else "returned", actor,
                        {"reason": data.get("reason", "")}, comment, step, item_id)
        rule = parsed.deadline_rule()
        if (rule and rule[3] == step and decision != "return"
                and case.deadline_met_at is None):
            case.deadline_met_at = now
            write.drop_timers.append(("deadline", {}))
        state = self._advance(tx, write, parsed, workflow, before, actor, data, task.id)
        write.set_state(state)
        created = self._save(conn, write, parsed, workflow, state)
        if decision == "return" and created:
            supervision.returned(self, conn, case, created, actor, data, now)
        return Completed(case.id, case.version, views.item_views(
            conn, created, now, {case.id: (case.title, case.process_key)},
            returns=decision == "return"))

    def _open_item(self, conn, item_id: int):
        item, case = store.read_item(conn, item_id)
        if item is None:
            raise NotFound(f"work item {item_id} does not exist")
        if item.status != ItemStatus.OPEN.value:
            raise Conflict(f"work item {item.id} ({item.title}) is already {item.status}; "
                           f"someone else acted on it first")
        return item, case

    def _save(self, conn, write: CaseWrite, parsed, workflow, state: str):
        """Save a step; keep the workflow for the next one; tell the procedure of an end."""
        created = write.save()
        if not write.closed:
            # An ended case never runs again: its workflow is not kept, so the cache holds
            # running cases only (and the garbage collector does not walk ended workflows).
            self.runner.remember(write.case.id, state, workflow)
        if write.closed:
            self.procedure_of(parsed).closed(conn, write.case, write.now, ended_data(workflow))
        return created

    def _advance(self, tx, write: CaseWrite, parsed, workflow, before: Snapshot, actor,
                 data: dict, done_task=None) -> str:
        """Bring items and timers in line with the workflow after it ran; its new state."""
        case, now = write.case, write.now
        after = self.runner.snapshot(workflow, parsed)
        waiting = [t for t in before.ready if t != done_task]
        write.cancel_tasks([str(t) for t in waiting if t not in after.ready])
        for task_id, task in after.ready.items():
            if task_id in before.ready:
                continue
            info = parsed.steps[task.task_spec.bpmn_id]
            if info.properties.get("period"):
                continue          # a period (publicity) is seen on the case, not a to-do
            due = (self.calendar(tx).due_at(now, info.due_days, info.day_kind)
                   if info.due_days is not None else None)
            if case.deadline is not None and case.deadline_met_at is None:
                # Until the overall limit is met, no step may be due after it.
                due = min(due, case.deadline) if due else case.deadline
            write.open_item({"task_id": str(task_id), "task_name": info.name,
                             "title": info.title, "level": info.level.value,
                             "area_code": policy.area_at(info.level, case.area_code),
                             "form": info.form, "due_at": due})
        moved = [t for t, due in before.timers.items() if after.timers.get(t) != due]
        write.drop_task_timers(moved)
        for task_id, due in after.timers.items():
            if before.timers.get(task_id) != due:
                write.add_timer("bpmn_timer", due, task_id=task_id)
        if workflow.completed and case.status == CaseStatus.RUNNING.value:
            self._close(tx, write, parsed, workflow, actor, data)
        return self.runner.dump(workflow)

    def _close(self, tx, write: CaseWrite, parsed, workflow, actor, data: dict) -> None:
        case = write.case
        ended = sorted((t for t in workflow.get_tasks(state=TaskState.COMPLETED)
                        if t.task_spec.name in parsed.outcomes),
                       key=lambda t: t.last_state_change)
        outcome = self.procedure_of(parsed).final_outcome(
            [parsed.outcomes[t.task_spec.name] for t in ended])
        status = (CaseStatus.COMPLETED if outcome in SUCCESS_OUTCOMES
                  else CaseStatus.REJECTED).value
        reason = ""
        if status == CaseStatus.REJECTED.value:
            reason = str(data.get("reason") or workflow.data.get("reason") or "")
        case.status, case.outcome, case.outcome_reason, case.ended_at = (
            status, outcome or "completed", reason, write.now)
        write.drop_timers.append(("all", {}))
        write.audit("case_ended", actor, {"status": status, "outcome": case.outcome,
                                          "reason": reason})
        write.closed = True

    def claim(self, item_id: int, actor, now: datetime | None = None) -> views.ItemView:
        """Take an unclaimed work item so that only ``actor`` may complete it."""
        return self._assign(item_id, actor, now, "claimed")

    def unclaim(self, item_id: int, actor, now: datetime | None = None) -> views.ItemView:
        """Give a claimed work item back to the group."""
        return self._assign(item_id, actor, now, "unclaimed")

    def reassign(self, item_id: int, actor, to_user: int, now: datetime | None = None,
                 comment: str = "") -> views.ItemView:
        """Hand a work item (转办) to a colleague of its level and area."""
        return self._assign(item_id, actor, now, "reassigned", to_user, comment)

    def _assign(self, item_id, actor, now, event, to_user=None, comment=""):
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            item, case = self._open_item(conn, item_id)
            if event == "claimed":
                policy.require(policy.claim, actor, item)
                target = actor.id
            elif event == "unclaimed":
                policy.require(policy.unclaim, actor, item)
                target = None
            else:
                colleague = self.directory.get(conn, to_user)
                policy.require(policy.reassign, actor, item, colleague)
                target = colleague.id
            if item.assignee_id != target:
                write = CaseWrite(conn, case, now)
                write.set_assignee(item, target, expected=item.assignee_id)
                write.audit(event, actor, {"from": item.assignee_id, "to": target}
                            if event == "reassigned" else {}, comment, item.task_name, item.id)
                write.save()
                item.assignee_id = target
                if event == "reassigned" and target != actor.id:
                    notifying.notify(conn, self.settings, [notifying.user(conn, target)],
                                     "assigned", now, {"by": actor.name, "step": item.title,
                                                       "case_title": case.title,
                                                       "comment": comment}, case.id, item.id)
            return views.item_views(conn, [item], now)[0]

    def cancel(self, case_id: int, actor, reason: str, now: datetime | None = None
               ) -> views.CaseBrief:
        """Cancel a running case (county staff of its area): items and timers close with it."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            case = _existing_case(conn, case_id)
            if case.status != CaseStatus.RUNNING.value:
                raise Conflict(f"case {case.id} is already {case.status}")
            policy.require(policy.cancel, actor, case)
            if not isinstance(reason, str) or not reason.strip():
                raise InvalidData("a reason is required to cancel a case",
                                  {"reason": "required"})
            parsed = self.registry.load(conn, case.definition_id, case.definition_sha)
            workflow = self.runner.restore(parsed, case.id, case.state)
            workflow.cancel()
            write = CaseWrite(conn, case, now)
            write.cancel_all()
            case.status, case.outcome, case.outcome_reason, case.ended_at = (
                CaseStatus.CANCELLED.value, "cancelled", reason.strip(), now)
            write.audit("cancelled", actor, {"reason": reason.strip()})
            write.closed = True
            state = self.runner.dump(workflow)
            write.set_state(state)
            self._save(conn, write, parsed, workflow, state)
            return views.brief(case, now)

    def attach(self, case_id: int, actor, filename: str, content_type: str, content: bytes,
               kind: str, now: datetime | None = None, item_id: int | None = None
               ) -> views.AttachmentView:
        """Attach a PDF, JPEG or PNG file to a running case; the upload is audited."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            case = _existing_case(conn, case_id)
            item = None
            if item_id is not None:
                item, _ = store.read_item(conn, item_id, lock=False)
                if item is None or item.case_id != case.id:
                    raise NotFound(f"work item {item_id} does not belong to case {case.id}")
            policy.require(policy.attach, actor, case, item)
            detected, extension = attachments.check(content, kind,
                                                    self.settings.upload_max_bytes)
            row = {"case_id": case.id, "work_item_id": item_id, "kind": kind,
                   "filename": attachments.clean_filename(filename, extension),
                   "content_type": detected, "size": len(content),
                   "sha256": attachments.digest(content), "content": content,
                   "uploaded_by": actor.id, "uploaded_at": now}
            new_id = store.insert_attachment(conn, row)
            write = CaseWrite(conn, case, now)
            write.audit("attachment_added", actor, {
                "attachment_id": new_id, "filename": row["filename"], "sha256": row["sha256"],
                "size": row["size"], "kind": kind, "content_type": detected,
                "declared_type": (content_type or "")[:100]}, work_item_id=item_id)
            write.save()
            return views.AttachmentView(new_id, case.id, item_id, kind, row["filename"],
                                        detected, row["size"], row["sha256"], actor.id, now)


def _existing_case(conn, case_id: int):
    """The case row, locked for the change; NotFound if there is none."""
    case = store.read_case(conn, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case
