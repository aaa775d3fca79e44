"""Monthly visits: the month's plan (visited / due / missed, by village), recording a visit
with photos, a visit's page, and the one-click risk clue from a visit."""
from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import GUARANTEES, Level, local_today
from engine.errors import Conflict, InvalidData

from .. import handlers
from ..transaction import engine
from . import bp
from .forms import (GUARANTEE_LABELS, INCOME_LABELS, SPENDING_LABELS, WARNING_LABELS,
                    VisitForm)

FIELD_MESSAGES = {"visited_on": lambda m: _("The visit date cannot be in the future.")
                  if "future" in m else _("Give the visit date."),
                  "visitors": lambda m: _("Name who visited."),
                  "photos": lambda m: _("Only JPEG, PNG or PDF files of at most 10 MiB, "
                                        "at most 6 per visit.")}


def _month() -> str:
    month = request.args.get("month", "")
    return month if re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month) else ""


@bp.route("/visits")
@login_required
def plan():
    """This month's (or a chosen month's) visit plan of my area, or of a village in it."""
    me = handlers.me()
    area = request.args.get("area", "")
    areas = [(a.code, a.name) for a in engine().areas(me.area_code)
             if a.level != Level.COUNTY.value and a.code != me.area_code]
    if area not in dict(areas):
        area = ""
    view = engine().visit_plan(me, area, _month())
    return render_template("fieldwork/plan.html", plan=view, area=area, areas=areas,
                           may_record=engine().allowed("village_work", me, me.area_code))


@bp.route("/visits/new/<int:household_id>", methods=["GET", "POST"])
@login_required
def new(household_id: int):
    """Record a visit to a household of my village."""
    me = handlers.me()
    household = engine().household(household_id, me)
    if not engine().allowed("village_work", me, household.village_code):
        abort(403)
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = local_today(engine().clock())
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in (
            "visited_on", "visitors", "income_change", "spending_change", "aid_received",
            "notes", *GUARANTEES)}
        income = form.income_per_head.data
        data["income_per_head"] = float(income) if income is not None else None
        photos = [(f.filename or "photo", f.read()) for f in form.photos.data or []
                  if getattr(f, "filename", "")]
        try:
            view = handlers.write(engine().record_visit, me, household_id, data, photos)
        except InvalidData as err:
            for name, message in err.errors.items():
                field = getattr(form, name, None)
                if field is not None:
                    explain = FIELD_MESSAGES.get(name)
                    field.errors = [explain(str(message)) if explain else _("Invalid value")]
            return render_template("fieldwork/visit_new.html", form=form,
                                   household=household), 400
        flash(_("Visit recorded."), "success")
        return redirect(url_for("fieldwork.visit", visit_id=view.id))
    return render_template("fieldwork/visit_new.html", form=form, household=household), (
        400 if form.errors else 200)


@bp.route("/visits/<int:visit_id>")
@login_required
def visit(visit_id: int):
    """A recorded visit, its photos and warning signs."""
    me = handlers.me()
    view = engine().visit(me, visit_id)
    return render_template(
        "fieldwork/visit.html", visit=view, incomes=INCOME_LABELS, spendings=SPENDING_LABELS,
        guarantees=GUARANTEE_LABELS, warnings=WARNING_LABELS,
        may_open=bool(view.warnings) and view.clue_id is None
        and engine().allowed("village_work", me, view.village_code))


@bp.route("/visits/<int:visit_id>/clue", methods=["POST"])
@login_required
def open_clue(visit_id: int):
    """Open a risk clue from the visit (one click)."""
    try:
        clue_id = handlers.write(engine().visit_clue, handlers.me(), visit_id)
    except (Conflict, InvalidData) as err:
        flash(_("No risk clue opened: %(reason)s", reason=str(err)), "error")
        return redirect(url_for("fieldwork.visit", visit_id=visit_id))
    flash(_("Risk clue opened: the village checks it and declares it or closes it."),
          "success")
    return redirect(url_for("clues.show", clue_id=clue_id))


@bp.route("/visits/photos/<int:photo_id>")
@login_required
def photo(photo_id: int):
    """A visit photo, shown inline."""
    filename, content_type, content = engine().visit_photo(handlers.me(), photo_id)
    response = Response(content, mimetype=content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
