"""Case page, diagram data, cancelling, and attachment download."""
from __future__ import annotations

from dataclasses import asdict
from urllib.parse import quote

from flask import Response, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import Conflict, InvalidData

from .. import diagram_names, display, handlers
from ..engine_words import message as engine_message
from ..i18n import locale_name
from ..transaction import engine
from . import bp
from ..supervision.forms import UrgeForm
from ..audit.forms import PrintForm
from .forms import CancelForm
from ..elimination.routes import case_panel


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    """Everything about one case, as the engine's CaseView tells it."""
    view = handlers.case(case_id)
    return render_template(
        "cases/case.html", view=view, case=view.case,
        process_name=view.process_name,
        outcome=view.outcome_label.get(locale_name(), ""),
        facts=display.facts(view.facts, view.start_form), history=display.history(view),
        periods=engine().periods(case_id, handlers.me()),
        cancel=CancelForm() if view.can_cancel else None,
        supervised=engine().supervisions_of_case(case_id, handlers.me()),
        supervision_outcomes=display.SUPERVISION_OUTCOMES, urge_form=UrgeForm(),
        print_form=PrintForm(), national=case_panel(view.case))


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@login_required
def cancel(case_id: int):
    """County staff cancel a running case (a duplicate, an entry in error), with a reason."""
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        handlers.cancel(case_id, (form.reason.data or "").strip())
    except InvalidData as err:
        flash(_("Give a reason for cancelling the case.") if "reason" in err.errors
              else engine_message(err), "error")
        return redirect(url_for("cases.show", case_id=case_id))
    except Conflict as err:
        flash(engine_message(err), "error")
        return redirect(url_for("cases.show", case_id=case_id))
    flash(_("Case #%(id)s cancelled.", id=case_id), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/cases/<int:case_id>/diagram.json")
@login_required
def diagram(case_id: int):
    """The BPMN XML and which steps are done, current or overdue, for the diagram script;
    lane and step names in the user's language."""
    found = asdict(engine().diagram(case_id, handlers.me()))
    found["xml"] = diagram_names.localize(found["xml"], locale_name())
    return jsonify(found)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Download an attachment of a case the user may read."""
    found, content = engine().attachment(attachment_id, handlers.me())
    response = Response(content, mimetype=found.content_type)
    response.headers["Content-Disposition"] = (
        "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (
            f"attachment-{found.id}{found.filename[found.filename.rfind('.'):]}",
            quote(found.filename)))
    response.headers["Cache-Control"] = "private, no-store"
    return response
