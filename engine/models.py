"""Typed SQLAlchemy 2 models: areas, users, definitions, households, cases, work items,
timers, audit events, calendar overrides and attachments.

Times are stored as naive UTC and read back as aware UTC datetimes, so SQLite and PostgreSQL
behave the same.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        SmallInteger, String, Text, TypeDecorator, UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """A datetime column that takes and gives aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    """Declarative base of every Dixian table."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Level(str, enum.Enum):
    """The administrative level a user or a user task belongs to."""

    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"

    @property
    def code_length(self) -> int:
        """Digits of the statistical division code at this level."""
        return {"county": 6, "township": 9, "village": 12}[self.value]


class CaseStatus(str, enum.Enum):
    """Where a case stands."""

    RUNNING = "running"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class ItemStatus(str, enum.Enum):
    """Where a work item stands."""

    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Area(Base):
    """An administrative area keyed by its 12-digit statistical division code prefix."""

    __tablename__ = "areas"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[Optional[str]] = mapped_column(ForeignKey("areas.code"), index=True)


class User(Base):
    """A staff member, administrator or auditor; acts only inside ``area_code``."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    roles: Mapped[str] = mapped_column(String(100), default="staff")
    password_hash: Mapped[str] = mapped_column(String(255))
    api_token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    # Where notifications are also sent (e-mail, SMS), when the installation configures it.
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Failed log-ins in a row, and the lock they put on the account (an admin lifts it).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[Optional[datetime]]
    # Raised at log-out: the sessions opened before it end (their id carries the epoch).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    def has_role(self, role: str) -> bool:
        """Whether the comma-separated roles include ``role``."""
        return role in self.roles.split(",")


class LoginAttempt(Base):
    """One password check (log-in form or API token request), for the rate limit that all
    workers share."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_ip_at", "ip", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(45))
    username: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(index=True)


class DefinitionVersion(Base):
    """One deployed version of a process: its BPMN, DMN and form sources and their hash."""

    __tablename__ = "definition_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bpmn: Mapped[dict[str, Any]]
    dmn: Mapped[dict[str, Any]]
    forms: Mapped[dict[str, Any]]
    deployed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[datetime]


class DefinitionDraft(Base):
    """A process's files as an administrator saved them in the editor, not yet deployed.

    One draft per process key, shared by the administrators; ``revision`` rises on every
    save, so a save based on an older revision is refused instead of overwriting.
    """

    __tablename__ = "definition_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    base_version_id: Mapped[Optional[int]] = mapped_column(ForeignKey("definition_versions.id"))
    bpmn: Mapped[dict[str, Any]]
    dmn: Mapped[dict[str, Any]]
    forms: Mapped[dict[str, Any]]
    revision: Mapped[int] = mapped_column(Integer, default=1)
    saved_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime]


class Household(Base):
    """A rural household in the register; cases refer to it."""

    __tablename__ = "households"
    id: Mapped[int] = mapped_column(primary_key=True)
    head_name: Mapped[str] = mapped_column(String(50), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    members: Mapped[int] = mapped_column(default=1)
    village_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    household_type: Mapped[str] = mapped_column(String(20), default="")
    income_per_head: Mapped[Optional[float]] = mapped_column(Numeric(12, 2, asdecimal=False))
    phone: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime]


class Case(Base):
    """A process instance: SpiffWorkflow state without the spec, plus what lists need."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"))
    process_key: Mapped[str] = mapped_column(String(100))
    # What the case is about, as the procedure names it: ("household", 7), ("project", 3).
    subject_kind: Mapped[str] = mapped_column(String(20), default="")
    subject_id: Mapped[Optional[int]]
    title: Mapped[str] = mapped_column(String(200), default="")
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.RUNNING.value, index=True)
    outcome: Mapped[str] = mapped_column(String(40), default="")
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    # The day the overall time limit counts from (for identification: the discovery date).
    deadline_from: Mapped[Optional[date]] = mapped_column(Date)
    deadline: Mapped[Optional[datetime]]
    deadline_met_at: Mapped[Optional[datetime]]
    started_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[Optional[datetime]]
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_head: Mapped[str] = mapped_column(String(64), default="")
    # The keyed seal over the chain head, the workflow state, status and outcome (audit).
    audit_seal: Mapped[str] = mapped_column(String(64), default="")

    # The date indexes serve the reports (engine/reports): each report reads a date range,
    # and each index holds the columns its report counts by, so the index alone answers.
    __table_args__ = (Index("ix_cases_subject", "subject_kind", "subject_id"),
                      Index("ix_cases_started_at", "started_at", "area_code", "process_key"),
                      Index("ix_cases_ended_at", "ended_at", "area_code", "status",
                            "process_key"),
                      Index("ix_cases_deadline_from", "deadline_from", "area_code",
                            "process_key", "status", "deadline", "deadline_met_at",
                            "ended_at"),
                      Index("ix_cases_deadline_met_at", "deadline_met_at"),
                      Index("ix_cases_open_deadline", "deadline", "area_code",
                            sqlite_where=text("status = 'running' AND deadline_met_at IS NULL"),
                            postgresql_where=text(
                                "status = 'running' AND deadline_met_at IS NULL")))


