"""Case reports: open work by stage and level now, cases over time, overdue work by area.

They read the work item rows and the cases' own columns, never the serialized state.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case as when, func, select

from .. import policy
from ..directory import area_names
from ..models import Case, CaseStatus, ItemStatus, WorkItem
from .base import (LEVEL_LABELS, Chart, Column, Headline, ReportView, Series, Table,
                   child_length, children, constant, in_area_joined, label, month_bounds,
                   prefix,
                   process_names,
                   sums)

CASES, ITEMS = Case.__table__, WorkItem.__table__
LEVELS = ("village", "township", "county")


def _in_scope(query, filters, started=True):
    """Cases of the filters' area (and process; started in the range if ``started``)."""
    query = query.where(policy.prefix_range(CASES.c.area_code, filters.area))
    if started:
        start, end = filters.bounds()
        query = query.where(CASES.c.started_at >= start, CASES.c.started_at < end)
    if filters.process:
        query = query.where(CASES.c.process_key == filters.process)
    return query


def _joined_scope(conn, query, filters):
    """Cases of the filters' area and process, for a query driven by open work items."""
    query = query.where(in_area_joined(conn, CASES.c.area_code, filters.area))
    return query.where(CASES.c.process_key == filters.process) if filters.process else query


def _open_items(conn, filters, *columns):
    """Open items that arrived in the range, of cases in the area: read from the open items
    (a few per running case), each case by its key."""
    start, end = filters.bounds()
    return _joined_scope(conn, select(*columns).select_from(
        ITEMS.join(CASES, CASES.c.id == ITEMS.c.case_id)).where(
        constant(ITEMS.c.status, ItemStatus.OPEN.value), ITEMS.c.created_at >= start,
        ITEMS.c.created_at < end), filters)


def stages(conn, actor, filters, now: datetime) -> ReportView:
    """Open work items by level and step, in each area under the filter's (items that
    arrived in the range)."""
    parts = children(conn, filters.area)
    length = child_length(filters.area)
    part = prefix(CASES.c.area_code, length).label("part")
    overdue = func.sum(when((ITEMS.c.due_at < now, 1), else_=0))
    found = conn.execute(_open_items(
        conn, filters, ITEMS.c.level, ITEMS.c.task_name, ITEMS.c.title, CASES.c.process_key, part,
        func.count().label("n"), overdue.label("late")).group_by(
        ITEMS.c.level, ITEMS.c.task_name, ITEMS.c.title, CASES.c.process_key, part)).all()
    processes = process_names(conn)
    codes = [code for code, _ in parts] + sorted({r.part for r in found} -
                                                  {code for code, _ in parts})
    names = dict(parts) | area_names(conn, codes)
    steps: dict[tuple, dict] = {}
    for r in found:
        step = steps.setdefault((LEVELS.index(r.level) if r.level in LEVELS else 9,
                                 r.process_key, r.title), {"late": 0})
        step[r.part] = step.get(r.part, 0) + r.n
        step["late"] += r.late or 0
    rows = []
    for (level, key, title), counts in sorted(steps.items()):
        per_area = [counts.get(code, 0) for code in codes]
        rows.append((LEVEL_LABELS.get(LEVELS[level] if level < 3 else "", {}) or "—", title,
                     processes.get(key, key), *per_area, sum(per_area), counts["late"]))
    columns = [Column("level", label("层级", "Level"), "label"),
               Column("step", label("环节", "Step"), "text"),
               Column("process", label("流程", "Process"), "text"),
               *[Column(code, {"zh_CN": names.get(code, code), "en": names.get(code, code)})
                 for code in codes],
               Column("total", label("合计", "Total")),
               Column("overdue", label("其中逾期", "Of which overdue"))]
    total = sums(rows, 3, (label("合计", "Total"), "", ""))
    chart = Chart("stacked", [r[1] for r in rows], [
        Series({"zh_CN": names.get(code, code), "en": names.get(code, code)},
               [r[3 + i] for r in rows]) for i, code in enumerate(codes)])
    return ReportView(
        "stages", label("在办案件（按环节和层级）", "Open cases by step and level"), filters, now,
        [Table("steps", label("在办事项", "Open work items"), columns, rows,
               total if rows else None)], chart,
        [Headline(label("在办事项", "Open work items"), total[-2] if rows else 0),
         Headline(label("其中逾期", "Of which overdue"), total[-1] if rows else 0,
                  not rows or total[-1] == 0)],
        [label("统计在所选期间内到达、目前未办的事项；一个案件可同时处于多个环节。",
               "Work items that arrived in the range and are still open; a case may stand "
               "at several steps at once.")])


