"""The daily work update (每日工作动态, due by 16:00): one day's declarations, decisions,
work done, and what is overdue, by area."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from .. import policy
from ..calendar import TIMEZONE
from ..models import Case, CaseStatus, ItemStatus, WorkItem
from ..supervision_models import Supervision
from .base import (Chart, Column, Headline, ReportView, Series, Table, child_length, children,
                   constant, in_area_joined, label, prefix, sums)
from ..deadlines import deadline_outcome

CASES, ITEMS, SUPERVISIONS = Case.__table__, WorkItem.__table__, Supervision.__table__

COLUMNS = [Column("area", label("区域", "Area"), "text"),
           Column("declared", label("新增申报", "New declarations")),
           Column("decided_on_time", label("按时审批", "Decided on time")),
           Column("decided_late", label("超期审批", "Decided late")),
           Column("completed", label("办结（通过）", "Completed (approved)")),
           Column("rejected", label("不予通过", "Not approved")),
           Column("items_done", label("办理事项", "Work items done")),
           Column("items_overdue", label("逾期事项", "Overdue items")),
           Column("cases_overdue", label("超期在办案件", "Open cases past their limit")),
           Column("supervised_new", label("当日新增督办", "Supervisions (督办) opened")),
           Column("supervised_open", label("督办中", "Supervisions open"))]


def daily(conn, actor, filters, now: datetime) -> ReportView:
    """The update for the range's last day (today at the latest), by area one level down;
    overdue figures are as they stand at the end of that day (or now, for today)."""
    day = min(filters.date_to, now.astimezone(TIMEZONE).date())  # not a day still to come
    start = datetime.combine(day, time(), TIMEZONE)
    end = min(start + timedelta(days=1), now)
    length = child_length(filters.area)
    part = prefix(CASES.c.area_code, length).label("part")

    def scoped(query):
        query = query.where(policy.prefix_range(CASES.c.area_code, filters.area))
        return query.where(CASES.c.process_key == filters.process) if filters.process else query

    def counted(query) -> dict[str, int]:
        return dict(conn.execute(scoped(query).group_by(part)).all())

    def driven(query) -> dict[str, int]:
        """Counted for a query driven by items or 督办 (each case read by its key)."""
        query = query.where(in_area_joined(conn, CASES.c.area_code, filters.area))
        if filters.process:
            query = query.where(CASES.c.process_key == filters.process)
        return dict(conn.execute(query.group_by(part)).all())

    declared = counted(select(part, func.count()).where(
        CASES.c.started_at >= start, CASES.c.started_at < end))
    ended: dict[str, dict[str, int]] = {}
    for code, status, n in conn.execute(scoped(select(part, CASES.c.status, func.count()).where(
            CASES.c.ended_at >= start, CASES.c.ended_at < end)).group_by(part, CASES.c.status)):
        ended.setdefault(code, {})[status] = n
    decided: dict[str, dict[str, int]] = {}
    for r in conn.execute(scoped(select(part, CASES.c.deadline, CASES.c.deadline_met_at,
                                        CASES.c.ended_at, CASES.c.status).where(
            CASES.c.deadline_met_at >= start, CASES.c.deadline_met_at < end))):
        state = deadline_outcome(r.deadline, r.deadline_met_at, r.ended_at, r.status, end).state
        decided.setdefault(r.part, {}).setdefault(state, 0)
        decided[r.part][state] += 1
    joined = ITEMS.join(CASES, CASES.c.id == ITEMS.c.case_id)
    done = driven(select(part, func.count()).select_from(joined).where(
        ITEMS.c.completed_at >= start, ITEMS.c.completed_at < end))
    late_items = driven(select(part, func.count()).select_from(joined).where(
        constant(ITEMS.c.status, ItemStatus.OPEN.value), ITEMS.c.due_at < end))
    late_cases = counted(select(part, func.count()).where(
        constant(CASES.c.status, CaseStatus.RUNNING.value), CASES.c.deadline_met_at.is_(None),
        CASES.c.deadline < end))
    supervised = SUPERVISIONS.join(CASES, CASES.c.id == SUPERVISIONS.c.case_id)
    opened = driven(select(part, func.count()).select_from(supervised).where(
        SUPERVISIONS.c.opened_at >= start, SUPERVISIONS.c.opened_at < end))
    # Open at the end of the day: still open now, or closed after it (two index ranges).
    still_open = driven(select(part, func.count()).select_from(supervised).where(
        SUPERVISIONS.c.closed_at.is_(None), SUPERVISIONS.c.opened_at < end))
    closed_later = driven(select(part, func.count()).select_from(supervised).where(
        SUPERVISIONS.c.closed_at >= end, SUPERVISIONS.c.opened_at < end))
    parts = children(conn, filters.area)
    rows = [(name, declared.get(code, 0), decided.get(code, {}).get("on_time", 0),
             decided.get(code, {}).get("late", 0),
             ended.get(code, {}).get(CaseStatus.COMPLETED.value, 0),
             ended.get(code, {}).get(CaseStatus.REJECTED.value, 0), done.get(code, 0),
             late_items.get(code, 0), late_cases.get(code, 0), opened.get(code, 0),
             still_open.get(code, 0) + closed_later.get(code, 0)) for code, name in parts]
    total = sums(rows, 1, (label("合计", "Total"),))
    chart = Chart("bar", [r[0] for r in rows], [
        Series(COLUMNS[i].title, [r[i] for r in rows]) for i in (1, 2, 3, 7, 9)])
    return ReportView(
        "daily", label(f"每日工作动态（{day.isoformat()}）", f"Daily work update ({day})"),
        filters, now, [Table("areas", label("按区域", "By area"), COLUMNS, rows, total)], chart,
        [Headline(label("新增申报", "New declarations"), total[1]),
         Headline(label("县级审批", "County decisions"), total[2] + total[3],
                  None if not total[2] + total[3] else total[3] == 0),
         Headline(label("逾期事项", "Overdue items"), total[7], total[7] == 0),
         Headline(label("督办中", "Supervisions open"), total[10], total[10] == 0)],
        [label(f"统计 {day.isoformat()} 当日（截至 {end.astimezone(TIMEZONE):%H:%M}）的数据；"
               "审批按时与否按总时限判断；督办按被督办案件所在区域统计，督办中为当日结束时未办结的督办。",
               f"Figures of {day.isoformat()} up to {end.astimezone(TIMEZONE):%H:%M}; "
               "decisions are on time or late against the overall limit; 督办 (supervision "
               "of overdue steps) count in the supervised case's area, open ones as they "
               "stood at the end of the day.")])
