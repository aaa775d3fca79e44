"""Show a work item with its form; complete, claim, unclaim, hand it over; attach files."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from engine import TaskView, form_errors, local_today
from engine.errors import Conflict, DixianError, Forbidden, InvalidData, NotFound

from .. import display, handlers, schema_forms
from ..auth.routes import safe_next
from ..helpers import stale_message
from ..i18n import locale_name
from ..inbox.forms import ActionForm
from . import bp
from .forms import KIND_LABELS, AttachmentForm, ReassignForm


def _reassign_form(view: TaskView, form: ReassignForm | None = None) -> ReassignForm | None:
    if not view.can_act:
        return None
    form = form or ReassignForm(formdata=None)
    form.to_user.choices = [SelectChoice(u.id, u.name) for u in handlers.colleagues(view.item)]
    return form if form.to_user.choices else None


def _render(view: TaskView, raw: dict | None = None, errors: dict | None = None,
            comment: str = "", status: int = 200, upload: AttachmentForm | None = None,
            reassign: ReassignForm | None = None, confirming: bool = False):
    """The task page: what the engine's TaskView says, with the user's input and errors."""
    locale, form = locale_name(), view.form
    fields = schema_forms.fields(form, locale, raw or {}, errors) if form else []
    return render_template(
        "tasks/task.html", view=view, item=view.item, case=view.case,
        forms={view.item.form: form} if form else {}, fields=fields,
        unplaced=schema_forms.unplaced(fields, errors), decisions=schema_forms.decisions(form),
        facts=display.facts(view.facts, view.start_form),
        form_title=schema_forms.title(form, locale, view.item.title),
        instructions=schema_forms.instructions(form, locale),
        documentation=view.step.documentation if view.step else "", errors=errors or {},
        comment=comment, action=ActionForm(), upload=upload or AttachmentForm(),
        kinds=KIND_LABELS, reassign=_reassign_form(view, reassign),
        periods=handlers.periods(view.case.id), sheet=_sheet(view),
        confirming=confirming), status


def _sheet(view: TaskView) -> list[dict]:
    forms = handlers.case(view.case.id).forms
    return display.sheet(handlers.sheet(view), forms, view.start_form)


@bp.route("/<int:item_id>")
@login_required
def show(item_id: int):
    """The task page."""
    return _render(handlers.task(item_id))


@bp.route("/<int:item_id>", methods=["POST"])
@login_required
def complete(item_id: int):
    """Hand the typed form data to the engine, which checks access and state, then validates
    it; nothing is saved on error and the page shows what the user typed."""
    version = request.form.get("case_version", "")
    if not (version.isascii() and version.isdigit() and len(version) <= 9):
        abort(400)
    # The item and its form only; the whole page's view is read when the page is shown again.
    item, form = handlers.task_form(item_id)
    data, raw = schema_forms.read(form, request.form) if form else ({}, {})
    comment = request.form.get("comment", "").strip()
    if (data.get("decision") == "reject" and request.form.get("confirm_reject") != "1"
            and form and not form_errors(form, data, local_today(handlers.now()),
                                         locale_name())):
        # 不予通过 ends the case: ask once more, on a page of its own (works without JS).
        return _render(handlers.task(item_id), raw, None, comment, confirming=True)
    try:
        handlers.complete(item_id, data, int(version), comment)
    except InvalidData as err:
        flash(_("Please correct the marked fields."), "error")
        return _render(handlers.task(item_id), raw, err.errors or {"_": str(err)}, comment, 400)
    except Conflict:
        flash(stale_message(), "error")
        return _render(handlers.task(item_id), raw, None, comment, 409)
    except (Forbidden, NotFound):
        raise  # their own pages
    except DixianError as err:  # e.g. a script of the step failed
        flash(_("The step could not be completed: %(reason)s", reason=str(err)), "error")
        return _render(handlers.task(item_id), raw, None, comment, 422)
    title = display.step_title(item, {item.form: form} if form else {})
    flash(_("“%(title)s” completed.", title=title), "success")
    return redirect(url_for("inbox.index"))


def _assign_action(operation, item_id: int, done_message: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operation(item_id)
        flash(done_message, "success")
    except Conflict:
        flash(stale_message(), "error")
    return redirect(safe_next(request.args.get("next"), "inbox.index"))


@bp.route("/<int:item_id>/claim", methods=["POST"])
@login_required
def claim(item_id: int):
    """Take an unclaimed item."""
    return _assign_action(handlers.claim, item_id, _("Task claimed."))


@bp.route("/<int:item_id>/unclaim", methods=["POST"])
@login_required
def unclaim(item_id: int):
    """Give a claimed item back to the group."""
    return _assign_action(handlers.unclaim, item_id, _("Task returned to the group."))


@bp.route("/<int:item_id>/reassign", methods=["POST"])
@login_required
def reassign(item_id: int):
    """转办: hand the item to a colleague of its level and area."""
    form = ReassignForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        item = handlers.reassign(item_id, form.to_user.data, (form.comment.data or "").strip())
    except Conflict:
        flash(stale_message(), "error")
        return redirect(url_for("tasks.show", item_id=item_id))
    flash(_("Task handed over to %(name)s.", name=item.assignee), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<int:item_id>/attachments", methods=["POST"])
@login_required
def upload(item_id: int):
    """Attach a PDF, JPEG or PNG file to the item's case."""
    view = handlers.task(item_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _render(view, status=400, upload=form)
    file = form.file.data
    try:
        handlers.attach(view.case.id, view.item.id, file.filename or "", file.mimetype or "",
                        file.read(), form.kind.data)
    except InvalidData as err:
        problem = next(iter(err.errors.values()), "")
        message = {"type": _("Only PDF, JPEG and PNG files are accepted."),
                   "too large": _("The file is too large."),
                   "empty": _("The file is empty.")}.get(problem, str(err))
        form.file.errors = [message]
        return _render(view, status=400, upload=form)
    flash(_("File attached."), "success")
    return redirect(url_for("tasks.show", item_id=item_id) + "#attachments")
