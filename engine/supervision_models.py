"""Tables of supervision (督办): overdue-step escalations, urges (催办), notifications and
their deliveries, and the timer workers' leases.

A supervision row is unique per (work item, supervising level): however often or by however
many workers the timers are swept, a step is supervised at most once per level.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class Supervision(Base):
    """A 督办 item: the level above is told that a step is overdue and watches it."""

    __tablename__ = "supervisions"
    __table_args__ = (UniqueConstraint("work_item_id", "level"),
                      Index("ix_supervisions_open", "level", "area_code",
                            sqlite_where=text("closed_at IS NULL"),
                            postgresql_where=text("closed_at IS NULL")))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id"))
    # The supervising level and area (a township supervises its villages' steps).
    level: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str] = mapped_column(String(12))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime]
    # When this 督办 itself is overdue and goes to the next level (None: the last level).
    due_at: Mapped[Optional[datetime]]
    closed_at: Mapped[Optional[datetime]]
    # done (the step was completed) or cancelled (returned, case ended or cancelled)
    outcome: Mapped[str] = mapped_column(String(20), default="")


class Urge(Base):
    """A 催办: a higher level urges the holder of an item, with a note."""

    __tablename__ = "urges"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id"), index=True)
    by_user: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class Notification(Base):
    """A message to one user, shown under the bell until read."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user", "user_id", "read_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # supervision, urge, returned, assigned, due_tomorrow
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    work_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("work_items.id"))
    supervision_id: Mapped[Optional[int]] = mapped_column(ForeignKey("supervisions.id"))
    # What the message says, as data: the page words it in the reader's language.
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    read_at: Mapped[Optional[datetime]]


class Delivery(Base):
    """A notification to send outside the application (e-mail, SMS): the worker's outbox."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_pending", "next_at",
                            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
                            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(200))
    next_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[Optional[datetime]]
    failed_at: Mapped[Optional[datetime]]


class WorkerLease(Base):
    """A running timer worker: its heartbeat keeps the lease; an expired lease is taken over."""

    __tablename__ = "worker_leases"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(100), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    fired: Mapped[int] = mapped_column(Integer, default=0)
