"""The working-day calendar: overrides for days the holiday library does not know."""
from __future__ import annotations

import click

from .context import admin_option, day, transactional
from .output import Report, table


@click.group()
def calendar():
    """Working-day calendar overrides (holidays and 调休 days)."""


@calendar.command(name="set")
@click.argument("date_text", metavar="DAY")
@click.option("--workday/--holiday", required=True, help="a working day or a day off")
@click.option("--note", default="")
@admin_option
@transactional(write=True)
def calendar_set(obj, date_text, workday, note, as_user):
    """Mark DAY (YYYY-MM-DD) as a working day or a holiday."""
    row = obj.engine.set_calendar_day(day(date_text), workday, note, obj.actor(as_user),
                                      obj.now)
    return Report(row, f"{row.day} is now a {'working day' if workday else 'holiday'}")


@calendar.command(name="unset")
@click.argument("date_text", metavar="DAY")
@admin_option
@transactional(write=True)
def calendar_unset(obj, date_text, as_user):
    """Remove the override of DAY, so the holiday library decides again."""
    when = day(date_text)
    obj.engine.remove_calendar_day(when, obj.actor(as_user), obj.now)
    return Report({"day": when, "removed": True}, f"override of {when} removed")


@calendar.command(name="show")
@click.argument("year", type=int)
@transactional(write=False)
def calendar_show(obj, year):
    """List YEAR's overrides and whether the holiday library covers it."""
    rows = obj.engine.calendar_overrides(year)
    known = obj.engine.calendar_knows(year)
    head = (f"{year}: " + ("holidays known (the holiday library or overrides)" if known
                           else "the holiday library does NOT cover this year: enter its "
                           "holidays and 调休 days as overrides") + f"; {len(rows)} override(s)")
    listing = table(rows, [("day", "day"), ("working day", "is_workday"), ("note", "note")],
                    empty="", indent="  ") if rows else ""
    return Report({"year": year, "holiday_library": known, "overrides": rows},
                  "\n".join(filter(None, [head, listing])))


COMMANDS = [calendar]
