"""Time-limit compliance (15 天办结率): whether each case met its overall limit, by area.

Each case is classified by ``engine.deadlines``' rule, the one the case pages, the printed
sheet and the daily update use too: counted in the database through its SQL rendering
(``outcome_sql``), the late cases listed with ``deadline_outcome``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case as when, func, select

from .. import policy
from ..directory import area_names
from ..deadlines import STATES, deadline_outcome, last_day, outcome_sql
from ..models import AuditEvent, Case
from .base import (Chart, Column, Headline, ReportView, Series, Table, child_length, children,
                   label, local_day, share)

CASES, EVENTS = Case.__table__, AuditEvent.__table__
LATE_LIST_LIMIT = 500


COLUMNS = [Column("area", label("区域", "Area"), "text"),
           Column("cases", label("案件数", "Cases")),
           Column("on_time", label("按时办结", "Decided on time")),
           Column("late", label("超期办结", "Decided late")),
           Column("rate", label("按时办结率（%）", "On time (%)"), "percent"),
           Column("average", label("平均用时（天）", "Average days"), "days"),
           Column("longest", label("最长用时（天）", "Longest days"), "days"),
           Column("open", label("在办未超期", "Open within limit")),
           Column("overdue", label("在办已超期", "Open past limit")),
           Column("closed", label("未经审批终止", "Ended before decision"))]
LATE_COLUMNS = [Column("case", label("案件编号", "Case"), "int"),
                Column("title", label("对象", "Subject"), "text"),
                Column("area", label("所在地", "Area"), "text"),
                Column("from", label("发现日期", "Discovered"), "date"),
                Column("last_day", label("期限截止", "Limit ends"), "date"),
                Column("decided", label("审批/终止日期", "Decided or ended"), "date"),
                Column("days_late", label("超期天数", "Days late")),
                Column("reason", label("超期/迟报原因", "Reason given"), "text")]


class _Tally:
    def __init__(self):
        self.counts = dict.fromkeys(STATES, 0)
        self.days_sum = self.days_count = 0
        self.longest: int | None = None

    def add(self, state: str, taken: int | None, cases: int) -> None:
        """One group of the database's count: ``cases`` in ``state`` that took ``taken``
        days."""
        self.counts[state] += cases
        if state in ("on_time", "late") and taken is not None:
            self.days_sum += taken * cases
            self.days_count += cases
            self.longest = taken if self.longest is None else max(self.longest, taken)

    def row(self, name: str) -> tuple:
        c, decided = self.counts, self.counts["on_time"] + self.counts["late"]
        average = round(self.days_sum / self.days_count, 1) if self.days_count else None
        return (name, sum(c.values()), c["on_time"], c["late"], share(c["on_time"], decided),
                average, self.longest, c["open"], c["overdue"], c["closed"])


def compliance(conn, actor, filters, now: datetime) -> ReportView:
    """Cases discovered in the range, by area: decided on time and late, the on-time rate,
    average and longest days, those still open; and every late case with its reason."""
    parts = children(conn, filters.area)
    names = dict(parts)
    length = child_length(filters.area)
    # Every column read here is in ix_cases_deadline_from: the index alone answers. The
    # database counts by area and state (a year of a county is some 200,000 cases), with
    # the rule rendered in SQL next to the Python one (engine.deadlines.outcome_sql).
    state, taken = outcome_sql(CASES.c.deadline, CASES.c.deadline_met_at, CASES.c.ended_at,
                               CASES.c.status, now, CASES.c.deadline_from)
    where = [policy.prefix_range(CASES.c.area_code, filters.area), CASES.c.deadline.isnot(None),
             CASES.c.deadline_from >= filters.date_from, CASES.c.deadline_from <= filters.date_to]
    if filters.process:
        where.append(CASES.c.process_key == filters.process)
    each = select(func.substr(CASES.c.area_code, 1, length).label("part"),
                  state.label("state"), taken.label("taken")).where(*where).subquery()
    # By days taken too (some hundreds of groups): SQLite would work the days out once for
    # each aggregate over them.
    counted = select(each.c.part, each.c.state, each.c.taken, func.count()).group_by(
        each.c.part, each.c.state, each.c.taken)
    tallies = {code: _Tally() for code, _ in parts}
    overall = _Tally()
    for code, *group in conn.execute(counted):
        (tallies.get(code) or tallies.setdefault(code, _Tally())).add(*group)
        overall.add(*group)
    # The late cases for the list, in the index's order: the rule decides which (the same
    # SQL), the Python rule gives each its days late. The end matters only to a case
    # without a decision: read for those alone.
    late = []
    if overall.counts["late"]:
        ended = when((CASES.c.deadline_met_at.is_(None), CASES.c.ended_at)).label("ended_at")
        for r in conn.execute(select(
                CASES.c.id, CASES.c.area_code, CASES.c.deadline_from, CASES.c.deadline,
                CASES.c.deadline_met_at, ended, CASES.c.status).where(*where, state == "late")
                .order_by(CASES.c.deadline_from, CASES.c.area_code).limit(LATE_LIST_LIMIT)):
            late.append((r, deadline_outcome(r.deadline, r.deadline_met_at, r.ended_at,
                                             r.status, now, r.deadline_from)))
    rows = [tallies[code].row(names.get(code, code)) for code in tallies]
    reasons = _reasons(conn, [r.id for r, _ in late])
    titles = dict(conn.execute(select(CASES.c.id, CASES.c.title).where(
        CASES.c.id.in_([r.id for r, _ in late]))).all()) if late else {}
    places = area_names(conn, [r.area_code for r, _ in late])
    late_rows = [(r.id, titles.get(r.id, ""), places.get(r.area_code, r.area_code), r.deadline_from,
                  last_day(r.deadline), local_day(r.deadline_met_at or r.ended_at),
                  o.days_late, reasons.get(r.id, "")) for r, o in late]
    decided = overall.counts["on_time"] + overall.counts["late"]
    chart = Chart("stacked", [r[0] for r in rows], [
        Series(label("按时办结", "On time"), [r[2] for r in rows]),
        Series(label("超期办结", "Late"), [r[3] for r in rows]),
        Series(label("在办已超期", "Open past limit"), [r[8] for r in rows])])
    return ReportView(
        "compliance", TITLE, filters, now,
        [Table("areas", label("按区域", "By area"), COLUMNS, rows, overall.row(label("合计", "Total"))),
         Table("late", label("超期案件及原因", "Late cases and their reasons"), LATE_COLUMNS,
               late_rows, empty=label("没有超期案件", "No late cases"))],
        chart,
        [Headline(label("按时办结率", "Decided on time"),
                  f"{share(overall.counts['on_time'], decided)}%" if decided else "—",
                  None if not decided else overall.counts["late"] == 0),
         Headline(label("在办已超期", "Open past the limit"), overall.counts["overdue"],
                  overall.counts["overdue"] == 0)],
        [label("统计发现日期在所选期间内、有总时限的案件；用时从发现之日的次日起算。",
               "Cases discovered in the range that have an overall limit; days count from "
               "the day after discovery.")])


TITLE = label("时限办结情况（15天）", "Time-limit compliance (15 days)")


def _reasons(conn, case_ids: list[int]) -> dict[int, str]:
    """The reason given for lateness: the start's 迟报原因 (``late_reason``), else the
    reason the case ended with."""
    if not case_ids:
        return {}
    found = {}
    for r in conn.execute(select(EVENTS.c.case_id, EVENTS.c.event, EVENTS.c.data).where(
            EVENTS.c.case_id.in_(case_ids), EVENTS.c.event.in_(("case_started", "case_ended"))
    ).order_by(EVENTS.c.case_id, EVENTS.c.seq)):
        data = r.data or {}
        given = ((data.get("data") or {}).get("late_reason") if r.event == "case_started"
                 else data.get("reason"))
        if given and not found.get(r.case_id):
            found[r.case_id] = str(given)
    return found
