"""Notifications: who is told, the rows under their bell, and the outbox for e-mail and SMS.

A notification is written in the transaction of what caused it (a 督办 opened, an urge, a
return, a hand-over, a step due tomorrow), so it exists exactly when its cause does. When
the installation sends e-mail (``DIXIAN_SMTP_HOST``) or SMS (``DIXIAN_SMS_GATEWAY``), a
delivery row is written beside it for each address the user has; the timer worker sends
them after its sweeps (``engine.messaging``).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select

from .models import Level, User
from .sql import Prepared
from .supervision_models import Delivery, Notification

USERS = User.__table__
NOTIFICATIONS, DELIVERIES = Notification.__table__, Delivery.__table__
KINDS = ("supervision", "urge", "returned", "assigned", "taken_over", "due_tomorrow",
         "visit_due")

_STAFF_AT = select(USERS.c.id, USERS.c.email, USERS.c.phone, USERS.c.roles).where(
    USERS.c.level == bindparam("level"), USERS.c.active.is_(True),
    USERS.c.area_code.in_(bindparam("areas", expanding=True))).order_by(USERS.c.id)
_USER = Prepared(select(USERS.c.id, USERS.c.email, USERS.c.phone, USERS.c.roles).where(
    USERS.c.id == bindparam("user_id"), USERS.c.active.is_(True)))
_INSERT = Prepared(insert(NOTIFICATIONS).returning(NOTIFICATIONS.c.id))
_INSERT_DELIVERY = Prepared(insert(DELIVERIES))


def _prefixes(area_code: str) -> list[str]:
    return [area_code[:n] for n in (6, 9, 12) if n <= len(area_code)]


def staff_at(conn, level: str, area_code: str) -> list:
    """Active staff of ``level`` whose area holds ``area_code`` (the users who see an item of
    that level and area in their inbox)."""
    return [r for r in conn.execute(_STAFF_AT, {"level": Level(level).value,
                                                "areas": _prefixes(area_code)})
            if "staff" in r.roles.split(",")]


def user(conn, user_id: int):
    """An active user as notifications need one (None if gone or inactive)."""
    return _USER.first(conn, {"user_id": user_id})


def holders(conn, level: str, area_code: str, assignee_id: int | None) -> list:
    """Who holds a work item: its assignee, or every colleague who may claim it."""
    if assignee_id is not None:
        row = _USER.first(conn, {"user_id": assignee_id})
        if row is not None:
            return [row]
    return staff_at(conn, level, area_code)


def notify(conn, settings, users: list, kind: str, now: datetime, data: dict,
           case_id: int | None = None, work_item_id: int | None = None,
           supervision_id: int | None = None) -> list[int]:
    """Write one notification per user (and its deliveries); their ids."""
    ids = []
    for user in users:
        new_id = _INSERT.insert(conn, [{
            "user_id": user.id, "kind": kind, "case_id": case_id,
            "work_item_id": work_item_id, "supervision_id": supervision_id, "data": data,
            "created_at": now, "read_at": None}])[0][0]
        ids.append(new_id)
        for channel, address, on in (("email", user.email, settings.smtp_host),
                                     ("sms", user.phone, settings.sms_gateway)):
            if on and address:
                _INSERT_DELIVERY.run(conn, {"notification_id": new_id, "channel": channel,
                                            "address": address, "next_at": now,
                                            "attempts": 0, "last_error": "",
                                            "sent_at": None, "failed_at": None})
    return ids
