"""Risk elimination, rollback and the national system: ``dixian elimination …``,
``dixian national entered …``, ``dixian export national …``, ``dixian visits remind``."""
from __future__ import annotations

from pathlib import Path

import click

from .context import transactional
from .output import Report, cell, table

as_user = click.option("--as", "as_user", required=True, help="the user who acts")


@click.group()
def elimination():
    """Risk elimination (风险消除) of monitoring objects; the county's rollback (回退).

    A proposal starts a case: ``dixian start risk_elimination --as VILLAGE_USER --data
    '{"household_id": …, "mode": "assisted", "checkers": […], …}'``."""


@elimination.command()
@click.argument("household_id", metavar="HOUSEHOLD", type=int)
@as_user
@transactional(write=False)
def check(obj, household_id, as_user):
    """Whether each condition of risk elimination holds for HOUSEHOLD today."""
    found = obj.engine.elimination_conditions(household_id, obj.actor(as_user), obj.now)
    met = all(c.ok for c in found)
    lines = [f"household {household_id}: " + ("every condition met" if met else
                                               "conditions NOT met"),
             table(found, [("condition", "key"), ("met", lambda c: "yes" if c.ok else "NO"),
                           ("detail", "detail_en")])]
    return Report({"household_id": household_id, "met": met,
                   "conditions": [c.as_dict() for c in found]}, "\n".join(lines))


@elimination.command()
@click.argument("household_id", metavar="HOUSEHOLD", type=int)
@as_user
@click.option("--reason", required=True, help="why the elimination is rolled back")
@transactional(write=True)
def rollback(obj, household_id, as_user, reason):
    """Roll back HOUSEHOLD's risk elimination (county staff): monitoring again."""
    done = obj.engine.roll_back_elimination(household_id, obj.actor(as_user), reason, obj.now)
    return Report(done, f"household {household_id}: elimination (case {done['case_id']}) "
                        f"rolled back; monitored again")


@elimination.command()
@click.argument("household_id", metavar="HOUSEHOLD", type=int)
@as_user
@transactional(write=False)
def history(obj, household_id, as_user):
    """HOUSEHOLD's monitoring history: taken in, eliminated, rolled back."""
    lines = obj.engine.monitoring_history(household_id, obj.actor(as_user))
    return Report(lines, table(lines, [("at", lambda h: cell(h.at)), ("event", "event"),
                                       ("case", "case_id"), ("mode", "mode"),
                                       ("by", "actor"), ("reason", "reason")],
                               "no monitoring history"))


@click.group()
def national():
    """Entry into 全国防返贫监测信息系统."""


@national.command()
@click.argument("case_id", metavar="CASE", type=int)
@as_user
@click.option("--note", default="", help="e.g. the national system's record number")
@transactional(write=True)
def entered(obj, case_id, as_user, note):
    """Record that CASE (taken in or eliminated) was entered into the national system."""
    entry = obj.engine.record_national_entry(case_id, obj.actor(as_user), note, obj.now)
    return Report(entry, f"case {case_id} entered into the national system by "
                         f"{entry.entered_by} at {cell(entry.entered_at)}")


@click.group(name="export")
def export_group():
    """Exports for other systems."""


@export_group.command(name="national")
@as_user
@click.option("--xlsx", "out", required=True, type=click.Path(dir_okay=False),
              help="the .xlsx file to write")
@click.option("--from", "start", default=None, help="first day (taken in or eliminated)")
@click.option("--to", "end", default=None, help="last day (taken in or eliminated)")
@transactional(write=True)
def export_national(obj, as_user, out, start, end):
    """New and eliminated monitoring objects of the user's area and their members, in the
    layout of DIXIAN_NATIONAL_COLUMNS (exports/national_columns.json)."""
    content, households, members = obj.engine.export_national(obj.actor(as_user), start,
                                                               end, obj.now)
    obj.after_commit.append(lambda: Path(out).write_bytes(content))
    return Report({"file": out, "households": households, "members": members},
                  f"wrote {out}: {households} household rows, {members} member rows")


@click.command(name="remind-visits")
@transactional(write=True)
def remind_visits(obj):
    """Send this month's visit reminders not yet sent (what the timer worker does)."""
    villages = obj.engine.remind_visits(obj.now)
    return Report({"villages": villages}, f"reminded {len(villages)} village(s)" + (
        ": " + ", ".join(villages) if villages else ""))


COMMANDS = [elimination, national, export_group, remind_visits]
