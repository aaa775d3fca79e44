"""Driving cases: start one, list work items, complete, claim, hand on, cancel, show."""
from __future__ import annotations

import click

from engine import INBOX_VIEWS

from .context import json_object, transactional
from .output import Report, cell, jsonable, table
from .supervision import supervisions_table

ITEM_COLUMNS = [("item", "id"), ("case", "case_id"), ("title", "title"), ("task", "task_name"),
                ("level", "level"), ("area", "area_code"), ("assignee", "assignee"),
                ("due", lambda i: f"{cell(i.due_at)}{' OVERDUE' if i.overdue else ''}")]
CASE_ITEM_COLUMNS = [("item", "id"), ("title", "title"), ("task", "task_name"),
                     ("level", "level"), ("status", "status"), ("by", "completed_by_name"),
                     ("at", "completed_at"), *ITEM_COLUMNS[-1:]]
TRAIL_COLUMNS = [("#", "seq"), ("at", "at"), ("actor", "actor"), ("event", "event"),
                 ("task", "task_name"), ("comment", "comment")]


def items_table(items) -> str:
    """Open work items as a table."""
    return table(items, ITEM_COLUMNS, empty="no open work items")


as_user = click.option("--as", "as_user", required=True, help="the user who acts")
item_argument = click.argument("item", type=int)


@click.command()
@click.argument("key")
@as_user
@click.option("--data", default="{}", help="start data as a JSON object")
@click.option("--version", type=int, default=None, help="this version, not the latest")
@click.option("--comment", default="")
@transactional(write=True)
def start(obj, key, as_user, data, version, comment):
    """Start a case of process KEY."""
    started = obj.engine.start(key, obj.actor(as_user), json_object(data), obj.now, version,
                               comment)
    return Report(started, f"case {started.case.id} started\n{items_table(started.items)}")


@click.command()
@as_user
@click.option("--view", type=click.Choice(INBOX_VIEWS), default="all", show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--size", type=click.IntRange(1, 500), default=100, help="items per page")
@transactional(write=False)
def tasks(obj, as_user, view, page, size):
    """List the user's work items (overdue first, then by due time)."""
    actor = obj.actor(as_user)
    inbox = obj.engine.inbox(actor, view, page, size, obj.now)
    more = f"\nmore: --page {page + 1}" if inbox.has_next else ""
    watched = obj.engine.supervisions(actor, True, obj.now)
    text = items_table(inbox.items) + more
    if watched:
        text += "\n督办 items (overdue steps below you):\n" + supervisions_table(watched)
    return Report({**jsonable(inbox), "supervisions": jsonable(watched)}, text)


@click.command()
@item_argument
@as_user
@click.option("--data", default="{}", help="form data as a JSON object")
@click.option("--comment", default="")
@click.option("--case-version", type=int, default=None,
              help="refuse if the case changed since this version")
@transactional(write=True)
def complete(obj, item, as_user, data, comment, case_version):
    """Complete work item ITEM with form data."""
    done = obj.engine.complete(item, obj.actor(as_user), json_object(data), obj.now,
                               case_version, comment)
    return Report(done, f"item {item} completed\n{items_table(done.items)}")


def holding_command(verb: str, summary: str, said: str) -> click.Command:
    """A command taking or giving back work item ITEM: engine verb ``verb``."""
    @click.command(name=verb, help=summary)
    @item_argument
    @as_user
    @transactional(write=True)
    def command(obj, item, as_user):
        view = getattr(obj.engine, verb)(item, obj.actor(as_user), obj.now)
        return Report(view, said.format(item=view.id, user=as_user))
    return command


claim = holding_command("claim", "Claim work item ITEM (签收): only you may complete it.",
                        "item {item} claimed by {user}")
unclaim = holding_command("unclaim", "Give work item ITEM back to the group.",
                          "item {item} returned to the group")


@click.command()
@item_argument
@as_user
@click.option("--to", "to_user", required=True, help="the colleague who takes the item")
@click.option("--comment", default="")
@transactional(write=True)
def reassign(obj, item, as_user, to_user, comment):
    """Hand work item ITEM to a colleague of its level and area (转办)."""
    view = obj.engine.reassign(item, obj.actor(as_user), obj.actor(to_user).id, obj.now,
                               comment)
    return Report(view, f"item {view.id} handed to {to_user}")


@click.command(name="take-over")
@item_argument
@as_user
@click.option("--reason", required=True, help="why the item is taken from its holder")
@click.option("--to", "to_user", default=None,
              help="a colleague to give it to (default: yourself if you may act on it, "
                   "else back to the group)")
@transactional(write=True)
def take_over(obj, item, as_user, reason, to_user):
    """Take over work item ITEM from the colleague who claimed it (接管): administrators,
    and the lead (负责人) of its level and area."""
    view = obj.engine.take_over(item, obj.actor(as_user), reason,
                                obj.actor(to_user).id if to_user else None, obj.now)
    return Report(view, f"item {view.id} taken over; now with "
                        f"{view.assignee or 'the group'}")


@click.command()
@click.argument("case_id", metavar="CASE", type=int)
@as_user
@click.option("--reason", required=True, help="why the case is cancelled")
@transactional(write=True)
def cancel(obj, case_id, as_user, reason):
    """Cancel running case CASE (county staff of its area)."""
    brief = obj.engine.cancel(case_id, obj.actor(as_user), reason, obj.now)
    return Report(brief, f"case {brief.id} cancelled")


@click.command(name="case")
@click.argument("case_id", metavar="CASE", type=int)
@click.option("--as", "as_user", default=None,
              help="read as this user (default: the local operator)")
@transactional(write=False)
def show_case(obj, case_id, as_user):
    """Show case CASE: status, work items and its trail."""
    view = obj.engine.case(case_id, obj.actor(as_user), obj.now)
    case, verified = view.case, view.verification
    outcome = f" ({case.outcome}{': ' + case.outcome_reason if case.outcome_reason else ''})" \
        if case.outcome else ""
    met = (f"  {'LATE' if case.deadline_state == 'late' else 'met'} "
           f"{cell(case.deadline_met_at or case.ended_at)}"
           if case.deadline_state in ("met", "late") else "")
    if case.days_late:
        met += f" ({case.days_late} days late)"
    chain = (f"trail intact, {verified.events} events" if verified.ok
             else f"TRAIL BROKEN: {verified.problem}")
    lines = [f"case {case.id} {case.process_key} v{view.definition.version} {case.status}"
             f"{outcome}{' OVERDUE' if case.overdue else ''}",
             f"{case.title or '-'}  area {case.area_code}  counted from "
             f"{cell(case.deadline_from)}  deadline {cell(case.deadline)}{met}",
             "work items:", table(view.items, CASE_ITEM_COLUMNS, "no work items", "  "),
             f"{chain}:", table(view.trail, TRAIL_COLUMNS, indent="  ")]
    return Report(view, "\n".join(lines))


COMMANDS = [start, tasks, complete, claim, unclaim, reassign, take_over, cancel, show_case]
