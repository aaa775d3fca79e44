"""The ``dixian`` command: set up the database, deploy definitions and drive cases.

Each command is one transaction: it commits when it succeeds and writes nothing when it
fails, printing a one-line error and exiting non-zero.
"""
from __future__ import annotations

import functools
import json
import sys
from datetime import date, datetime, timezone

import click
from sqlalchemy import select

from . import (audit, calendars, cases, clock, definitions, demo, directory, households,
               timers, work_items)
from .calendar import TIMEZONE, library_knows_year
from .db import make_engine, migrate, session_factory
from .errors import DixianError, InvalidData
from .forms import mask_id_number
from .models import User, WorkItem


class Context:
    """What every command needs: a session factory, the clock and the output mode."""

    def __init__(self, db: str | None, as_json: bool, now: datetime | None):
        self.db, self.as_json, self._now = db, as_json, now
        self._engine, self._make = None, None

    @property
    def now(self) -> datetime:
        """The time commands act at: ``--now`` or the wall clock."""
        return self._now or clock.utcnow()

    @property
    def engine(self):
        """The database engine, created on first use."""
        if self._engine is None:
            self._engine = make_engine(self.db)
            self._make = session_factory(self._engine)
        return self._engine

    def session(self):
        """A new session on the configured database."""
        self.engine
        return self._make()

    def close(self) -> None:
        """Close the database connections."""
        if self._engine is not None:
            self._engine.dispose()

    def out(self, data, text: str) -> None:
        """Print JSON with ``--json``, else the human text."""
        if self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, default=str, indent=1))
        else:
            click.echo(text)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    return moment.astimezone(timezone.utc)


def _data(raw: str) -> dict:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise InvalidData(f"--data is not valid JSON: {err.msg} at column {err.colno}") from None
    if not isinstance(data, dict):
        raise InvalidData("--data must be a JSON object, e.g. '{\"decision\": \"approve\"}'")
    return data


def _item_dict(item: WorkItem) -> dict:
    return {"id": item.id, "case": item.case_id, "task": item.task_name, "title": item.title,
            "level": item.level, "area": item.area_code, "form": item.form,
            "assignee": item.assignee_id, "status": item.status,
            "due_at": item.due_at.isoformat() if item.due_at else None}


def _items_text(items) -> str:
    if not items:
        return "no open work items"
    lines = []
    for item in items:
        due = f" due {item.due_at.astimezone(TIMEZONE).strftime('%Y-%m-%d %H:%M')}" if item.due_at else ""
        lines.append(f"item {item.id}: case {item.case_id} {item.title} [{item.task_name}] "
                     f"{item.level} {item.area_code}{due}")
    return "\n".join(lines)


@click.group()
@click.option("--db", envvar="DIXIAN_DATABASE_URL", default=None,
              help="database URL (default $DIXIAN_DATABASE_URL or sqlite:///var/dixian.sqlite)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--now", default=None, help="act at this time (ISO 8601, China time if no zone)")
@click.pass_context
def main(ctx, db, as_json, now):
    """Dixian: rural-revitalization workflows on BPMN."""
    ctx.obj = Context(db, as_json, _parse_now(now))
    ctx.call_on_close(ctx.obj.close)


def command(group=main, **kwargs):
    """A subcommand run in one transaction with one-line errors."""
    def wrap(func):
        def run(obj, *args, **params):
            with obj.session() as session:
                try:
                    result = func(obj, session, *args, **params)
                    session.commit()
                    return result
                except DixianError as err:
                    session.rollback()
                    click.echo(f"error: {err}", err=True)
                    sys.exit(1)
        functools.update_wrapper(run, func)
        return group.command(**kwargs)(click.pass_obj(run))
    return wrap


def _user(session, name: str) -> User:
    return directory.find_user(session, name)


@main.command()
@click.option("--demo", "with_demo", is_flag=True, help="also create the demo county and users")
@click.option("--workflows", default="workflows", type=click.Path(file_okay=False),
              help="folder of BPMN files to deploy")
