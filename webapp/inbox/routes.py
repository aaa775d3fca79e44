"""Inbox pages."""
from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import login_required
from sqlalchemy import select

from engine import work_items
from engine.models import Case, Household

from .. import clock
from ..auth import current_engine_user
from ..case_view import user_names
from ..database import db
from ..helpers import page_arg
from . import bp
from .forms import ActionForm


@bp.route("/")
@bp.route("/inbox")
@login_required
def index():
    """One view of the inbox (mine, unclaimed, overdue, today, done, all), paginated."""
    user = current_engine_user()
    if not user.has_role("staff"):
        return render_template("inbox/readonly.html")
    view = request.args.get("view", "all")
    if view not in work_items.FILTERS:
        abort(404)
    size, page = current_app.config["PAGE_SIZE"], page_arg()
    items = work_items.inbox(db(), user, view, clock.now(), limit=size + 1,
                             offset=(page - 1) * size)
    has_next = len(items) > size
    items = items[:size]
    cases = {c.id: c for c in db().scalars(select(Case).where(
        Case.id.in_({i.case_id for i in items})))} if items else {}
    households = {h.id: h for h in db().scalars(select(Household).where(
        Household.id.in_({c.household_id for c in cases.values() if c.household_id})))
    } if cases else {}
    names = user_names(db(), [i.assignee_id for i in items])
    return render_template("inbox/index.html", view=view, items=items, cases=cases,
                           households=households, names=names, page=page,
                           has_next=has_next, action=ActionForm(), now=clock.now())
