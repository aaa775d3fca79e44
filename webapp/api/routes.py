"""The API's routes. Each write commits its own transaction, like the HTML views."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from engine import access, attachments, audit, cases, definitions, directory, forms, households
from engine import work_items
from engine.errors import Forbidden, InvalidData, NotFound
from engine.models import Case, Household

from .. import clock, schema_forms
from ..auth import current_engine_user, login_rate_limit
from ..case_view import (case_data, check_readable, items_of, may_act, may_view, summary,
                         user_names)
from ..database import db
from ..extensions import limiter
from ..helpers import page_arg
from ..i18n import locale_name
from . import ApiError, bp
from . import serialize as js
from .openapi import document


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object "
                            "(Content-Type: application/json)")
    return body


def _staff(user) -> None:
    if not access.can_act(user):
        raise Forbidden(f"user {user.username} has no staff role and may only read")


def _load_item(item_id: int):
    """The user, the work item and its case, if the user may see the item."""
    user = current_engine_user()
    item = cases.get_item(db(), item_id)
    case = cases.get_case(db(), item.case_id)
    if not may_view(user, item, case.area_code):
        raise Forbidden(f"work item {item.id} is not visible to user {user.username}")
    return user, item, case


def _items(found, now) -> list[dict]:
    names = user_names(db(), [i.assignee_id for i in found])
    return [js.item(i, now, names) for i in found]


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document())


@bp.route("/tokens", methods=["POST"])
@limiter.limit(login_rate_limit)
def issue_token():
    """Exchange a user name and password for a new API token (replaces the old one)."""
    body = _body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(422, "username and password are required",
                       {k: "required" for k in ("username", "password")
                        if not isinstance(body.get(k), str)})
    session, ip = db(), request.remote_addr or ""
    user = directory.authenticate(session, username.strip(), password)
    if user is None:
        audit.record(session, None, "login_failed", None, clock.now(),
                     data={"username": username.strip()[:64], "ip": ip, "via": "api"})
        session.commit()
        raise ApiError(401, "wrong user name or password")
    token = directory.issue_token(user)
    audit.record(session, None, "api_token_issued", user, clock.now(), data={"ip": ip})
    session.commit()
    return jsonify(token=token, user=js.user(user)), 201


@bp.route("/tokens", methods=["DELETE"])
def revoke_token():
    """Revoke the current user's API token."""
    user = current_engine_user()
    user.api_token_hash = None
    audit.record(db(), None, "api_token_revoked", user, clock.now())
    db().commit()
    return "", 204


@bp.route("/me")
def me():
    """The current user; for a browser session also the CSRF token to send on writes."""
    result = {"user": js.user(current_engine_user()), "auth": g.api_auth}
    if g.api_auth == "session":
        result["csrf_token"] = generate_csrf()
    return jsonify(result)


@bp.route("/inbox")
def inbox():
    """One page of one inbox view, with the counts of every view."""
    user, now = current_engine_user(), clock.now()
    view = request.args.get("view", "all")
    if view not in work_items.FILTERS:
        raise ApiError(400, f"unknown inbox view {view!r}",
                       {"view": "one of " + ", ".join(work_items.FILTERS)})
    size, page = current_app.config["PAGE_SIZE"], page_arg()
    if not access.can_act(user):  # auditors and administrators have no queue
        return jsonify(view=view, page=page, page_size=size, has_next=False, items=[],
                       counts={})
    found = work_items.inbox(db(), user, view, now, limit=size + 1, offset=(page - 1) * size)
    has_next, found = len(found) > size, found[:size]
    listed = _items(found, now)
    case_rows = {c.id: c for c in db().scalars(select(Case).where(
        Case.id.in_({i.case_id for i in found})))} if found else {}
    homes = {h.id: h for h in db().scalars(select(Household).where(Household.id.in_(
        {c.household_id for c in case_rows.values() if c.household_id})))} if case_rows else {}
    for row in listed:
        case = case_rows.get(row["case_id"])
        home = homes.get(case.household_id) if case is not None else None
        row["household"] = home.head_name if home is not None else None
    return jsonify(view=view, page=page, page_size=size, has_next=has_next, items=listed,
                   counts=work_items.counts(db(), user, now))


