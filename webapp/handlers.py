"""Request handlers shared by the HTML pages and the JSON API.

Each handler calls the engine once for the logged-in user and returns the engine's view
object (``InboxPage``, ``TaskView``, ``CaseView``, ``Completed`` …), which the page renders
and the API serialises. A write commits the request's transaction when the verb succeeds
and rolls it back when it fails, so that a page may catch the error and render again.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import current_app

from engine import Actor, CaseBrief, CaseView, Completed, InboxPage, ItemView, Started, TaskView

from .auth import current_engine_user
from .i18n import locale_name
from .transaction import engine

T = TypeVar("T")


def me() -> Actor:
    """The logged-in user (session or API token)."""
    return current_engine_user()


def write(verb: Callable[..., T], *args, **kwargs) -> T:
    """Run an engine verb in the request's transaction; commit on success, else roll back."""
    try:
        result = verb(*args, **kwargs)
    except BaseException:
        engine().rollback()
        raise
    engine().commit()
    return result


def now():
    """The engine's clock (the wall clock, or the one a test set)."""
    return engine().clock()


def inbox(view: str, page: int) -> InboxPage:
    """One page of one view of the user's inbox, with the counts of every view."""
    return engine().inbox(me(), view, page, current_app.config["PAGE_SIZE"])


def task(item_id: int) -> TaskView:
    """A work item as its page and the API show it."""
    return engine().task(item_id, me())


def task_form(item_id: int) -> tuple[ItemView, dict | None]:
    """A work item and its form, as a completion reads the posted form (the whole
    ``TaskView`` only when the page is shown again)."""
    return engine().task_form(item_id, me())


def case(case_id: int) -> CaseView:
    """A case as its page and the API show it."""
    return engine().case(case_id, me())


def periods(case_id: int) -> list:
    """The periods (publicity) of a case, with whether the user may lodge in them."""
    return engine().periods(case_id, me())


def sheet(view: TaskView) -> list:
    """The approval sheet of a task's case: the steps done before this one."""
    done = view.item.completed_at
    return [e for e in engine().approval_sheet(view.case.id, me())
            if done is None or e.at < done]


def complete(item_id: int, data: dict, version: int | None, comment: str = "") -> Completed:
    """Complete a work item; the engine checks access and state, then validates ``data``."""
    return write(engine().complete, item_id, me(), data, expected_version=version,
                 comment=comment, locale=locale_name())


def start(key: str, data: dict, comment: str = "") -> Started:
    """Start a case of the process ``key`` from its start form's data."""
    return write(engine().start, key, me(), data, comment=comment, locale=locale_name())


def claim(item_id: int) -> ItemView:
    """Take an unclaimed work item."""
    return write(engine().claim, item_id, me())


def unclaim(item_id: int) -> ItemView:
    """Give a claimed work item back to the group."""
    return write(engine().unclaim, item_id, me())


def reassign(item_id: int, to_user: int, comment: str = "") -> ItemView:
    """Hand a work item to a colleague (转办)."""
    return write(engine().reassign, item_id, me(), to_user, comment=comment)


def take_over(item_id: int, reason: str, to_user: int | None = None,
              holder: int | None = None) -> ItemView:
    """Take over (接管) an item a colleague claimed (from ``holder``, if given)."""
    return write(engine().take_over, item_id, me(), reason, to_user, holder=holder)


def cancel(case_id: int, reason: str) -> CaseBrief:
    """Cancel a running case with a reason."""
    return write(engine().cancel, case_id, me(), reason)


def colleagues(item: ItemView) -> list[Actor]:
    """Who the current user could hand a work item to (the engine's reassign rule)."""
    return engine().colleagues(item.id, me())


def attach(case_id: int, item_id: int | None, filename: str, content_type: str,
           content: bytes, kind: str):
    """Attach a PDF, JPEG or PNG file to a case (from a work item's page)."""
    return write(engine().attach, case_id, me(), filename, content_type, content, kind,
                 item_id=item_id)


# Supervision (督办), urging, notifications, the overdue board, timers --------------------

def notifications(page: int, unread_only: bool = False):
    """The user's notifications page."""
    return engine().notifications(me(), page, unread_only)


def mark_read(ids: list[int] | None):
    """Mark the user's notifications read (these, or all)."""
    return write(engine().mark_read, me(), ids)


def supervisions(open_only: bool = True):
    """The 督办 items of the user's level and area."""
    return engine().supervisions(me(), open_only)


def urge(item_id: int, note: str):
    """Urge the holder of a work item."""
    return write(engine().urge, item_id, me(), note)


def overdue_board(area: str = ""):
    """The overdue board of the user's area or an area inside it."""
    return engine().overdue_board(me(), area)


def pending_timers(incidents: bool, page: int):
    """Pending timer rows or incidents, and how many."""
    return engine().pending_timers(me(), incidents, page)


def timer_workers():
    """The timer workers holding a lease."""
    return engine().workers(me())


def retry_timer(timer_id: int):
    """Send an incident back to the timer service."""
    return write(engine().retry_timer, timer_id, me())
