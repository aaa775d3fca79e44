"""Business calendar for Dixian deadlines (办理时限).

Deadlines in rural-revitalization workflows are written either in natural
days (自然日) or in working days (工作日).  Working days follow the official
Chinese State Council holiday schedule, including adjusted working days
(调休, e.g. a Saturday that is declared a working day), as published in the
``chinesecalendar`` library.  For years that library does not know yet, an
administrator-maintained override table can supply the data; without it the
calendar falls back to "Monday to Friday are working days".

All local dates are taken in Asia/Shanghai.  Deadlines are returned as aware
UTC datetimes at the end (23:59:59) of the local due day.

The module is pure and deterministic: it never reads the system clock, so
callers always pass ``now`` explicitly.
"""

from __future__ import annotations

import enum
import zoneinfo
from collections.abc import Mapping
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta, timezone

import chinese_calendar

__all__ = ["TIMEZONE", "DayKind", "BusinessCalendar"]

TIMEZONE = zoneinfo.ZoneInfo("Asia/Shanghai")

_END_OF_DAY = time(23, 59, 59)
_ONE_DAY = timedelta(days=1)


class DayKind(str, enum.Enum):
    """How a time limit is counted: natural (calendar) days or working days."""

    NATURAL = "natural"
    WORKING = "working"

    @classmethod
    def parse(cls, value: DayKind | str) -> DayKind:
        """Parse "natural"/"working" (any case) or "自然日"/"工作日" into a DayKind."""
        if isinstance(value, DayKind):
            return value
        if not isinstance(value, str):
            raise ValueError(
                f"day kind must be a string such as 'natural', 'working', "
                f"'自然日' or '工作日', got {type(value).__name__} {value!r}"
            )
        key = value.strip().lower()
        if key in _DAY_KIND_ALIASES:
            return _DAY_KIND_ALIASES[key]
        raise ValueError(
            f"unknown day kind {value!r}; expected one of "
            f"'natural', 'working', '自然日', '工作日'"
        )


_DAY_KIND_ALIASES: dict[str, DayKind] = {
    "natural": DayKind.NATURAL,
    "自然日": DayKind.NATURAL,
    "working": DayKind.WORKING,
    "工作日": DayKind.WORKING,
}


def _require_date(d: object, name: str) -> date:
    """Reject datetimes (whose local date would be ambiguous) and non-dates."""
    if isinstance(d, datetime):
        raise TypeError(
            f"{name} must be a date, not a datetime; convert it to its "
            f"Asia/Shanghai local date first (or use due_at/days_left)"
        )
    if not isinstance(d, date):
        raise TypeError(f"{name} must be a date, got {type(d).__name__}")
    return d


def _local_date(value: datetime | date) -> date:
    """Local Asia/Shanghai date of an instant; naive datetimes are UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(TIMEZONE).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a datetime or date, got {type(value).__name__}")


def library_knows_year(year: int) -> bool:
    """Whether chinese_calendar has holiday data for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


class BusinessCalendar:
    """Working-day calendar: overrides, then chinese_calendar, then Mon–Fri."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        """Create a calendar; ``overrides`` maps a date to is_workday and wins over the library."""
        self._overrides: dict[date, bool] = {}
        for d, is_work in (overrides or {}).items():
            self._overrides[_require_date(d, "override key")] = bool(is_work)
        self._override_years = frozenset(d.year for d in self._overrides)

    @property
    def overrides(self) -> dict[date, bool]:
        """A copy of the override table (date -> is_workday)."""
        return dict(self._overrides)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (override > library > Monday–Friday)."""
        d = _require_date(d, "d")
        override = self._overrides.get(d)
        if override is not None:
            return override
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            return d.weekday() < 5

    def knows_year(self, year: int) -> bool:
        """Whether holiday data exists for ``year`` (library data or at least one override in it)."""
        if not MINYEAR <= year <= MAXYEAR:
            return False
        return year in self._override_years or library_knows_year(year)

    def add_days(self, start: date, days: int, kind: DayKind | str) -> date:
        """Date ``days`` natural days after ``start``, or the ``days``-th working day strictly after it.

        ``days == 0`` returns ``start`` unchanged (even if it is not a working
        day).  A negative ``days`` counts backwards symmetrically: for working
        days it is the ``|days|``-th working day strictly before ``start``.
        """
        start = _require_date(start, "start")
        kind = DayKind.parse(kind)
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, got {type(days).__name__}")
        if kind is DayKind.NATURAL or days == 0:
            return start + timedelta(days=days)
        step = _ONE_DAY if days > 0 else -_ONE_DAY
        remaining = abs(days)
        current = start
        while remaining:
            current += step
            if self.is_workday(current):
                remaining -= 1
        return current

    def due_at(self, start: datetime | date, days: int, kind: DayKind | str) -> datetime:
        """Deadline: 23:59:59 Asia/Shanghai on ``add_days(local date of start)``, moved to the
        next working day when that day is a rest day, as an aware UTC datetime. The start day
        itself is not counted (Civil Code arts. 201 and 203).

        A naive ``start`` datetime is interpreted as UTC; a plain ``date`` is
        taken as the local (Asia/Shanghai) date itself.
        """
        due_date = self.add_days(_local_date(start), days, kind)
        if days > 0:
            # Civil Code art. 203: a period whose last day is a rest day (法定休假日, the
            # calendar's non-working days, 调休 included) ends on the first working day after.
            while not self.is_workday(due_date):
                due_date += _ONE_DAY
        local_end = datetime.combine(due_date, _END_OF_DAY, tzinfo=TIMEZONE)
        return local_end.astimezone(timezone.utc)

    def days_left(self, now: datetime | date, due: datetime | date, kind: DayKind | str) -> int:
        """Days of ``kind`` from now's local date to due's local date; 0 on the due day, negative when overdue.

        Only Asia/Shanghai local dates are compared (time of day is ignored;
        naive datetimes are UTC, plain dates are local dates).  With
        ``today`` = local date of ``now`` and ``due_day`` = local date of ``due``:

        * natural: ``(due_day - today).days``.
        * working, ``today <= due_day``: the number of working days in the
          half-open range ``(today, due_day]``, so that
          ``days_left(start, due_at(start, n, WORKING), WORKING) == n``.  It is
          0 on the due day (and also when only non-working days remain
          before a due day that is itself not a working day).
        * working, ``today > due_day`` (overdue): minus the number of working
          days in ``(due_day, today]``, but at least -1 -- a case is overdue
          (negative) from the first day after the due day even if that day
          is a weekend or holiday.
        """
        kind = DayKind.parse(kind)
        today = _local_date(now)
        due_day = _local_date(due)
        if kind is DayKind.NATURAL:
            return (due_day - today).days
        if today <= due_day:
            return self._count_workdays(today, due_day)
        return -max(1, self._count_workdays(due_day, today))

    def _count_workdays(self, after: date, until: date) -> int:
        """Number of working days d with ``after < d <= until``."""
        count = 0
        current = after
        while current < until:
            current += _ONE_DAY
            if self.is_workday(current):
                count += 1
        return count
