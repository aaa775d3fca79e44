"""Screening campaigns: the county's campaigns with their coverage, opening one (county
staff), coverage by township and village, and a village's list where each household is
recorded as screened (no risk, or the risk found, which opens a risk clue)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import RISK_CODES
from engine.errors import Conflict, InvalidData

from .. import handlers
from ..transaction import engine
from . import bp
from .forms import SCOPE_LABELS, ScreeningForm


def render_campaigns(form: ScreeningForm | None = None, status: int = 200):
    """The campaigns, and the form to open one for county staff."""
    me = handlers.me()
    may_open = engine().allowed("open_screening", me, me.area_code[:6])
    return render_template("fieldwork/screenings.html", campaigns=engine().screenings(me),
                           form=(form or ScreeningForm(formdata=None)) if may_open else None,
                           scopes=SCOPE_LABELS), status


@bp.route("/screening", methods=["GET", "POST"])
@login_required
def screenings():
    """The county's screening campaigns; county staff open a new one."""
    if request.method == "GET":
        return render_campaigns()
    me = handlers.me()
    if not engine().allowed("open_screening", me, me.area_code[:6]):
        abort(403)
    form = ScreeningForm()
    if not form.validate_on_submit():
        return render_campaigns(form, 400)
    try:
        view = handlers.write(engine().open_screening, me, form.name.data,
                              form.starts_on.data, form.ends_on.data, form.scope.data)
    except InvalidData as err:
        if "ends_on" in err.errors:
            form.ends_on.errors = [_("The campaign cannot end before it starts.")]
        else:
            form.name.errors = [_("Invalid value")]
        return render_campaigns(form, 400)
    except Conflict:
        form.name.errors = [_("A campaign of this name exists already.")]
        return render_campaigns(form, 409)
    flash(_("Screening campaign opened: %(num)d households on the villages' lists.",
            num=view.total.due), "success")
    return redirect(url_for("fieldwork.screening", campaign_id=view.id))


@bp.route("/screening/<int:campaign_id>")
@login_required
def screening(campaign_id: int):
    """A campaign's coverage by township and village."""
    return render_template("fieldwork/screening.html",
                           campaign=engine().screening(handlers.me(), campaign_id),
                           scopes=SCOPE_LABELS)


@bp.route("/screening/<int:campaign_id>/<village_code>")
@login_required
def village_list(campaign_id: int, village_code: str, errors: dict | None = None,
                 status: int = 200):
    """A village's households to screen."""
    me = handlers.me()
    campaign = engine().screening(me, campaign_id)
    entries = engine().screening_list(me, campaign_id, village_code)
    return render_template(
        "fieldwork/screening_list.html", campaign=campaign, entries=entries,
        village_code=village_code, errors=errors or {}, risk_codes=RISK_CODES,
        may_record=engine().allowed("village_work", me, village_code)), status


@bp.route("/screening/<int:campaign_id>/<village_code>/<int:household_id>",
          methods=["POST"])
@login_required
def record(campaign_id: int, village_code: str, household_id: int):
    """Record a household as screened."""
    finding = request.form.get("finding", "")
    note = request.form.get("note", "").strip()[:500]
    risk_types = [r for r in request.form.getlist("risk_types") if r]
    try:
        _entry, clue_id = handlers.write(engine().record_screening, handlers.me(),
                                         campaign_id, household_id, finding, note,
                                         risk_types)
    except InvalidData as err:
        message = (_("Describe the risk found.") if "note" in err.errors
                   else _("Invalid value"))
        return village_list(campaign_id, village_code, {household_id: message}, 400)
    except Conflict as err:
        return village_list(campaign_id, village_code, {household_id: str(err)}, 409)
    flash(_("Screening recorded; risk clue #%(id)d opened.", id=clue_id) if clue_id
          else _("Screening recorded: no risk."), "success")
    return redirect(url_for("fieldwork.village_list", campaign_id=campaign_id,
                            village_code=village_code))
