"""The overall time limit of a case (总时限, the 15 days of identification): whether it was
met. This is the one rule: the compliance report, the daily update, the case pages and the
printed sheet all classify a case with ``deadline_outcome``.

A case stands, against its limit (``deadline``, the last instant of the last day):

- ``on_time``: decided (the limit's stop step completed, ``deadline_met_at``; an approval or a
  refusal at that step) by the deadline;
- ``late``: decided after it, or ended without a decision after it (cancelled, refused at an
  earlier step or ended otherwise when the limit had already passed);
- ``closed``: ended without a decision within the limit (cancelled or refused before the
  deciding step): neither on time nor late;
- ``open``: running, the limit not passed; ``overdue``: running past it;
- ``none``: the case has no limit.

Days late count China days after the limit's last day (a deadline at 24:00 ends the day
before); days taken count from the day the limit counts from, not counted itself.

``outcome_sql`` renders the same rule (state and days taken) as a SQL expression, so a report
over a year of a county's cases counts in the database instead of classifying 200,000 rows
in Python; tests/engine/test_deadlines.py checks both renderings agree on SQLite and
PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, and_, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .calendar import TIMEZONE

STATES = ("on_time", "late", "open", "overdue", "closed")
RUNNING = "running"


@dataclass(frozen=True)
class DeadlineOutcome:
    """How a case stands against its overall limit: ``state`` (see the module), the days
    taken up to the decision, the end or now (None without a start day), and the days after
    the limit's last day (0 unless ``late`` or ``overdue``)."""

    state: str
    days_taken: int | None
    days_late: int


def local_day(moment: datetime) -> date:
    """The China date of an instant."""
    return moment.astimezone(TIMEZONE).date()


def last_day(deadline: datetime) -> date:
    """The last day of a limit: the China date of the last instant before ``deadline``
    (a deadline at 23:59:59 and one at 24:00 both end on that day)."""
    return local_day(deadline - timedelta(microseconds=1))


def deadline_outcome(deadline: datetime | None, met_at: datetime | None,
                     ended_at: datetime | None, status: str, now: datetime,
                     counted_from: date | None = None) -> DeadlineOutcome:
    """On time, late, open, overdue, closed or none: the rule every deadline figure uses."""
    if deadline is None:
        return DeadlineOutcome("none", None, 0)
    running = status == RUNNING
    moment = met_at or (None if running else ended_at) or now
    day = local_day(moment)
    taken = (day - counted_from).days if counted_from else None
    if met_at is not None:
        state = "on_time" if met_at <= deadline else "late"
    elif running:
        state = "overdue" if now > deadline else "open"
    else:
        state = "late" if moment > deadline else "closed"
    if state not in ("late", "overdue"):
        return DeadlineOutcome(state, taken, 0)
    return DeadlineOutcome(state, taken, max((day - last_day(deadline)).days, 0))


# China has kept UTC+8 all year since 1991: a China date is the UTC instant plus 8 hours.
_OFFSET_HOURS = int(TIMEZONE.utcoffset(datetime(2026, 1, 1)).total_seconds() // 3600)


def outcome_sql(deadline, met_at, ended_at, status, now: datetime, counted_from):
    """``deadline_outcome`` as SQL over the given columns: the state (a string, as
    ``DeadlineOutcome.state``) and the days taken (an integer, NULL without a start day)."""
    now = literal(now, deadline.type)
    state = case((deadline.is_(None), "none"),
                 (and_(met_at.isnot(None), met_at <= deadline), "on_time"),
                 (met_at.isnot(None), "late"),
                 (and_(status == RUNNING, deadline < now), "overdue"),
                 (status == RUNNING, "open"),
                 (func.coalesce(ended_at, now) > deadline, "late"),
                 else_="closed")
    moment = func.coalesce(met_at, case((status != RUNNING, ended_at)), now)
    return state, case((deadline.isnot(None), _days_since(moment, counted_from)))


class _days_since(FunctionElement):
    """China days from a date to the China date of an instant (naive UTC in the database)."""

    type = Integer()
    inherit_cache = True
    name = "days_since"


@compiles(_days_since, "sqlite")
def _days_since_sqlite(element, compiler, **kw):
    # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' and rounds the fraction to milliseconds
    # (23:59:59.9999 would become the next day): the whole seconds decide the date.
    moment, start = (compiler.process(c, **kw) for c in element.clauses)
    return (f"CAST(julianday(date(substr({moment}, 1, 19), '+{_OFFSET_HOURS} hours')) - "
            f"julianday({start}) AS INTEGER)")


@compiles(_days_since)
def _days_since_default(element, compiler, **kw):
    moment, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({moment} + INTERVAL '{_OFFSET_HOURS} hours' AS DATE) - {start})"
