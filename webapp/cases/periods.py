"""Lodging an entry (an objection) in a case's open period (publicity) from the case page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import Conflict, InvalidData

from .. import display, handlers, schema_forms
from ..helpers import stale_message
from ..i18n import locale_name
from ..transaction import engine
from . import bp


def _render(case_id: int, step: str, raw=None, errors=None, status: int = 200):
    view = handlers.case(case_id)
    periods = engine().periods(case_id, handlers.me())
    period = next((p for p in periods if p.step == step), None)
    if period is None or not period.can_lodge:
        abort(404)
    form = view.forms.get(period.form)
    locale = locale_name()
    fields = schema_forms.fields(form, locale, raw or {}, errors) if form else []
    return render_template(
        "cases/lodge.html", view=view, case=view.case, period=period, periods=periods,
        process_name=view.process_name,
        facts=display.facts(view.facts, view.start_form),
        fields=fields, unplaced=schema_forms.unplaced(fields, errors), errors=errors or {},
        form_title=schema_forms.title(form, locale, period.title),
        instructions=schema_forms.instructions(form, locale)), status


@bp.route("/cases/<int:case_id>/periods/<step>")
@login_required
def lodge(case_id: int, step: str):
    """The objection form of an open publicity period."""
    return _render(case_id, step)


@bp.route("/cases/<int:case_id>/periods/<step>", methods=["POST"])
@login_required
def lodge_post(case_id: int, step: str):
    """Lodge the objection; errors next to the fields, what was typed kept."""
    version = request.form.get("case_version", "")
    if not version.isdigit():
        abort(400)
    view = handlers.case(case_id)
    periods = engine().periods(case_id, handlers.me())
    period = next((p for p in periods if p.step == step), None)
    if period is None:
        abort(404)
    form = view.forms.get(period.form)
    data, raw = schema_forms.read(form, request.form) if form else ({}, {})
    try:
        handlers.write(engine().lodge, case_id, step, handlers.me(), data,
                       expected_version=int(version),
                       comment=request.form.get("comment", "").strip(), locale=locale_name())
    except InvalidData as err:
        flash(_("Please correct the marked fields."), "error")
        return _render(case_id, step, raw, err.errors or {"_": str(err)}, 400)
    except Conflict:
        flash(stale_message(), "error")
        return _render(case_id, step, raw, None, 409)
    flash(_("Objection lodged: the village investigates it."), "success")
    return redirect(url_for("cases.show", case_id=case_id))
