"""Projects and connection funds by project type, and the industry share against 55%."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import case as when, func, select

from .. import policy
from ..funds import INDUSTRY_TARGET
from ..procedures.projects import TYPE_LABELS
from ..project_models import FundAllocation, FundPayment, Project
from ..projects import PROJECT_TYPES, yuan
from .base import Chart, Column, Headline, ReportView, Series, Table, label, share, sums

PROJECTS, ALLOCATIONS = Project.__table__, FundAllocation.__table__
PAYMENTS = FundPayment.__table__


def _scope(query, filters):
    return query.where(policy.prefix_range(PROJECTS.c.area_code, filters.area),
                       PROJECTS.c.year >= filters.date_from.year,
                       PROJECTS.c.year <= filters.date_to.year)


def _by_type(conn, filters, table) -> dict[str, int]:
    return {kind: int(total or 0) for kind, total in conn.execute(_scope(
        select(PROJECTS.c.project_type, func.sum(table.c.amount)).select_from(
            table.join(PROJECTS, PROJECTS.c.id == table.c.project_id)), filters).group_by(
        PROJECTS.c.project_type))}


def funds(conn, actor, filters, now: datetime) -> ReportView:
    """Projects of the years in the range, by type: proposed, admitted, budget, funds
    allocated and paid, each type's share of the allocations; the industry share."""
    admitted = func.sum(when((PROJECTS.c.status == "admitted", 1), else_=0))
    counted = {r.project_type: r for r in conn.execute(_scope(select(
        PROJECTS.c.project_type, func.count().label("n"), admitted.label("admitted"),
        func.sum(PROJECTS.c.budget_total).label("budget")), filters).group_by(
        PROJECTS.c.project_type))}
    allocated, paid = _by_type(conn, filters, ALLOCATIONS), _by_type(conn, filters, PAYMENTS)
    all_allocated = sum(allocated.values())
    rows = []
    for kind in (*PROJECT_TYPES, *sorted(set(counted) - set(PROJECT_TYPES))):
        r = counted.get(kind)
        rows.append((TYPE_LABELS.get(kind, label(kind, kind)), r.n if r else 0,
                     int(r.admitted or 0) if r else 0, yuan(int(r.budget or 0) if r else 0),
                     yuan(allocated.get(kind, 0)), yuan(paid.get(kind, 0)),
                     share(allocated.get(kind, 0), all_allocated)))
    total = sums([r[:6] for r in rows], 1, (label("合计", "Total"),)) + (
        Decimal("100.0") if all_allocated else None,)
    industry = share(allocated.get("industry", 0), all_allocated)
    meets = industry is not None and allocated.get("industry", 0) * 100 >= \
        all_allocated * INDUSTRY_TARGET
    columns = [Column("type", label("项目类型", "Project type"), "label"),
               Column("projects", label("项目数", "Projects")),
               Column("admitted", label("已入库", "Admitted")),
               Column("budget", label("计划投资（元）", "Budget (yuan)"), "yuan"),
               Column("allocated", label("已安排衔接资金（元）", "Funds allocated (yuan)"), "yuan"),
               Column("paid", label("已拨付（元）", "Paid (yuan)"), "yuan"),
               Column("share", label("占已安排资金（%）", "Share of allocations (%)"), "percent")]
    chart = Chart("bar", [r[0] for r in rows], [
        Series(label("占已安排资金（%）", "Share of allocations (%)"),
               [float(r[6]) if r[6] is not None else 0 for r in rows])],
        target=float(INDUSTRY_TARGET), unit="%")
    return ReportView(
        "funds", label("项目和衔接资金", "Projects and connection funds"), filters, now,
        [Table("types", label("按项目类型", "By project type"), columns, rows, total)], chart,
        [Headline(label("产业发展项目资金占比", "Share of funds on industry"),
                  f"{industry}%" if industry is not None else "—",
                  meets if industry is not None else None),
         Headline(label("目标", "Target"), f"≥ {INDUSTRY_TARGET}%")],
        [label("统计实施年度在所选期间内的项目；资金为安排到项目的衔接资金，金额单位为元。",
               "Projects whose year lies in the range; funds are the connection funds "
               "allocated to them, in yuan.")])
