"""Supervision from the command line: 督办 items, urging (催办), notifications, the board."""
from __future__ import annotations

import click

from engine import notification_text as text_of

from .context import transactional
from .output import Report, table

SUPERVISION_COLUMNS = [
    ("督办", "id"), ("case", "case_id"), ("step", "step"), ("item", "work_item_id"),
    ("area", "step_area_name"), ("days over", "days_overdue"),
    ("holder", lambda s: s.holder or f"({s.step_level} staff)"), ("level", "level"),
    ("status", lambda s: s.outcome or ("OVERDUE" if s.overdue else "open"))]
NOTIFICATION_COLUMNS = [("#", "id"), ("at", "created_at"), ("kind", "kind"),
                        ("case", "case_id"), ("item", "work_item_id"),
                        ("read", lambda n: n.read_at is not None),
                        ("message", lambda n: text_of(n.kind, n.data, "en"))]
BOARD_COLUMNS = [("area", "area_code"), ("name", "name"), ("village", "village"),
                 ("township", "township"), ("county", "county"), ("督办", "supervised"),
                 ("at risk", "at_risk")]

as_user = click.option("--as", "as_user", required=True, help="the user who acts")


def supervisions_table(items) -> str:
    """督办 items as a table."""
    return table(items, SUPERVISION_COLUMNS, empty="no 督办 items")


@click.command()
@click.argument("item", type=int)
@as_user
@click.option("--note", default="", help="what the holder is asked to do")
@transactional(write=True)
def urge(obj, item, as_user, note):
    """Urge (催办) the holder of work item ITEM: a level above, in its area."""
    urged = obj.engine.urge(item, obj.actor(as_user), note, obj.now)
    return Report(urged, f"item {item} urged; {urged.notified} user(s) notified")


@click.command()
@as_user
@click.option("--unread", is_flag=True, help="only the unread ones")
@click.option("--read-all", is_flag=True, help="then mark them all read")
@click.option("--page", type=click.IntRange(min=1), default=1)
@transactional(write=True)
def notifications(obj, as_user, unread, read_all, page):
    """The user's notifications (督办, 催办, returned, assigned, due tomorrow)."""
    actor = obj.actor(as_user)
    found = obj.engine.notifications(actor, page, unread)
    text = f"{found.unread} unread\n" + table(found.items, NOTIFICATION_COLUMNS,
                                              empty="no notifications")
    if read_all:
        text += f"\n{obj.engine.mark_read(actor, None, obj.now)} marked read"
    return Report(found, text)


@click.command()
@as_user
@click.option("--all", "show_all", is_flag=True, help="closed ones too")
@transactional(write=False)
def supervisions(obj, as_user, show_all):
    """The 督办 items of the user's level and area."""
    found = obj.engine.supervisions(obj.actor(as_user), not show_all, obj.now)
    return Report(found, supervisions_table(found))


@click.command()
@as_user
@click.option("--area", default="", help="an area inside the user's (default: theirs)")
@transactional(write=False)
def board(obj, as_user, area):
    """The overdue board: overdue steps at every level by area, cases at risk."""
    found = obj.engine.overdue_board(obj.actor(as_user), area, obj.now)
    lines = [f"{found.area_name} ({found.area_code}): {found.totals.overdue} overdue, "
             f"{found.totals.supervised} under 督办, {found.totals.at_risk} at risk",
             table(found.rows, BOARD_COLUMNS, "nothing overdue")]
    if found.at_risk:
        lines += ["cases at risk of missing their limit:", table(found.at_risk, [
            ("case", "case_id"), ("title", "title"), ("area", "area_name"),
            ("deadline", "deadline"), ("hours left", "hours_left")], indent="  ")]
    return Report(found, "\n".join(lines))


@click.command()
@click.argument("username")
@click.option("--as", "as_user", default=None, help="an administrator (default: the user)")
@click.option("--email", default="", help="e-mail address for notifications")
@click.option("--phone", default="", help="mobile number for SMS notifications")
@transactional(write=True)
def contact(obj, username, as_user, email, phone):
    """Set where USERNAME's notifications are also sent (e-mail, SMS)."""
    user = obj.actor(username)
    obj.engine.set_contact(user.id, obj.actor(as_user) if as_user else user, email, phone)
    return Report({"user": username, "email": email, "phone": phone},
                  f"{username}: e-mail {email or '-'}, phone {phone or '-'}")


COMMANDS = [urge, notifications, supervisions, board, contact]
