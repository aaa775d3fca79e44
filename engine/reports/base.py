"""What every report is made of: its filters, tables, chart and notes, as plain view objects.

A report is a function ``(conn, actor, filters, now) -> ReportView``. The web page, the CLI
and the Excel writer render the same ``ReportView``: labels are ``{"zh_CN": …, "en": …}``
and a cell is a number, a text, a date or such a label. Every query is scoped to the
filters' area (a code inside the actor's area) with ``policy.prefix_range``, a range an
index on the area column can scan; no query puts a function around an indexed column in
its WHERE clause.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, literal_column, select

from .. import policy
from ..calendar import TIMEZONE
from ..directory import areas
from ..errors import Forbidden, InvalidData
from ..models import DefinitionVersion, Level

DEFINITIONS = DefinitionVersion.__table__
MAX_DAYS = 3 * 366 + 1  # the longest date range a report reads


def label(zh: str, en: str) -> dict[str, str]:
    """A text in both UI languages."""
    return {"zh_CN": zh, "en": en}


LEVEL_LABELS = {"village": label("村级", "Village"), "township": label("乡镇级", "Township"),
                "county": label("县级", "County")}


@dataclass(frozen=True)
class Column:
    """A table column: its key, its title in both languages, and what its cells hold
    (``text``, ``int``, ``percent``, ``days``, ``yuan``, ``date``, ``label``)."""

    key: str
    title: dict[str, str]
    kind: str = "int"


@dataclass(frozen=True)
class Table:
    """One table of a report; ``total`` is its sum row (None: no sum makes sense)."""

    name: str
    title: dict[str, str]
    columns: list[Column]
    rows: list[tuple]
    total: tuple | None = None
    empty: dict[str, str] = field(default_factory=lambda: label("无数据", "No data"))


@dataclass(frozen=True)
class Series:
    """One series of a chart: its name and a value per category."""

    name: dict[str, str]
    values: list


@dataclass(frozen=True)
class Chart:
    """A chart of the report: ``bar``, ``stacked`` (stacked bars) or ``line``; ``target``
    draws a line at that value (the 55% industry share, say); ``unit`` follows values."""

    kind: str
    categories: list
    series: list[Series]
    target: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class ReportFilters:
    """The checked filters: an area inside the actor's, a date range (China dates, both
    days included) and a process key ('' for all)."""

    area: str
    area_name: str
    date_from: date
    date_to: date
    process: str = ""

    def bounds(self) -> tuple[datetime, datetime]:
        """The range as UTC instants: from 00:00 of the first day to 24:00 of the last."""
        start = datetime.combine(self.date_from, time(), TIMEZONE)
        end = datetime.combine(self.date_to + timedelta(days=1), time(), TIMEZONE)
        return start, end


@dataclass(frozen=True)
class Headline:
    """A figure shown above the tables (the industry share, the on-time rate)."""

    title: dict[str, str]
    value: object
    ok: bool | None = None


@dataclass(frozen=True)
class ReportView:
    """A report as every front-end shows it."""

    name: str
    title: dict[str, str]
    filters: ReportFilters
    generated_at: datetime
    tables: list[Table]
    chart: Chart | None = None
    headlines: list[Headline] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ReportInfo:
    """A report in the list of reports."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    default_days: int
    by_process: bool = True  # the process filter applies (cases); False: register, visits


def check_filters(conn, actor, area: str | None, date_from, date_to, process: str | None,
                  today: date, default_days: int) -> ReportFilters:
    """The filters made whole and checked: the actor's area unless one inside it is given,
    the last ``default_days`` days unless dates are given; clear errors otherwise."""
    area = (area or "").strip() or actor.area_code
    if not policy.within(area, actor.area_code):
        raise Forbidden(f"area {area} is outside {actor.username}'s area {actor.area_code}")
    known = {a.code: a.name for a in areas(conn, area) if a.code == area}
    if area not in known:
        raise InvalidData(f"area {area} does not exist", {"area": "unknown"})
    errors = {}
    first, last = _day(date_from, "date_from", errors), _day(date_to, "date_to", errors)
    if errors:
        raise InvalidData("invalid dates: " + "; ".join(errors.values()),
                          dict.fromkeys(errors, "invalid"))
    last = last or today
    first = first or last - timedelta(days=default_days - 1)
    if first > last:
        raise InvalidData(f"the range starts on {first} after it ends on {last}",
                          {"date_from": "after date_to"})
    if (last - first).days >= MAX_DAYS:
        raise InvalidData("a report covers at most three years", {"date_from": "too early"})
    process = (process or "").strip()
    if process and process not in process_names(conn):
        raise InvalidData(f"no process {process!r} is deployed", {"process": "unknown"})
    return ReportFilters(area, known[area], first, last, process)


