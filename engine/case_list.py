"""The case list (案件查询): search and filter the cases of the actor's area, sorted and paged.

The starting page for county staff and auditors: by name, ID-number digits or case number;
by village, open step, status, overdue, green channel, returned at least once, entered
late (迟报: the declaration gave a reason for late entry), and the discovery date's range.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select

from . import policy, views
from .errors import Forbidden, InvalidData
from .models import AuditEvent, Case, CaseStatus, Household, ItemStatus, WorkItem
from .store import CASE_COLUMNS, CASE_JOIN, case_row

CASES, ITEMS, EVENTS = Case.__table__, WorkItem.__table__, AuditEvent.__table__
HOUSEHOLDS = Household.__table__
SORTS = {"newest": (CASES.c.started_at.desc(), CASES.c.id.desc()),
         "oldest": (CASES.c.started_at, CASES.c.id),
         "deadline": (CASES.c.deadline, CASES.c.id),
         "discovery": (CASES.c.deadline_from, CASES.c.id)}
# The first step of the green channel's aid branch: a case that had one went that way.
GREEN_STEPS = ("immediate_aid",)


@dataclass(frozen=True)
class CaseFilter:
    """What the case list is narrowed to; empty fields do not filter."""

    text: str = ""
    village: str = ""
    step: str = ""
    status: str = ""
    overdue: bool = False
    green: bool = False
    returned: bool = False
    late: bool = False
    found_from: date | None = None
    found_to: date | None = None
    sort: str = "newest"


@dataclass(frozen=True)
class CasePage:
    """One page of the case list."""

    cases: list[views.CaseBrief]
    page: int
    has_next: bool
    # case id → the reason for late entry (迟报原因) given at the declaration, for the cases
    # of the page that have one.
    late_reasons: dict[int, str] = field(default_factory=dict)


def _late_reason():
    """The 迟报原因 of a case's declaration, as text ('' or NULL when none was given)."""
    return EVENTS.c.data[("data", "late_reason")].as_string()


def late_reasons(conn, case_ids: list[int]) -> dict[int, str]:
    """Case id → the reason for late entry its declaration gave, for those that gave one."""
    if not case_ids:
        return {}
    rows = conn.execute(select(EVENTS.c.case_id, _late_reason()).where(
        EVENTS.c.case_id.in_(case_ids), EVENTS.c.event == "case_started"))
    return {case_id: reason.strip() for case_id, reason in rows if reason and reason.strip()}


def _where(actor, f: CaseFilter, now: datetime) -> list:
    where = [policy.case_filter(actor, CASES.c.area_code)]
    if f.village:
        where.append(policy.prefix_range(CASES.c.area_code, f.village))
    text = f.text.strip()
    if text:
        digits = text.lstrip("#")
        matches = [CASES.c.title.contains(text, autoescape=True),
                   exists().where(HOUSEHOLDS.c.id == CASES.c.subject_id,
                                  CASES.c.subject_kind == "household",
                                  HOUSEHOLDS.c.id_number.endswith(text.upper(),
                                                                  autoescape=True))]
        if digits.isdigit() and len(digits) <= 9:
            matches.append(CASES.c.id == int(digits))
        where.append(or_(*matches))
    if f.step:
        where.append(exists().where(ITEMS.c.case_id == CASES.c.id,
                                    ITEMS.c.task_name == f.step,
                                    ITEMS.c.status == ItemStatus.OPEN.value))
    if f.status:
        where.append(CASES.c.status == f.status)
    if f.overdue:
        where.append(and_(CASES.c.status == CaseStatus.RUNNING.value,
                          CASES.c.deadline_met_at.is_(None), CASES.c.deadline < now))
    if f.green:
        where.append(exists().where(ITEMS.c.case_id == CASES.c.id,
                                    ITEMS.c.task_name.in_(GREEN_STEPS)))
    if f.returned:
        where.append(exists().where(EVENTS.c.case_id == CASES.c.id,
                                    EVENTS.c.event == "returned"))
    if f.late:
        where.append(exists().where(EVENTS.c.case_id == CASES.c.id,
                                    EVENTS.c.event == "case_started",
                                    func.coalesce(func.trim(_late_reason()), "") != ""))
    if f.found_from:
        where.append(CASES.c.deadline_from >= f.found_from)
    if f.found_to:
        where.append(CASES.c.deadline_from <= f.found_to)
    return where


class CaseListVerbs:
    """Mixed into ``Engine``: the case list."""

    def case_list(self, actor, case_filter: CaseFilter | None = None, page: int = 1,
                  size: int = 25, now: datetime | None = None) -> CasePage:
        """One page of the cases of the actor's area that pass the filter."""
        f = case_filter or CaseFilter()
        now = now or self.clock()
        if f.village and not policy.within(f.village, actor.area_code):
            raise Forbidden(f"area {f.village} is outside {actor.username}'s area "
                            f"{actor.area_code}")
        if f.sort not in SORTS:
            raise InvalidData(f"sort must be one of {', '.join(SORTS)}", {"sort": "unknown"})
        if f.status and f.status not in {s.value for s in CaseStatus}:
            raise InvalidData(f"unknown status {f.status!r}", {"status": "unknown"})
        if not isinstance(page, int) or page < 1 or not 1 <= size <= 200:
            raise InvalidData("page must be 1 or more and the page size 1 to 200",
                              {"page": "invalid"})
        with self.transaction(write=False) as tx:
            rows = tx.conn.execute(
                select(*CASE_COLUMNS).select_from(CASE_JOIN).where(*_where(actor, f, now))
                .order_by(*SORTS[f.sort]).limit(size + 1).offset((page - 1) * size)).all()
            found = [views.brief(case_row(r), now) for r in rows][:size]
            return CasePage(found, page, len(rows) > size,
                            late_reasons(tx.conn, [c.id for c in found]))
