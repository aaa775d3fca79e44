"""Moving running cases to a newer version of their process.

A case moves when every step it stands at, and every step it passed through, exists in the
new version (matched by element id, with SpiffWorkflow's own spec diff); otherwise it is
refused with the reason, one case at a time. Ready steps are predicted again from the new
version, waiting timers keep the time they fire, open work items take the new version's
title, level and form. Each move goes through the store like any other change of a case and
is recorded in the case's trail; the run is recorded in the global chain. A dry run checks
and reports the same way and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.task import TaskState

from . import audit, policy, store
from .errors import DixianError, InvalidData
from .models import Case, CaseStatus, ItemStatus, WorkItem
from .runner import all_tasks, find_task
from .sql import Prepared
from .store import CaseWrite

CASES, ITEMS = Case.__table__, WorkItem.__table__
MAX_CASES = 1000
# Present in the case's history or waiting now: these must exist in the new version.
_DEFINITE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.COMPLETED \
    | TaskState.ERROR
_CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
MOVE_CASE = Prepared(update(CASES).where(CASES.c.id == bindparam("case_id"),
                                         CASES.c.version == bindparam("old_version")).values(
    definition_id=bindparam("definition_id")))
RETARGET_ITEM = Prepared(update(ITEMS).where(ITEMS.c.id == bindparam("item_id"),
                                             ITEMS.c.status == ItemStatus.OPEN.value).values(
    task_name=bindparam("task_name"), title=bindparam("title"), level=bindparam("level"),
    area_code=bindparam("area_code"), form=bindparam("form"),
    assignee_id=bindparam("assignee")))
_OPEN_ITEMS = select(ITEMS.c.id, ITEMS.c.task_id, ITEMS.c.title, ITEMS.c.level,
                     ITEMS.c.area_code, ITEMS.c.form, ITEMS.c.assignee_id).where(
    ITEMS.c.case_id == bindparam("case_id"), ITEMS.c.status == ItemStatus.OPEN.value)


@dataclass(frozen=True)
class CaseMigration:
    """What happened (or, in a dry run, would happen) to one case."""

    case_id: int
    title: str
    from_version: int | None
    to_version: int
    moved: bool
    reason: str  # why the case cannot move; "" when it can
    steps: tuple[str, ...] = ()  # the steps it stands at


@dataclass(frozen=True)
class MigrationReport:
    """The outcome of one migration request."""

    key: str
    to_version: int
    dry_run: bool
    cases: list[CaseMigration]

    @property
    def moved(self) -> int:
        """How many cases moved (or would move)."""
        return sum(1 for c in self.cases if c.moved)


class Refused(DixianError):
    """One case cannot move; the message is the reason shown for it."""


def _steps(workflow) -> tuple[str, ...]:
    return tuple(sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in all_tasks(
        workflow) if t.state in (TaskState.READY, TaskState.WAITING) and getattr(
        t.task_spec, "bpmn_id", None)}))


def _title(task) -> str:
    return task.task_spec.bpmn_name or task.task_spec.bpmn_id or task.task_spec.name


def _check(diffs, version: int) -> None:
    top, subprocesses = diffs
    for sp_id, sp_diff in subprocesses.items():
        if sp_diff is None:
            raise Refused(f"a called or embedded process it runs ({sp_id}) does not exist in "
                          f"version {version}")
    for diff in [top, *subprocesses.values()]:
        gone = sorted({_title(t) for t in diff.removed if t.state & _DEFINITE})
        if gone:
            raise Refused(f"step {', '.join(gone)} does not exist in version {version}")
        # A step a case stands at must stay the same kind of step (a user task that became
        # a script task would run by itself).
        other = sorted({_title(t) for t in diff.changed if t.state & _CURRENT and
                        diff.alignment.get(t) is not None and
                        type(diff.alignment[t]) is not type(t.task_spec)})
        if other:
            raise Refused(f"step {', '.join(other)} is another kind of element in version "
                          f"{version}")


class MigrationVerbs:
    """Mixed into ``Engine``."""

    def migrate_cases(self, key: str, to_version: int, actor, case_ids: list[int] | None = None,
                      dry_run: bool = False, now: datetime | None = None) -> MigrationReport:
        """Move running cases of ``key`` (all, or the chosen ones) to ``to_version``."""
        policy.require(policy.migrate_cases, actor)
        now = now or self.clock()
        if case_ids is not None and (not isinstance(case_ids, list) or len(case_ids) > MAX_CASES
                                     or not all(isinstance(i, int) and not isinstance(i, bool)
                                                for i in case_ids)):
            raise InvalidData(f"case_ids must be a list of at most {MAX_CASES} case numbers",
                              {"case_ids": "not a list of case numbers"})
        with self.transaction(write=not dry_run) as tx:
            conn = tx.conn
            target = self.registry.find(conn, key, to_version)
            parsed = self.registry.load(conn, target.id, target.sha256)
            if case_ids is None:
                case_ids = list(conn.execute(select(CASES.c.id).where(
                    CASES.c.process_key == key, CASES.c.status == CaseStatus.RUNNING.value,
                    CASES.c.definition_id != target.id).order_by(CASES.c.id).limit(
                    MAX_CASES)).scalars())
            results = []
            # In id order, so two migrations lock their cases in the same order.
            for case_id in sorted(set(case_ids)):
                results.append(self._migrate_one(tx, case_id, key, target, parsed, actor,
                                                 dry_run, now))
            if not dry_run and any(r.moved for r in results):
                audit.append_global(conn, "cases_migrated", actor, now, {
                    "key": key, "to_version": target.version,
                    "moved": [r.case_id for r in results if r.moved],
                    "refused": {str(r.case_id): r.reason for r in results if not r.moved}})
            return MigrationReport(key, target.version, dry_run, results)

    def _migrate_one(self, tx, case_id, key, target, parsed, actor, dry_run, now
                     ) -> CaseMigration:
        conn = tx.conn
        case = store.read_case(conn, case_id, lock=not dry_run)
        if case is None or case.process_key != key:
            return CaseMigration(case_id, "", None, target.version, False,
                                 f"case {case_id} is not a case of {key}")
        old = self.registry.get(conn, case.definition_id)

        def refused(reason: str, steps=()) -> CaseMigration:
            return CaseMigration(case.id, case.title, old.version, target.version, False,
                                 reason, steps)

        if case.status != CaseStatus.RUNNING.value:
            return refused(f"case {case.id} is {case.status}; only running cases move")
        if old.version >= target.version:
            return refused(f"case {case.id} is on version {old.version}, not older than "
                           f"version {target.version}")
        old_parsed = self.registry.load(conn, old.id, old.sha256)
        # A copy of its own: a refused or dry-run move leaves the cached workflow alone.
        workflow = self.runner.load(old_parsed, case.state)
        steps = _steps(workflow)
        before = self.runner.snapshot(workflow, old_parsed)
        try:
            diffs = diff_workflow(self.runner.serializer.registry, workflow, parsed.spec,
                                  parsed.subprocess_specs)
            _check(diffs, target.version)
            self._move(workflow, diffs, parsed, now)
            state = self.runner.dump(workflow)
            self.runner.load(parsed, state)  # the new version must be able to restore it
        except Refused as err:
            return refused(str(err), steps)
        except Exception as err:  # noqa: BLE001 - any failure refuses this case alone
            return refused(f"the workflow engine cannot move it: {str(err).splitlines()[0]}",
                           steps)
        if not dry_run:
            try:
                with tx.savepoint():
                    self._write(tx, case, old, target, parsed, workflow, before, actor, now)
            except DixianError as err:
                return refused(str(err), steps)
        return CaseMigration(case.id, case.title, old.version, target.version, True, "",
                             _steps(workflow))

    def _move(self, workflow, diffs, parsed, now) -> None:
        top, subprocesses = diffs
        # Only ready steps are predicted again; a waiting timer keeps the time it fires.
        migrate_workflow(top, workflow, parsed.spec, reset_mask=TaskState.READY)
        for sp_id, sp_diff in subprocesses.items():
            sub = workflow.subprocesses[sp_id]
            new_spec = (parsed.subprocess_specs.get(sub.spec.name))
            migrate_workflow(sp_diff, sub, new_spec, reset_mask=TaskState.READY)
        workflow.subprocess_specs = parsed.subprocess_specs
        # Steps a waiting task would lead to are predicted again from the new version, so no
        # predicted step of the old one is left behind.
        current = {id(ts) for spec in [parsed.spec, *parsed.subprocess_specs.values()]
                   for ts in spec.task_specs.values()}
        for task in list(all_tasks(workflow)):
            if task.state & _PREDICTED and id(task.task_spec) not in current and \
                    task.id in task.workflow.tasks:
                task.workflow._remove_task(task.id)
        for task in [t for t in all_tasks(workflow) if t.state == TaskState.WAITING]:
            task.task_spec._predict(task, mask=_PREDICTED | TaskState.WAITING)
        self.runner.run(workflow, parsed, "migration", now)

    def _write(self, tx, case, old, target, parsed, workflow, before, actor, now) -> None:
        conn = tx.conn
        write = CaseWrite(conn, case, now)
        write.guarded(MOVE_CASE, {"case_id": case.id, "old_version": case.version,
                                  "definition_id": target.id},
                      f"case {case.id} was changed by someone else at the same time")
        for item in conn.execute(_OPEN_ITEMS, {"case_id": case.id}):
            task = find_task(workflow, item.task_id)
            if task is None or task.state != TaskState.READY:
                continue  # its task left the READY state: _advance cancels the item
            # Matched by task: an element whose id changed keeps its item under the new id.
            info = parsed.steps[task.task_spec.bpmn_id]
            area = policy.area_at(info.level, case.area_code)
            same_group = item.level == info.level.value and item.area_code == area
            write.guarded(RETARGET_ITEM, {
                "item_id": item.id, "task_name": info.name, "title": info.title, "level": info.level.value,
                "area_code": area, "form": info.form,
                "assignee": item.assignee_id if same_group else None}, None)
        write.audit("case_migrated", actor, {"definition": target.key,
                                             "from_version": old.version,
                                             "to_version": target.version})
        state = self._advance(tx, write, parsed, workflow, before, actor, {})
        write.set_state(state)
        case.definition_id, case.definition_sha = target.id, target.sha256
        self._save(conn, write, parsed, workflow, state)
