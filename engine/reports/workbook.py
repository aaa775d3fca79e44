"""Any report as an Excel workbook (openpyxl): a title, the filters, the headline figures,
each table with a styled Chinese header, numbers as numbers, and the notes."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..calendar import TIMEZONE
from .base import ReportView

LOCALE = "zh_CN"
FORMATS = {"int": "0", "percent": "0.0", "days": "0.0", "yuan": "#,##0.00",
           "date": "yyyy-mm-dd"}
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def text(value) -> str:
    """A label (``{"zh_CN": …}``) or plain value as the workbook's Chinese text."""
    return value.get(LOCALE, "") if isinstance(value, dict) else str(value)


def cell_value(value):
    """A cell as Excel keeps it: numbers as numbers, dates as dates, labels as text."""
    if isinstance(value, dict):
        return text(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float, date)) or value is None:
        return value
    return str(value)


def workbook(report: ReportView, process_name: str = "") -> bytes:
    """The .xlsx bytes of a report."""
    book = Workbook()
    sheet = book.active
    sheet.title = text(report.title)[:31].replace("（", "(").replace("）", ")")
    width = max([len(t.columns) for t in report.tables] + [4])
    f = report.filters
    sheet.append([text(report.title)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"区域：{f.area_name}　期间：{f.date_from:%Y-%m-%d} 至 {f.date_to:%Y-%m-%d}　"
                  f"流程：{process_name or '全部'}　生成时间："
                  f"{report.generated_at.astimezone(TIMEZONE):%Y-%m-%d %H:%M}"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for headline in report.headlines:
        sheet.append([text(headline.title), cell_value(headline.value)])
    widths = [10] * width
    for table in report.tables:
        sheet.append([])
        sheet.append([text(table.title)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        sheet.append([text(c.title) for c in table.columns])
        header = sheet.max_row
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(header, index)
            cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            widths[index - 1] = max(widths[index - 1], min(len(text(column.title)) * 2 + 2, 40))
        body = list(table.rows) if table.rows else []
        if not body:
            sheet.append([text(table.empty)])
        for values in body + ([table.total] if table.total and body else []):
            sheet.append([cell_value(v) for v in values])
            for index, column in enumerate(table.columns, start=1):
                cell = sheet.cell(sheet.max_row, index)
                cell.border = BORDER
                if column.kind in FORMATS:
                    cell.number_format = FORMATS[column.kind]
                if column.kind == "text":
                    widths[index - 1] = max(widths[index - 1],
                                            min(len(str(cell.value or "")) * 2 + 2, 50))
        if table.total and body:
            for index in range(1, len(table.columns) + 1):
                cell = sheet.cell(sheet.max_row, index)
                cell.font, cell.fill = Font(bold=True), TOTAL_FILL
    if report.notes:
        sheet.append([])
        for note in report.notes:
            sheet.append([text(note)])
    for index, value in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = value
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