def _form_json(form: dict | None, ref: str, locale: str, default_title: str) -> dict | None:
    if not form:
        return None
    return {"ref": ref, "title": schema_forms.title(form, locale, default_title),
            "instructions": schema_forms.instructions(form, locale),
            "schema": form["schema"], "ui": form.get("ui", {}),
            "order": schema_forms.order(form), "decisions": schema_forms.decisions(form)}


@bp.route("/tasks/<int:item_id>")
def task(item_id: int):
    """A work item, its case summary, its form (JSON Schema and UI hints) and case version."""
    user, item, case = _load_item(item_id)
    session, locale, now = db(), locale_name(), clock.now()
    parsed = definitions.load(session, case.definition_id)
    info = parsed.user_tasks.get(item.task_name)
    form = parsed.forms.get(item.form) if item.form else None
    data = case_data(session, case, item)
    return jsonify(item=_items([item], now)[0], can_act=may_act(user, item),
                   documentation=info.documentation if info else "",
                   form=_form_json(form, item.form, locale, item.title),
                   case=dict(js.case_brief(case, now),
                             summary=js.summary(summary(session, case, data, locale))),
                   case_version=case.version)


@bp.route("/tasks/<int:item_id>/complete", methods=["POST"])
def complete(item_id: int):
    """Complete a work item with form data; 422 lists the fields in error, 409 if stale."""
    body = _body()
    user, item, case = _load_item(item_id)
    data, comment, version = body.get("data", {}), body.get("comment", ""), body.get(
        "case_version")
    problems = {}
    if not isinstance(data, dict):
        problems["data"] = "must be a JSON object"
    if not isinstance(comment, str):
        problems["comment"] = "must be a string"
    if isinstance(version, bool) or not isinstance(version, int):
        problems["case_version"] = "required: the case version the data is based on"
    if problems:
        raise InvalidData("invalid request: " + ", ".join(problems), problems)
    session, now = db(), clock.now()
    parsed = definitions.load(session, case.definition_id)
    form = parsed.forms.get(item.form) if item.form else None
    errors = forms.errors_of(form, data, clock.today(), locale_name()) if form else {}
    if errors:
        raise InvalidData("please correct the fields: " + ", ".join(sorted(errors)), errors)
    try:
        created = cases.complete(session, item.id, user, data, now, expected_version=version,
                                 comment=comment.strip())
    except Exception:
        session.rollback()
        raise
    session.commit()
    # Each step advances the case version by one: the version to send next.
    return jsonify(completed=item.id, case_id=case.id, case_version=version + 1,
                   items=_items(created, now))


def _claim_action(item_id: int, operation):
    user, item, _case = _load_item(item_id)
    try:
        changed = operation(db(), item.id, user, clock.now())
    except Exception:
        db().rollback()
        raise
    db().commit()
    return jsonify(item=_items([changed], clock.now())[0])


@bp.route("/tasks/<int:item_id>/claim", methods=["POST"])
def claim(item_id: int):
    """Take an unclaimed item."""
    return _claim_action(item_id, cases.claim)


@bp.route("/tasks/<int:item_id>/unclaim", methods=["POST"])
def unclaim(item_id: int):
    """Give a claimed item back to the group."""
    return _claim_action(item_id, cases.unclaim)


