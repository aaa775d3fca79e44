"""The API of supervision: notifications, 督办 items, urging (催办), the overdue board.
The same handlers and engine views as the pages."""
from __future__ import annotations

from dataclasses import asdict

from flask import jsonify, request

from .. import handlers
from ..helpers import page_arg
from . import bp
from .projects import plain
from .routes import _body, _check


@bp.route("/notifications")
def notifications():
    """The user's notifications, newest first, with the unread count."""
    return jsonify(plain(asdict(handlers.notifications(page_arg(),
                                                       request.args.get("unread") == "1"))))


@bp.route("/notifications/read", methods=["POST"])
def mark_read():
    """Mark notifications read: ``{"ids": [...]}``, or all without ids."""
    ids = _body().get("ids")
    _check({} if ids is None or (isinstance(ids, list) and all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids))
        else {"ids": "a list of notification ids"})
    return jsonify(marked=handlers.mark_read(ids))


@bp.route("/supervisions")
def supervisions():
    """The 督办 items of the user's level and area (``all=1``: closed ones too)."""
    found = handlers.supervisions(request.args.get("all") != "1")
    return jsonify(supervisions=[plain(asdict(s)) for s in found])


@bp.route("/tasks/<int:item_id>/urge", methods=["POST"])
def urge(item_id: int):
    """Urge the holder of a work item (a level above); 409 inside the minimum interval."""
    note = _body().get("note", "")
    _check({} if isinstance(note, str) else {"note": "must be a string"})
    return jsonify(urge=plain(asdict(handlers.urge(item_id, note.strip())))), 201


@bp.route("/overdue")
def overdue():
    """The overdue board of the user's area (or ``area`` inside it)."""
    found = handlers.overdue_board(request.args.get("area", ""))
    return jsonify(plain({**asdict(found), "totals": {**asdict(found.totals),
                                                      "overdue": found.totals.overdue}}))
