"""Household search, page, registration, and starting a case about a household."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import SelectChoice

from engine import Level, Procedure, register_label
from engine.errors import (Conflict, DixianError, Forbidden, InvalidData, NotFound,
                           SubjectBusy)

from .. import handlers, schema_forms
from ..auth import rule_required
from ..diagram_names import NAMES_EN
from ..elimination.routes import household_panel
from ..helpers import page_arg
from ..i18n import locale_name
from ..transaction import engine
from . import bp
from .forms import HouseholdForm

SUBJECT = "household"
FIELD_ERRORS = {"id_number": _l("Invalid ID number"), "members": _l("At least one member"),
                "head_name": _l("Required")}


def _villages() -> list[tuple[str, str]]:
    # Names only: the division code is the option's value, not something to read.
    return [(a.code, a.name) for a in engine().areas(handlers.me().area_code)
            if a.level == Level.VILLAGE.value]


def _procedures() -> dict[str, Procedure]:
    """The procedures that start from a household, by deployed process key."""
    return {key: procedure for procedure, key in engine().procedures_for(SUBJECT)}


@bp.route("/households")
@login_required
def index():
    """Search households by name, last digits of the ID number, and village."""
    text = request.args.get("q", "").strip()[:50]
    village = request.args.get("village", "")
    villages = _villages()
    if village and village not in dict(villages):
        village = ""
    page = page_arg()
    found, has_next = engine().households(handlers.me(), text, village, page,
                                          current_app.config["PAGE_SIZE"])
    return render_template("households/index.html", households=found, q=text,
                           village=village, villages=villages, names=dict(villages),
                           page=page, has_next=has_next)


@bp.route("/households/new", methods=["GET", "POST"])
@rule_required("work_queue")
def new():
    """Register a household in a village of the user's area."""
    form = HouseholdForm()
    form.village_code.choices = [SelectChoice(c, n) for c, n in _villages()]
    if form.validate_on_submit():
        income = form.income_per_head.data
        try:
            household = handlers.write(
                engine().add_household, handlers.me(), form.head_name.data or "",
                form.id_number.data or "", form.village_code.data or "", form.members.data,
                form.household_type.data, float(income) if income is not None else None,
                form.phone.data or "")
        except InvalidData as err:
            for name in err.errors:
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors,
                                    str(FIELD_ERRORS.get(name, _l("Invalid value")))]
            return render_template("households/new.html", form=form), 400
        except NotFound:
            form.village_code.errors = [_("No such village.")]
            return render_template("households/new.html", form=form), 400
        except Conflict:
            form.id_number.errors = [_("A household with this ID number is already "
                                       "registered.")]
            return render_template("households/new.html", form=form), 409
        flash(_("Household registered."), "success")
        return redirect(url_for("households.show", household_id=household.id))
    return render_template("households/new.html", form=form), 400 if form.errors else 200


@bp.route("/households/<int:household_id>")
@login_required
def show(household_id: int):
    """A household, its cases, and the procedures that may start for it."""
    me, locale = handlers.me(), locale_name()
    household = engine().household(household_id, me)
    procedures = _procedures()
    entry = engine().register_entry(household_id, me)
    return render_template(
        "households/show.html", household=household, entry=entry,
        words=_register_words(entry, locale),
        choice=lambda kind, value: register_label(kind, value, locale),
        village=dict(_villages()).get(household.village_code, household.village_code),
        cases=engine().cases_of(SUBJECT, household.id, me),
        elimination=household_panel(household, entry),
        labels={key: p.label.get(locale) or p.label["zh_CN"] for key, p in procedures.items()},
        process_names=_process_names(procedures, locale),
        outcome=lambda c: procedures.get(c.process_key, Procedure()).outcome_label(
            c.outcome, locale))