class WorkItem(Base):
    """One row per READY user task: who may act on it, and when it is due."""

    __tablename__ = "work_items"
    # Inbox indexes (see README, Benchmarks): open items are a few per cent of all items, so
    # the queue index holds only them (a partial index: the inbox statements spell out
    # ``status = 'open'`` for the planners to use it) and covers the counts and the choice
    # of a page's rows (whose other columns are then read for those rows alone); the done
    # view reads the actor's completions newest first from the second. No index on the
    # assignee alone: it matched every completed row and misled SQLite's planner.
    __table_args__ = (
        Index("ix_work_items_open", "level", "area_code", "due_at", "assignee_id", "status",
              "id", sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_work_items_done", "completed_by", "completed_at", "id"),
        # Reports: the work done in a day (what is overdue now reads the open index).
        Index("ix_work_items_completed_at", "completed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    task_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str] = mapped_column(String(12))
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    form: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default=ItemStatus.OPEN.value)
    created_at: Mapped[datetime]
    due_at: Mapped[Optional[datetime]]
    completed_at: Mapped[Optional[datetime]]
    completed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class Timer(Base):
    """A waiting deadline or BPMN timer; the timer service fires rows whose ``fire_at`` passed.

    ``fire_at`` starts as ``due_at`` and moves later when firing fails (retry with backoff);
    only unfired rows are indexed, so a sweep costs what is due, not what has fired.
    """

    __tablename__ = "timers"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    work_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("work_items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[Optional[str]] = mapped_column(String(36))
    due_at: Mapped[datetime]
    fire_at: Mapped[datetime]
    fired_at: Mapped[Optional[datetime]]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Set after the last allowed failure: the row waits for an administrator's retry.
    incident_at: Mapped[Optional[datetime]]

    __table_args__ = (Index("ix_timers_pending", "fire_at", sqlite_where=text("fired_at IS NULL"),
                            postgresql_where=text("fired_at IS NULL")),)


class AuditEvent(Base):
    """An append-only trail entry, chained to the previous entry of the same case by hash.

    Events without a case form the global chain (deploys, logins, administration); the unique
    constraint does not apply to NULL, so a partial unique index guards that chain's numbers.
    """

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int]
    at: Mapped[datetime]
    # No foreign key: the trail stands on its own (it keeps the actor's name too), and a key
    # would make every append wait on a lock of the actor's account row.
    actor_id: Mapped[Optional[int]]
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    event: Mapped[str] = mapped_column(String(40))
    task_name: Mapped[str] = mapped_column(String(100), default="")
    work_item_id: Mapped[Optional[int]]
    data: Mapped[dict[str, Any]]
    comment: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # How the event was hashed (audit.CANONICAL): old events keep verifying as written.
    hash_version: Mapped[int] = mapped_column(SmallInteger, default=1)

    __table_args__ = (UniqueConstraint("case_id", "seq"),
                      Index("ux_audit_events_global_seq", "seq", unique=True,
                            sqlite_where=text("case_id IS NULL"),
                            postgresql_where=text("case_id IS NULL")))


class ChainHead(Base):
    """The head of an audit chain kept outside its events (``global``); appends lock this row."""

    __tablename__ = "chain_heads"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    head: Mapped[str] = mapped_column(String(64), default="")
    seal: Mapped[str] = mapped_column(String(64), default="")


class CalendarDay(Base):
    """An administrator's override of one day: working day or holiday."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")


class Attachment(Base):
    """A file attached to a case (minutes, publicity photo, signed authorisation)."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    work_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("work_items.id"))
    kind: Mapped[str] = mapped_column(String(40), default="")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(deferred=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


from . import project_models  # noqa: E402,F401  (the project library's tables)
from . import supervision_models  # noqa: E402,F401  (督办, urges, notifications, leases)
from . import print_models  # noqa: E402,F401  (batch print jobs)
from . import register_models  # noqa: E402,F401  (the register of monitoring objects)
from . import clue_models  # noqa: E402,F401  (risk clues, warnings, screening, visits)
from . import report_models  # noqa: E402,F401  (hand-entered report figures, report indexes)