def trend(conn, actor, filters, now: datetime) -> ReportView:
    """Cases started and ended per month of the range (China months). One count per month
    on the start and end time indexes, which hold the area, status and process too: no
    function of a timestamp is computed for each case."""
    rows = []
    for month, first, after in month_bounds(filters):
        started = conn.execute(_in_scope(select(func.count()), filters, started=False).where(
            CASES.c.started_at >= first, CASES.c.started_at < after)).scalar()
        ended = dict(conn.execute(_in_scope(select(CASES.c.status, func.count()), filters,
                                            started=False).where(
            CASES.c.ended_at >= first, CASES.c.ended_at < after).group_by(
            CASES.c.status)).all())
        rows.append((month, started, ended.get(CaseStatus.COMPLETED.value, 0),
                     ended.get(CaseStatus.REJECTED.value, 0),
                     ended.get(CaseStatus.CANCELLED.value, 0)))
    columns = [Column("month", label("月份", "Month"), "text"),
               Column("started", label("新增案件", "Started")),
               Column("completed", label("办结（通过）", "Completed (approved)")),
               Column("rejected", label("不予通过", "Not approved")),
               Column("cancelled", label("撤销", "Cancelled"))]
    chart = Chart("line", [r[0] for r in rows], [
        Series(c.title, [r[i] for r in rows]) for i, c in enumerate(columns) if i])
    return ReportView(
        "trend", label("案件趋势（按月）", "Cases over time (by month)"), filters, now,
        [Table("months", label("按月", "By month"), columns, rows,
               sums(rows, 1, (label("合计", "Total"),)))], chart,
        notes=[label("新增按启动时间计，办结、不予通过和撤销按结束时间计（北京时间）。",
                     "Started counts by start time; completed, not approved and cancelled "
                     "by end time (China time).")])


def overdue(conn, actor, filters, now: datetime) -> ReportView:
    """Open work items past their due time, by village and level, and running cases past
    their overall limit (items that fell due in the range)."""
    start, end = filters.bounds()
    village = prefix(CASES.c.area_code, 12).label("village")
    items = conn.execute(_joined_scope(conn, select(
        village, ITEMS.c.level, func.count()).select_from(
        ITEMS.join(CASES, CASES.c.id == ITEMS.c.case_id)).where(
        constant(ITEMS.c.status, ItemStatus.OPEN.value), ITEMS.c.due_at >= start,
        ITEMS.c.due_at < min(now, end)), filters).group_by(
        village, ITEMS.c.level)).all()
    late_cases = dict(conn.execute(_in_scope(select(village, func.count()), filters,
                                             started=False).where(
        constant(CASES.c.status, CaseStatus.RUNNING.value), CASES.c.deadline_met_at.is_(None),
        and_(CASES.c.deadline >= start, CASES.c.deadline < min(now, end))).group_by(
        village)).all())
    by_village: dict[str, dict[str, int]] = {}
    for code, level, n in items:
        by_village.setdefault(code, {})[level] = n
    codes = sorted(set(by_village) | set(late_cases))
    names = area_names(conn, codes + [c[:9] for c in codes])
    rows = []
    for code in codes:
        per_level = [by_village.get(code, {}).get(level, 0) for level in LEVELS]
        rows.append((names.get(code[:9], code[:9]) if len(code) == 12 else "",
                     names.get(code, code), *per_level, sum(per_level),
                     late_cases.get(code, 0)))
    columns = [Column("township", label("乡镇", "Township"), "text"),
               Column("village", label("村", "Village"), "text"),
               *[Column(level, LEVEL_LABELS[level]) for level in LEVELS],
               Column("total", label("逾期事项合计", "Overdue items")),
               Column("cases", label("超过总时限的案件", "Cases past their limit"))]
    parts = children(conn, filters.area)
    length = child_length(filters.area)
    chart = Chart("stacked", [name for _, name in parts], [
        Series(LEVEL_LABELS[level], [sum(by_village.get(code, {}).get(level, 0)
                                         for code in by_village if code[:length] == part)
                                     for part, _ in parts]) for level in LEVELS])
    total = sums(rows, 2, (label("合计", "Total"), ""))
    return ReportView(
        "overdue", label("逾期事项（按层级、乡镇和村）", "Overdue work by level, township and village"),
        filters, now,
        [Table("villages", label("按村", "By village"), columns, rows, total if rows else None,
               label("没有逾期事项", "Nothing overdue"))], chart,
        [Headline(label("逾期事项", "Overdue items"), total[-2] if rows else 0,
                  not rows or total[-2] == 0),
         Headline(label("超过总时限的案件", "Cases past their limit"),
                  total[-1] if rows else 0, not rows or total[-1] == 0)],
        [label("统计在所选期间内到期、至今未办的事项，按案件所在村归属；层级为办理事项的层级。",
               "Items that fell due in the range and are still open, counted in their case's "
               "village, by the level that must act.")])
