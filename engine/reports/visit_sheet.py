"""The 走访慰问情况统计表 as a workbook in the layout of notice 000's annex: ten columns, the
four sections with their merged headings, 监测户 over its three types, a cell per leader
level written as the notice writes it (***同志走访慰问**户**人), and the practices and cases
as text; a second sheet holds the visits by area."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..calendar import TIMEZONE
from .base import ReportView
from .visit_fields import HONOURS, LEADERS, PRACTICES
from .workbook import cell_value, text

WIDTH = 10
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SECTION_FILL = PatternFill("solid", fgColor="E7EEF6")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)


def _none(value):
    """A value as the workbook keeps it (amounts as numbers), 无 when nothing was entered."""
    if value in (None, ""):
        return "无"
    return value


def _people(total: tuple, index: int) -> str:
    """``N户M人`` of a group of the visited table's total row."""
    return f"{total[index]}户{total[index + 1]}人"


class _Sheet:
    def __init__(self, sheet):
        self.sheet, self.row = sheet, 0

    def put(self, cells: list[tuple[int, int, object]], height: int = 1, bold=False,
            fill=None, align=CENTER) -> None:
        """A band of ``height`` rows: (first column, last column, value) each merged over
        its columns and the band's rows."""
        top, bottom = self.row + 1, self.row + height
        for first, last, value in cells:
            cell = self.sheet.cell(top, first, value)
            cell.alignment, cell.font = align, Font(bold=bold)
            if fill:
                cell.fill = fill
            if last > first or bottom > top:
                self.sheet.merge_cells(start_row=top, start_column=first, end_row=bottom,
                                       end_column=last)
            for r in range(top, bottom + 1):
                for c in range(first, last + 1):
                    self.sheet.cell(r, c).border = BORDER
        self.row = bottom

    def section(self, title: str) -> None:
        self.put([(1, WIDTH, title)], bold=True, fill=SECTION_FILL)


def visit_workbook(report: ReportView) -> bytes:
    """The .xlsx bytes of the visits report in the notice's layout."""
    tables = {t.name: t for t in report.tables}
    visited, data = tables["visited"], _entered(tables)
    total = visited.total or (None,) + (0,) * (len(visited.columns) - 1)
    book = Workbook()
    sheet = book.active
    sheet.title = "走访慰问情况统计表"
    out = _Sheet(sheet)
    f = report.filters
    out.put([(1, WIDTH, f"{f.area_name}乡村振兴局走访慰问情况统计表")], bold=True)
    sheet.cell(1, 1).font = Font(bold=True, size=16)
    out.put([(1, WIDTH, f"统计期间：{f.date_from:%Y年%m月%d日}至{f.date_to:%Y年%m月%d日}　"
                        f"填报单位：{f.area_name}　生成时间："
                        f"{report.generated_at.astimezone(TIMEZONE):%Y-%m-%d %H:%M}")],
            align=LEFT)
    out.section("走访慰问人数")
    monitored = sum(total[1 + 2 * i] for i in range(3)), sum(total[2 + 2 * i] for i in range(3))
    top = out.row
    out.put([(i + 1, i + 1, zh) for i, (_k, zh, _e) in enumerate(HONOURS)], height=2)
    out.row = top
    out.put([(8, WIDTH, f"受灾户（{_people(total, 7)}）")], height=2)
    out.row = top
    out.put([(5, 7, f"监测户（{monitored[0]}户{monitored[1]}人）")])
    out.put([(5, 5, "脱贫不稳定户"), (6, 6, "边缘易致贫户"), (7, 7, "突发严重困难户")])
    out.put([*[(i + 1, i + 1, cell_value(data["honours"].get(k, "无")))
               for i, (k, _z, _e) in enumerate(HONOURS)],
             (5, 5, _people(total, 1)), (6, 6, _people(total, 3)), (7, 7, _people(total, 5)),
             (8, WIDTH, _people(total, 7))])
    out.section("开展走访慰问领导、部门及人数（走访慰问脱贫户、监测户情况）")
    out.put([(i + 1, i + 1, zh) for i, (_k, zh, _e, _kind) in enumerate(LEADERS)]
            + [(9, WIDTH, "")])
    out.put([(i + 1, i + 1, data["leaders"][i]) for i in range(len(LEADERS))]
            + [(9, WIDTH, "")], align=CENTER)
    sheet.row_dimensions[out.row].height = 48
    out.section("走访慰问措施")
    out.put([(1, 1, "慰问金（万元）"), (2, 3, "慰问品（简述慰问品及折合金额）（万元）"),
             (4, 4, "召开座谈会或茶话会等（个）"), (5, WIDTH, "其他")])
    out.put([(1, 1, data["measures"]["money"]), (2, 3, data["measures"]["goods"]),
             (4, 4, data["measures"]["meetings"]), (5, WIDTH, data["measures"]["other"])])
    out.section("主要做法和案例")
    for key, zh, _en in PRACTICES:
        lines = data["practices"].get(key)
        items = "\n".join(f"{n}. {line}" for n, line in enumerate(lines.split("\n"), start=1)
                          ) if lines else "无"
        out.put([(1, 2, zh), (3, WIDTH, items)], align=LEFT)
        sheet.cell(out.row, 1).alignment = CENTER
        sheet.row_dimensions[out.row].height = max(30, 15 * (items.count("\n") + 1))
    out.row += 1
    for note in ("注：1. 各项有情况即统计，无情况请填写无。",
                 "2. 做法和案例部分简述，条数不限，每条不超过100字。",
                 "走访慰问人数按所选期间内的入户走访记录统计（一户多次走访计一户）。"):
        out.put([(1, WIDTH, note)], align=LEFT)
        sheet.cell(out.row, 1).border = Border()
    for column in range(1, WIDTH + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 15
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    _by_area(book.create_sheet("按区域"), visited)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _entered(tables) -> dict:
    """The hand-entered values as the layout writes them (无 where nothing was entered)."""
    honours = dict(zip([k for k, _z, _e in HONOURS], tables["honours"].rows[0]))
    m = dict(zip([c.key for c in tables["measures"].columns], tables["measures"].rows[0]))
    goods = "；".join(v for v in (m.get("goods"), f"折合{m['goods_value']}万元"
                                  if m.get("goods_value") else None) if v)
    return {"honours": {k: v for k, v in honours.items() if v not in (None, "")},
            "leaders": [row[-1] for row in tables["leaders"].rows],
            "measures": {"money": float(m["money"]) if m.get("money") else "无", "goods": goods or "无",
                         "meetings": _none(m.get("meetings")),
                         "other": _none(m.get("other_measures"))},
            "practices": {k: row[1] for (k, _z, _e), row in zip(PRACTICES,
                                                                   tables["practices"].rows)}}


def _by_area(sheet, table) -> None:
    sheet.append([text(c.title) for c in table.columns])
    for cell in sheet[1]:
        cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BORDER
    for row in list(table.rows) + ([table.total] if table.total else []):
        sheet.append([cell_value(v) for v in row])
    for column in range(1, len(table.columns) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