def _process_names(procedures: dict[str, Procedure], locale: str) -> dict[str, str]:
    """Every deployed process by its name in the UI language: the procedure's label, else
    the latest version's name (in English the diagram's English name when known)."""
    names: dict[str, str] = {}
    for row in engine().definitions():
        if row.key not in names:
            name = row.name or row.key
            names[row.key] = NAMES_EN.get(name, name) if locale == "en" else name
    for key, p in procedures.items():
        names[key] = p.label.get(locale) or p.label["zh_CN"]
    return names


def _register_words(entry, locale: str) -> dict[str, str]:
    """Risk types and aid measures of the register in the identification forms' words."""
    m = entry.monitoring
    if m is None or m.identified_case_id is None:
        return {}
    forms = engine().case(m.identified_case_id, handlers.me()).forms
    declaration = forms.get("identification/declaration.json")
    plan = forms.get("identification/aid_plan.json")
    return {"risk_types": schema_forms.display_value(declaration, "risk_types",
                                                     m.risk_types, locale),
            "measures": schema_forms.display_value(plan, "measures", m.aid_measures, locale)}


def _start_fields(form, household, raw, errors, skip):
    fields = schema_forms.fields(form, locale_name(), raw, errors, skip=skip)
    for field in fields:
        if field.name == "area_code":
            field.widget, field.options = "select", _villages()
            field.raw = field.raw or household.village_code
    return fields


@bp.route("/households/<int:household_id>/declare/<key>", methods=["GET", "POST"])
@rule_required("work_queue")
def declare(household_id: int, key: str):
    """Start a case of procedure ``key`` for the household from its start form; the engine
    checks the household, the user and the data."""
    if key not in _procedures():
        abort(404)
    subject_field = f"{SUBJECT}_id"
    household = engine().household(household_id, handlers.me())
    parsed = engine().definition(key)[1]
    form = parsed.forms.get(parsed.start_form)
    # A village user's cases belong to their village; others choose it. A risk elimination
    # belongs to the household's village: nobody chooses it.
    proposal = _procedures()[key].name == "elimination"
    skip = (subject_field,) + (("area_code",) if handlers.me().level == Level.VILLAGE.value
                               or proposal else ())
    raw, errors, comment, status, busy_case = {}, {}, "", 200, None
    if request.method == "POST":
        data, raw = schema_forms.read(form, request.form, skip=skip) if form else ({}, {})
        data[subject_field] = household.id
        comment = request.form.get("comment", "").strip()
        try:
            started = handlers.start(key, data, comment)
        except InvalidData as err:
            errors, status = err.errors or {"_": str(err)}, 400
            flash(_("Please correct the marked fields."), "error")
        except SubjectBusy as err:
            status, busy_case = 409, err.case_id
            flash(_("This household cannot be declared again: it has a running case or is "
                    "already monitored (case #%(id)s).", id=err.case_id), "error")
        except Conflict:
            status = 409
            flash(_("This household already has an open case of this procedure."), "error")
        except (Forbidden, NotFound):
            raise  # their own pages
        except DixianError as err:  # e.g. a script of the process failed
            errors, status = {"_": str(err)}, 422
            flash(_("The case could not be started: %(reason)s", reason=str(err)), "error")
        else:
            flash(_("Risk elimination proposed: case %(id)d started.", id=started.case.id)
                  if proposal else
                  _("Declaration registered: case %(id)d started.", id=started.case.id),
                  "success")
            return redirect(url_for("cases.show", case_id=started.case.id))
    fields = _start_fields(form, household, raw, errors, skip) if form else []
    conditions = (engine().elimination_conditions(household.id, handlers.me())
                  if proposal else [])
    return render_template(
        "households/declare.html", household=household, key=key, fields=fields,
        elimination={"conditions": conditions, "locale": locale_name(), "proposal": proposal},
        form_title=schema_forms.title(form, locale_name()),
        instructions=schema_forms.instructions(form, locale_name()),
        unplaced=schema_forms.unplaced(fields, errors), comment=comment,
        busy_case=busy_case), status
