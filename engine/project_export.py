"""The library as an Excel workbook in the columns a county reports (openpyxl).

One row per project, amounts in 万元 with four decimals, a title row and a frozen header.
"""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .calendar import TIMEZONE
from .procedures.projects import TYPE_LABELS

STATUS_LABELS = {"proposed": "入库审核中", "admitted": "已入库", "rejected": "未予入库",
                 "withdrawn": "已撤销"}
HEADERS = ["序号", "项目名称", "项目类型", "乡镇", "村", "是否跨村", "实施年度", "建设内容及规模",
           "主管部门", "总投资（万元）", "中央衔接资金（万元）", "省级衔接资金（万元）",
           "市级衔接资金（万元）", "县级衔接资金（万元）", "其他资金（万元）", "受益户数", "受益人数",
           "其中监测对象户数", "联农带农机制", "绩效目标", "入库状态", "应急优先", "入库时间",
           "已安排资金（万元）", "已拨付资金（万元）"]
TITLE = "巩固拓展脱贫攻坚成果和乡村振兴项目库"
WIDTHS = {"项目名称": 28, "建设内容及规模": 36, "联农带农机制": 30, "绩效目标": 36}


def wan(amount: Decimal) -> float:
    """Yuan as 万元 (ten thousand yuan), four decimals."""
    return float((amount / 10000).quantize(Decimal("0.0001")))


def row(number: int, p) -> list:
    """One project's cells in HEADERS order."""
    return [number, p.name, TYPE_LABELS.get(p.project_type, {}).get("zh_CN", p.project_type),
            p.township, p.village or "—", "是" if p.cross_village else "否", p.year, p.content,
            p.department, wan(p.budget_total), wan(p.budget["central"]),
            wan(p.budget["provincial"]), wan(p.budget["municipal"]), wan(p.budget["county"]),
            wan(p.budget["other"]), p.beneficiary_households, p.beneficiary_people,
            p.monitoring_households, p.benefit_mechanism, "；".join(p.performance_targets),
            STATUS_LABELS.get(p.status, p.status), "是" if p.priority else "否",
            p.admitted_at.astimezone(TIMEZONE).strftime("%Y-%m-%d") if p.admitted_at else "",
            wan(p.allocated), wan(p.paid)]


def workbook(found: list, now: datetime) -> bytes:
    """The .xlsx bytes of the projects, titled with the export time."""
    book = Workbook()
    sheet = book.active
    sheet.title = "项目库"
    sheet.append([f"{TITLE}（导出时间 {now.strftime('%Y-%m-%d %H:%M')}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for number, project in enumerate(found, start=1):
        sheet.append(row(number, project))
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(header, 12)
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
