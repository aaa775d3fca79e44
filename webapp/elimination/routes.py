"""The household's elimination panel, the rollback, the national entry and the export."""
from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine import ELIMINATION_MODES
from engine.errors import Conflict, InvalidData

from .. import handlers
from ..auth import rule_required
from ..i18n import locale_name
from ..transaction import engine
from . import bp
from .forms import EntryForm, ExportForm, RollbackForm

EVENTS = {"taken_in": _l("Taken in as monitoring object"),
          "eliminated": _l("Risk eliminated"),
          "rolled_back": _l("Elimination rolled back (回退)")}
KEY = "risk_elimination"


def mode_label(mode: str) -> str:
    """帮扶消除 / 自然消除 in the reader's language."""
    words = ELIMINATION_MODES.get(mode)
    return (words[1] if locale_name() == "en" else words[0]) if words else mode


def household_panel(household, entry) -> dict:
    """What the household's page shows of elimination: the conditions while monitored,
    the history, the rollback form for county staff, national entries of its cases."""
    me = handlers.me()
    m = entry.monitoring
    return {
        "conditions": (engine().elimination_conditions(household.id, me)
                       if m is not None and m.status == "monitoring" else []),
        "history": engine().monitoring_history(household.id, me),
        "events": EVENTS, "mode_label": mode_label, "locale": locale_name(),
        "rollback": (RollbackForm() if m is not None and m.status == "eliminated"
                     and engine().allowed("county_decision", me, household.village_code)
                     else None),
        "entries": engine().national_entries([c.id for c in entry.cases]),
        "key": KEY}


def case_panel(case) -> dict:
    """The case page's national entry: for a household case that ended approved."""
    applies = (case.subject_kind == "household" and case.status == "completed"
               and case.outcome == "approved")
    if not applies:
        return {"applies": False}
    me = handlers.me()
    return {"applies": True, "entry": engine().national_entries([case.id]).get(case.id),
            "form": EntryForm() if engine().allowed("county_decision", me, case.area_code)
            else None}


@bp.route("/households/<int:household_id>/rollback", methods=["POST"])
@rule_required("work_queue")
def rollback(household_id: int):
    """County staff roll back the household's risk elimination, with a reason."""
    form = RollbackForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        handlers.write(engine().roll_back_elimination, household_id, handlers.me(),
                       form.reason.data or "")
    except InvalidData:
        flash(_("Give the reason for the rollback."), "error")
    except Conflict:
        flash(_("The household's risk is not eliminated (it may have been rolled back "
                "already)."), "error")
    else:
        flash(_("Elimination rolled back: the household is monitored again."), "success")
    return redirect(url_for("households.show", household_id=household_id) + "#elimination")


@bp.route("/cases/<int:case_id>/national-entry", methods=["POST"])
@rule_required("work_queue")
def national_entry(case_id: int):
    """County staff record that the case was entered into the national system."""
    form = EntryForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        handlers.write(engine().record_national_entry, case_id, handlers.me(),
                       form.note.data or "")
    except Conflict as err:
        flash(_("Not recorded: %(reason)s", reason=str(err)), "error")
    else:
        flash(_("Recorded as entered into the national monitoring system."), "success")
    target = request.args.get("next", "")
    return redirect(target if target.startswith("/national") else
                    url_for("cases.show", case_id=case_id))


def _range() -> tuple[str, str]:
    days = [request.args.get(n, "") for n in ("start", "end")]
    return tuple(d if re.fullmatch(r"\d{4}-\d\d-\d\d", d) else "" for d in days)


@bp.route("/national")
@rule_required("work_queue")
def national():
    """Cases taken in or eliminated in my area: entered into the national system or not;
    the export workbook for the chosen range."""
    me = handlers.me()
    start, end = _range()
    try:
        cases = engine().national_cases(me, start or None, end or None)
    except InvalidData:
        abort(400)
    export_form = ExportForm(formdata=None, start=start, end=end)
    return render_template("elimination/national.html", cases=cases, start=start, end=end,
                           form=EntryForm(), export_form=export_form,
                           may_enter=engine().allowed(
                               "county_decision", me, me.area_code))


@bp.route("/national/export.xlsx", methods=["POST"])
@rule_required("work_queue")
def export():
    """The national system's workbook of my area (new and eliminated objects, members);
    a POST: every export is written to the audit chain."""
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    start, end = (form.start.data or "").strip(), (form.end.data or "").strip()
    try:
        content, _households, _members = handlers.write(
            engine().export_national, handlers.me(), start or None, end or None)
    except InvalidData:
        abort(400)
    name = "national-" + (f"{start}_{end}" if start or end else "all") + ".xlsx"
    response = Response(content, mimetype="application/vnd.openxmlformats-officedocument"
                                          ".spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
