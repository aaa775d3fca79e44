"""The library page, its Excel export, proposing a project, and a project's page."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import FUND_SOURCES, Level
from engine.errors import DixianError, Forbidden, InvalidData, NotFound, PaymentRefused

from .. import handlers, schema_forms
from ..helpers import page_arg
from ..i18n import locale_name
from ..transaction import engine
from . import bp
from .forms import (ALLOCATION_REASONS, KIND_LABELS, PAYMENT_REASONS, SOURCE_LABELS,
                    STATUS_LABELS, TYPE_LABELS, AllocationForm, PaymentForm)

SUBJECT = "project"


def filters_from(args) -> dict:
    """The library filters of a query string (the engine checks them)."""
    year = args.get("year", "").strip()
    return {"year": int(year) if year.isdigit() else year or None,
            "project_type": args.get("type", "").strip() or None,
            "status": args.get("status", "").strip() or None,
            "area": args.get("area", "").strip() or None,
            "emergency": args.get("emergency") == "1",
            "text": args.get("q", "").strip()[:50] or None}


def areas_below(me) -> list[tuple[str, str]]:
    """Townships and villages inside the user's area, for the area filter and proposals."""
    return [(a.code, a.name) for a in engine().areas(me.area_code)
            if a.level != Level.COUNTY.value]


def may_propose(me) -> bool:
    """Whether the user may propose projects (village and township staff)."""
    return engine().allowed("propose_project", me, me.area_code)


@bp.route("/projects")
@login_required
def index():
    """The library: filters, one page of projects, export and proposal links."""
    me = handlers.me()
    filters, status = filters_from(request.args), 200
    try:
        page = engine().library(me, filters, page_arg(), current_app.config["PAGE_SIZE"])
    except InvalidData as err:
        flash(_("Invalid filter: %(reason)s", reason=str(err)), "error")
        page, status = engine().library(me, {}, 1, current_app.config["PAGE_SIZE"]), 400
    return render_template(
        "projects/index.html", page=page, args=request.args, areas=areas_below(me),
        types=TYPE_LABELS, statuses=STATUS_LABELS, may_propose=may_propose(me),
        export_url=url_for("projects.export", **request.args)), status


@bp.route("/projects/export.xlsx")
@login_required
def export():
    """The filtered library as an Excel workbook."""
    content = engine().project_workbook(handlers.me(), filters_from(request.args))
    name = "项目库.xlsx"
    response = Response(content, mimetype="application/vnd.openxmlformats-officedocument."
                                          "spreadsheetml.sheet")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"projects.xlsx\"; filename*=UTF-8''{quote(name)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _intake_key() -> str:
    found = [key for _procedure, key in engine().procedures_for(SUBJECT)]
    if not found:
        abort(404)
    return found[0]


def _proposal_fields(form, me, raw, errors, skip):
    fields = schema_forms.fields(form, locale_name(), raw, errors, skip=skip)
    for field in fields:
        if field.name == "area_code":
            field.widget = "select"
            field.options = [(code, name + (_(" (across villages)") if len(code) == 9 else ""))
                             for code, name in areas_below(me)]
    return fields


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new():
    """Propose a project (村申报; a township proposes across villages): the intake's start
    form. The engine records the project and starts its intake case."""
    me = handlers.me()
    if not may_propose(me):
        abort(403)
    key = _intake_key()
    parsed = engine().definition(key)[1]
    form = parsed.forms.get(parsed.start_form)
    skip = ("area_code", "cross_village") if me.level == Level.VILLAGE.value else ()
    raw, errors, comment, status = {}, {}, "", 200
    if request.method == "POST":
        data, raw = schema_forms.read(form, request.form, skip=skip)
        # A township proposing for itself proposes across villages.
        data["cross_village"] = len(data.get("area_code") or me.area_code) == 9
        comment = request.form.get("comment", "").strip()[:1000]
        try:
            if not skip and not data.get("area_code"):
                # A township chooses: one of its villages, or itself across villages.
                raise InvalidData("choose the village or the township",
                                  {"area_code": _("Required")})
            started = handlers.start(key, data, comment)
        except InvalidData as err:
            errors, status = err.errors or {"_": str(err)}, 400
            flash(_("Please correct the marked fields."), "error")
        except (Forbidden, NotFound):
            raise
        except DixianError as err:
            errors, status = {"_": str(err)}, 422
            flash(_("The project could not be proposed: %(reason)s", reason=str(err)), "error")
        else:
            flash(_("Project proposed: intake case %(id)d started.", id=started.case.id),
                  "success")
            return redirect(url_for("projects.show", project_id=started.case.subject_id))
    fields = _proposal_fields(form, me, raw, errors, skip or ("cross_village",))
    return render_template(
        "projects/new.html", fields=fields, form_title=schema_forms.title(form, locale_name()),
        instructions=schema_forms.instructions(form, locale_name()),
        unplaced=schema_forms.unplaced(fields, errors), comment=comment), status


