"""The business calendar with the administrators' override table applied."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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
