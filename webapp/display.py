"""How the engine's view objects read on pages and in the API: fact values, step titles,
history rows. Nothing here knows a procedure: labels and values come from the views, the
wording of choices from the forms.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import TIMEZONE, CaseView, Fact, ItemView

from . import schema_forms
from .i18n import locale_name
from .transaction import engine

EVENT_LABELS = {
    "case_started": _l("Case started"), "task_completed": _l("Step completed"),
    "claimed": _l("Claimed"), "unclaimed": _l("Returned to group"),
    "reassigned": _l("Reassigned"), "taken_over": _l("Taken over (接管)"),
    "rejected": _l("Not approved"), "returned": _l("Returned for correction"),
    "case_ended": _l("Case ended"), "cancelled": _l("Cancelled"),
    "attachment_added": _l("File attached"), "timer_fired": _l("Timer fired"),
    "task_overdue": _l("Step overdue"), "case_overdue": _l("Case deadline passed"),
    "supervision_opened": _l("Supervision (督办) opened"),
    "supervision_overdue": _l("Supervision (督办) overdue"),
    "supervision_closed": _l("Supervision (督办) closed"), "urged": _l("Urged (催办)"),
}
SUPERVISION_OUTCOMES = {"done": _l("step completed"), "cancelled": _l("step withdrawn")}
STATUS_LABELS = {"running": _l("Running"), "completed": _l("Completed"),
                 "rejected": _l("Rejected"), "cancelled": _l("Cancelled"),
                 "open": _l("Open")}


def value_text(value, start_form: dict | None = None, form_field: str = "",
               locale: str | None = None) -> str:
    """A stored value as text: dates as YYYY-MM-DD, lists joined with 、, choices by the
    label the start form gives them."""
    locale = locale or locale_name()
    if isinstance(value, datetime):
        return value.astimezone(TIMEZONE).strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "、".join(value_text(v, start_form, form_field, locale) for v in value)
    if value is None or value == "":
        return ""
    if form_field:
        return schema_forms.display_value(start_form, form_field, value, locale)
    return schema_forms.display_value(None, "", value, locale)


def facts(items: list[Fact], start_form: dict | None) -> list[tuple[str, str, str]]:
    """``(key, label, text)`` of a case's facts in the UI language."""
    locale = locale_name()
    return [(f.key, f.label_in(locale), value_text(f.value, start_form, f.form_field, locale))
            for f in items]


def step_title(item: ItemView, forms: dict | None = None) -> str:
    """A work item's step title in the UI language: the form's English title in English.

    ``forms`` maps form refs to forms (the case's); without it the latest version of the
    item's process tells, read once per request.
    """
    locale = locale_name()
    if locale != "en" or not item.form:
        return item.title
    if forms is None:
        known = g.setdefault("process_forms", {})
        if item.process_key not in known:
            known[item.process_key] = engine().definition(item.process_key)[1].forms
        forms = known[item.process_key]
    return schema_forms.title(forms.get(item.form), locale, item.title)


def _user_name(user_id) -> str:
    if not isinstance(user_id, int):
        return ""
    known = g.setdefault("user_names", {})
    if user_id not in known:
        known[user_id] = engine().user(user_id).name
    return known[user_id]


def area_label(code: str) -> str:
    """An area's name (its code if unknown)."""
    from .helpers import area_name

    return area_name(code) if code else ""


def _ending(data: dict, view: CaseView) -> dict:
    """An ending's status, outcome and reason in words, not as stored keys."""
    words = {"status": (_("Status"), lambda v: str(STATUS_LABELS.get(v, v))),
             "outcome": (_("Outcome"), lambda v: view.outcome_label.get(locale_name())
                         if v == view.case.outcome and view.outcome_label else v),
             "reason": (_("Reason"), str)}
    return {words[k][0] if k in words else k: (words[k][1](v) if k in words else v)
            for k, v in data.items() if v}


def history(view: CaseView) -> list[dict]:
    """The case's trail as rows: when, who, what, which step, the data in the forms' words."""
    locale = locale_name()
    rows = []
    for ev in view.trail:
        info = view.steps.get(ev.task_name) if ev.task_name else None
        form, shown = None, {}
        if ev.event == "task_completed" and info is not None:
            form, shown = view.forms.get(info.form), ev.data
        elif ev.event == "case_started":
            form, shown = view.start_form, ev.data.get("data", {})
        elif ev.event in ("rejected", "returned", "cancelled", "case_ended"):
            shown = _ending(ev.data, view)
        elif ev.event == "attachment_added":
            shown = {_("File"): ev.data.get("filename"), "SHA-256": ev.data.get("sha256")}
        elif ev.event in ("supervision_opened", "supervision_closed"):
            shown = {_("Supervised by"): area_label(ev.data.get("area", "")),
                     **({_("Days overdue"): ev.data["days_overdue"]}
                        if "days_overdue" in ev.data else {}),
                     **({_("Outcome"): SUPERVISION_OUTCOMES.get(ev.data["outcome"],
                                                               ev.data["outcome"])}
                        if "outcome" in ev.data else {})}
        elif ev.event == "reassigned":
            shown = {_("To"): _user_name(ev.data.get("to"))}
        elif ev.event == "taken_over":
            shown = {_("Taken from"): _user_name(ev.data.get("from")),
                     _("To"): _user_name(ev.data.get("to")) or _("the group")}
        title = ev.task_name
        if info is not None:
            title = schema_forms.title(view.forms.get(info.form), locale, info.title)
        rows.append({"event": ev, "what": EVENT_LABELS.get(ev.event, ev.event), "task": title,
                     "who": ev.actor if ev.actor_id is not None else _("System"),
                     "data": schema_forms.display(form, shown, locale)})
    return rows


def sheet(entries: list, forms: dict, start_form: dict | None) -> list[dict]:
    """The approval sheet's rows: each step done, who and when, its data in the form's
    words (home-check figures, the vote, publicity, objections, each level's opinion)."""
    locale = locale_name()
    rows = []
    for entry in entries:
        form = start_form if entry.step == "start" else forms.get(entry.form)
        shown = {k: v for k, v in entry.data.items() if k != "household_id"}
        rows.append({"step": entry.step, "level": entry.level, "who": entry.actor,
                     "at": entry.at, "comment": entry.comment,
                     "title": schema_forms.title(form, locale, entry.title),
                     "data": schema_forms.display(form, shown, locale)})
    return rows


def process_name(key: str, default: str) -> str:
    """A process's name in the UI language: the label of its procedure in English (the
    BPMN name, in Chinese, otherwise)."""
    locale = locale_name()
    if locale != "en":
        return default
    for procedure, procedure_key in engine().procedures_for("household"):
        if procedure_key == key:
            return procedure.label.get(locale) or default
    return default
