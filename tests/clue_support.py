"""Helpers for the risk-clue tests: valid ID numbers and department warning files."""
from __future__ import annotations

import io

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
HEADER = ["序号", "姓名", "身份证号", "所在村", "预警事由", "风险类型", "预警日期"]
IDENTIFICATION = "workflows/monitoring_identification.bpmn"


def id_number(serial: int, born: str = "19700101", place: str = "360799") -> str:
    """A valid 18-character ID number (right check digit) for a serial number."""
    body = f"{place}{born}{serial % 1000:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


def csv_file(rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8-sig"
             ) -> bytes:
    """A CSV file with the header and rows."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    """An XLSX workbook with the header and rows (dates as date cells)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mixed_rows(on: str = "2026-11-10", slashed: str = "2026/11/12") -> list[list]:
    """Three good rows (one a registered household), a bad ID, a missing reason, an unknown
    village, and a repeat of the first row: rows 2–8 of the file."""
    rows = [
        [1, "赵大山", id_number(101), "东山村", "低保边缘，2026年医疗自付 3.2 万元", "01", "2026-11-10"],
        [2, "王建国", "360799196503124515", "", "住房鉴定为 C 级危房", "因灾", "2026/11/12"],
        [3, "钱小梅", id_number(102), "360799200001", "子女辍学风险", "09、99", ""],
        [4, "孙二", "360799197001011230", "东山村", "大病", "01", "2026-11-10"],
        [5, "李四", id_number(103), "西河村", "", "01", "2026-11-10"],
        [6, "周五", id_number(104), "不存在村", "残疾", "03", "2026-11-10"],
        [7, "赵大山", id_number(101), "东山村", "重复", "01", "2026-11-10"],
    ]
    return [[{"2026-11-10": on, "2026/11/12": slashed}.get(c, c) for c in row] for row in rows]
