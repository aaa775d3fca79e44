"""Notifications, 督办 items and urging, the overdue board, and the timer administration."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import Conflict, Forbidden, InvalidData, NotFound

from .. import handlers
from ..auth import rule_required
from ..engine_words import message as engine_message
from ..helpers import page_arg
from ..inbox.forms import ActionForm
from . import bp
from .forms import UrgeForm
from .texts import KIND_LABELS, LEVEL_WORDS, OUTCOME_LABELS, notification_text


def _back(default: str):
    target = request.args.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//")
                    else default)


@bp.route("/notifications")
@login_required
def notifications():
    """The user's notifications, newest first; unread ones marked."""
    found = handlers.notifications(page_arg(), request.args.get("unread") == "1")
    return render_template("supervision/notifications.html", found=found, action=ActionForm(),
                           text=notification_text, kinds=KIND_LABELS)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    """Mark one notification (``id``) or all of them read."""
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = request.form.get("id", "")
    handlers.mark_read([int(raw)] if raw.isdigit() else None)
    return _back(url_for("supervision.notifications"))


@bp.route("/supervision")
@rule_required("work_queue")
def index():
    """The 督办 items of the user's level and area, with a button to urge each holder."""
    show_all = request.args.get("all") == "1"
    items = handlers.supervisions(not show_all)
    return render_template("supervision/index.html", items=items, show_all=show_all,
                           form=UrgeForm(), levels=LEVEL_WORDS, outcomes=OUTCOME_LABELS)


@bp.route("/items/<int:item_id>/urge", methods=["POST"])
@login_required
def urge(item_id: int):
    """Urge (催办) the holder of a work item, with a note."""
    form = UrgeForm()
    if not form.validate_on_submit():
        flash(_("The note may be at most 500 characters."), "error")
        return _back(url_for("supervision.index"))
    try:
        urged = handlers.urge(item_id, (form.note.data or "").strip())
    except (Conflict, InvalidData, Forbidden, NotFound) as err:
        flash(_("Not urged: %(reason)s", reason=engine_message(err)), "error")
        return _back(url_for("supervision.index"))
    flash(_("Urged; %(num)d user(s) notified.", num=urged.notified), "success")
    return _back(url_for("supervision.index"))


@bp.route("/overdue")
@rule_required("work_queue")
def board():
    """The overdue board of the user's area (or an area inside it, ``area``)."""
    area = request.args.get("area", "")
    try:
        found = handlers.overdue_board(area)
    except Forbidden:
        abort(403)
    return render_template("supervision/board.html", board=found, levels=LEVEL_WORDS,
                           form=UrgeForm(), show=request.args.get("show", "overdue"),
                           ranks={"village": 0, "township": 1, "county": 2})


@bp.route("/admin/timers")
@rule_required("administer")
def timers():
    """Pending timers (next due first), incidents with their errors, and the workers."""
    incidents = request.args.get("view") == "incidents"
    rows, total = handlers.pending_timers(incidents, page_arg())
    _, incident_count = handlers.pending_timers(True, 1) if not incidents else (rows, total)
    return render_template("supervision/timers.html", rows=rows, total=total,
                           incidents=incidents, incident_count=incident_count,
                           workers=handlers.timer_workers(), action=ActionForm())


@bp.route("/admin/timers/<int:timer_id>/retry", methods=["POST"])
@rule_required("administer")
def retry(timer_id: int):
    """Send an incident back to the timer service."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        handlers.retry_timer(timer_id)
    except (Conflict, NotFound) as err:
        flash(str(err), "error")
    else:
        flash(_("Timer %(id)s will fire at the next sweep.", id=timer_id), "success")
    return redirect(url_for("supervision.timers", view="incidents"))
