"""Household search, page, registration and the new-declaration form."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from engine import access, cases, definitions, directory, forms, households
from engine.errors import Conflict, DixianError, Forbidden, InvalidData
from engine.models import Level

from .. import clock, schema_forms
from ..auth import current_engine_user
from ..database import db
from ..helpers import page_arg
from ..i18n import locale_name
from . import bp
from .forms import HouseholdForm

IDENTIFICATION = "monitoring_identification"


def _villages(user) -> list[tuple[str, str]]:
    return [(a.code, f"{a.name} ({a.code})") for a in directory.areas(db(), user.area_code)
            if a.level == Level.VILLAGE.value]


@bp.route("/households")
@login_required
def index():
    """Search households by name, last digits of the ID number, and village."""
    user = current_engine_user()
    text = request.args.get("q", "").strip()[:50]
    village = request.args.get("village", "")
    villages = _villages(user)
    if village and village not in dict(villages):
        village = ""
    size, page = current_app.config["PAGE_SIZE"], page_arg()
    found = households.search(db(), user, text, village, limit=size + 1,
                              offset=(page - 1) * size)
    names = {code: name for code, name in villages}
    return render_template("households/index.html", households=found[:size], q=text,
                           village=village, villages=villages, names=names, page=page,
                           has_next=len(found) > size)


@bp.route("/households/new", methods=["GET", "POST"])
@login_required
def new():
    """Register a household in a village of the user's area."""
    user = current_engine_user()
    if not access.can_act(user):
        abort(403)
    form = HouseholdForm()
    form.village_code.choices = [SelectChoice(c, n) for c, n in _villages(user)]
    if form.validate_on_submit():
        income = form.income_per_head.data
        try:
            household = households.add(
                db(), user, form.head_name.data, form.id_number.data, form.village_code.data,
                form.members.data, form.household_type.data,
                float(income) if income is not None else None, form.phone.data or "",
                now=clock.now())
            db().commit()
        except InvalidData as err:
            db().rollback()
            for name in err.errors:
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, _("Invalid value")
                                    if name != "id_number" else _("Invalid ID number")]
            return render_template("households/new.html", form=form), 400
        except Conflict:
            db().rollback()
            form.id_number.errors = [_("A household with this ID number is already "
                                       "registered.")]
            return render_template("households/new.html", form=form), 409
        flash(_("Household registered."), "success")
        return redirect(url_for("households.show", household_id=household.id))
    return render_template("households/new.html", form=form), 400 if form.errors else 200


@bp.route("/households/<int:household_id>")
@login_required
def show(household_id: int):
    """A household and its cases."""
    user = current_engine_user()
    household = households.get(db(), user, household_id)
    area = dict(_villages(user)).get(household.village_code, household.village_code)
    return render_template("households/show.html", household=household, village=area,
                           cases=households.cases_of(db(), household.id),
                           can_act=access.can_act(user))


def _declaration_fields(parsed, user, household, raw, errors, locale):
    form = parsed.forms[parsed.start_form] if parsed.start_form else None
    if form is None:
        return None, []
    skip = ("household_id",) if user.level != Level.VILLAGE.value else ("household_id",
                                                                         "area_code")
    fields = schema_forms.fields(form, locale, raw, errors, skip=skip)
    for field in fields:
        if field.name == "area_code":
            field.widget, field.options = "select", _villages(user)
            field.raw = field.raw or household.village_code
    return form, fields


@bp.route("/households/<int:household_id>/declare", methods=["GET", "POST"])
@login_required
def declare(household_id: int):
    """Start an identification case for the household from the start form."""
    user = current_engine_user()
    if not access.can_act(user):
        abort(403)
    household = households.get(db(), user, household_id)
    session, locale = db(), locale_name()
    row = definitions.find(session, IDENTIFICATION)
    parsed = definitions.load(session, row.id)
    form, fields = _declaration_fields(parsed, user, household, {}, {}, locale)
    status, comment = 200, ""
    if request.method == "POST":
        skip = ("household_id",) if user.level != Level.VILLAGE.value else (
            "household_id", "area_code")
        data, raw = schema_forms.read(form, request.form, skip=skip) if form else ({}, {})
        data["household_id"] = household.id
        comment = request.form.get("comment", "").strip()
        errors = forms.errors_of(form, data, clock.today(), locale) if form else {}
        if not errors:
            try:
                case, _items = cases.start_case(session, IDENTIFICATION, user, data,
                                                clock.now(), comment=comment)
                session.commit()
                flash(_("Declaration registered: case %(id)d started.", id=case.id),
                      "success")
                return redirect(url_for("cases.show", case_id=case.id))
            except InvalidData as err:
                session.rollback()
                errors = err.errors or {"_": str(err)}
            except Forbidden:
                session.rollback()
                abort(403)
            except Conflict:
                session.rollback()
                flash(_("This household already has an open identification case."), "error")
                errors = {"_": "conflict"}
            except DixianError as err:
                session.rollback()
                flash(_("The case could not be started: %(reason)s", reason=str(err)),
                      "error")
                errors = {"_": str(err)}
        if errors:
            if set(errors) - {"_"}:
                flash(_("Please correct the marked fields."), "error")
            form, fields = _declaration_fields(parsed, user, household, raw, errors, locale)
            status = 409 if errors.get("_") == "conflict" else 400
    return render_template("households/declare.html", household=household, form=form,
                           fields=fields, form_title=schema_forms.title(form, locale),
                           instructions=schema_forms.instructions(form, locale),
                           documentation="", comment=comment), status
