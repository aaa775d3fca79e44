"""JSON shapes of work items, cases, households, trail events and attachments.

ID numbers are always masked. Times are ISO 8601 in UTC, dates ``YYYY-MM-DD``.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from engine import cases as engine_cases
from engine.forms import mask_id_number
from engine.models import (Attachment, AuditEvent, Case, Household, ItemStatus, User,
                           WorkItem)


def when(value: datetime | date | None) -> str | None:
    """ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def user(value: User) -> dict:
    """The public fields of a user."""
    return {"id": value.id, "username": value.username, "display_name": value.display_name,
            "level": value.level, "area_code": value.area_code,
            "roles": value.roles.split(",")}


def item(value: WorkItem, now: datetime, names: dict[int, str] | None = None) -> dict:
    """A work item with its due time and whether it is overdue."""
    names = names or {}
    return {"id": value.id, "case_id": value.case_id, "task": value.task_name,
            "title": value.title, "level": value.level, "area_code": value.area_code,
            "status": value.status, "form": value.form or None,
            "assignee_id": value.assignee_id,
            "assignee": names.get(value.assignee_id) if value.assignee_id else None,
            "created_at": when(value.created_at), "due_at": when(value.due_at),
            "overdue": (value.status == ItemStatus.OPEN.value and value.due_at is not None
                        and value.due_at < now),
            "completed_at": when(value.completed_at), "completed_by": value.completed_by}


def household(value: Household, detail: bool = False) -> dict:
    """A household with its ID number masked; the detail adds the phone number."""
    result = {"id": value.id, "head_name": value.head_name,
              "id_number": mask_id_number(value.id_number), "members": value.members,
              "village_code": value.village_code, "household_type": value.household_type,
              "income_per_head": value.income_per_head}
    if detail:
        result["phone"] = value.phone
    return result


def case_brief(value: Case, now: datetime) -> dict:
    """What lists show of a case."""
    return {"id": value.id, "process_key": value.process_key, "area_code": value.area_code,
            "household_id": value.household_id, "status": value.status,
            "outcome": value.outcome, "discovery_date": when(value.discovery_date),
            "deadline": when(value.deadline), "overdue": engine_cases.is_overdue(value, now),
            "started_at": when(value.started_at), "ended_at": when(value.ended_at),
            "version": value.version}


def summary(found: dict) -> dict:
    """The case summary of ``case_view.summary`` (household masked) as JSON."""
    home = found["household"]
    return {"household": household(home) if home is not None else None,
            "monitoring_type": found["monitoring_type"], "risk_types": found["risk_types"],
            "discovery_date": when(found["discovery_date"]),
            "deadline": when(found["deadline"]),
            "recommended_type": found["recommended_type"],
            "recommended_categories": found["recommended_categories"],
            "process_name": found["process_name"]}


def event(value: AuditEvent, names: dict[int, str]) -> dict:
    """One trail event."""
    return {"seq": value.seq, "at": when(value.at), "event": value.event,
            "task": value.task_name or None, "work_item_id": value.work_item_id,
            "actor_id": value.actor_id,
            "actor": names.get(value.actor_id, value.actor_name) if value.actor_id
            else value.actor_name or None,
            "data": value.data, "comment": value.comment, "hash": value.hash}


def attachment(value: Attachment) -> dict:
    """An attachment's metadata and its download address."""
    return {"id": value.id, "kind": value.kind, "filename": value.filename,
            "content_type": value.content_type, "size": value.size, "sha256": value.sha256,
            "work_item_id": value.work_item_id, "uploaded_by": value.uploaded_by,
            "uploaded_at": when(value.uploaded_at),
            "url": url_for("cases.attachment", attachment_id=value.id)}
