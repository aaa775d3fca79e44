"""Printouts as read models: the process trail, the approval sheet (审批表) and the village
publicity notice (公示), built from the same case view the pages use.

The engine gathers and words what a printout shows; a front-end lays it out (``printouts``).
Every printout is recorded in the global audit chain (who printed what, when).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from . import audit, households, notice_words, policy, store, views
from .calendar import TIMEZONE
from .directory import area_names
from .forms import mask_id_number
from .models import Case, CaseStatus, ItemStatus, User
from .print_words import (DECISIONS, EVENT_WORDS, LEVEL_WORDS, STATUS_WORDS,
                          STATUS_WORDS_ITEM, deadline_words, duration_words, options,
                          summary)
from .procedures import Fact

CASES, USERS = Case.__table__, User.__table__
STEP_EVENTS = ("task_completed",)
# Digits that could be an ID number (18, last may be X) or a mobile number: never printed
# from submitted data.
_SENSITIVE = re.compile(r"\d{17}[\dXx]|1\d{10}")


@dataclass(frozen=True)
class Person:
    """Who acted: name, the role words of their level, their area's name."""

    name: str
    role: str
    area: str


@dataclass(frozen=True)
class StepLine:
    """One step of the trail table."""

    title: str
    level: str
    actor: Person | None
    started_at: datetime
    finished_at: datetime | None
    duration: str
    due_at: datetime | None
    overdue: str
    status: str
    decision: str
    opinion: str
    summary: str


@dataclass(frozen=True)
class EventLine:
    """An event beside the steps: a return, an objection, 督办, a timer firing, a file."""

    seq: int
    at: datetime
    what: str
    actor: str
    step: str
    detail: str


@dataclass(frozen=True)
class Opinion:
    """One level's opinion on the approval sheet."""

    level: str
    title: str
    decision: str
    opinion: str
    actor: str
    at: datetime | None


@dataclass(frozen=True)
class CasePrintout:
    """Everything the trail and the approval sheet of one case print."""

    case: views.CaseBrief
    bureau: str
    county: str
    township: str
    village: str
    process_name: str
    definition_version: int
    facts: list[Fact]
    discovery_date: date | None
    deadline: datetime | None
    deadline_status: str
    status: str
    steps: list[StepLine]
    events: list[EventLine]
    opinions: list[Opinion]
    attachments: list[views.AttachmentView]
    verification: audit.Verification
    printed_by: str
    printed_at: datetime
    verify_path: str


@dataclass(frozen=True)
class NoticeLine:
    """One household on a publicity notice: no ID, phone, bank account or health detail."""

    name: str
    kind: str
    reason: str
    # The row's cells after 序号 when the notice has its own ``columns``.
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublicityNotice:
    """The village's publicity notice for the households reviewed together."""

    title: str
    county: str
    township: str
    village: str
    households: list[NoticeLine]
    start: date | None
    end: date | None
    days: int
    place: str
    objection: str
    committee: str
    issued_on: date
    # A notice of another procedure than identification words its opening sentence and
    # its columns (with 序号) and their widths (percent) itself.
    intro: str = ""
    columns: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(TIMEZONE) if moment is not None else None


def _clean(text: str) -> str:
    return _SENSITIVE.sub(lambda m: mask_id_number(m.group()), text or "")


def _people(conn, ids) -> dict[int, Person]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = conn.execute(select(USERS.c.id, USERS.c.username, USERS.c.display_name,
                               USERS.c.level, USERS.c.area_code, USERS.c.roles).where(
        USERS.c.id.in_(ids))).all()
    places = area_names(conn, [r.area_code for r in rows])
    return {r.id: Person(r.display_name or r.username,
                         "审计" if "auditor" in r.roles.split(",")
                         else LEVEL_WORDS.get(r.level, r.level) + "工作人员",
                         places.get(r.area_code, r.area_code)) for r in rows}


