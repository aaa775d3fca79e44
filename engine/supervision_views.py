"""Read models of supervision: 督办 items, notifications and the overdue board.

Like ``views``, each returns plain frozen dataclasses that pages, the JSON API and the CLI
render alike; none of them reads the serialized workflow state.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, select

from . import directory, policy, views
from .models import Case, CaseStatus, ItemStatus, User, WorkItem
from .supervision import days_overdue
from .supervision_models import Notification, Supervision, Urge

SUPERVISIONS, ITEMS, CASES = Supervision.__table__, WorkItem.__table__, Case.__table__
NOTIFICATIONS, URGES, USERS = Notification.__table__, Urge.__table__, User.__table__
AT_RISK_DAYS = 2


@dataclass(frozen=True)
class SupervisionView:
    """A 督办 item: the overdue step, who holds it, how late, and the 督办's own state."""

    id: int
    level: str
    area_code: str
    tier: int
    opened_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    outcome: str
    case_id: int
    case_title: str
    process_key: str
    work_item_id: int
    step: str
    step_level: str
    step_area: str
    step_area_name: str
    step_due_at: datetime
    step_status: str
    days_overdue: int
    holder: str
    last_urged_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class NotificationView:
    """One message under a user's bell."""

    id: int
    kind: str
    case_id: int | None
    work_item_id: int | None
    supervision_id: int | None
    data: dict
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class NotificationPage:
    """A user's notifications, newest first, with the unread count."""

    items: list[NotificationView]
    unread: int
    page: int
    has_next: bool


@dataclass(frozen=True)
class BoardRow:
    """Overdue counts of one area below the board's area."""

    area_code: str
    name: str
    village: int
    township: int
    county: int
    supervised: int
    at_risk: int

    @property
    def overdue(self) -> int:
        """Overdue steps at every level."""
        return self.village + self.township + self.county


@dataclass(frozen=True)
class OverdueItem:
    """An overdue step on the board: where, whose, how late, and its highest 督办."""

    work_item_id: int
    case_id: int
    case_title: str
    step: str
    level: str
    area_code: str
    area_name: str
    due_at: datetime
    days_overdue: int
    holder: str
    supervised_by: str


@dataclass(frozen=True)
class RiskCase:
    """A running case due to meet its overall limit within two days."""

    case_id: int
    title: str
    area_code: str
    area_name: str
    deadline: datetime
    hours_left: int


@dataclass(frozen=True)
class OverdueBoard:
    """The county (or township) overdue board: rows per area below, overdue steps and the
    cases at risk of missing their limit, all under ``area``."""

    area_code: str
    area_name: str
    rows: list[BoardRow]
    totals: BoardRow
    items: list[OverdueItem]
    at_risk: list[RiskCase]


def _holder_names(conn, rows) -> dict:
    return views.names(conn, [r.assignee_id for r in rows])


def open_count(conn, actor) -> int:
    """How many open 督办 items the actor's level and area hold, from the partial index of
    open ones alone (every page's header shows it)."""
    return conn.execute(select(func.count()).select_from(SUPERVISIONS).where(
        SUPERVISIONS.c.level == actor.level,
        policy.prefix_range(SUPERVISIONS.c.area_code, actor.area_code),
        SUPERVISIONS.c.closed_at.is_(None))).scalar() or 0


def supervisions(conn, actor, now: datetime, open_only: bool = True, case_id: int = 0,
                 limit: int = 200) -> list[SupervisionView]:
    """The 督办 items of the actor's level in the actor's area (or of one case, for anyone
    who may read it), open first, the longest overdue first."""
    last_urge = select(func.max(URGES.c.at)).where(
        URGES.c.work_item_id == SUPERVISIONS.c.work_item_id).scalar_subquery()
    query = select(SUPERVISIONS, ITEMS.c.title.label("step"), ITEMS.c.level.label("item_level"),
                   ITEMS.c.area_code.label("item_area"), ITEMS.c.due_at.label("item_due"),
                   ITEMS.c.status.label("item_status"), ITEMS.c.assignee_id,
                   ITEMS.c.completed_at, CASES.c.title.label("case_title"),
                   CASES.c.process_key, last_urge.label("last_urged_at")).select_from(
        SUPERVISIONS.join(ITEMS, ITEMS.c.id == SUPERVISIONS.c.work_item_id).join(
            CASES, CASES.c.id == SUPERVISIONS.c.case_id))
    if case_id:
        query = query.where(SUPERVISIONS.c.case_id == case_id)
    else:
        query = query.where(SUPERVISIONS.c.level == actor.level,
                            policy.prefix_range(SUPERVISIONS.c.area_code, actor.area_code))
    if open_only:
        query = query.where(SUPERVISIONS.c.closed_at.is_(None))
    rows = conn.execute(query.order_by(SUPERVISIONS.c.closed_at.isnot(None),
                                       ITEMS.c.due_at, SUPERVISIONS.c.id).limit(limit)).all()
    who = _holder_names(conn, rows)
    places = directory.area_names(conn, [r.item_area for r in rows])
    return [SupervisionView(
        r.id, r.level, r.area_code, r.tier, r.opened_at, r.due_at, r.closed_at, r.outcome,
        r.case_id, r.case_title, r.process_key, r.work_item_id, r.step, r.item_level,
        r.item_area, places.get(r.item_area, r.item_area), r.item_due, r.item_status,
        days_overdue(r.item_due, r.completed_at or r.closed_at or now),
        who.get(r.assignee_id, ""), r.last_urged_at,
        r.closed_at is None and r.due_at is not None and r.due_at < now) for r in rows]


