"""Inbox queries over work item rows (never the serialized state)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case as sql_case, func, select
from sqlalchemy.orm import Session

from . import access
from .calendar import TIMEZONE
from .models import ItemStatus, User, WorkItem

FILTERS = ("mine", "unclaimed", "overdue", "today", "done", "all")


def _end_of_today(now: datetime) -> datetime:
    local = now.astimezone(TIMEZONE)
    return (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))


def inbox_query(user: User, view: str, now: datetime):
    """The select of the user's work items for one view of the inbox."""
    if view == "done":
        return select(WorkItem).where(WorkItem.completed_by == user.id).order_by(
            WorkItem.completed_at.desc())
    query = select(WorkItem).where(access.item_filter(user),
                                   WorkItem.status == ItemStatus.OPEN.value)
    if view == "mine":
        query = query.where(WorkItem.assignee_id == user.id)
    elif view == "unclaimed":
        query = query.where(WorkItem.assignee_id.is_(None))
    elif view == "overdue":
        query = query.where(WorkItem.due_at < now)
    elif view == "today":
        query = query.where(WorkItem.due_at >= now, WorkItem.due_at < _end_of_today(now))
    overdue_first = sql_case((WorkItem.due_at < now, 0), else_=1)
    no_due_last = sql_case((WorkItem.due_at.is_(None), 1), else_=0)
    return query.order_by(overdue_first, no_due_last, WorkItem.due_at, WorkItem.id)


def inbox(session: Session, user: User, view: str = "all", now: datetime | None = None,
          limit: int = 50, offset: int = 0) -> list[WorkItem]:
    """One page of the user's inbox: overdue first, then by due time."""
    if view not in FILTERS:
        raise ValueError(f"unknown inbox view {view!r}")
    now = now or datetime.now().astimezone()
    return list(session.scalars(inbox_query(user, view, now).limit(limit).offset(offset)))


def counts(session: Session, user: User, now: datetime) -> dict[str, int]:
    """How many items each inbox view holds (done counts only what the user completed)."""
    result = {}
    for view in FILTERS:
        query = inbox_query(user, view, now).order_by(None)
        result[view] = session.scalar(select(func.count()).select_from(query.subquery()))
    return result
