"""JSON shapes of the engine's view objects: the same objects the pages render.

ID numbers are always masked. Times are ISO 8601 in UTC, dates ``YYYY-MM-DD``.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from engine import (Actor, AttachmentView, CaseBrief, CaseView, Completed, Fact,
                    HouseholdRow, InboxPage, ItemView, Started, TaskView, TrailEntry)

from .. import display, schema_forms


def when(value: datetime | date | None) -> str | None:
    """ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def plain(value):
    """A fact's value as JSON: dates as ISO strings, lists item by item."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def user(value: Actor) -> dict:
    """The public fields of a user."""
    return {"id": value.id, "username": value.username, "display_name": value.display_name,
            "level": value.level, "area_code": value.area_code, "roles": list(value.roles)}


def item(value: ItemView) -> dict:
    """A work item with its due time and whether it is overdue."""
    return {"id": value.id, "case_id": value.case_id, "task": value.task_name,
            "title": value.title, "level": value.level, "area_code": value.area_code,
            "status": value.status, "form": value.form or None,
            "assignee_id": value.assignee_id, "assignee": value.assignee or None,
            "case_title": value.case_title, "process_key": value.process_key,
            "created_at": when(value.created_at), "due_at": when(value.due_at),
            "overdue": value.overdue, "completed_at": when(value.completed_at),
            "completed_by": value.completed_by,
            "completed_by_name": value.completed_by_name or None}


def inbox(page: InboxPage) -> dict:
    """One page of an inbox view with the counts of every view."""
    return {"view": page.view, "page": page.page, "page_size": page.page_size,
            "has_next": page.has_next, "items": [item(i) for i in page.items],
            "counts": page.counts}


def household(value: HouseholdRow, detail: bool = False) -> dict:
    """A household with its ID number masked; the detail adds the phone number."""
    result = {"id": value.id, "head_name": value.head_name, "id_number": value.masked_id,
              "members": value.members, "village_code": value.village_code,
              "household_type": value.household_type,
              "income_per_head": value.income_per_head}
    if detail:
        result["phone"] = value.phone
    return result


def case_brief(value: CaseBrief) -> dict:
    """What lists show of a case."""
    return {"id": value.id, "process_key": value.process_key, "title": value.title,
            "subject_kind": value.subject_kind or None, "subject_id": value.subject_id,
            "area_code": value.area_code, "status": value.status, "outcome": value.outcome,
            "outcome_reason": value.outcome_reason,
            "deadline_from": when(value.deadline_from), "deadline": when(value.deadline),
            "deadline_met_at": when(value.deadline_met_at), "overdue": value.overdue,
            "started_at": when(value.started_at), "ended_at": when(value.ended_at),
            "version": value.version}


def facts(values: list[Fact], start_form: dict | None, locale: str) -> list[dict]:
    """A case summary: each fact's label and text in the locale, and its stored value."""
    return [{"key": f.key, "label": f.label_in(locale), "value": plain(f.value),
             "text": f.text_in(locale)
             or display.value_text(f.value, start_form, f.form_field, locale)}
            for f in values]


def form(value: dict | None, ref: str, locale: str, default_title: str) -> dict | None:
    """A form file as clients render it: schema, UI hints, order and decisions."""
    if not value:
        return None
    return {"ref": ref, "title": schema_forms.title(value, locale, default_title),
            "instructions": schema_forms.instructions(value, locale),
            "schema": value["schema"], "ui": value.get("ui", {}),
            "order": schema_forms.order(value), "decisions": schema_forms.decisions(value)}


def attachment(value: AttachmentView) -> dict:
    """An attachment's metadata and its download address."""
    return {"id": value.id, "kind": value.kind, "filename": value.filename,
            "content_type": value.content_type, "size": value.size, "sha256": value.sha256,
            "work_item_id": value.work_item_id, "uploaded_by": value.uploaded_by,
            "uploaded_at": when(value.uploaded_at),
            "url": url_for("cases.attachment", attachment_id=value.id)}


def task(view: TaskView, locale: str) -> dict:
    """A work item with its case, step, form and what the user may do."""
    step = view.step
    return {"item": item(view.item), "process_name": view.process_name,
            "documentation": step.documentation if step else "",
            "form": form(view.form, view.item.form, locale, view.item.title),
            "case": dict(case_brief(view.case),
                         facts=facts(view.facts, view.start_form, locale)),
            "case_version": view.case.version,
            "attachments": [attachment(a) for a in view.attachments],
            "can_act": view.can_act, "can_claim": view.can_claim,
            "can_unclaim": view.can_unclaim, "can_attach": view.can_attach,
            "can_take_over": view.can_take_over}


def event(value: TrailEntry) -> dict:
    """One trail event."""
    return {"seq": value.seq, "at": when(value.at), "event": value.event,
            "task": value.task_name or None, "work_item_id": value.work_item_id,
            "actor_id": value.actor_id, "actor": value.actor or None, "data": value.data,
            "comment": value.comment, "hash": value.hash}


def case(view: CaseView, locale: str) -> dict:
    """A case with its summary, items, trail and its verification, and attachments."""
    definition = view.definition
    return dict(
        case_brief(view.case),
        definition={"id": definition.id, "key": definition.key,
                    "version": definition.version, "name": definition.name},
        process_name=view.process_name, outcome_label=view.outcome_label.get(locale, ""),
        facts=facts(view.facts, view.start_form, locale),
        items=[item(i) for i in view.items], events=[event(e) for e in view.trail],
        trail={"ok": view.verification.ok, "events": view.verification.events,
               "problem": view.verification.problem},
        attachments=[attachment(a) for a in view.attachments],
        can_cancel=view.can_cancel, can_attach=view.can_attach)


def completed(item_id: int, value: Completed) -> dict:
    """What completing an item did: the stored case version and the items it opened."""
    return {"completed": item_id, "case_id": value.case_id,
            "case_version": value.case_version, "items": [item(i) for i in value.items]}


def started(value: Started) -> dict:
    """A new case and its first work items."""
    return {"case": case_brief(value.case), "items": [item(i) for i in value.items]}
