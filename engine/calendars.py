"""The business calendar with the administrators' override table applied."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, extract, insert, select, update

from . import audit
from .calendar import BusinessCalendar
from .errors import NotFound
from .models import CalendarDay

DAYS = CalendarDay.__table__


@dataclass(frozen=True)
class Override:
    """An administrator's ruling on one day."""

    day: date
    is_workday: bool
    note: str


def load(conn) -> BusinessCalendar:
    """A calendar that knows China's holidays plus the rows of ``calendar_days``."""
    rows = conn.execute(select(DAYS.c.day, DAYS.c.is_workday)).all()
    return BusinessCalendar({day: workday for day, workday in rows})


def set_day(conn, day: date, is_workday: bool, note: str, actor, now: datetime) -> Override:
    """Mark one day as a working day or a holiday, replacing any earlier override.

    Due times already written keep their value; new ones follow the override.
    """
    values = {"is_workday": is_workday, "note": note or ""}
    if conn.execute(update(DAYS).where(DAYS.c.day == day).values(**values)).rowcount == 0:
        conn.execute(insert(DAYS).values(day=day, **values))
    audit.append_global(conn, "calendar_changed", actor, now,
                        {"day": day.isoformat(), "is_workday": is_workday, "note": note or ""})
    return Override(day, is_workday, note or "")


def remove_day(conn, day: date, actor, now: datetime) -> None:
    """Drop the override of one day, so the holiday library decides again."""
    if conn.execute(delete(DAYS).where(DAYS.c.day == day)).rowcount == 0:
        raise NotFound(f"no calendar override for {day.isoformat()}")
    audit.append_global(conn, "calendar_changed", actor, now,
                        {"day": day.isoformat(), "removed": True})


def overrides(conn, year: int) -> list[Override]:
    """The overrides of one year, in date order."""
    rows = conn.execute(select(DAYS).where(extract("year", DAYS.c.day) == year)
                        .order_by(DAYS.c.day))
    return [Override(r.day, r.is_workday, r.note) for r in rows]


def parse_dates(text: str, year: int, field: str, errors: dict) -> list[date]:
    """Dates of ``year`` written one per line or separated by commas or spaces; a range is
    written ``2027-10-01..2027-10-07``. Wrong entries are named in ``errors[field]``."""
    found: list[date] = []
    for word in text.replace(",", " ").replace("，", " ").replace("、", " ").split():
        first, _, last = word.partition("..")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError:
            errors[field] = f"{word} is not a date (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)"
            return []
        if start.year != year or end.year != year or end < start:
            errors[field] = f"{word} is not inside {year}"
            return []
        found += [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return found


def set_schedule(conn, year: int, holidays: list[date], workdays: list[date], note: str,
                 actor, now: datetime) -> int:
    """Enter a year's published schedule (holidays and 调休 working days) in one go; each
    day is an override, audited; returns how many days were set."""
    for day in holidays:
        set_day(conn, day, False, note, actor, now)
    for day in workdays:
        set_day(conn, day, True, note, actor, now)
    return len(holidays) + len(workdays)
