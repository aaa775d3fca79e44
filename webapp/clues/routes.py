"""Risk clues: the list of the user's area (for a village: the clues it must check), a
clue's page, and the village's two answers — declare it, or close it with a reason."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine.errors import Conflict, DixianError, Forbidden, InvalidData, NotFound

from .. import handlers, schema_forms
from ..helpers import page_arg
from ..i18n import locale_name
from ..transaction import engine
from . import bp
from .warnings import DEPARTMENT_LABELS

STATUS_LABELS = {"open": _l("To check"), "declared": _l("Declared"), "closed": _l("Closed")}
SOURCE_LABELS = {"department_warning": _l("Department warning"),
                 "screening": _l("Screening campaign"), "visit": _l("Monthly visit")}
SKIP = ("household_id", "area_code", "channel")


@bp.route("/clues")
@login_required
def index():
    """The risk clues of my area, oldest first; villages see the ones they must check."""
    status = request.args.get("status", "open")
    status = status if status in STATUS_LABELS or status == "all" else "open"
    source = request.args.get("source", "")
    source = source if source in SOURCE_LABELS else ""
    page = engine().clues(handlers.me(), "" if status == "all" else status, "", source,
                          page_arg())
    return render_template("clues/index.html", page=page, status=status, source=source,
                           statuses=STATUS_LABELS, sources=SOURCE_LABELS,
                           departments=DEPARTMENT_LABELS)


def _declaration_form():
    try:
        key = engine().identification_key()
    except NotFound:
        return None
    parsed = engine().definition(key)[1]
    return parsed.forms.get(parsed.start_form)


def render_clue(clue_id: int, raw: dict | None = None, errors: dict | None = None,
                reason: str = "", reason_error: str = "", comment: str = "",
                status: int = 200):
    """A clue's page, with the declaration and closing forms while it is open and the
    user's village checks it."""
    me = handlers.me()
    clue = engine().clue(clue_id, me)
    may_check = clue.status == "open" and engine().allowed("village_work", me,
                                                            clue.village_code)
    declaration = _declaration_form()
    form = declaration if may_check else None
    fields = []
    if form is not None:
        raw = raw if raw is not None else {
            k: v for k, v in engine().clue_defaults(clue_id, me).items() if k not in SKIP}
        fields = schema_forms.fields(form, locale_name(), raw, errors, skip=SKIP)
    return render_template(
        "clues/show.html", clue=clue, may_check=may_check, fields=fields,
        unplaced=schema_forms.unplaced(fields, errors), comment=comment, reason=reason,
        reason_error=reason_error, statuses=STATUS_LABELS, sources=SOURCE_LABELS,
        departments=DEPARTMENT_LABELS,
        risk_labels=[schema_forms.enum_label(declaration, "risk_types", code, locale_name())
                     if declaration else code for code in clue.risk_types],
        form_title=schema_forms.title(form, locale_name()) if form else ""), status


@bp.route("/clues/<int:clue_id>")
@login_required
def show(clue_id: int):
    """A risk clue: where it comes from and what became of it."""
    return render_clue(clue_id)


@bp.route("/clues/<int:clue_id>/declare", methods=["POST"])
@login_required
def declare(clue_id: int):
    """Declare the clue: an identification case for its household, with its channel."""
    form = _declaration_form()
    if form is None:
        abort(404)
    data, raw = schema_forms.read(form, request.form, skip=SKIP)
    comment = request.form.get("comment", "").strip()[:2000]
    try:
        started = handlers.write(engine().declare_clue, handlers.me(), clue_id, data,
                                 comment=comment, locale=locale_name())
    except InvalidData as err:
        flash(_("Please correct the marked fields."), "error")
        return render_clue(clue_id, raw, err.errors or {"_": str(err)}, comment=comment,
                           status=400)
    except Conflict as err:
        flash(_("The clue cannot be declared: %(reason)s", reason=str(err)), "error")
        return render_clue(clue_id, raw, comment=comment, status=409)
    except (Forbidden, NotFound):
        raise
    except DixianError as err:
        flash(_("The case could not be started: %(reason)s", reason=str(err)), "error")
        return render_clue(clue_id, raw, comment=comment, status=422)
    flash(_("Declaration registered: case %(id)d started.", id=started.case.id), "success")
    return redirect(url_for("cases.show", case_id=started.case.id))


@bp.route("/clues/<int:clue_id>/close", methods=["POST"])
@login_required
def close(clue_id: int):
    """Close the clue with the reason the check found."""
    reason = request.form.get("reason", "").strip()
    try:
        handlers.write(engine().close_clue, handlers.me(), clue_id, reason)
    except InvalidData as err:
        message = (_("Give the reason the check found.") if "required" in str(err)
                   else _("At most 500 characters."))
        return render_clue(clue_id, reason=reason, reason_error=message, status=400)
    except Conflict:
        flash(_("This clue has already been handled."), "error")
        return redirect(url_for("clues.show", clue_id=clue_id))
    flash(_("Risk clue closed."), "success")
    return redirect(url_for("clues.index"))