@click.pass_obj
def init(obj, with_demo, workflows):
    """Create or upgrade the database, deploy workflows/ and optionally the demo data."""
    migrate(obj.engine)
    with obj.session() as session:
        try:
            deployed = [(row.key, row.version, created) for row, created in
                        definitions.deploy_folder(session, workflows, None, obj.now)]
            users = []
            if with_demo:
                if session.scalar(select(User.id).limit(1)) is None:
                    users = demo.seed(session, obj.now)
            session.commit()
        except DixianError as err:
            session.rollback()
            click.echo(f"error: {err}", err=True)
            sys.exit(1)
    lines = [f"database ready: {obj.engine.url.render_as_string(hide_password=True)}"]
    lines += [f"definition {k} v{v} {'deployed' if c else 'unchanged'}" for k, v, c in deployed]
    if users:
        lines.append(f"demo users (password: {demo.PASSWORD}):")
        lines += [f"  {name:10} {level:9} {area}" for name, level, area in users]
    elif with_demo:
        lines.append("demo data not created: the database already has users")
    obj.out({"deployed": deployed, "demo_users": users,
             "demo_password": demo.PASSWORD if users else None}, "\n".join(lines))


@command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--forms", "forms_dir", default=None, help="forms folder (default ../forms)")
@click.option("--as", "as_user", default=None, help="deploying administrator")
def deploy(obj, session, paths, forms_dir, as_user):
    """Deploy BPMN (and DMN) files as a new version of their process."""
    actor = _user(session, as_user) if as_user else None
    if actor is not None and not actor.has_role("admin"):
        raise DixianError(f"user {actor.username} is not an administrator")
    bpmn, dmn, form_sources = definitions.collect_files(list(paths), forms_dir)
    row, created = definitions.deploy(session, bpmn, dmn, form_sources, actor, obj.now)
    obj.out({"key": row.key, "version": row.version, "sha256": row.sha256, "created": created},
            f"{row.key} v{row.version} {'deployed' if created else 'unchanged (same sha256)'}")


@command(name="definitions")
def list_definitions(obj, session):
    """List deployed definition versions."""
    rows = definitions.listing(session)
    obj.out([{"key": r.key, "version": r.version, "name": r.name, "sha256": r.sha256,
              "deployed_at": r.deployed_at} for r in rows],
            "\n".join(f"{r.key} v{r.version} {r.sha256[:12]} {r.name}" for r in rows)
            or "no definitions deployed")


@command()
@click.argument("key")
@click.option("--as", "as_user", required=True)
@click.option("--data", default="{}", help="start data as a JSON object")
@click.option("--version", type=int, default=None)
@click.option("--comment", default="")
def start(obj, session, key, as_user, data, version, comment):
    """Start a case of process KEY."""
    user = _user(session, as_user)
    case, items = cases.start_case(session, key, user, _data(data), obj.now, version, comment)
    obj.out({"case": case.id, "version": case.version, "items": [_item_dict(i) for i in items]},
            f"case {case.id} started\n{_items_text(items)}")


@command()
@click.option("--as", "as_user", required=True)
@click.option("--view", type=click.Choice(work_items.FILTERS), default="all")
def tasks(obj, session, as_user, view):
    """List the user's work items."""
    user = _user(session, as_user)
    items = work_items.inbox(session, user, view, obj.now, limit=200)
    obj.out([_item_dict(i) for i in items], _items_text(items))


@command()
@click.argument("item", type=int)
@click.option("--as", "as_user", required=True)
@click.option("--data", default="{}", help="form data as a JSON object")
@click.option("--comment", default="")
@click.option("--case-version", type=int, default=None,
              help="refuse if the case changed since this version")
def complete(obj, session, item, as_user, data, comment, case_version):
    """Complete work item ITEM with form data."""
    user = _user(session, as_user)
    items = cases.complete(session, item, user, _data(data), obj.now, case_version, comment)
    obj.out({"completed": item, "items": [_item_dict(i) for i in items]},
            f"item {item} completed\n{_items_text(items)}")


@command()
@click.argument("item", type=int)
@click.option("--as", "as_user", required=True)
def claim(obj, session, item, as_user):
    """Claim work item ITEM."""
    cases.claim(session, item, _user(session, as_user), obj.now)
    obj.out({"claimed": item}, f"item {item} claimed by {as_user}")


@command()
@click.argument("item", type=int)
@click.option("--as", "as_user", required=True)
def unclaim(obj, session, item, as_user):
    """Give work item ITEM back to the group."""
    cases.unclaim(session, item, _user(session, as_user), obj.now)
    obj.out({"unclaimed": item}, f"item {item} returned to the group")


