"""The API of the project library and its funds: the same engine verbs as the pages.

A project is proposed with ``POST /cases`` (key ``project_intake``); its steps are work items
like any other. Amounts are yuan as JSON numbers with two decimals.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal

from flask import Response, current_app, jsonify, request

from .. import handlers
from ..helpers import page_arg
from ..projects.routes import filters_from
from ..transaction import engine
from . import bp
from .routes import _body, _check, _integer


def plain(value):
    """A view as JSON types: Decimal amounts as numbers, dates and times as ISO 8601."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _day(body: dict, name: str) -> date | None:
    raw = body.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else _bad(name)
    except ValueError:
        return _bad(name)


def _bad(name: str):
    _check({name: "must be a date YYYY-MM-DD"})


def _amount(body: dict):
    value = body.get("amount")
    _check({} if isinstance(value, (int, float)) and not isinstance(value, bool) else
           {"amount": "required: a number of yuan"})
    return Decimal(str(value))


@bp.route("/projects")
def project_list():
    """The library, filtered by year, type, status, area, emergency mode and text."""
    size = current_app.config["PAGE_SIZE"]
    page = engine().library(handlers.me(), filters_from(request.args), page_arg(), size)
    return jsonify(page=page.page, page_size=page.page_size, has_next=page.has_next,
                   filters=plain(page.filters), projects=[plain(asdict(p))
                                                          for p in page.projects])


@bp.route("/projects/export.xlsx")
def project_export():
    """The filtered library as an Excel workbook."""
    content = engine().project_workbook(handlers.me(), filters_from(request.args))
    return Response(content, mimetype="application/vnd.openxmlformats-officedocument."
                                      "spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="projects.xlsx"'})


@bp.route("/projects/<int:project_id>")
def project_detail(project_id: int):
    """A project with its allocations and payments."""
    project = engine().project(project_id, handlers.me())
    funds = engine().project_funds(project_id, handlers.me())
    return jsonify(project=plain(asdict(project)), funds=plain(asdict(funds)))


@bp.route("/projects/<int:project_id>/allocations", methods=["POST"])
def project_allocate(project_id: int):
    """Assign part of a fund release to an admitted project (county staff)."""
    body = _body()
    release_id = _integer(body, "release_id", "required: the id of the fund release")
    view = handlers.write(engine().allocate, handlers.me(), project_id, release_id,
                          _amount(body), _day(body, "allocated_on"))
    return jsonify(allocation=plain(asdict(view))), 201


@bp.route("/projects/<int:project_id>/payments", methods=["POST"])
def project_pay(project_id: int):
    """Record a payment; one beyond the rule is refused (422) with the reason."""
    body = _body()
    kind, progress, note = body.get("kind"), body.get("progress"), body.get("note", "")
    _check({k: v for k, v in {
        "kind": "required: advance, progress or payment" if not isinstance(kind, str) else "",
        "progress": "must be a whole per cent" if progress is not None and (
            isinstance(progress, bool) or not isinstance(progress, int)) else "",
        "note": "must be a string" if not isinstance(note, str) else ""}.items() if v})
    view = handlers.write(engine().pay, handlers.me(), project_id, kind, _amount(body),
                          progress, _day(body, "paid_on"), note)
    return jsonify(payment=plain(asdict(view))), 201


@bp.route("/funds")
def funds_overview():
    """The county's releases of a year, idle funds and the industry share."""
    year = request.args.get("year", "")
    view = engine().funds_overview(handlers.me(), int(year) if year.isdigit()
                                   and 2000 <= int(year) <= 2100 else None)
    return jsonify(plain(asdict(view)))


@bp.route("/funds/releases", methods=["POST"])
def funds_release():
    """Record connection funds released to the county (county staff)."""
    body = _body()
    _check({k: "must be a string" for k in ("document", "source")
            if not isinstance(body.get(k), str)})
    released_on = _day(body, "released_on")
    _check({} if released_on else {"released_on": "required: YYYY-MM-DD"})
    view = handlers.write(engine().release_funds, handlers.me(), body["document"],
                          body["source"], _amount(body), released_on)
    return jsonify(release=plain(asdict(view))), 201


@bp.route("/campaigns")
def campaign_list():
    """The library's campaigns and their dates."""
    return jsonify(campaigns=[plain(asdict(c)) for c in engine().campaigns()])


@bp.route("/campaigns", methods=["POST"])
def campaign_set():
    """Create or change a campaign (county staff)."""
    body = _body()
    days = {name: _day(body, name) for name in ("guide_due", "intake_due", "entry_due")}
    _check({k: "required: YYYY-MM-DD" for k, v in days.items() if v is None})
    view = handlers.write(engine().set_campaign, handlers.me(), body.get("name"),
                          _integer(body, "first_year", "required: a year"),
                          _integer(body, "last_year", "required: a year"), **days)
    return jsonify(campaign=plain(asdict(view))), 201
