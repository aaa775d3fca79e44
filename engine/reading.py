"""The read verbs: inbox, counts, task view, case view, trail, diagram, attachments.

Each checks the policy, reads in one transaction and returns view objects that the web
pages, the JSON API, the CLI and printouts all render.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select

from . import audit, households, policy, store, views
from .errors import Forbidden, InvalidData, NotFound
from .models import Attachment, ItemStatus
from .parsing import StepInfo
from .procedures import Fact
from .registry import VersionRow
from .runner import find_task

ATTACHMENTS = Attachment.__table__
_CONTENT = select(ATTACHMENTS).where(ATTACHMENTS.c.id == bindparam("id"))


@dataclass(frozen=True)
class TaskView:
    """A work item with its case, step, form, data and what the viewer may do."""

    item: views.ItemView
    case: views.CaseBrief
    process_name: str
    step: StepInfo | None
    form: dict | None
    start_form: dict | None
    data: dict
    facts: list[Fact]
    attachments: list[views.AttachmentView]
    can_act: bool
    can_claim: bool
    can_unclaim: bool
    can_attach: bool
    can_take_over: bool = False


@dataclass(frozen=True)
class CaseView:
    """Everything about one case, as its page, the API and printouts show it."""

    case: views.CaseBrief
    definition: VersionRow
    process_name: str
    outcome_label: dict[str, str]
    facts: list[Fact]
    start_form: dict | None
    data: dict
    items: list[views.ItemView]
    trail: list[views.TrailEntry]
    verification: audit.Verification
    attachments: list[views.AttachmentView]
    steps: dict[str, StepInfo] = field(repr=False)
    forms: dict[str, dict] = field(repr=False)
    can_cancel: bool = False
    can_attach: bool = False


@dataclass(frozen=True)
class DiagramView:
    """The BPMN XML of a case's process and which steps are done, current or overdue."""

    xml: str
    done: list[str]
    current: list[str]
    overdue: list[str]


def workflow_data(runner, parsed, case, item=None) -> dict:
    """The workflow data as the given work item sees it, else as the case stands now."""
    workflow = runner.restore(parsed, case.id, case.state)
    try:
        task = find_task(workflow, item.task_id) if item is not None else None
        if task is not None:
            return dict(task.data)
        data = dict(workflow.data)
        ready = [t for t in (runner.snapshot(workflow, parsed).ready.values())]
        for task in ready:
            data.update(task.data)
        if not ready and workflow.last_task is not None:
            data.update(workflow.last_task.data)
        return data
    finally:
        # Reading does not change the workflow: give it back to the cache for the next step.
        runner.remember(case.id, case.state, workflow)


