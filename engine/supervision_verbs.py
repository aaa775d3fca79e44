"""The verbs of supervision: urge (催办), notifications, 督办 items and the overdue board.

Urging changes a case's trail, so it goes through the case's write under its lock; the
minimum interval between two urges of one item is checked under that lock, so two county
clerks pressing the button together produce one urge.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update

from . import notifying, policy, store, supervision_views as sviews
from .errors import Conflict, InvalidData, NotFound
from .sql import Prepared
from .store import CaseWrite
from .models import User
from .supervision_models import Notification, Urge

URGES, NOTIFICATIONS, USERS = Urge.__table__, Notification.__table__, User.__table__
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^1\d{10}$")
_LAST_URGE = Prepared(select(URGES.c.at).where(URGES.c.work_item_id == bindparam("item_id"))
                      .order_by(URGES.c.at.desc()).limit(1))
_INSERT_URGE = Prepared(insert(URGES).returning(URGES.c.id))
MAX_NOTE = 500


@dataclass(frozen=True)
class Urged:
    """An urge that was recorded, and how many people were told."""

    id: int
    work_item_id: int
    case_id: int
    at: datetime
    notified: int


class SupervisionVerbs:
    """Mixed into ``Engine``: 督办, 催办, notifications, the overdue board."""

    def urge(self, item_id: int, actor, note: str = "", now: datetime | None = None) -> Urged:
        """Urge the holder of an open work item (a level above, in the item's area)."""
        now = now or self.clock()
        if not isinstance(note, str) or len(note) > MAX_NOTE:
            raise InvalidData(f"the note must be text of at most {MAX_NOTE} characters",
                              {"note": "too long"})
        with self.transaction(write=True) as tx:
            conn = tx.conn
            item, case = store.read_item(conn, item_id)
            if item is None:
                raise NotFound(f"work item {item_id} does not exist")
            policy.require(policy.urge, actor, item)
            last = _LAST_URGE.first(conn, {"item_id": item.id})
            interval = timedelta(minutes=self.settings.urge_interval_minutes)
            if last is not None and now - last.at < interval:
                raise Conflict(f"work item {item.id} was urged at "
                               f"{last.at.isoformat(timespec='minutes')}; it may be urged "
                               f"again after {(last.at + interval).isoformat(timespec='minutes')}")
            urge_id = _INSERT_URGE.insert(conn, [{
                "case_id": case.id, "work_item_id": item.id, "by_user": actor.id,
                "note": note.strip(), "at": now}])[0][0]
            told = notifying.holders(conn, item.level, item.area_code, item.assignee_id)
            write = CaseWrite(conn, case, now)
            write.audit("urged", actor, {"urge": urge_id, "level": actor.level,
                                         "area": actor.area_code, "holder": item.assignee_id,
                                         "notified": [u.id for u in told]},
                        note.strip(), item.task_name, item.id)
            write.save()
            notifying.notify(conn, self.settings, told, "urge", now, {
                "by": actor.name, "by_level": actor.level, "note": note.strip(),
                "step": item.title, "case_title": case.title}, case.id, item.id)
            return Urged(urge_id, item.id, case.id, now, len(told))

    def supervisions(self, actor, open_only: bool = True, now: datetime | None = None
                     ) -> list[sviews.SupervisionView]:
        """The 督办 items of the actor's level in the actor's area."""
        if not policy.allowed(policy.work_queue, actor):
            return []
        with self.transaction(write=False) as tx:
            return sviews.supervisions(tx.conn, actor, now or self.clock(), open_only)

    def open_supervisions(self, actor) -> int:
        """How many open 督办 items the actor's level and area hold (a count, not the list)."""
        if not policy.allowed(policy.work_queue, actor):
            return 0
        with self.transaction(write=False) as tx:
            return sviews.open_count(tx.conn, actor)

    def supervisions_of_case(self, case_id: int, actor, now: datetime | None = None
                             ) -> list[sviews.SupervisionView]:
        """Every 督办 of one case (for its page), for anyone who may read the case."""
        with self.transaction(write=False) as tx:
            case = store.read_case(tx.conn, case_id, lock=False)
            if case is None:
                raise NotFound(f"case {case_id} does not exist")
            policy.require(policy.view_case, actor, case)
            return sviews.supervisions(tx.conn, actor, now or self.clock(), False, case_id)

    def notifications(self, actor, page: int = 1, unread_only: bool = False,
                      size: int = 20) -> sviews.NotificationPage:
        """The actor's notifications, newest first, with the unread count."""
        if not isinstance(page, int) or page < 1:
            raise InvalidData("page must be 1 or more", {"page": "invalid"})
        with self.transaction(write=False) as tx:
            return sviews.notifications(tx.conn, actor, page, size, unread_only)

    def unread(self, actor) -> int:
        """How many unread notifications the actor has."""
        with self.transaction(write=False) as tx:
            return sviews.unread_count(tx.conn, actor)

    def mark_read(self, actor, ids: list[int] | None = None, now: datetime | None = None
                  ) -> int:
        """Mark the actor's notifications read (the given ones, or all); how many changed."""
        now = now or self.clock()
        query = update(NOTIFICATIONS).where(NOTIFICATIONS.c.user_id == actor.id,
                                            NOTIFICATIONS.c.read_at.is_(None))
        if ids is not None:
            if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
                raise InvalidData("notification ids must be whole numbers", {"ids": "invalid"})
            query = query.where(NOTIFICATIONS.c.id.in_(ids))
        with self.transaction(write=True) as tx:
            return tx.conn.execute(query.values(read_at=now)).rowcount

    def set_contact(self, user_id: int, actor, email: str = "", phone: str = "") -> None:
        """Set where a user's notifications are also sent (their own, or by an admin)."""
        if actor.id != user_id:
            policy.require(policy.administer, actor)
        email, phone = (email or "").strip(), (phone or "").strip()
        errors = {}
        if email and not EMAIL.match(email):
            errors["email"] = "not an e-mail address"
        if phone and not PHONE.match(phone):
            errors["phone"] = "not a mobile number (11 digits)"
        if errors:
            raise InvalidData("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
        with self.transaction(write=True) as tx:
            if not tx.conn.execute(update(USERS).where(USERS.c.id == user_id).values(
                    email=email, phone=phone)).rowcount:
                raise NotFound(f"user {user_id} does not exist")

    def overdue_board(self, actor, area: str = "", now: datetime | None = None
                      ) -> sviews.OverdueBoard:
        """Overdue steps at every level under the actor's area (or an area inside it), by
        the areas one level down, with the cases at risk of missing their limit."""
        area = area or actor.area_code
        policy.require(policy.overdue_board, actor, area)
        with self.transaction(write=False) as tx:
            return sviews.board(tx.conn, area, now or self.clock())

