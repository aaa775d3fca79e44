"""Reading a department's warning file (部门筛查预警): CSV or XLSX, one person per row.

``read`` turns the file into a header and numbered rows (numbers as a spreadsheet shows
them: the header is row 1); ``check`` cleans each row and says, per column, what is wrong.
The columns are found by their header text, in Chinese or English, in any order:

| column | header | required |
|---|---|---|
| name | 姓名 | yes |
| id_number | 身份证号 | yes: 18 characters with a right check digit |
| village | 所在村 (12-digit code or the village's name) | unless the person's household is registered |
| reason | 预警事由 | yes |
| risk_types | 风险类型 (codes or names, separated by 、 , ;) | no, at most 5 |
| found_on | 预警日期 | no (default: the day of the import); not in the future |
| department | 部门 | no (default: the department chosen for the file) |
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from .errors import InvalidData
from .forms import id_number_problem

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
DEPARTMENTS = {"civil_affairs": "民政", "medical_insurance": "医保", "education": "教育",
               "housing": "住建", "water": "水利", "health": "卫健", "other": "其他"}
RISK_CODES = ("01", "0201", "0202", "0203", "0204", "0205", "0299", "03", "04", "05", "06",
              "07", "09", "99", "L01")
RISK_NAMES = {"因病": "01", "因灾": "0299", "因残": "03", "缺劳力": "04", "缺劳动力": "04",
              "因意外": "05", "产业失败": "06", "务工就业不稳": "07", "就业不稳": "07",
              "因学": "09", "其他": "99", "因疫": "L01"}
COLUMNS = {
    "name": ("姓名", "户主姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "id_number", "id number"),
    "village": ("所在村", "村", "村代码", "行政区划代码", "village"),
    "reason": ("预警事由", "预警原因", "事由", "reason"),
    "risk_types": ("风险类型", "risk_types", "risk types"),
    "found_on": ("预警日期", "发现日期", "date", "found_on"),
    "department": ("部门", "预警部门", "department"),
}
REQUIRED = ("name", "id_number", "reason")
LABELS = {"name": "姓名", "id_number": "身份证号", "village": "所在村", "reason": "预警事由",
          "risk_types": "风险类型", "found_on": "预警日期", "department": "部门"}
ID_PROBLEMS = {"length": ("应为 18 位", "must have 18 characters"),
               "characters": ("应为 17 位数字加数字或 X", "must be 17 digits and a digit or X"),
               "birthdate": ("出生日期不存在", "has an impossible birth date"),
               "checksum": ("校验位不正确", "has a wrong check digit")}


@dataclass(frozen=True)
class Sheet:
    """A file's header cells and its data rows, each with its row number in the file."""

    header: list[str]
    rows: list[tuple[int, list]]


def problem(column: str, zh: str, en: str) -> dict:
    """One thing wrong with a row, in both languages."""
    return {"column": column, "label": LABELS.get(column, column), "zh_CN": zh, "en": en}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read(filename: str, content: bytes) -> Sheet:
    """The header and rows of a CSV (UTF-8 or GB18030) or XLSX file."""
    if not content:
        raise InvalidData("the file is empty", {"file": "empty"})
    if len(content) > MAX_BYTES:
        raise InvalidData(f"the file has {len(content)} bytes; at most {MAX_BYTES} are "
                          f"allowed", {"file": "too large"})
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif (filename or "").lower().endswith((".xlsx", ".xls")):
        raise InvalidData("the file is not an XLSX workbook (save it as .xlsx or .csv)",
                          {"file": "type"})
    else:
        rows = _csv_rows(content)
    numbered = [(n, cells) for n, cells in enumerate(rows, start=1)]
    while numbered and not any(_text(c) for c in numbered[0][1]):
        numbered.pop(0)
    if not numbered:
        raise InvalidData("the file has no header row", {"file": "empty"})
    header = [_text(c) for c in numbered[0][1]]
    data = [(n, list(cells)) for n, cells in numbered[1:] if any(_text(c) for c in cells)]
    if len(data) > MAX_ROWS:
        raise InvalidData(f"the file has {len(data)} rows; at most {MAX_ROWS} per import",
                          {"file": "too many rows"})
    return Sheet(header, data)