class ReadVerbs:
    """Mixed into ``Engine``: every read a front-end needs."""

    def inbox(self, actor, view: str = "all", page: int = 1, size: int = 25,
              now: datetime | None = None, area: str = "", process: str = ""
              ) -> views.InboxPage:
        """One page of one view of the actor's inbox, with the counts of every view;
        filtered to an area inside the actor's (a village, say) or to one process."""
        if area and not policy.within(area, actor.area_code):
            raise Forbidden(f"area {area} is outside {actor.username}'s area {actor.area_code}")
        if not isinstance(page, int) or page < 1 or not 1 <= size <= 200:
            raise InvalidData("page must be 1 or more and the page size 1 to 200",
                              {"page": "invalid"})
        with self.transaction(write=False) as tx:
            return views.inbox(tx.conn, actor, view, now or self.clock(), page, size, area,
                               process)

    def counts(self, actor, now: datetime | None = None) -> dict[str, int]:
        """How many items each inbox view holds."""
        with self.transaction(write=False) as tx:
            return views.counts(tx.conn, actor, now or self.clock())

    def _readable_case(self, conn, case_id: int):
        case = store.read_case(conn, case_id, lock=False)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        return case

    def _readable_item(self, conn, item_id: int, actor):
        """A work item, its case and parsed definition, if the actor may read the item."""
        item, case = store.read_item(conn, item_id, lock=False)
        if item is None:
            raise NotFound(f"work item {item_id} does not exist")
        policy.require(policy.view_item, actor, item, case)
        return item, case, self.registry.load(conn, case.definition_id, case.definition_sha)

    def task(self, item_id: int, actor, now: datetime | None = None) -> TaskView:
        """A work item's page: its case, step, form, data and the actor's possible actions."""
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            conn = tx.conn
            item, case, parsed = self._readable_item(conn, item_id, actor)
            data = workflow_data(self.runner, parsed, case, item)
            return TaskView(
                views.item_views(conn, [item], now, {case.id: (case.title, case.process_key)})[0],
                views.brief(case, now), parsed.name, parsed.steps.get(item.task_name),
                parsed.forms.get(item.form) if item.form else None,
                parsed.forms.get(parsed.start_form), data,
                self.procedure_of(parsed).facts(conn, case, data),
                views.attachments(conn, case.id), policy.allowed(policy.act, actor, item),
                item.assignee_id is None and policy.allowed(policy.claim, actor, item),
                item.assignee_id is not None and item.status == ItemStatus.OPEN.value
                and policy.allowed(policy.unclaim, actor, item),
                policy.allowed(policy.attach, actor, case, item),
                policy.allowed(policy.take_over, actor, item))

    def task_form(self, item_id: int, actor,
                  now: datetime | None = None) -> tuple[views.ItemView, dict | None]:
        """What a completion needs before the verb: the item (as lists show it) and its
        form, under the same check as ``task`` (without restoring the workflow, reading the
        case's facts and attachments: the verb reads and checks the item again itself)."""
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            conn = tx.conn
            item, case, parsed = self._readable_item(conn, item_id, actor)
            view = views.item_views(conn, [item], now, {case.id: (case.title, case.process_key)},
                                    returns=False)[0]
            return view, parsed.forms.get(item.form) if item.form else None

    def case(self, case_id: int, actor=None, now: datetime | None = None) -> CaseView:
        """A case's page: summary, steps, trail with its verification, attachments.

        ``actor=None`` is the local operator (the CLI on the server): reads any case, acts
        on none."""
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            conn = tx.conn
            case = self._readable_case(conn, case_id)
            if actor is not None:
                policy.require(policy.view_case, actor, case)
            parsed = self.registry.load(conn, case.definition_id, case.definition_sha)
            procedure = self.procedure_of(parsed)
            data = workflow_data(self.runner, parsed, case)
            return CaseView(
                views.brief(case, now), self.registry.get(conn, case.definition_id),
                parsed.name, {loc: procedure.outcome_label(case.outcome, loc)
                              for loc in ("zh_CN", "en")} if case.outcome else {},
                procedure.facts(conn, case, data), parsed.forms.get(parsed.start_form), data,
                views.item_views(conn, views.items_of(conn, case.id), now,
                                 {case.id: (case.title, case.process_key)}),
                views.trail(conn, case.id), audit.verify(conn, case.id),
                views.attachments(conn, case.id), parsed.steps, parsed.forms,
                actor is not None and policy.allowed(policy.cancel, actor, case),
                actor is not None and policy.allowed(policy.attach, actor, case))

    def diagram(self, case_id: int, actor, now: datetime | None = None) -> DiagramView:
        """The process diagram of a case with its path so far."""
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            conn = tx.conn
            case = self._readable_case(conn, case_id)
            policy.require(policy.view_case, actor, case)
            done, current, overdue = set(), set(), set()
            for item in views.items_of(conn, case.id):
                if item.status == ItemStatus.COMPLETED.value:
                    done.add(item.task_name)
                elif item.status == ItemStatus.OPEN.value:
                    late = item.due_at is not None and item.due_at < now
                    (overdue if late else current).add(item.task_name)
            bpmn = self.registry.sources(conn, case.definition_id)["bpmn"]
            xml = next((text for text in bpmn.values() if f'id="{case.process_key}"' in text),
                       next(iter(bpmn.values()), ""))
            return DiagramView(xml, sorted(done - current - overdue), sorted(current),
                               sorted(overdue))

    def colleagues(self, item_id: int, actor) -> list:
        """Who the actor could hand a work item to (转办): the users ``policy.reassign``
        allows, the actor excepted."""
        with self.transaction(write=False) as tx:
            item, case = store.read_item(tx.conn, item_id, lock=False)
            if item is None:
                raise NotFound(f"work item {item_id} does not exist")
            policy.require(policy.view_item, actor, item, case)
            return [user for user in self.directory.users(tx.conn, item.area_code)
                    if user.id != actor.id
                    and policy.allowed(policy.reassign, actor, item, user)]

    def trail(self, case_id: int, actor) -> list[views.TrailEntry]:
        """A case's events in order."""
        with self.transaction(write=False) as tx:
            case = self._readable_case(tx.conn, case_id)
            policy.require(policy.view_case, actor, case)
            return views.trail(tx.conn, case.id)

    def verify(self, case_id: int | None, actor=None) -> audit.Verification:
        """Check a case's audit chain, or the global one (``None``: administrators and
        auditors, or the system itself)."""
        with self.transaction(write=False) as tx:
            if case_id is None:
                if actor is not None and not (actor.has_role("admin")
                                              or actor.has_role("auditor")):
                    policy.require(policy.administer, actor)
            elif actor is not None:
                policy.require(policy.view_case, actor, self._readable_case(tx.conn, case_id))
            return audit.verify(tx.conn, case_id)

    def attachment(self, attachment_id: int, actor) -> tuple[views.AttachmentView, bytes]:
        """An attachment and its content, for anyone who may read its case."""
        with self.transaction(write=False) as tx:
            row = tx.conn.execute(_CONTENT, {"id": attachment_id}).first() \
                if isinstance(attachment_id, int) else None
            if row is None:
                raise NotFound(f"attachment {attachment_id} does not exist")
            policy.require(policy.view_case, actor, self._readable_case(tx.conn, row.case_id))
            return views.AttachmentView(row.id, row.case_id, row.work_item_id, row.kind,
                                        row.filename, row.content_type, row.size, row.sha256,
                                        row.uploaded_by, row.uploaded_at), row.content

    def household(self, household_id: int, actor) -> households.HouseholdRow:
        """A household of the actor's area."""
        with self.transaction(write=False) as tx:
            return households.get(tx.conn, actor, household_id)

    def households(self, actor, text: str = "", village: str = "", page: int = 1,
                   size: int = 25) -> tuple[list[households.HouseholdRow], bool]:
        """One page of the households of the actor's area, and whether there are more."""
        with self.transaction(write=False) as tx:
            found = households.search(tx.conn, actor, text, village, size + 1,
                                      (page - 1) * size)
            return found[:size], len(found) > size

    def cases_of(self, subject_kind: str, subject_id: int, actor,
                 now: datetime | None = None) -> list[views.CaseBrief]:
        """The cases about one subject that the actor may read, newest first."""
        with self.transaction(write=False) as tx:
            found = views.cases_of_subject(tx.conn, subject_kind, subject_id,
                                           now or self.clock())
            return [c for c in found if policy.within(c.area_code, actor.area_code)]
