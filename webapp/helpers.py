"""Template filters and globals shared by every page."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import TIMEZONE, BusinessCalendar, mask_id_number

from . import display
from .i18n import locale_name
from .transaction import engine

_CALENDAR = BusinessCalendar()


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in Asia/Shanghai time."""
    if value is None:
        return ""
    return value.astimezone(TIMEZONE).strftime(fmt)


def days_left(due: datetime | date | None) -> int | None:
    """Natural days from today to the due day: 0 on the day, negative when overdue."""
    if due is None:
        return None
    return _CALENDAR.days_left(engine().clock(), due, "natural")


def due_text(due: datetime | date | None) -> str:
    """"3 days left", "due today" or "2 days overdue"."""
    left = days_left(due)
    if left is None:
        return ""
    if left == 0:
        return _("due today")
    if left > 0:
        return ngettext("%(num)d day left", "%(num)d days left", left)
    return ngettext("%(num)d day overdue", "%(num)d days overdue", -left)


def due_class(due: datetime | None) -> str:
    """A CSS class for the urgency of a due time."""
    left = days_left(due)
    if left is None:
        return ""
    return "overdue" if left < 0 or (isinstance(due, datetime) and due < engine().clock()) \
        else "due-soon" if left <= 1 else ""


def calendar_gaps() -> list[int]:
    """This year and the next where no holidays are known (shown to administrators)."""
    return engine().calendar_gaps()


def nav_counts() -> dict[str, int]:
    """The inbox counts for the navigation, read once per request (none without a queue)."""
    from .auth import current_engine_user

    if "nav_counts" not in g:
        user = current_engine_user()
        g.nav_counts = engine().counts(user) if user is not None else {}
    return g.nav_counts


def count_text(counts: dict[str, int], view: str) -> str:
    """A view's count as the tabs show it: the done view's beyond its limit as "1000+"."""
    from engine import DONE_COUNT_LIMIT

    value = counts.get(view, 0)
    return f"{DONE_COUNT_LIMIT}+" if view == "done" and value > DONE_COUNT_LIMIT else str(value)


def unread_count() -> int:
    """The bell's number: the user's unread notifications, read once per request."""
    from .auth import current_engine_user

    if "unread" not in g:
        user = current_engine_user()
        g.unread = engine().unread(user) if user is not None else 0
    return g.unread


def open_supervisions() -> int:
    """How many 督办 items the user's level and area hold, read once per request."""
    from .auth import current_engine_user

    if "supervised" not in g:
        user = current_engine_user()
        g.supervised = engine().open_supervisions(user) if user is not None else 0
    return g.supervised


def area_name(code: str) -> str:
    """The name of an administrative area, read once per request."""
    known = g.setdefault("area_names", {})
    if code not in known:
        known[code] = engine().area_names([code]).get(code, code)  # one row, not the subtree
    return known[code]


MAX_PAGE = 1_000_000  # past every list's end, and inside every database's integer


def page_arg() -> int:
    """The ``page`` query argument: 1 unless a positive number is given (at most
    ``MAX_PAGE``, an empty page)."""
    page = request.args.get("page", "1")
    if not page.isascii() or not page.isdigit():
        return 1
    return min(max(int(page[:9]) if len(page) <= 9 else MAX_PAGE, 1), MAX_PAGE)


def stale_message() -> str:
    """What a user sees when someone else acted first or the case changed."""
    return _("This task has already been handled by someone else or the case has changed. "
             "Please reload and try again.")


def colon() -> str:
    """The colon after a label: full-width in Chinese (办理期限：), ": " in English."""
    return ": " if locale_name() == "en" else "："


def url_for_page(page: int) -> str:
    """The current URL with another ``page`` argument."""
    args = dict(request.args)
    args.update(request.view_args or {})
    args["page"] = page
    return url_for(request.endpoint, **args)


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.add_template_filter(localtime)
    app.add_template_filter(due_text)
    app.add_template_filter(due_class)
    app.add_template_filter(mask_id_number, "mask_id")
    app.add_template_filter(display.step_title)
    app.add_template_filter(display.value_text)
    app.add_template_filter(display.process_name)
    app.add_template_global(nav_counts)
    app.add_template_global(unread_count)
    app.add_template_global(open_supervisions)
    app.add_template_global(calendar_gaps)
    app.add_template_global(area_name)
    app.add_template_global(count_text)
    app.add_template_global(url_for_page)
    app.add_template_global(colon)
    app.add_template_global(locale_name)
    app.add_template_global(display.STATUS_LABELS, "status_labels")

    @app.context_processor
    def _globals():
        from .auth import current_engine_user

        return {"me": current_engine_user(), "languages": current_app.config["LANGUAGES"]}