@bp.route("/cases/<int:case_id>")
def case(case_id: int):
    """A case: status, outcome, deadline, items, trail events and attachments."""
    user, session, now, locale = current_engine_user(), db(), clock.now(), locale_name()
    found = cases.get_case(session, case_id)
    check_readable(user, found)
    parsed = definitions.load(session, found.definition_id)
    events = audit.trail(session, found.id)
    names = user_names(session, [e.actor_id for e in events])
    verification = audit.verify(session, found.id)
    return jsonify(dict(
        js.case_brief(found, now), outcome_reason=found.outcome_reason,
        deadline_met_at=js.when(found.deadline_met_at),
        definition={"key": found.process_key, "name": parsed.name,
                    "id": found.definition_id},
        summary=js.summary(summary(session, found, case_data(session, found), locale)),
        items=_items(items_of(session, found.id), now),
        events=[js.event(e, names) for e in events],
        trail={"ok": verification.ok, "events": verification.events,
               "problem": verification.problem},
        attachments=[js.attachment(a) for a in attachments.list(session, found.id)]))


@bp.route("/cases", methods=["POST"])
def start():
    """Start a case (e.g. an identification) from its start form's data."""
    body = _body()
    user = current_engine_user()
    _staff(user)
    key, data, comment = body.get("key"), body.get("data", {}), body.get("comment", "")
    problems = {}
    if not isinstance(key, str) or not key:
        problems["key"] = "required: the process key, e.g. monitoring_identification"
    if not isinstance(data, dict):
        problems["data"] = "must be a JSON object"
    if not isinstance(comment, str):
        problems["comment"] = "must be a string"
    if problems:
        raise InvalidData("invalid request: " + ", ".join(problems), problems)
    session, now = db(), clock.now()
    parsed = definitions.load(session, definitions.find(session, key).id)
    form = parsed.forms.get(parsed.start_form) if parsed.start_form else None
    errors = forms.errors_of(form, data, clock.today(), locale_name()) if form else {}
    if errors:
        raise InvalidData("please correct the fields: " + ", ".join(sorted(errors)), errors)
    try:
        started, created = cases.start_case(session, key, user, data, now,
                                            comment=comment.strip())
    except Exception:
        session.rollback()
        raise
    session.commit()
    return jsonify(case=js.case_brief(started, now), items=_items(created, now)), 201


@bp.route("/households")
def household_list():
    """Households of the user's area by name or ID-number ending, and village."""
    user = current_engine_user()
    text = request.args.get("q", "").strip()[:50]
    village = request.args.get("village", "").strip()
    if village and not village.isdigit():
        raise ApiError(400, "village must be an area code", {"village": "digits"})
    size, page = current_app.config["PAGE_SIZE"], page_arg()
    found = households.search(db(), user, text, village, limit=size + 1,
                              offset=(page - 1) * size)
    return jsonify(page=page, page_size=size, has_next=len(found) > size,
                   households=[js.household(h) for h in found[:size]])


@bp.route("/households/<int:household_id>")
def household_detail(household_id: int):
    """A household and its cases."""
    found = households.get(db(), current_engine_user(), household_id)
    now = clock.now()
    return jsonify(household=js.household(found, detail=True),
                   cases=[js.case_brief(c, now) for c in households.cases_of(db(), found.id)])


@bp.route("/households", methods=["POST"])
def household_add():
    """Register a household in a village of the user's area."""
    body = _body()
    user = current_engine_user()
    _staff(user)
    income, members = body.get("income_per_head"), body.get("members", 1)
    problems = {}
    if income is not None and (isinstance(income, bool)
                               or not isinstance(income, (int, float))):
        problems["income_per_head"] = "must be a number"
    if isinstance(members, bool) or not isinstance(members, int):
        problems["members"] = "must be an integer"
    for name in ("head_name", "id_number", "village_code", "household_type", "phone"):
        if not isinstance(body.get(name, ""), str):
            problems[name] = "must be a string"
    if problems:
        raise InvalidData("invalid household: " + ", ".join(problems), problems)
    try:
        added = households.add(
            db(), user, body.get("head_name", ""), body.get("id_number", ""),
            body.get("village_code", ""), members, body.get("household_type", ""),
            float(income) if income is not None else None, body.get("phone", ""),
            now=clock.now())
    except NotFound as err:
        db().rollback()
        raise InvalidData(str(err), {"village_code": "no such village"}) from None
    except Exception:
        db().rollback()
        raise
    db().commit()
    return jsonify(household=js.household(added, detail=True)), 201