def _areas(conn, area_code: str) -> tuple[str, str, str]:
    codes = [area_code[:6], area_code[:9], area_code[:12]]
    names = area_names(conn, codes)
    return (names.get(codes[0], ""), names.get(codes[1], "") if len(area_code) >= 9 else "",
            names.get(codes[2], "") if len(area_code) >= 12 else "")


def _steps(conn, view, events, now) -> tuple[list[StepLine], list[Opinion]]:
    done = {ev.work_item_id: ev for ev in events if ev.event in STEP_EVENTS}
    people = _people(conn, [i.completed_by for i in view.items])
    lines, opinions = [], []
    for item in view.items:
        event = done.get(item.id)
        data = event.data if event is not None else {}
        form = view.forms.get(item.form) if item.form else None
        finished = item.completed_at if item.status == ItemStatus.COMPLETED.value else None
        late_at = finished or (now if item.status == ItemStatus.OPEN.value else None)
        overdue = (duration_words(late_at - item.due_at) if item.due_at and late_at
                   and late_at > item.due_at else "")
        decision = DECISIONS.get(str(data.get("decision", "")), "")
        opinion = _clean(" ".join(str(x) for x in (data.get("opinion"), data.get("reason"),
                                                    event.comment if event else "") if x))
        actor = people.get(item.completed_by)
        lines.append(StepLine(
            item.title, LEVEL_WORDS.get(item.level, item.level), actor, item.created_at,
            finished, duration_words(finished - item.created_at) if finished else "",
            item.due_at, overdue, STATUS_WORDS_ITEM.get(item.status, item.status), decision,
            opinion, _clean(summary(form, data, {"decision", "reason", "opinion"}))))
        if finished and decision:
            opinions.append(Opinion(LEVEL_WORDS.get(item.level, item.level), item.title,
                                    decision, opinion,
                                    actor.name if actor else "", finished))
    return lines, opinions


def _events(view) -> list[EventLine]:
    shown = []
    for entry in view.trail:
        if entry.event in STEP_EVENTS:
            continue
        detail = entry.data.get("reason") or entry.data.get("filename") or ""
        if entry.event in ("timer_fired", "task_overdue", "case_overdue") and \
                isinstance(entry.data.get("due_at"), str):
            due = datetime.fromisoformat(entry.data["due_at"]).astimezone(TIMEZONE)
            detail = f"到期时间 {due:%Y-%m-%d %H:%M}"
        shown.append(EventLine(entry.seq, entry.at, EVENT_WORDS.get(entry.event, entry.event),
                               "系统" if entry.actor_id is None and entry.actor == "system"
                               else entry.actor, view.steps[entry.task_name].title
                               if entry.task_name in view.steps else entry.task_name,
                               _clean(" ".join(str(x) for x in (detail, entry.comment) if x))))
    return shown