def _day(value, name: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = f"{name} {value!r} is not a date (YYYY-MM-DD)"
        return None


def process_names(conn) -> dict[str, str]:
    """Deployed processes: key -> the name of its latest version."""
    latest = select(DEFINITIONS.c.key, func.max(DEFINITIONS.c.version).label("v")).group_by(
        DEFINITIONS.c.key).subquery()
    return dict(conn.execute(select(DEFINITIONS.c.key, DEFINITIONS.c.name).join(
        latest, (latest.c.key == DEFINITIONS.c.key) & (latest.c.v == DEFINITIONS.c.version))
        .order_by(DEFINITIONS.c.key)).all())


def child_length(area: str) -> int:
    """Digits of the areas a report breaks ``area`` into: a county into townships, a
    township into villages; a village is not broken down."""
    return {6: Level.TOWNSHIP.code_length, 9: Level.VILLAGE.code_length}.get(len(area),
                                                                             len(area))


def children(conn, area: str) -> list[tuple[str, str]]:
    """(code, name) of the areas one level under ``area`` (the area itself for a village)."""
    length = child_length(area)
    return [(a.code, a.name) for a in areas(conn, area) if len(a.code) == length]


def prefix(column, length: int):
    """The first ``length`` characters of a code column, for GROUP BY (never WHERE)."""
    # Literals, not bound parameters: PostgreSQL takes a SELECT expression and a GROUP BY
    # expression for the same only when they are written alike, parameters included.
    return func.substr(column, literal_column("1"), literal_column(str(int(length))))


def in_area_joined(conn, column, area: str):
    """``column`` (a case's area, joined to the rows a query is driven by) lies in ``area``.
    On SQLite it is written so that no index on it can serve (``substr(…) = 'code'``): the
    query then reads its driving rows (open work items, 督办) by their own index and each
    case by its key, instead of every case of the area first (a county's million), which
    SQLite's planner, without statistics on ranges, would otherwise do. PostgreSQL's planner
    estimates the area's range from its statistics and needs it as a range: given the
    function instead it guesses a few cases and scans them all first."""
    if conn.dialect.name != "sqlite":
        return policy.prefix_range(column, area)
    if not area.isdigit():
        raise ValueError(f"not an area code: {area!r}")
    return prefix(column, len(area)) == literal_column(f"'{area}'")


def share(part, whole) -> Decimal | None:
    """``part`` of ``whole`` in per cent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"))


def local_day(moment: datetime | None) -> date | None:
    """The China date of an instant."""
    return moment.astimezone(TIMEZONE).date() if moment is not None else None


def constant(column, value: str):
    """``column = 'value'`` with the value written into the SQL: a partial index whose
    condition names that value (``status = 'open'``) serves the query on SQLite too, which
    cannot match a bound parameter against it."""
    if not value.isidentifier():
        raise ValueError(f"not a plain constant: {value!r}")
    return column == literal_column(f"'{value}'")


def month_bounds(filters) -> list[tuple[str, datetime, datetime]]:
    """``(YYYY-MM, first instant, end)`` of each China month of the range, clipped to it."""
    start, end = filters.bounds()
    found = []
    for month in months(filters.date_from, filters.date_to):
        year, number = int(month[:4]), int(month[5:])
        first = datetime(year, number, 1, tzinfo=TIMEZONE)
        after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=TIMEZONE)
        found.append((month, max(first, start), min(after, end)))
    return found


def months(first: date, last: date) -> list[str]:
    """``YYYY-MM`` of every month from ``first`` to ``last``."""
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def sums(rows: list[tuple], first: int, label_cells: tuple) -> tuple:
    """A total row: ``label_cells``, then the column sums of every row from ``first`` on."""
    width = len(rows[0]) if rows else first
    return label_cells + tuple(sum(r[i] or 0 for r in rows) for i in range(first, width))