@command(name="case")
@click.argument("case_id", type=int)
def show_case(obj, session, case_id):
    """Show a case: status, open items and its trail."""
    case = cases.get_case(session, case_id)
    items = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id)
                            .order_by(WorkItem.id)).all()
    events = audit.trail(session, case.id)
    data = {"id": case.id, "process": case.process_key, "status": case.status,
            "outcome": case.outcome, "reason": case.outcome_reason, "area": case.area_code,
            "household": case.household_id, "discovery_date": case.discovery_date,
            "deadline": case.deadline, "deadline_met_at": case.deadline_met_at,
            "version": case.version, "items": [_item_dict(i) for i in items],
            "trail": [{"seq": e.seq, "at": e.at, "actor": e.actor_name, "event": e.event,
                       "task": e.task_name, "comment": e.comment} for e in events]}
    overdue = cases.is_overdue(case, obj.now)
    data["overdue"] = overdue
    lines = [f"case {case.id} {case.process_key} {case.status}{' OVERDUE' if overdue else ''}"
             + (f" ({case.outcome}{': ' + case.outcome_reason if case.outcome_reason else ''})"
                if case.outcome else ""),
             f"area {case.area_code}  discovered {case.discovery_date or '-'}  deadline "
             f"{case.deadline.astimezone(TIMEZONE).strftime('%Y-%m-%d %H:%M') if case.deadline else '-'}"
             f"{'  met ' + case.deadline_met_at.strftime('%Y-%m-%d') if case.deadline_met_at else ''}"]
    lines += [f"  item {i.id} {i.status:9} {i.title} [{i.task_name}] {i.level}" for i in items]
    lines += [f"  #{e.seq} {e.at.astimezone(TIMEZONE).strftime('%Y-%m-%d %H:%M')} {e.actor_name} "
              f"{e.event} {e.task_name} {e.comment}".rstrip() for e in events]
    obj.out(data, "\n".join(lines))


@main.group()
def trail():
    """Audit trail commands."""


@command(group=trail, name="verify")
@click.argument("case_id", type=int)
def trail_verify(obj, session, case_id):
    """Verify a case's hash chain; exit 1 if any event was altered or removed."""
    result = audit.verify(session, case_id)
    obj.out({"case": case_id, "ok": result.ok, "events": result.events,
             "problem": result.problem},
            f"case {case_id}: trail intact, {result.events} events" if result.ok else
            f"case {case_id}: TRAIL BROKEN: {result.problem}")
    if not result.ok:
        sys.exit(1)


@main.group()
def area():
    """Administrative areas."""


@command(group=area, name="add")
@click.argument("code")
@click.argument("name")
@click.option("--parent", default=None)
def area_add(obj, session, code, name, parent):
    """Add an area by its 6/9/12-digit division code."""
    row = directory.add_area(session, code, name, parent)
    obj.out({"code": row.code, "name": row.name, "level": row.level},
            f"area {row.code} {row.name} ({row.level}) added")


@command()
def areas(obj, session):
    """List areas."""
    rows = directory.areas(session)
    obj.out([{"code": a.code, "name": a.name, "level": a.level, "parent": a.parent_code}
             for a in rows],
            "\n".join(f"{a.code:12} {a.level:9} {a.name}" for a in rows) or "no areas")


@main.group()
def user():
    """User accounts."""


@command(group=user, name="add")
@click.argument("name")
@click.option("--level", required=True, type=click.Choice(["village", "township", "county"]))
@click.option("--area", "area_code", required=True)
@click.option("--role", "roles", multiple=True, default=["staff"],
              type=click.Choice(sorted(directory.ROLES)))
@click.option("--password-stdin", is_flag=True, required=True,
              help="read the password from standard input")
def user_add(obj, session, name, level, area_code, roles, password_stdin):
    """Add a user; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\n")
    row = directory.add_user(session, name, level, area_code, password, ",".join(roles),
                             now=obj.now)
    obj.out({"username": row.username, "level": row.level, "area": row.area_code,
             "roles": row.roles}, f"user {row.username} added")


@command()
def users(obj, session):
    """List users."""
    rows = directory.users(session)
    obj.out([{"username": u.username, "level": u.level, "area": u.area_code, "roles": u.roles,
              "active": u.active} for u in rows],
            "\n".join(f"{u.username:12} {u.level:9} {u.area_code:12} {u.roles}" for u in rows))


@main.group()
def household():
    """The household register."""


@command(group=household, name="add")
@click.option("--as", "as_user", required=True)
@click.option("--head", required=True, help="name of the head of household")
@click.option("--id-number", required=True)
@click.option("--village", required=True)
@click.option("--members", type=int, default=1)
def household_add(obj, session, as_user, head, id_number, village, members):
    """Register a household."""
    row = households.add(session, _user(session, as_user), head, id_number, village, members,
                         now=obj.now)
    obj.out({"id": row.id}, f"household {row.id} {row.head_name} registered")


@command(name="households")
@click.option("--as", "as_user", required=True)
@click.option("--search", default="")
def list_households(obj, session, as_user, search):
    """List households in the user's area (ID numbers masked)."""
    rows = households.search(session, _user(session, as_user), search, limit=500)
    obj.out([{"id": h.id, "head": h.head_name, "id_number": mask_id_number(h.id_number),
              "village": h.village_code, "members": h.members} for h in rows],
            "\n".join(f"{h.id:4} {h.head_name} {mask_id_number(h.id_number)} {h.village_code}"
                      for h in rows) or "no households")


