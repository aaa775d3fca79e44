"""Reports the county sends upward (DOMAIN.md §5), built from the same data as the pages.

Each report is a function ``(conn, actor, filters, now) -> ReportView`` listed in
``REPORTS`` with its title, description and default date range; ``ReportVerbs`` checks the
policy and the filters and runs it; ``workbook`` writes any report as an Excel workbook.

Indexes the report queries use (see README): ``cases.area_code`` (the area range) and, by
date, ``ix_cases_started_at``, ``ix_cases_ended_at``, ``ix_cases_deadline_from``,
``ix_cases_deadline_met_at``; open and overdue items through ``ix_work_items_queue`` and
``ix_work_items_open_due``; work done in a day through ``ix_work_items_completed_at``;
projects through ``ix_projects_area_year``.
"""
from __future__ import annotations

from .base import (Chart, Column, Headline, ReportFilters, ReportInfo, ReportView, Series,
                   Table, label)
from .cases import overdue, stages, trend
from .compliance import DeadlineOutcome, compliance, deadline_outcome
from .daily import daily
from .funds import funds

REPORTS = {
    "stages": (ReportInfo("stages", label("在办案件（按环节和层级）", "Open cases by step and level"),
                          label("各环节、各层级的在办事项和逾期事项，按下级区域分列。",
                                "Open work items at each step and level, by area."), 1096),
               stages),
    "trend": (ReportInfo("trend", label("案件趋势（按月）", "Cases over time (by month)"),
                         label("每月新增、办结、不予通过和撤销的案件。",
                               "Cases started, completed, not approved and cancelled per "
                               "month."), 365), trend),
    "overdue": (ReportInfo("overdue", label("逾期事项", "Overdue work"),
                           label("逾期未办的事项（按层级、乡镇和村）和超过总时限的案件。",
                                 "Overdue work items by level, township and village, and "
                                 "cases past their overall limit."), 1096), overdue),
    "compliance": (ReportInfo("compliance", label("时限办结情况（15天）",
                                                  "Time-limit compliance (15 days)"),
                              label("按时办结和超期办结的案件、按时率、平均和最长用时，超期案件及原因。",
                                    "Cases decided on time and late, the on-time rate, "
                                    "average and longest days, late cases with reasons."),
                              31), compliance),
    "funds": (ReportInfo("funds", label("项目和衔接资金", "Projects and connection funds"),
                         label("各类项目的入库、计划投资、资金安排和拨付，产业项目资金占比（目标55%）。",
                               "Projects by type: admitted, budget, funds allocated and "
                               "paid, and the industry share (target 55%)."), 365), funds),
    "daily": (ReportInfo("daily", label("每日工作动态", "Daily work update"),
                         label("当日新增申报、审批、办结和逾期情况，供每日16:00报送。",
                               "The day's declarations, decisions, completions and overdue "
                               "work, for the 16:00 report."), 1), daily),
}

__all__ = ["REPORTS", "Chart", "Column", "DeadlineOutcome", "Headline", "ReportFilters",
           "ReportInfo", "ReportView", "Series", "Table", "deadline_outcome"]
