"""Periods of a case that users must see but that are nobody's to-do: publicity (公示期);
and the approval sheet (审批表) of a case so far.

A user task with the property ``period`` (and ``period_first_day``/``period_last_day``
naming the data fields of its first and last day, both inclusive) gets no work item: it is
shown on the case as its dates, and staff of its level (or of ``also_level``) lodge an entry
in it (an objection) from the case page while it is open. Its boundary timer closes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import forms, policy, store
from .cases import Completed, local_today
from .errors import Conflict, NotFound
from .reading import workflow_data


@dataclass(frozen=True)
class PeriodView:
    """A period of a case: its step, dates (first and last day inclusive) and whether it
    is open now; ``can_lodge``: whether the reader may lodge an entry in it."""

    step: str
    title: str
    kind: str
    first_day: str
    last_day: str
    open: bool
    form: str
    can_lodge: bool


def _levels(info) -> set[str]:
    also = info.properties.get("also_level", "")
    return {info.level.value, *[lv.strip() for lv in also.split(",") if lv.strip()]}


def _ready_periods(runner, parsed, workflow) -> list:
    return [t for t in runner.snapshot(workflow, parsed).ready.values()
            if parsed.steps[t.task_spec.bpmn_id].properties.get("period")]


class PeriodVerbs:
    """Mixed into ``Engine``: a case's periods (read, lodge in) and its approval sheet."""

    def approval_sheet(self, case_id: int, actor) -> list["SheetEntry"]:
        """The approval sheet of a case so far, for its review pages and prints."""
        with self.transaction(write=False) as tx:
            case, parsed = self._case_to_read(tx, case_id, actor)
            return approval_sheet(tx.conn, case.id, parsed)

    def _case_to_read(self, tx, case_id: int, actor):
        """The case (unlocked) and its parsed definition, for a reader of its area."""
        case = store.read_case(tx.conn, case_id, lock=False)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        policy.require(policy.view_case, actor, case)
        return case, self.registry.load(tx.conn, case.definition_id, case.definition_sha)

    def periods(self, case_id: int, actor, now: datetime | None = None) -> list[PeriodView]:
        """The case's periods that have dates: open ones first."""
        with self.transaction(write=False) as tx:
            case, parsed = self._case_to_read(tx, case_id, actor)
            workflow = self.runner.restore(parsed, case.id, case.state)
            try:
                ready = {t.task_spec.bpmn_id for t in _ready_periods(self.runner, parsed,
                                                                     workflow)}
            finally:
                self.runner.remember(case.id, case.state, workflow)
            data = workflow_data(self.runner, parsed, case)
            found = []
            for name, info in parsed.steps.items():
                first = data.get(info.properties.get("period_first_day", ""))
                last = data.get(info.properties.get("period_last_day", ""))
                if not info.properties.get("period") or not (first and last):
                    continue
                is_open = name in ready
                found.append(PeriodView(name, info.title, info.properties["period"],
                                        str(first), str(last), is_open, info.form,
                                        is_open and policy.allowed(policy.lodge, actor, case,
                                                                   _levels(info))))
            return sorted(found, key=lambda p: not p.open)

    def lodge(self, case_id: int, step: str, actor, data: dict, now: datetime | None = None,
              expected_version: int | None = None, comment: str = "",
              locale: str = "zh_CN") -> Completed:
        """Lodge an entry (an objection) in the open period ``step`` of a case."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            case = store.read_case(conn, case_id)
            if case is None:
                raise NotFound(f"case {case_id} does not exist")
            parsed = self.registry.load(conn, case.definition_id, case.definition_sha)
            info = parsed.steps.get(step)
            if info is None or not info.properties.get("period"):
                raise NotFound(f"case {case.id} has no period {step!r}")
            policy.require(policy.lodge, actor, case, _levels(info))
            if expected_version is not None and case.version != expected_version:
                raise Conflict(f"case {case.id} changed since this form was opened (version "
                               f"{expected_version}, now {case.version}); reload the case")
            if not isinstance(data, dict):
                data = {}
            if info.form:
                forms.validate(parsed.forms[info.form], data, local_today(now), locale)
            workflow = self.runner.restore(parsed, case.id, case.state)
            ready = [t for t in _ready_periods(self.runner, parsed, workflow)
                     if t.task_spec.bpmn_id == step]
            if not ready:
                raise Conflict(f"the {info.title} of case {case.id} is not open: entries "
                               f"are taken only during it")
            return self._step(tx, parsed, case, workflow, ready[0], step, actor, data, now,
                              comment, locale)


@dataclass(frozen=True)
class SheetEntry:
    """One completed step of a case as the approval sheet (审批表) shows it: who entered
    what, when; ``form`` names the step's form for the field labels."""

    step: str
    title: str
    level: str
    actor: str
    at: datetime
    data: dict
    comment: str
    form: str


def approval_sheet(conn, case_id: int, parsed) -> list[SheetEntry]:
    """Every completed step of the case in order, with the data it recorded: home-check
    figures, the vote, publicity, objections and each level's opinion."""
    from . import views
    entries = []
    for event in views.trail(conn, case_id):
        if event.event not in ("task_completed", "case_started"):
            continue
        if event.event == "case_started":
            entries.append(SheetEntry("start", parsed.name, "", event.actor, event.at,
                                      dict(event.data.get("data") or {}), event.comment,
                                      parsed.start_form))
            continue
        info = parsed.steps.get(event.task_name)
        entries.append(SheetEntry(event.task_name, info.title if info else event.task_name,
                                  info.level.value if info else "", event.actor, event.at,
                                  dict(event.data), event.comment, info.form if info else ""))
    return entries
