"""Reports the county sends upward (DOMAIN.md §5), built from the same data as the pages.

Each report is a function ``(conn, actor, filters, now) -> ReportView`` listed in
``REPORTS`` with its title, description and default date range; ``ReportVerbs`` checks the
policy and the filters and runs it; ``workbook`` writes any report as an Excel workbook.

Indexes the report queries use (see README): ``cases.area_code`` (the area range) and, by
date, ``ix_cases_started_at``, ``ix_cases_ended_at``, ``ix_cases_deadline_from``,
``ix_cases_deadline_met_at``; open and overdue items through the partial index of open
items ``ix_work_items_open`` (the inbox's); work done in a day through ``ix_work_items_completed_at``;
projects through ``ix_projects_area_year``.
"""
from __future__ import annotations

from ..deadlines import DeadlineOutcome, deadline_outcome
from .base import (Chart, Column, Headline, ReportFilters, ReportInfo, ReportView, Series,
                   Table, label)
from .cases import overdue, stages, trend
from .compliance import compliance
from .daily import daily
from .funds import funds
from .register import measures, monitoring
from .visits import visits

def _entry(build, title: tuple[str, str], description: tuple[str, str], default_days: int,
           by_process: bool = True):
    """A report's name (its function's), list entry and function."""
    return build.__name__, (ReportInfo(build.__name__, label(*title), label(*description),
                                       default_days, by_process), build)


REPORTS = dict([
    _entry(stages, ("在办案件（按环节和层级）", "Open cases by step and level"),
           ("各环节、各层级的在办事项和逾期事项，按下级区域分列。",
            "Open work items at each step and level, by area."), 1096),
    _entry(trend, ("案件趋势（按月）", "Cases over time (by month)"),
           ("每月新增、办结、不予通过和撤销的案件。",
            "Cases started, completed, not approved and cancelled per month."), 365),
    _entry(overdue, ("逾期事项", "Overdue work"),
           ("逾期未办的事项（按层级、乡镇和村）和超过总时限的案件。",
            "Overdue work items by level, township and village, and cases past their "
            "overall limit."), 1096),
    _entry(compliance, ("时限办结情况（15天）", "Time-limit compliance (15 days)"),
           ("按时办结和超期办结的案件、按时率、平均和最长用时，超期案件及原因。",
            "Cases decided on time and late, the on-time rate, average and longest days, "
            "late cases with reasons."), 31),
    _entry(funds, ("项目和衔接资金", "Projects and connection funds"),
           ("各类项目的入库、计划投资、资金安排和拨付，产业项目资金占比（目标55%）。",
            "Projects by type: admitted, budget, funds allocated and paid, and the industry "
            "share (target 55%)."), 365, False),
    _entry(monitoring, ("监测对象统计", "Monitoring objects"),
           ("监测对象按类型、风险类型和村统计，风险已消除和返贫风险的户数。",
            "Monitoring objects by type, risk type and village; eliminated and formerly "
            "poor households monitored again."), 365, False),
    _entry(measures, ("帮扶措施统计（按类别）", "Aid measures by kind"),
           ("监测对象帮扶计划中的各类帮扶措施，按区域分列。",
            "The kinds of aid measures in the monitoring objects' aid plans, by area."), 365,
           False),
    _entry(visits, ("走访慰问情况统计表", "Visits and condolences (走访慰问情况统计表)"),
           ("按走访记录统计各类户的走访慰问户数和人数，领导走访、慰问金和慰问品、座谈会、做法和"
            "案例由本级手工填报；按通知附件的格式导出。",
            "Households and persons visited by type from the visit records, with leaders' "
            "visits, money and goods, meetings, practices and cases entered by hand; exported "
            "in the layout of the notice's table."), 31, False),
    _entry(daily, ("每日工作动态", "Daily work update"),
           ("当日新增申报、审批、办结和逾期情况，供每日16:00报送。",
            "The day's declarations, decisions, completions and overdue work, for the 16:00 "
            "report."), 1),
])

__all__ = ["REPORTS", "Chart", "Column", "DeadlineOutcome", "Headline", "ReportFilters",
           "ReportInfo", "ReportView", "Series", "Table", "deadline_outcome"]