def _csv_rows(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise InvalidData("the CSV file is neither UTF-8 nor GB18030", {"file": "encoding"})
    if "\x00" in text:
        raise InvalidData("the file is not a CSV text file", {"file": "type"})
    return list(csv.reader(io.StringIO(text, newline="")))


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - any unreadable workbook is the same refusal
        raise InvalidData(f"the XLSX workbook cannot be read: {err}", {"file": "type"}
                          ) from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def columns(header: list[str]) -> dict[str, int]:
    """Which cell of a row holds each known column; InvalidData naming missing ones."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = re.sub(r"[\s*（(].*$", "", cell).strip().lower() if cell else ""
        for name, titles in COLUMNS.items():
            if name not in found and key in titles:
                found[name] = index
    missing = [LABELS[n] for n in REQUIRED if n not in found]
    if missing:
        raise InvalidData("the header row lacks the column(s) " + "、".join(missing),
                          {"file": "columns"})
    return found


def department_code(value: str) -> str | None:
    """A department's code from its code or Chinese name (民政、医保…), or None."""
    value = (value or "").strip()
    if value in DEPARTMENTS:
        return value
    for code, name in DEPARTMENTS.items():
        if value and (value == name or value.startswith(name)):
            return code
    return None


def _date(value, today: date) -> tuple[date | None, dict | None]:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value).replace("/", "-").replace(".", "-")
        try:
            day = date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
        except ValueError:
            return None, problem("found_on", f"“{_text(value)}”不是日期（应为 YYYY-MM-DD）",
                                 f"{_text(value)!r} is not a date (YYYY-MM-DD)")
    if day > today:
        return None, problem("found_on", "不能晚于今天", "is in the future")
    return day, None


def _risks(value) -> tuple[list[str], dict | None]:
    parts = [p.strip() for p in re.split(r"[、,，;；/\s]+", _text(value)) if p.strip()]
    codes = []
    for part in parts:
        code = part if part in RISK_CODES else RISK_NAMES.get(part)
        if code is None:
            return [], problem("risk_types", f"“{part}”不是风险类型代码或名称",
                               f"{part!r} is not a risk type code or name")
        if code not in codes:
            codes.append(code)
    if len(codes) > 5:
        return [], problem("risk_types", "最多 5 项", "at most 5 risk types")
    return codes, None


def check_row(cells: list, at: dict[str, int], today: date, department: str) -> tuple[
        dict, list[dict]]:
    """A row's cleaned values and what is wrong with it (village not yet resolved)."""
    raw = {name: (cells[index] if index < len(cells) else None) for name, index in at.items()}
    values: dict = {"name": _text(raw.get("name")), "reason": _text(raw.get("reason")),
                    "village": _text(raw.get("village")), "department": department}
    problems = []
    if not values["name"]:
        problems.append(problem("name", "不能为空", "is empty"))
    elif len(values["name"]) > 50:
        problems.append(problem("name", "最多 50 个字", "has more than 50 characters"))
    id_number = _text(raw.get("id_number")).upper()
    values["id_number"] = id_number
    if not id_number:
        problems.append(problem("id_number", "不能为空", "is empty"))
    elif id_number_problem(id_number):
        zh, en = ID_PROBLEMS[id_number_problem(id_number)]
        problems.append(problem("id_number", f"“{id_number}”{zh}", f"{id_number!r} {en}"))
    if not values["reason"]:
        problems.append(problem("reason", "不能为空", "is empty"))
    elif len(values["reason"]) > 500:
        problems.append(problem("reason", "最多 500 个字", "has more than 500 characters"))
    values["risk_types"], bad = _risks(raw.get("risk_types"))
    problems += [bad] if bad else []
    found_on, bad = (_date(raw["found_on"], today) if _text(raw.get("found_on"))
                     else (today, None))
    values["found_on"] = found_on.isoformat() if found_on else ""
    problems += [bad] if bad else []
    if _text(raw.get("department")):
        code = department_code(_text(raw.get("department")))
        if code is None:
            problems.append(problem("department", f"“{_text(raw['department'])}”不是已知部门"
                                    f"（{'、'.join(DEPARTMENTS.values())}）",
                                    f"{_text(raw['department'])!r} is not a known department"))
        else:
            values["department"] = code
    return values, problems
