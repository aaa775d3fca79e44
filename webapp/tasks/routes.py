"""Show a work item with its form; complete, claim, unclaim, hand it over; attach files."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from engine import TaskView, form_errors, local_today
from engine.errors import Conflict, DixianError, Forbidden, InvalidData, NotFound

from .. import display, handlers, schema_forms
from ..engine_words import message as engine_message
from ..auth.routes import safe_next
from ..helpers import stale_message
from ..i18n import locale_name
from ..inbox.forms import ActionForm
from . import bp
from .forms import KIND_LABELS, AttachmentForm, ReassignForm, TakeOverForm


def _reassign_form(view: TaskView, form: ReassignForm | None = None) -> ReassignForm | None:
    if not view.can_act:
        return None
    form = form or ReassignForm(formdata=None)
    form.to_user.choices = [SelectChoice(u.id, u.name) for u in handlers.colleagues(view.item)]
    return form if form.to_user.choices else None


def _take_over_form(view: TaskView) -> TakeOverForm | None:
    if not view.can_take_over:
        return None
    form = TakeOverForm(formdata=None, holder=str(view.item.assignee_id))
    choices = [SelectChoice(u.id, u.name) for u in handlers.colleagues(view.item)
               if u.id != view.item.assignee_id] if handlers.me().has_role("admin") else []
    form.to_user.choices = [SelectChoice(0, _("Me, or back to the group"))] + choices
    return form


def _render(view: TaskView, raw: dict | None = None, errors: dict | None = None,
            comment: str = "", status: int = 200, upload: AttachmentForm | None = None,
            reassign: ReassignForm | None = None, confirming: bool = False,
            version: int | None = None):
    """The task page: what the engine's TaskView says, with the user's input and errors.
    ``version``: the case version the typed input is based on (kept across an upload)."""
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
        confirming=confirming, take_over=_take_over_form(view),
        version=version if version is not None else view.case.version,
        kept=_kept(fields, comment) if _typed(raw, comment) and not view.can_act else []
    ), status


def _typed(raw: dict | None, comment: str) -> bool:
    """Whether the user typed anything (a page read without input has nothing to keep)."""
    return bool(comment) or any((raw or {}).values())


def _kept(fields: list, comment: str) -> list[tuple[str, str]]:
    """What the user typed, as label and text, when the form can no longer take it."""
    shown = []
    for f in fields:
        if not f.raw or f.widget == "decision":
            continue
        values = f.raw if isinstance(f.raw, list) else [f.raw]
        words = dict(f.options)
        text = "、".join(words.get(v, v) for v in values if v)
        if f.widget == "checkbox":
            text = _("Yes")
        shown.append((f.label, text))
    if comment:
        shown.append((_("Comment"), comment))
    return shown


def _version(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _sheet(view: TaskView) -> list[dict]:
    forms = handlers.case(view.case.id).forms
    return display.sheet(handlers.sheet(view), forms, view.start_form)


@bp.route("/<int:item_id>")
@login_required
def show(item_id: int):
    """The task page."""
    view = handlers.task(item_id)
    return _render(view, _previous_answers(view))


def _previous_answers(view: TaskView) -> dict | None:
    """When a review sent the case back to this step (退回修改), what the step recorded
    last time, as form input: the user corrects it rather than typing it all again. The
    decision is left for the user to take anew."""
    if view.item.returned is None or not view.form or not view.can_act:
        return None
    done = [e for e in handlers.sheet(view) if e.step == view.item.task_name]
    if not done:
        return None
    names = {f.name: f.widget for f in schema_forms.fields(view.form, locale_name())}
    raw = {}
    for name, value in done[-1].data.items():
        widget = names.get(name)
        if widget is None or widget == "decision" or value is None:
            continue
        if isinstance(value, list):
            texts = [str(v) for v in value]
            raw[name] = "\n".join(texts) if widget == "lines" else texts
        elif isinstance(value, bool):
            raw[name] = value
        else:
            raw[name] = str(value)
    return raw


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
        return _render(handlers.task(item_id), raw, err.errors or {"_": engine_message(err)},
                       comment, 400)
    except Conflict:
        # Someone else acted first: the page comes back with what was typed, on the new
        # version if the step is still open, else shown as text to copy (nothing is lost).
        flash(stale_message(), "error")
        return _render(handlers.task(item_id), raw, None, comment, 409)
    except Forbidden:
        fresh = handlers.task(item_id)  # its own page if the user may not even read it
        if fresh.item.assignee_id in (None, handlers.me().id) or not _typed(raw, comment):
            raise
        flash(_("%(name)s has claimed this step in the meantime; what you typed is shown "
                "below and was not saved.", name=fresh.item.assignee), "error")
        return _render(fresh, raw, None, comment, 409)
    except NotFound:
        raise  # its own page
    except DixianError as err:  # e.g. a script of the step failed
        flash(_("The step could not be completed: %(reason)s", reason=engine_message(err)),
              "error")
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


@bp.route("/<int:item_id>/take-over", methods=["POST"])
@login_required
def take_over(item_id: int):
    """接管: take a claimed item from its holder, with a reason (admin or lead)."""
    form = TakeOverForm()
    holder = form.holder.data or ""
    if not (holder.isascii() and holder.isdigit() and len(holder) <= 9):
        abort(400)
    if not form.validate_on_submit():
        flash(_("Give a reason (at most 500 characters) to take the task over."), "error")
        return redirect(url_for("tasks.show", item_id=item_id) + "#take-over")
    try:
        item = handlers.take_over(item_id, form.reason.data.strip(), form.to_user.data or None,
                                  int(holder))
    except Conflict:
        flash(stale_message(), "error")
        return redirect(url_for("tasks.show", item_id=item_id))
    flash(_("Task taken over; it is now with %(name)s.", name=item.assignee or _("the group")),
          "success")
    return redirect(url_for("tasks.show", item_id=item_id))


@bp.route("/<int:item_id>/attachments", methods=["POST"])
@login_required
def upload(item_id: int):
    """Attach a PDF, JPEG or PNG file to the item's case. The upload button belongs to the
    step's form, so the fields typed so far come along and the page comes back with them
    (and with the case version they were based on), without JavaScript."""
    view = handlers.task(item_id)
    form = AttachmentForm()
    raw = schema_forms.read(view.form, request.form)[1] if view.form else {}
    comment = request.form.get("comment", "").strip()
    version = _version(request.form.get("case_version", ""))
    if not form.validate_on_submit():
        return _render(view, raw, None, comment, 400, upload=form, version=version)
    file = form.file.data
    try:
        handlers.attach(view.case.id, view.item.id, file.filename or "", file.mimetype or "",
                        file.read(), form.kind.data)
    except InvalidData as err:
        problem = next(iter(err.errors.values()), "")
        message = {"type": _("Only PDF, JPEG and PNG files are accepted."),
                   "too large": _("The file is too large."),
                   "empty": _("The file is empty.")}.get(problem, engine_message(err))
        form.file.errors = [message]
        return _render(view, raw, None, comment, 400, upload=form, version=version)
    except (Conflict, Forbidden):
        if not _typed(raw, comment):
            raise
        # The step moved on (or a colleague claimed it) meanwhile: keep what was typed.
        flash(stale_message(), "error")
        return _render(handlers.task(item_id), raw, None, comment, 409, version=version)
    flash(_("File attached."), "success")
    if "case_version" not in request.form:  # the upload form of its own (no step form)
        return redirect(url_for("tasks.show", item_id=item_id) + "#attachments")
    return _render(handlers.task(item_id), raw, None, comment, upload=AttachmentForm(
        formdata=None), version=version)
