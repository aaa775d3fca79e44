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


def area_name(code: str) -> str:
    """The name of an administrative area, read once per request."""
    known = g.setdefault("area_names", {})
    if code not in known:
        known[code] = next((a.name for a in engine().areas(code) if a.code == code), code)
    return known[code]


def page_arg() -> int:
    """The ``page`` query argument: 1 unless a positive number is given."""
    page = request.args.get("page", "1")
    return max(int(page), 1) if page.isdigit() else 1


def stale_message() -> str:
    """What a user sees when someone else acted first or the case changed."""
    return _("This task has already been handled by someone else or the case has changed. "
             "Please reload and try again.")


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
    app.add_template_global(nav_counts)
    app.add_template_global(calendar_gaps)
    app.add_template_global(area_name)
    app.add_template_global(url_for_page)
    app.add_template_global(locale_name)
    app.add_template_global(display.STATUS_LABELS, "status_labels")

    @app.context_processor
    def _globals():
        from .auth import current_engine_user

        return {"me": current_engine_user(), "languages": current_app.config["LANGUAGES"]}