class PrintVerbs:
    """Mixed into ``Engine``: the printouts of a case, each recorded in the global chain."""

    def printout(self, case_id: int, actor, kind: str = "trail", now: datetime | None = None,
                 record: bool = True) -> CasePrintout:
        """A case's trail (``kind`` "trail") or approval sheet ("sheet"), for anyone who may
        read the case; recorded as printed unless ``record`` is False (a batch records
        itself once)."""
        now = now or self.clock()
        with self.transaction(write=record) as tx:
            conn = tx.conn
            view = self.case(case_id, actor, now)
            policy.require(policy.print_case, actor, view.case)
            events = audit.trail(conn, case_id)
            steps, opinions = _steps(conn, view, events, now)
            county, township, village = _areas(conn, view.case.area_code)
            if record:
                audit.append_global(conn, "printed", actor, now, {
                    "kind": kind, "case": case_id, "events": view.verification.events,
                    "head": view.verification.head})
            facts = [Fact(f.key, f.label, "、".join(options(view.start_form, f.form_field,
                                                           f.value)))
                     if f.form_field else f for f in view.facts]
            status = view.outcome_label.get("zh_CN") or STATUS_WORDS.get(view.case.status,
                                                                         view.case.status)
            return CasePrintout(
                view.case, f"{county}乡村振兴局" if county else "乡村振兴局", county, township,
                village, view.process_name, view.definition.version, facts,
                view.case.deadline_from, view.case.deadline,
                deadline_words(view.case, now), status, steps, _events(view), opinions,
                view.attachments, view.verification,
                f"{actor.name}（{actor.username}）" if actor is not None else "系统",
                now, f"/audit/verify?case={case_id}")

    def publicity_notice(self, case_id: int, actor, now: datetime | None = None
                         ) -> PublicityNotice:
        """The village publicity notice for a case and the households of its village
        publicised in the same period (names, type and reasons in words only)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            view = self.case(case_id, actor, now)
            policy.require(policy.print_case, actor, view.case)
            posted = _publicity_of(audit.trail(conn, case_id))
            county, township, village = _areas(conn, view.case.area_code)
            parsed = self.registry.load(conn, view.definition.id, view.definition.sha256)
            eliminating = self.procedure_of(parsed).name == "elimination"
            lines = []
            for other in _publicised_together(conn, view.case, posted):
                if eliminating:
                    data = view.data if other == case_id else self.case(other).data
                    lines.append(NoticeLine(*notice_words.elimination_line(conn, data,
                                                                           village)))
                else:
                    lines.append(self._notice_line(conn, other, view))
            start = date.fromisoformat(posted["publicity_start"]) if posted else None
            days = int(posted.get("publicity_days", 5)) if posted else 5
            audit.append_global(conn, "printed", actor, now, {"kind": "publicity",
                                                              "case": case_id})
            words = notice_words.ELIMINATION if eliminating else {}
            return PublicityNotice(
                words.get("title", "关于{village}拟纳入防返贫监测对象名单的公示").format(
                    village=village), county, township, village,
                lines, start, start + timedelta(days=days - 1) if start else None, days,
                _clean(posted.get("publicity_place", "")) if posted else "",
                f"公示期内，对名单有异议的，可于公示期满前以书面或口头形式向{village}村民委员会"
                f"或{township}人民政府实名反映，也可拨打 12317 防止返贫监测帮扶热线反映。",
                f"{village}村民委员会", start or _local(now).date(),
                words.get("intro", "").format(count=len(lines)), words.get("columns", ()),
                words.get("widths", ()))

    def _notice_line(self, conn, case_id: int, view) -> NoticeLine:
        case = store.read_case(conn, case_id, lock=False)
        data = view.data if case_id == view.case.id else self.case(case_id).data
        household = households.find(conn, case.subject_id) if case.subject_id else None
        kind = str(data.get("object_type") or data.get("recommended_type") or "")
        reasons = options(view.start_form, "risk_types", data.get("risk_types") or [])
        return NoticeLine(household.head_name if household else case.title, kind,
                          "、".join(reasons))


def _publicity_of(events) -> dict | None:
    found = [ev.data for ev in events if ev.event in STEP_EVENTS
             and isinstance(ev.data.get("publicity_start"), str)]
    return found[-1] if found else None


def _publicised_together(conn, case: views.CaseBrief, posted: dict | None) -> list[int]:
    """This case and the other cases of its village and process publicised the same day."""
    if posted is None:
        return [case.id]
    others = conn.execute(select(CASES.c.id).where(
        CASES.c.area_code == case.area_code, CASES.c.process_key == case.process_key,
        CASES.c.status != CaseStatus.CANCELLED.value).order_by(CASES.c.id)).scalars().all()
    together = []
    for other in others:
        data = posted if other == case.id else _publicity_of(audit.trail(conn, other))
        if data and data.get("publicity_start") == posted["publicity_start"]:
            together.append(other)
    return together
