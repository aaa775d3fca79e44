"""Notifications and 督办 words in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..helpers import area_name

LEVEL_WORDS = {"village": _l("Village"), "township": _l("Township"), "county": _l("County")}
KIND_LABELS = {"supervision": _l("Supervision (督办)"), "urge": _l("Urged (催办)"),
               "returned": _l("Returned to you"), "assigned": _l("Assigned to you"),
               "taken_over": _l("Taken over (接管)"), "due_tomorrow": _l("Due tomorrow"),
               "visit_due": _l("Monthly visits due")}
OUTCOME_LABELS = {"done": _l("step completed"), "cancelled": _l("step withdrawn")}


def notification_text(note) -> str:
    """One notification as a sentence."""
    data = note.data
    case, step = data.get("case_title", ""), data.get("step", "")
    if note.kind == "supervision":
        return _("%(case)s: %(step)s at %(area)s is %(days)s day(s) overdue; it is now "
                 "under your supervision.", case=case, step=step,
                 area=area_name(data.get("step_area", "")), days=data.get("days_overdue", 0))
    if note.kind == "urge":
        text = _("%(by)s urges you to finish %(case)s: %(step)s.", by=data.get("by", ""),
                 case=case, step=step)
        return f"{text} {data['note']}" if data.get("note") else text
    if note.kind == "returned":
        text = _("%(case)s: %(step)s was returned to you by %(by)s.", case=case, step=step,
                 by=data.get("by", ""))
        return f"{text} {data['reason']}" if data.get("reason") else text
    if note.kind == "assigned":
        return _("%(by)s handed %(case)s: %(step)s to you.", by=data.get("by", ""), case=case,
                 step=step)
    if note.kind == "visit_due":
        return _("%(village)s: %(num)s household(s) not yet visited this month (%(month)s).",
                 village=data.get("village", ""), num=data.get("due", 0),
                 month=data.get("month", ""))
    if note.kind == "taken_over":
        return _("%(by)s took over %(case)s: %(step)s. Reason: %(reason)s", by=data.get("by", ""),
                 case=case, step=step, reason=data.get("reason", ""))
    return _("%(case)s: %(step)s is due tomorrow.", case=case, step=step)