def notifications(conn, actor, page: int = 1, size: int = 20, unread_only: bool = False
                  ) -> NotificationPage:
    """The actor's notifications, newest first."""
    query = select(NOTIFICATIONS).where(NOTIFICATIONS.c.user_id == actor.id)
    if unread_only:
        query = query.where(NOTIFICATIONS.c.read_at.is_(None))
    rows = conn.execute(query.order_by(NOTIFICATIONS.c.id.desc()).limit(size + 1).offset(
        (page - 1) * size)).all()
    items = [NotificationView(r.id, r.kind, r.case_id, r.work_item_id, r.supervision_id,
                              r.data, r.created_at, r.read_at) for r in rows[:size]]
    return NotificationPage(items, unread_count(conn, actor), page, len(rows) > size)


_UNREAD = select(func.count()).where(NOTIFICATIONS.c.user_id == bindparam("user_id"),
                                     NOTIFICATIONS.c.read_at.is_(None))


def unread_count(conn, actor) -> int:
    """How many of the actor's notifications are unread (the bell's number)."""
    return conn.execute(_UNREAD, {"user_id": actor.id}).scalar() or 0


def _child_width(area: str) -> int:
    return {6: 9, 9: 12}.get(len(area), 12)


def board(conn, area: str, now: datetime) -> OverdueBoard:
    """Overdue steps at every level under ``area``, by the areas one level down."""
    width = _child_width(area)
    overdue = and_(ITEMS.c.status == ItemStatus.OPEN.value, ITEMS.c.due_at < now,
                   policy.prefix_range(ITEMS.c.area_code, area))
    part = func.substr(ITEMS.c.area_code, 1, width)
    counts: dict[str, dict] = {}
    for code, level, n in conn.execute(select(part, ITEMS.c.level, func.count()).where(
            overdue).group_by(part, ITEMS.c.level)):
        counts.setdefault(code, {})[level] = n
    spart = func.substr(ITEMS.c.area_code, 1, width)
    supervised = dict(conn.execute(select(spart, func.count(func.distinct(ITEMS.c.id))).select_from(
        SUPERVISIONS.join(ITEMS, ITEMS.c.id == SUPERVISIONS.c.work_item_id)).where(
        SUPERVISIONS.c.closed_at.is_(None), policy.prefix_range(ITEMS.c.area_code, area)
    ).group_by(spart)).all())
    risky = and_(CASES.c.status == CaseStatus.RUNNING.value, CASES.c.deadline_met_at.is_(None),
                 CASES.c.deadline >= now, CASES.c.deadline <= now + timedelta(days=AT_RISK_DAYS),
                 policy.prefix_range(CASES.c.area_code, area))
    cpart = func.substr(CASES.c.area_code, 1, width)
    risk = dict(conn.execute(select(cpart, func.count()).where(risky).group_by(cpart)).all())
    codes = sorted(set(counts) | set(supervised) | set(risk))
    names = directory.area_names(conn, codes + [area])
    rows = [BoardRow(code, names.get(code, code), counts.get(code, {}).get("village", 0),
                     counts.get(code, {}).get("township", 0),
                     counts.get(code, {}).get("county", 0), supervised.get(code, 0),
                     risk.get(code, 0)) for code in codes]
    totals = BoardRow(area, names.get(area, area), *(sum(getattr(r, f) for r in rows) for f in (
        "village", "township", "county", "supervised", "at_risk")))
    return OverdueBoard(area, names.get(area, area), rows, totals,
                        _overdue_items(conn, overdue, now),
                        _at_risk(conn, risky, now))


def _overdue_items(conn, overdue, now: datetime, limit: int = 200) -> list[OverdueItem]:
    top = select(SUPERVISIONS.c.level).where(
        SUPERVISIONS.c.work_item_id == ITEMS.c.id, SUPERVISIONS.c.closed_at.is_(None)
    ).order_by(SUPERVISIONS.c.tier.desc()).limit(1).scalar_subquery()
    rows = conn.execute(select(ITEMS, CASES.c.title.label("case_title"),
                               top.label("supervised_by")).select_from(
        ITEMS.join(CASES, CASES.c.id == ITEMS.c.case_id)).where(overdue).order_by(
        ITEMS.c.due_at, ITEMS.c.id).limit(limit)).all()
    who = _holder_names(conn, rows)
    names = directory.area_names(conn, [r.area_code for r in rows])
    return [OverdueItem(r.id, r.case_id, r.case_title, r.title, r.level, r.area_code,
                        names.get(r.area_code, r.area_code), r.due_at,
                        days_overdue(r.due_at, now), who.get(r.assignee_id, ""),
                        r.supervised_by or "") for r in rows]


def _at_risk(conn, risky, now: datetime) -> list[RiskCase]:
    rows = conn.execute(select(CASES.c.id, CASES.c.title, CASES.c.area_code,
                               CASES.c.deadline).where(risky).order_by(CASES.c.deadline,
                                                                       CASES.c.id)).all()
    names = directory.area_names(conn, [r.area_code for r in rows])
    return [RiskCase(r.id, r.title, r.area_code, names.get(r.area_code, r.area_code),
                     r.deadline, int((r.deadline - now).total_seconds() // 3600))
            for r in rows]

