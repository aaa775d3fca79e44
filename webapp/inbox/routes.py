"""Inbox pages."""
from __future__ import annotations

from flask import abort, g, render_template, request
from flask_login import login_required

from engine.errors import InvalidData

from .. import handlers
from ..helpers import page_arg
from . import bp
from .forms import ActionForm


@bp.route("/")
@bp.route("/inbox")
@login_required
def index():
    """One view of the inbox (mine, unclaimed, overdue, today, done, all), paginated."""
    try:
        page = handlers.inbox(request.args.get("view", "all"), page_arg())
    except InvalidData:
        abort(404)
    if not page.counts:  # the engine gives auditors and administrators no queue
        return render_template("inbox/readonly.html")
    g.nav_counts = page.counts
    return render_template("inbox/index.html", page=page, action=ActionForm())
