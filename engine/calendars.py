"""The business calendar with the administrators' override table applied."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from . import audit
from .calendar import BusinessCalendar
from .errors import NotFound
from .models import CalendarDay, User


def load(session: Session) -> BusinessCalendar:
    """A calendar that knows China's holidays plus the rows of ``calendar_days``."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    return BusinessCalendar({day: workday for day, workday in rows})


def set_day(session: Session, day: date, is_workday: bool, note: str = "",
            actor: User | None = None, now: datetime | None = None) -> CalendarDay:
    """Mark one day as a working day or a holiday, replacing any earlier override.

    Due times already written keep their value; new ones follow the override.
    """
    row = session.get(CalendarDay, day) or CalendarDay(day=day)
    row.is_workday, row.note = is_workday, note
    session.add(row)
    if now is not None:
        audit.record(session, None, "calendar_changed", actor, now,
                     data={"day": day.isoformat(), "is_workday": is_workday, "note": note})
    session.flush()
    return row


def remove_day(session: Session, day: date, actor: User | None, now: datetime) -> None:
    """Drop the override of one day, so the holiday library decides again."""
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound(f"no calendar override for {day.isoformat()}")
    session.delete(row)
    audit.record(session, None, "calendar_changed", actor, now,
                 data={"day": day.isoformat(), "removed": True})
    session.flush()


def overrides(session: Session, year: int) -> list[CalendarDay]:
    """The overrides of one year, in date order."""
    return list(session.scalars(select(CalendarDay).where(
        extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)))
