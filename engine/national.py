"""Exchange with 全国防返贫监测信息系统: the workbook of new and eliminated monitoring objects
and their members, in the column layout of a mapping file, and the record that a case was
entered into the national system.

The layout is ``exports/national_columns.json`` (``DIXIAN_NATIONAL_COLUMNS`` names another
file): per sheet a title and its columns, each a header and one of the fields of
``HOUSEHOLD_FIELDS`` or ``MEMBER_FIELDS``. "New" rows are households taken in within the
date range, "eliminated" rows those whose risk was eliminated within it (no range: every
monitored and every eliminated household). The national system takes full ID numbers, so
the workbook holds them: only staff export, and every export is in the global audit chain.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from . import policy, register
from .calendar import TIMEZONE
from .directory import area_names
from .errors import InvalidData
from .models import Household
from .register_models import HouseholdMember, MonitoringEvent, NationalEntry

HOUSEHOLDS, MEMBERS = Household.__table__, HouseholdMember.__table__
EVENTS, ENTRIES, OBJECTS = (MonitoringEvent.__table__, NationalEntry.__table__,
                            register.OBJECTS)
KINDS = {"new": "新识别监测对象", "eliminated": "风险消除"}
HOUSEHOLD_FIELDS = (
    "kind", "kind_label", "household_id", "county", "township", "village", "village_code",
    "head_name", "id_number", "masked_id", "members", "phone", "object_type", "risk_types",
    "income_per_head", "helper_name", "helper_unit", "helper_position", "aid_measures",
    "identified_on", "identified_case_id", "status_label", "elimination_mode_label",
    "eliminated_on", "elimination_case_id", "national_entered")
MEMBER_FIELDS = (
    "household_id", "head_name", "name", "id_number", "masked_id", "relation_label",
    "sex_label", "birth_date", "health_label", "disability_grade", "labour_capacity_label",
    "schooling_label", "employment")


@dataclass(frozen=True)
class Layout:
    """The sheets of the export: (title, [(header, field)]) for households and members."""

    households: tuple[str, list[tuple[str, str]]]
    members: tuple[str, list[tuple[str, str]]]


def load_layout(path: str) -> Layout:
    """The layout of a mapping file; refuses unknown fields, naming the file and column."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InvalidData(f"{path}: not a readable JSON mapping ({err})",
                          {"mapping": "unreadable"}) from None
    sheets = []
    for sheet, known in (("households", HOUSEHOLD_FIELDS), ("members", MEMBER_FIELDS)):
        part = raw.get(sheet) if isinstance(raw, dict) else None
        if not isinstance(part, dict) or not isinstance(part.get("columns"), list):
            raise InvalidData(f"{path}: sheet {sheet!r} with a list of columns is missing",
                              {"mapping": sheet})
        columns = []
        for number, col in enumerate(part["columns"], start=1):
            field = col.get("field") if isinstance(col, dict) else None
            if field not in known:
                raise InvalidData(f"{path}: {sheet} column {number}: unknown field {field!r}; "
                                  f"known: {', '.join(known)}", {"mapping": f"{sheet}.{number}"})
            columns.append((str(col.get("header") or field), field))
        sheets.append((str(part.get("title") or sheet)[:31], columns))
    return Layout(*sheets)


def _local(moment: datetime | None) -> date | None:
    return moment.astimezone(TIMEZONE).date() if moment is not None else None


def _label(kind: str, value: str) -> str:
    return register.choice_label(kind, value) if value else ""