@main.group(name="calendar")
def calendar_group():
    """Working-day calendar overrides (for years the holiday library does not know yet)."""


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidData(f"{value!r} is not a date (YYYY-MM-DD)") from None


@command(group=calendar_group, name="set")
@click.argument("day")
@click.option("--workday/--holiday", required=True, help="working day or day off")
@click.option("--note", default="")
@click.option("--as", "as_user", default=None, help="the administrator making the change")
def calendar_set(obj, session, day, workday, note, as_user):
    """Mark DAY (YYYY-MM-DD) as a working day or a holiday."""
    actor = _user(session, as_user) if as_user else None
    calendars.set_day(session, _day(day), workday, note, actor, obj.now)
    obj.out({"day": day, "is_workday": workday},
            f"{day} is now a {'working day' if workday else 'holiday'}")


@command(group=calendar_group, name="unset")
@click.argument("day")
@click.option("--as", "as_user", default=None)
def calendar_unset(obj, session, day, as_user):
    """Remove the override of DAY."""
    actor = _user(session, as_user) if as_user else None
    calendars.remove_day(session, _day(day), actor, obj.now)
    obj.out({"day": day, "removed": True}, f"override of {day} removed")


@command(group=calendar_group, name="show")
@click.argument("year", type=int)
def calendar_show(obj, session, year):
    """List a year's overrides and whether holiday data exists for it."""
    rows = calendars.overrides(session, year)
    known = library_knows_year(year)
    obj.out({"year": year, "holiday_library": known,
             "overrides": [{"day": r.day, "is_workday": r.is_workday, "note": r.note}
                           for r in rows]},
            "\n".join([f"{year}: " + ("the holiday library covers this year" if known else
                                        "the holiday library does NOT cover this year: enter "
                                        "its holidays and 调休 days as overrides")
                        + f"; {len(rows)} override(s)"]
                      + [f"  {r.day} {'working day' if r.is_workday else 'holiday'} {r.note}"
                         for r in rows]))


@main.group(name="timers")
def timer_group():
    """Timer rows."""


@command(group=timer_group, name="fire")
@click.option("--limit", type=int, default=100)
def timers_fire(obj, session, limit):
    """Fire the timer rows that are due now (BPMN timers, overdue marks)."""
    sweep = timers.fire_due(session, obj.now, limit)
    obj.out({"fired": sweep.fired, "failed": sweep.failed},
            f"{sweep.fired} timer(s) fired" + "".join(f"\nfailed: timer {t}: {e}"
                                                      for t, e in sweep.failed))


@timer_group.command(name="run")
@click.option("--interval", type=float, default=15.0, help="seconds between sweeps")
@click.option("--limit", type=int, default=100, help="timer rows per batch")
@click.option("--once", is_flag=True, help="one sweep, then exit")
@click.pass_obj
def timers_run(obj, interval, limit, once):
    """The timer service: fire due rows in committed batches until stopped."""
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"timer service running (every {interval:g}s, batches of {limit})")
    while not stop.is_set():
        with obj.session() as session:
            sweep = timers.fire_due(session, clock.utcnow(), limit)
            session.commit()
        if sweep.fired or sweep.failed:
            click.echo(f"{clock.utcnow():%Y-%m-%d %H:%M:%S}Z fired {sweep.fired}, "
                       f"failed {len(sweep.failed)}")
        if once:
            break
        if sweep.fired < limit:  # a full batch means more are due: go again at once
            stop.wait(interval)
    click.echo("timer service stopped")


if __name__ == "__main__":
    main()
