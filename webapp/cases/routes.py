"""Case page, diagram data and attachment download."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine import access, attachments, audit, cases, definitions
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import CaseStatus, ItemStatus, Level

from .. import clock, schema_forms
from ..auth import current_engine_user
from ..case_view import bpmn_xml, case_data, check_readable, items_of, summary, user_names
from ..database import db
from ..i18n import locale_name
from . import bp
from .forms import CancelForm

EVENT_LABELS = {
    "case_started": _l("Case started"), "task_completed": _l("Step completed"),
    "claimed": _l("Claimed"), "unclaimed": _l("Returned to group"),
    "rejected": _l("Rejected"), "returned": _l("Returned to the level below"),
    "case_ended": _l("Case ended"), "cancelled": _l("Cancelled"),
    "attachment_added": _l("File attached"), "timer_fired": _l("Timer fired"),
    "task_overdue": _l("Step overdue"), "case_overdue": _l("Case deadline passed"),
}
OUTCOME_LABELS = {"approved": _l("Taken in as monitoring object"),
                  "rejected": _l("Not taken in"),
                  "objection_upheld": _l("Objection upheld"), "cancelled": _l("Cancelled"),
                  "completed": _l("Completed")}
STATUS_LABELS = {"running": _l("Running"), "completed": _l("Completed"),
                 "rejected": _l("Rejected"), "cancelled": _l("Cancelled"),
                 "open": _l("Open")}


def _case(case_id: int):
    case = cases.get_case(db(), case_id)
    check_readable(current_engine_user(), case)
    return case


def _history(case, parsed, locale: str) -> list[dict]:
    events = audit.trail(db(), case.id)
    names = user_names(db(), [e.actor_id for e in events])
    rows = []
    for ev in events:
        info = parsed.user_tasks.get(ev.task_name) if ev.task_name else None
        form, shown = None, {}
        if ev.event == "task_completed" and info is not None:
            form, shown = parsed.forms.get(info.form), ev.data
        elif ev.event == "case_started":
            form, shown = parsed.forms.get(parsed.start_form), ev.data.get("data", {})
        elif ev.event in ("rejected", "returned", "cancelled", "case_ended"):
            shown = {k: v for k, v in ev.data.items() if v}
        elif ev.event == "attachment_added":
            shown = {_("File"): ev.data.get("filename"), "SHA-256": ev.data.get("sha256")}
        title = info.title if info else ev.task_name
        if info is not None:
            title = schema_forms.title(parsed.forms.get(info.form), locale, info.title)
        rows.append({"event": ev, "what": EVENT_LABELS.get(ev.event, ev.event),
                     "task": title,
                     "who": names.get(ev.actor_id) or (_("System") if ev.actor_id is None
                                                        else ev.actor_name),
                     "data": schema_forms.display(form, shown, locale)})
    return rows


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    """Everything about one case; readable by staff and auditors of its area."""
    case = _case(case_id)
    session, locale = db(), locale_name()
    parsed = definitions.load(session, case.definition_id)
    data = case_data(session, case)
    items = items_of(session, case.id)
    names = user_names(session, [i.completed_by for i in items] + [i.assignee_id for i in items])
    return render_template(
        "cases/case.html", case=case, parsed=parsed, summary=summary(session, case, data,
                                                                     locale),
        items=items, names=names, history=_history(case, parsed, locale),
        attachments=attachments.list(session, case.id), status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS, verification=audit.verify(session, case.id),
        now=clock.now(), cancel=CancelForm() if _may_cancel(case) else None)


def _may_cancel(case) -> bool:
    user = current_engine_user()
    return (case.status == CaseStatus.RUNNING.value and user.level == Level.COUNTY.value
            and access.can_act(user) and access.within(case.area_code, user.area_code))


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@login_required
def cancel(case_id: int):
    """County staff cancel a running case (a duplicate, an entry in error), with a reason."""
    case = _case(case_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for cancelling the case."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    try:
        cases.cancel(db(), case.id, current_engine_user(), form.reason.data.strip(),
                     clock.now())
        db().commit()
    except Forbidden:
        db().rollback()
        abort(403)
    except (Conflict, InvalidData) as err:
        db().rollback()
        flash(str(err), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    flash(_("Case #%(id)s cancelled.", id=case.id), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/cases/<int:case_id>/diagram.json")
@login_required
def diagram(case_id: int):
    """The BPMN XML and which steps are done, current or overdue, for the diagram script."""
    case = _case(case_id)
    now = clock.now()
    done, current, overdue = set(), set(), set()
    for item in items_of(db(), case.id):
        if item.status == ItemStatus.COMPLETED.value:
            done.add(item.task_name)
        elif item.status == ItemStatus.OPEN.value:
            (overdue if item.due_at is not None and item.due_at < now else current).add(
                item.task_name)
    return jsonify(xml=bpmn_xml(db(), case), done=sorted(done - current - overdue),
                   current=sorted(current), overdue=sorted(overdue))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Download an attachment of a case the user may read."""
    found = attachments.get(db(), current_engine_user(), attachment_id)
    response = Response(found.content, mimetype=found.content_type)
    response.headers["Content-Disposition"] = (
        "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (
            f"attachment-{found.id}{found.filename[found.filename.rfind('.'):]}",
            quote(found.filename)))
    response.headers["Cache-Control"] = "private, no-store"
    return response
