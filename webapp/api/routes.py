"""The API's routes: the same handlers and view objects as the pages, as JSON."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_wtf.csrf import generate_csrf

from engine import INBOX_VIEWS
from engine.errors import InvalidData, LoginRefused, NotFound

from .. import handlers
from ..auth import authenticate
from ..helpers import page_arg
from ..i18n import locale_name
from ..transaction import engine
from . import ApiError, bp, error
from . import serialize as js
from .openapi import document


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object "
                            "(Content-Type: application/json)")
    return body


def _check(problems: dict) -> None:
    """Refuse a request whose JSON has the wrong shape (the engine checks the content)."""
    if problems:
        raise InvalidData("invalid request: " + ", ".join(problems), problems)


def _integer(body: dict, name: str, problem: str) -> int:
    value = body.get(name)
    _check({} if isinstance(value, int) and not isinstance(value, bool) else {name: problem})
    return value


def _comment(body: dict) -> str:
    comment = body.get("comment", "")
    _check({} if isinstance(comment, str) else {"comment": "must be a string"})
    return comment.strip()


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document())


@bp.route("/tokens", methods=["POST"])
def issue_token():
    """Exchange a user name and password for a new API token (replaces the old one)."""
    body = _body()
    username, password = body.get("username"), body.get("password")
    _check({k: "required" for k in ("username", "password")
            if not isinstance(body.get(k), str)})
    try:
        actor = authenticate(username.strip(), password, "api")
    except LoginRefused as err:
        response, status = error(429, str(err))
        response.headers["Retry-After"] = str(err.retry_after)
        return response, status
    if actor is None:
        raise ApiError(401, "wrong user name or password")
    token = handlers.write(engine().issue_token, actor, request.remote_addr or "")
    return jsonify(token=token, user=js.user(actor)), 201


@bp.route("/tokens", methods=["DELETE"])
def revoke_token():
    """Revoke the current user's API token."""
    handlers.write(engine().revoke_token, handlers.me())
    return "", 204


@bp.route("/me")
def me():
    """The current user; for a browser session also the CSRF token to send on writes."""
    result = {"user": js.user(handlers.me()), "auth": g.api_auth}
    if g.api_auth == "session":
        result["csrf_token"] = generate_csrf()
    return jsonify(result)


@bp.route("/inbox")
def inbox():
    """One page of one inbox view, with the counts of every view (none without a queue)."""
    view = request.args.get("view", "all")
    if view not in INBOX_VIEWS:
        raise ApiError(400, f"unknown inbox view {view!r}",
                       {"view": "one of " + ", ".join(INBOX_VIEWS)})
    return jsonify(js.inbox(handlers.inbox(view, page_arg())))


@bp.route("/tasks/<int:item_id>")
def task(item_id: int):
    """A work item, its case summary, its form (JSON Schema and UI hints) and case version."""
    return jsonify(js.task(handlers.task(item_id), locale_name()))


@bp.route("/tasks/<int:item_id>/complete", methods=["POST"])
def complete(item_id: int):
    """Complete a work item with form data; 422 lists the fields in error, 409 if stale."""
    body = _body()
    version = _integer(body, "case_version", "required: the case version the data is based on")
    done = handlers.complete(item_id, body.get("data", {}), version, _comment(body))
    return jsonify(js.completed(item_id, done))


@bp.route("/tasks/<int:item_id>/claim", methods=["POST"])
def claim(item_id: int):
    """Take an unclaimed item."""
    return jsonify(item=js.item(handlers.claim(item_id)))


@bp.route("/tasks/<int:item_id>/unclaim", methods=["POST"])
def unclaim(item_id: int):
    """Give a claimed item back to the group."""
    return jsonify(item=js.item(handlers.unclaim(item_id)))


@bp.route("/tasks/<int:item_id>/reassign", methods=["POST"])
def reassign(item_id: int):
    """Hand an item to a colleague of its level and area (转办)."""
    body = _body()
    to_user = _integer(body, "to_user", "required: the id of the colleague")
    return jsonify(item=js.item(handlers.reassign(item_id, to_user, _comment(body))))


@bp.route("/tasks/<int:item_id>/take-over", methods=["POST"])
def take_over(item_id: int):
    """Take over (接管) an item a colleague claimed, with a reason (admin or lead)."""
    body = _body()
    reason = body.get("reason")
    to_user, holder = body.get("to_user"), body.get("holder")
    _check({**({} if isinstance(reason, str) else {"reason": "required: why it is taken over"}),
            **{name: "must be a user id or null" for name, value in
               (("to_user", to_user), ("holder", holder)) if value is not None
               and (not isinstance(value, int) or isinstance(value, bool))}})
    return jsonify(item=js.item(handlers.take_over(item_id, reason, to_user, holder)))


@bp.route("/cases/<int:case_id>")
def case(case_id: int):
    """A case: status, outcome, summary, items, trail events and attachments."""
    return jsonify(js.case(handlers.case(case_id), locale_name()))


@bp.route("/cases", methods=["POST"])
def start():
    """Start a case (e.g. an identification) from its start form's data."""
    body = _body()
    key = body.get("key")
    _check({} if isinstance(key, str) and key else
           {"key": "required: the process key, e.g. monitoring_identification"})
    started = handlers.start(key, body.get("data", {}), _comment(body))
    return jsonify(js.started(started)), 201


@bp.route("/households")
def household_list():
    """Households of the user's area by name or ID-number ending, and village."""
    text = request.args.get("q", "").strip()[:50]
    village = request.args.get("village", "").strip()
    if village and not village.isdigit():
        raise ApiError(400, "village must be an area code", {"village": "digits"})
    size, page = current_app.config["PAGE_SIZE"], page_arg()
    found, has_next = engine().households(handlers.me(), text, village, page, size)
    return jsonify(page=page, page_size=size, has_next=has_next,
                   households=[js.household(h) for h in found])


@bp.route("/households/<int:household_id>")
def household_detail(household_id: int):
    """A household and its cases."""
    found = engine().household(household_id, handlers.me())
    return jsonify(household=js.household(found, detail=True),
                   cases=[js.case_brief(c) for c in
                          engine().cases_of("household", found.id, handlers.me())])


@bp.route("/households", methods=["POST"])
def household_add():
    """Register a household in a village of the user's area."""
    body = _body()
    income, members = body.get("income_per_head"), body.get("members", 1)
    problems = {name: "must be a string" for name in
                ("head_name", "id_number", "village_code", "household_type", "phone")
                if not isinstance(body.get(name, ""), str)}
    if income is not None and (isinstance(income, bool)
                               or not isinstance(income, (int, float))):
        problems["income_per_head"] = "must be a number"
    _check(problems)
    try:
        added = handlers.write(
            engine().add_household, handlers.me(), body.get("head_name", ""),
            body.get("id_number", ""), body.get("village_code", ""), members,
            body.get("household_type", ""), float(income) if income is not None else None,
            body.get("phone", ""))
    except NotFound as err:
        raise InvalidData(str(err), {"village_code": "no such village"}) from None
    return jsonify(household=js.household(added, detail=True)), 201
