"""Show a work item with its form; complete, claim, unclaim it; attach files."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import access, attachments, cases, definitions, forms
from engine.errors import Conflict, DixianError, Forbidden, InvalidData

from .. import clock, schema_forms
from ..auth import current_engine_user
from ..auth.routes import safe_next
from ..case_view import case_data, may_act, may_view, summary, user_names
from ..database import db
from ..helpers import stale_message
from ..i18n import locale_name
from ..inbox.forms import ActionForm
from . import bp
from .forms import KIND_LABELS, AttachmentForm


def _load(item_id: int):
    user = current_engine_user()
    item = cases.get_item(db(), item_id)
    case = cases.get_case(db(), item.case_id)
    if not may_view(user, item, case.area_code):
        abort(403)
    return user, item, case


def _render(item_id: int, raw: dict | None = None, errors: dict | None = None,
            comment: str = "", status: int = 200, upload: AttachmentForm | None = None):
    user, item, case = _load(item_id)
    session, locale = db(), locale_name()
    parsed = definitions.load(session, case.definition_id)
    info = parsed.user_tasks.get(item.task_name)
    form = parsed.forms.get(item.form) if item.form else None
    data = case_data(session, case, item)
    acting = may_act(user, item)
    fields = schema_forms.fields(form, locale, raw if raw is not None else {}, errors) \
        if form else []
    names = user_names(session, [item.assignee_id, item.completed_by])
    return render_template(
        "tasks/task.html", item=item, case=case, info=info, form=form, fields=fields,
        decisions=schema_forms.decisions(form), summary=summary(session, case, data, locale),
        form_title=schema_forms.title(form, locale, item.title),
        instructions=schema_forms.instructions(form, locale),
        documentation=info.documentation if info else "", acting=acting, errors=errors or {},
        comment=comment, names=names, action=ActionForm(),
        upload=upload or AttachmentForm(), kinds=KIND_LABELS,
        attachments=attachments.list(session, case.id),
        can_upload=access.can_act(user) and case.status == "running"
        and access.within(case.area_code, user.area_code)), status


@bp.route("/<int:item_id>")
@login_required
def show(item_id: int):
    """The task page."""
    return _render(item_id)


@bp.route("/<int:item_id>", methods=["POST"])
@login_required
def complete(item_id: int):
    """Validate the form on the server and complete the step; nothing is saved on error."""
    user, item, case = _load(item_id)
    session, locale = db(), locale_name()
    parsed = definitions.load(session, case.definition_id)
    form = parsed.forms.get(item.form) if item.form else None
    data, raw = schema_forms.read(form, request.form) if form else ({}, {})
    comment = request.form.get("comment", "").strip()
    version = request.form.get("case_version", "")
    if not version.isdigit():
        abort(400)
    errors = forms.errors_of(form, data, clock.today(), locale) if form else {}
    if errors:
        flash(_("Please correct the marked fields."), "error")
        return _render(item_id, raw, errors, comment, 400)
    try:
        cases.complete(session, item.id, user, data, clock.now(), expected_version=int(version),
                       comment=comment)
        session.commit()
    except Conflict:
        session.rollback()
        flash(stale_message(), "error")
        return _render(item_id, raw, None, comment, 409)
    except InvalidData as err:
        session.rollback()
        flash(_("Please correct the marked fields."), "error")
        return _render(item_id, raw, err.errors, comment, 400)
    except Forbidden:
        session.rollback()
        abort(403)
    except DixianError as err:
        session.rollback()
        flash(_("The step could not be completed: %(reason)s", reason=str(err)), "error")
        return _render(item_id, raw, None, comment, 422)
    flash(_("“%(title)s” completed.", title=item.title), "success")
    return redirect(url_for("inbox.index"))


def _claim_action(item_id: int, operation, done_message: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user, item, _case = _load(item_id)
    try:
        operation(db(), item.id, user, clock.now())
        db().commit()
        flash(done_message, "success")
    except Forbidden:
        db().rollback()
        abort(403)
    except Conflict:
        db().rollback()
        flash(stale_message(), "error")
    return redirect(safe_next(request.args.get("next"), "inbox.index"))


@bp.route("/<int:item_id>/claim", methods=["POST"])
@login_required
def claim(item_id: int):
    """Take an unclaimed item."""
    return _claim_action(item_id, cases.claim, _("Task claimed."))


@bp.route("/<int:item_id>/unclaim", methods=["POST"])
@login_required
def unclaim(item_id: int):
    """Give a claimed item back to the group."""
    return _claim_action(item_id, cases.unclaim, _("Task returned to the group."))


@bp.route("/<int:item_id>/attachments", methods=["POST"])
@login_required
def upload(item_id: int):
    """Attach a PDF, JPEG or PNG file to the item's case."""
    user, item, case = _load(item_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _render(item_id, status=400, upload=form)
    file = form.file.data
    try:
        attachments.add(db(), case.id, item.id, user, file.filename or "",
                        file.mimetype or "", file.read(), form.kind.data, clock.now(),
                        max_bytes=current_app.config["UPLOAD_MAX_BYTES"])
        db().commit()
    except Forbidden:
        db().rollback()
        abort(403)
    except InvalidData as err:
        db().rollback()
        problem = next(iter(err.errors.values()), "")
        message = {"type": _("Only PDF, JPEG and PNG files are accepted."),
                   "too large": _("The file is too large."),
                   "empty": _("The file is empty.")}.get(problem, str(err))
        form.file.errors = [message]
        return _render(item_id, status=400, upload=form)
    flash(_("File attached."), "success")
    return redirect(url_for("tasks.show", item_id=item.id) + "#attachments")
