"""The monthly-visit reminder (每月走访提醒): from ``DIXIAN_VISIT_REMINDER_DAY`` (20) of a
month, each village with households under watch not yet visited that month gets one
notification to its staff (kind ``visit_due``: the month and how many are due).

Once per village and month: the reminder's row (``visit_reminders``, keyed by both) is
inserted with ON CONFLICT DO NOTHING in the transaction that writes the notifications, so
two workers running it at once send it once — the second insert waits for the first
writer and then does nothing.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from . import notifying, watch
from .calendar import TIMEZONE
from .clue_models import HouseholdVisit
from .directory import area_names
from .register_models import VisitReminder

VISITS, REMINDERS = HouseholdVisit.__table__, VisitReminder.__table__
_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def due_by_village(conn, month: str) -> dict[str, int]:
    """Villages with households under watch not visited in ``month``: how many each."""
    watched = watch.households_under_watch("").subquery()
    visited = exists().where(VISITS.c.household_id == watched.c.id, VISITS.c.month == month)
    return dict(conn.execute(select(watched.c.village_code, func.count()).where(~visited)
                             .group_by(watched.c.village_code)
                             .order_by(watched.c.village_code)).all())


def remind(conn, settings, now: datetime, first_day: int) -> list[str]:
    """Send this month's reminders not sent yet; the villages reminded now."""
    today = now.astimezone(TIMEZONE).date()
    if today.day < first_day:
        return []
    month = today.strftime("%Y-%m")
    due = due_by_village(conn, month)
    if not due:
        return []
    names = area_names(conn, list(due))
    insert_of = _INSERTS[conn.dialect.name]
    sent = []
    for village, count in due.items():
        taken = conn.execute(insert_of(REMINDERS).values(
            village_code=village, month=month, due=count, sent_at=now)
            .on_conflict_do_nothing().returning(REMINDERS.c.village_code)).first()
        if taken is None:
            continue
        staff = notifying.staff_at(conn, "village", village)
        notifying.notify(conn, settings, staff, "visit_due", now, {
            "month": month, "due": count, "village": names.get(village, village),
            "case_title": names.get(village, village), "step": month})
        sent.append(village)
    return sent