def rows(conn, actor, start: date | None, end: date | None
         ) -> tuple[list[dict], list[dict]]:
    """Household rows (new, then eliminated) and member rows of the actor's area."""
    objects = conn.execute(select(OBJECTS, HOUSEHOLDS.c.head_name, HOUSEHOLDS.c.id_number,
                                  HOUSEHOLDS.c.members, HOUSEHOLDS.c.phone,
                                  HOUSEHOLDS.c.income_per_head).join(
        HOUSEHOLDS, HOUSEHOLDS.c.id == OBJECTS.c.household_id).where(
        policy.prefix_range(OBJECTS.c.village_code, actor.area_code)).order_by(
        OBJECTS.c.village_code, HOUSEHOLDS.c.head_name, HOUSEHOLDS.c.id)).all()
    ids = [o.household_id for o in objects]
    last = (select(EVENTS.c.household_id, func.max(EVENTS.c.id).label("id"))
            .where(EVENTS.c.event == "eliminated", EVENTS.c.household_id.in_(ids))
            .group_by(EVENTS.c.household_id).subquery())
    eliminated_case = dict(conn.execute(select(EVENTS.c.household_id, EVENTS.c.case_id).join(
        last, last.c.id == EVENTS.c.id)).all()) if ids else {}
    codes = {o.village_code[:n] for o in objects for n in (6, 9, 12)}
    names = area_names(conn, codes)
    cases = {c for c in [o.identified_case_id for o in objects] + list(eliminated_case.values())
             if c}
    entered = set(conn.execute(select(ENTRIES.c.case_id).where(
        ENTRIES.c.case_id.in_(cases))).scalars()) if cases else set()

    def within(day: date | None) -> bool:
        return day is not None and (start is None or day >= start) and (
            end is None or day <= end)

    found = []
    for kind in ("new", "eliminated"):
        for o in objects:
            identified, eliminated = _local(o.identified_at), _local(o.eliminated_at)
            if kind == "new" and not (within(identified) if start or end
                                      else o.status == register.MONITORING):
                continue
            if kind == "eliminated" and not (o.status == register.ELIMINATED and (
                    within(eliminated) if start or end else True)):
                continue
            case = o.identified_case_id if kind == "new" else eliminated_case.get(
                o.household_id)
            found.append({
                "kind": kind, "kind_label": KINDS[kind], "household_id": o.household_id,
                "county": names.get(o.village_code[:6], ""),
                "township": names.get(o.village_code[:9], ""),
                "village": names.get(o.village_code, ""), "village_code": o.village_code,
                "head_name": o.head_name, "id_number": o.id_number,
                "masked_id": register.mask_id_number(o.id_number), "members": o.members,
                "phone": o.phone or "", "object_type": o.object_type,
                "risk_types": o.risk_types.replace(",", "、"),
                "income_per_head": o.income_per_head, "helper_name": o.helper_name,
                "helper_unit": o.helper_unit, "helper_position": o.helper_position,
                "aid_measures": o.aid_measures.replace(",", "、"),
                "identified_on": identified, "identified_case_id": o.identified_case_id,
                "status_label": _label("status", o.status),
                "elimination_mode_label": _label("elimination_mode", o.elimination_mode),
                "eliminated_on": eliminated,
                "elimination_case_id": eliminated_case.get(o.household_id),
                "national_entered": "是" if case in entered else "否"})
    listed = sorted({r["household_id"] for r in found})
    heads = {r["household_id"]: r["head_name"] for r in found}
    members = [{"household_id": m.household_id, "head_name": heads[m.household_id],
                "name": m.name, "id_number": m.id_number,
                "masked_id": register.mask_id_number(m.id_number),
                "relation_label": _label("relation", m.relation),
                "sex_label": _label("sex", m.sex), "birth_date": m.birth_date,
                "health_label": _label("health", m.health),
                "disability_grade": m.disability_grade or "",
                "labour_capacity_label": _label("labour_capacity", m.labour_capacity),
                "schooling_label": _label("schooling", m.schooling) if m.schooling else "",
                "employment": m.employment}
               for m in (conn.execute(select(MEMBERS).where(
                   MEMBERS.c.household_id.in_(listed)).order_by(
                   MEMBERS.c.household_id, MEMBERS.c.position)) if listed else [])]
    return found, members


def workbook(layout: Layout, households: list[dict], members: list[dict]) -> bytes:
    """The two sheets as an .xlsx file: a bold header row, frozen, then the rows."""
    book = Workbook()
    for index, ((title, columns), records) in enumerate(
            ((layout.households, households), (layout.members, members))):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append([header for header, _ in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for record in records:
            sheet.append([record.get(field) if record.get(field) is not None else ""
                          for _, field in columns])
        for letter, (header, _) in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", columns):
            sheet.column_dimensions[letter].width = max(10, len(header) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