def render_project(project_id: int, allocation=None, payment=None, status: int = 200):
    """A project's page: its record, its intake case, its funds and the county's forms."""
    me = handlers.me()
    project = engine().project(project_id, me)
    money = engine().project_funds(project_id, me)
    manage = engine().allowed("manage_funds", me, project.area_code) \
        and project.status == "admitted"
    if manage:
        allocation = allocation or AllocationForm(formdata=None)
        year = engine().clock().year
        allocation.release_id.choices = [
            (r.id, f"{r.document} · {SOURCE_LABELS[r.source]} · "
                   f"{_('%(amount)s yuan left', amount=f'{r.remaining:,.2f}')}")
            for y in (year, year - 1) for r in engine().funds_overview(me, y).releases
            if r.remaining > 0]
        payment = payment or PaymentForm(formdata=None)
    return render_template(
        "projects/show.html", project=project, funds=money, types=TYPE_LABELS,
        statuses=STATUS_LABELS, sources=SOURCE_LABELS, kinds=KIND_LABELS,
        fund_sources=FUND_SOURCES, allocation=allocation if manage else None,
        payment=payment if manage else None), status


@bp.route("/projects/<int:project_id>")
@login_required
def show(project_id: int):
    """A project's page."""
    return render_project(project_id)


@bp.route("/projects/<int:project_id>/allocations", methods=["POST"])
@login_required
def allocate(project_id: int):
    """Assign part of a release to the project (county staff)."""
    form = AllocationForm()
    if not form.validate_on_submit():
        return render_project(project_id, allocation=form, status=400)
    try:
        handlers.write(engine().allocate, handlers.me(), project_id, form.release_id.data,
                       form.amount.data, form.allocated_on.data)
    except (InvalidData, NotFound) as err:
        reason = ALLOCATION_REASONS.get(getattr(err, "errors", {}).get("amount"))
        form.amount.errors = [str(reason or err)]
        return render_project(project_id, allocation=form, status=400)
    flash(_("Funds allocated."), "success")
    return redirect(url_for("projects.show", project_id=project_id) + "#funds")


@bp.route("/projects/<int:project_id>/payments", methods=["POST"])
@login_required
def pay(project_id: int):
    """Record a payment; a payment beyond the rule is refused with the reason."""
    form = PaymentForm()
    if not form.validate_on_submit():
        return render_project(project_id, payment=form, status=400)
    try:
        handlers.write(engine().pay, handlers.me(), project_id, form.kind.data,
                       form.amount.data, form.progress.data, form.paid_on.data,
                       form.note.data or "")
    except PaymentRefused as err:
        values = {k: v if k == "progress" else f"{Decimal(v):,.2f}"
                  for k, v in err.values.items()}
        form.amount.errors = [str(PAYMENT_REASONS.get(err.rule, str(err))) % values]
        return render_project(project_id, payment=form, status=400)
    except InvalidData as err:
        form.amount.errors = [str(err)]
        return render_project(project_id, payment=form, status=400)
    flash(_("Payment recorded."), "success")
    return redirect(url_for("projects.show", project_id=project_id) + "#funds")

