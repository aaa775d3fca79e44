"""The business calendar with the administrators' override table applied."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import BusinessCalendar
from .models import CalendarDay


def load(session: Session) -> BusinessCalendar:
    """A calendar that knows China's holidays plus the rows of ``calendar_days``."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    return BusinessCalendar({day: workday for day, workday in rows})


def set_day(session: Session, day, is_workday: bool, note: str = "") -> CalendarDay:
    """Mark one day as a working day or a holiday, replacing any earlier override."""
    row = session.get(CalendarDay, day) or CalendarDay(day=day)
    row.is_workday, row.note = is_workday, note
    session.add(row)
    return row
