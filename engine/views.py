"""Read models: what pages, the JSON API, the CLI and printouts show, built once here.

Each view is a plain frozen dataclass; front-ends render or serialise it and never query the
tables themselves. Inboxes and counts read work item rows, never the serialized state.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, case as when, func, literal_column, select

from . import audit, policy
from .calendar import TIMEZONE
from .errors import InvalidData
from .deadlines import deadline_outcome
from .models import Attachment, AuditEvent, Case, CaseStatus, ItemStatus, User, WorkItem
from .store import CASE_COLUMNS, CASE_JOIN, CaseRow, ItemRow, case_row, item_row

ITEMS, CASES, USERS = WorkItem.__table__, Case.__table__, User.__table__
ATTACHMENTS = Attachment.__table__
EVENTS = AuditEvent.__table__
INBOX_VIEWS = ("mine", "unclaimed", "overdue", "today", "done", "all")


@dataclass(frozen=True)
class ItemView:
    """A work item as lists and pages show it."""

    id: int
    case_id: int
    task_name: str
    title: str
    level: str
    area_code: str
    status: str
    form: str
    assignee_id: int | None
    assignee: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: int | None
    completed_by_name: str
    case_title: str
    process_key: str
    overdue: bool
    # Set when a review sent the case back and this item is the step it came back to.
    returned: "ReturnNote | None" = None


@dataclass(frozen=True)
class ReturnNote:
    """Who returned a case to this step (退回修改), when, from which step, and why."""

    by: str
    at: datetime
    from_step: str
    reason: str


@dataclass(frozen=True)
class InboxPage:
    """One page of one inbox view, with the counts of every view."""

    view: str
    page: int
    page_size: int
    items: list[ItemView]
    has_next: bool
    counts: dict[str, int]
    area: str = ""
    process: str = ""


@dataclass(frozen=True)
class CaseBrief:
    """What lists and headers show of a case."""

    id: int
    process_key: str
    title: str
    subject_kind: str
    subject_id: int | None
    area_code: str
    status: str
    outcome: str
    outcome_reason: str
    deadline_from: date | None
    deadline: datetime | None
    deadline_met_at: datetime | None
    started_at: datetime
    ended_at: datetime | None
    version: int
    overdue: bool
    # "met" (decided within the limit), "late" (decided, or ended undecided, after it),
    # "overdue" (running past it), "open" (running within it), "closed" (ended undecided
    # within it) or "" (no limit): engine.deadlines decides; days_late: 超期 N 天.
    deadline_state: str = ""
    days_late: int = 0


@dataclass(frozen=True)
class TrailEntry:
    """One event of a case's trail."""

    seq: int
    at: datetime
    event: str
    actor_id: int | None
    actor: str
    task_name: str
    work_item_id: int | None
    data: dict
    comment: str
    hash: str


@dataclass(frozen=True)
class AttachmentView:
    """An attachment's metadata (its content is read separately)."""

    id: int
    case_id: int
    work_item_id: int | None
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int
    uploaded_at: datetime


def is_overdue(case: CaseRow, now: datetime) -> bool:
    """Whether a running case has passed its overall deadline without meeting it."""
    return (case.status == CaseStatus.RUNNING.value and case.deadline is not None
            and case.deadline_met_at is None and case.deadline < now)


VIEW_STATES = {"on_time": "met", "late": "late", "open": "open", "overdue": "overdue",
               "closed": "closed", "none": ""}


def deadline_standing(case: CaseRow, now: datetime) -> tuple[str, int]:
    """The case's standing against its overall limit, by ``deadlines.deadline_outcome``
    (the rule the reports use): (state, days late by China's calendar); the state in the
    pages' words: ``met`` for on time, ``closed`` for ended before a decision."""
    outcome = deadline_outcome(case.deadline, case.deadline_met_at, case.ended_at,
                               case.status, now)
    return VIEW_STATES[outcome.state], outcome.days_late


def brief(case: CaseRow, now: datetime) -> CaseBrief:
    """The CaseBrief of a case row."""
    return CaseBrief(case.id, case.process_key, case.title, case.subject_kind, case.subject_id,
                     case.area_code, case.status, case.outcome, case.outcome_reason,
                     case.deadline_from, case.deadline, case.deadline_met_at, case.started_at,
                     case.ended_at, case.version, is_overdue(case, now),
                     *deadline_standing(case, now))


def names(conn, ids) -> dict[int, str]:
    """Display names of users by id."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = conn.execute(select(USERS.c.id, USERS.c.display_name, USERS.c.username).where(
        USERS.c.id.in_(ids)))
    return {r.id: r.display_name or r.username for r in rows}


def item_views(conn, rows: list[ItemRow], now: datetime, titles: dict | None = None,
               returns: bool = True) -> list[ItemView]:
    """ItemViews of item rows; ``titles`` maps case id to (title, process key). ``returns``
    False: the caller knows no return opened these items (no look-up of return notes)."""
    if titles is None:
        ids = {r.case_id for r in rows}
        titles = {r.id: (r.title, r.process_key) for r in conn.execute(
            select(CASES.c.id, CASES.c.title, CASES.c.process_key).where(
                CASES.c.id.in_(ids)))} if ids else {}
    who = names(conn, [r.assignee_id for r in rows] + [r.completed_by for r in rows])
    notes = return_notes(conn, rows) if returns else {}
    return [ItemView(r.id, r.case_id, r.task_name, r.title, r.level, r.area_code, r.status,
                     r.form, r.assignee_id, who.get(r.assignee_id, ""), r.created_at, r.due_at,
                     r.completed_at, r.completed_by, who.get(r.completed_by, ""),
                     *titles.get(r.case_id, ("", "")),
                     r.status == ItemStatus.OPEN.value and r.due_at is not None
                     and r.due_at < now, notes.get((r.case_id, r.created_at)))
            for r in rows]


def return_notes(conn, rows: list[ItemRow]) -> dict[tuple, ReturnNote]:
    """(case id, time) → the return that opened items at that time: a return and the item
    it reopens are written by one step, at one time."""
    ids = {r.case_id for r in rows}
    if not ids:
        return {}
    found = conn.execute(select(EVENTS.c.case_id, EVENTS.c.at, EVENTS.c.actor_id,
                                EVENTS.c.actor_name, EVENTS.c.task_name, EVENTS.c.data).where(
        EVENTS.c.case_id.in_(ids), EVENTS.c.event == "returned")).all()
    who = names(conn, [e.actor_id for e in found])
    return {(e.case_id, e.at): ReturnNote(who.get(e.actor_id, e.actor_name), e.at,
                                          e.task_name, str((e.data or {}).get("reason", "")))
            for e in found}


def end_of_today(now: datetime) -> datetime:
    """Midnight at the end of today, China time."""
    local = now.astimezone(TIMEZONE)
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


# The literal (not a parameter) lets both planners use the partial index of open items.
IS_OPEN = ITEMS.c.status == literal_column(f"'{ItemStatus.OPEN.value}'")


def _inbox_query(actor, view: str, now: datetime, area: str = "", process: str = ""):
    """The statement of one inbox page (without limit and offset). Work item columns only:
    the cases' titles are read for the page's rows alone, unless an area or process filter
    needs the case."""
    if view == "done":
        return select(ITEMS).where(ITEMS.c.completed_by == actor.id).order_by(*_DONE_ORDER)
    query = select(ITEMS).where(IS_OPEN, policy.item_filter(actor))
    if area or process:
        query = query.join(CASES, CASES.c.id == ITEMS.c.case_id)
    if area:
        query = query.where(policy.prefix_range(CASES.c.area_code, area))
    if process:
        query = query.where(CASES.c.process_key == process)
    if view == "mine":
        query = query.where(ITEMS.c.assignee_id == actor.id)
    elif view == "unclaimed":
        query = query.where(ITEMS.c.assignee_id.is_(None))
    elif view == "overdue":
        query = query.where(ITEMS.c.due_at < now)
    elif view == "today":
        query = query.where(ITEMS.c.due_at >= now, ITEMS.c.due_at < end_of_today(now))
    return query.order_by(*_QUEUE_ORDER)


# By due time, items without one last: overdue items come first, being due earliest.
_QUEUE_ORDER = (when((ITEMS.c.due_at.is_(None), 1), else_=0), ITEMS.c.due_at, ITEMS.c.id)
# The actor's completions, newest first.
_DONE_ORDER = (ITEMS.c.completed_at.desc(), ITEMS.c.id.desc())


def _page(query, view: str, size: int, offset: int):
    """The page's rows, chosen from an index alone, then read in full with their cases'
    titles (one statement, one round trip): for the queue views
    from the open-items index (a county's queue holds thousands of open items; a page, 25),
    for the done view from the completer's index. Read in full in one statement, the done
    page led PostgreSQL's planner to the reports' index on completion times, filtering the
    county's newest completions by completer (65–130 ms at a million cases, against 0.3)."""
    query = query.limit(size).offset(offset)
    chosen = query.with_only_columns(ITEMS.c.id).scalar_subquery()
    return select(ITEMS, CASES.c.title.label("case_title"), CASES.c.process_key).select_from(
        ITEMS.join(CASES, CASES.c.id == ITEMS.c.case_id)).where(ITEMS.c.id.in_(chosen)).order_by(
        *(_DONE_ORDER if view == "done" else _QUEUE_ORDER))


def inbox(conn, actor, view: str, now: datetime, page: int = 1, size: int = 25,
          area: str = "", process: str = "") -> InboxPage:
    """One page of the actor's inbox: overdue first, then by due time; optionally only the
    items under ``area`` (a code inside the actor's area) or of one process."""
    if view not in INBOX_VIEWS:
        raise InvalidData(f"unknown inbox view {view!r}: one of {', '.join(INBOX_VIEWS)}",
                          {"view": "invalid"})
    if not policy.allowed(policy.work_queue, actor):
        return InboxPage(view, page, size, [], False, {})
    rows = conn.execute(_page(_inbox_query(actor, view, now, area, process), view, size + 1,
                              (page - 1) * size)).all()
    shown = rows[:size]
    items = item_views(conn, [item_row(r) for r in shown], now,
                       {r.case_id: (r.case_title, r.process_key) for r in shown})
    return InboxPage(view, page, size, items, len(rows) > size, counts(conn, actor, now),
                     area, process)


# The done view is counted up to this many; ``DONE_COUNT_LIMIT + 1`` stands for "more"
# (a county officer completes hundreds of thousands of items over the years: counting them
# all on every page would cost more than the rest of the page).
DONE_COUNT_LIMIT = 1000


def _counts_query(actor, now: datetime):
    """The counts in one statement (one round trip, on every page): open items by view, from
    the open-items index alone, and the actor's completions up to ``DONE_COUNT_LIMIT + 1``,
    from the completer's index alone (a scalar subquery)."""
    done = select(func.count()).select_from(select(ITEMS.c.id).where(
        ITEMS.c.completed_by == actor.id).limit(DONE_COUNT_LIMIT + 1).subquery())
    return select(
        func.count(),
        func.sum(when((ITEMS.c.assignee_id == actor.id, 1), else_=0)),
        func.sum(when((ITEMS.c.assignee_id.is_(None), 1), else_=0)),
        func.sum(when((ITEMS.c.due_at < now, 1), else_=0)),
        func.sum(when((and_(ITEMS.c.due_at >= now, ITEMS.c.due_at < end_of_today(now)), 1),
                      else_=0)),
        done.scalar_subquery(),
    ).where(IS_OPEN, policy.item_filter(actor))


def counts(conn, actor, now: datetime) -> dict[str, int]:
    """How many items each inbox view holds; done counts what the actor completed, up to
    ``DONE_COUNT_LIMIT + 1`` (meaning more than the limit)."""
    if not policy.allowed(policy.work_queue, actor):
        return {}
    row = conn.execute(_counts_query(actor, now)).one()
    return {"mine": row[1] or 0, "unclaimed": row[2] or 0, "overdue": row[3] or 0,
            "today": row[4] or 0, "done": row[5] or 0, "all": row[0] or 0}


def inbox_statements(actor, now: datetime) -> list[tuple[str, object]]:
    """Every statement an inbox page runs for the actor, by name (for EXPLAIN)."""
    return [(view, _page(_inbox_query(actor, view, now), view, 26, 0))
            for view in INBOX_VIEWS] + [("counts", _counts_query(actor, now))]


_ITEMS_OF_CASE = select(ITEMS).where(ITEMS.c.case_id == bindparam("case_id")).order_by(
    ITEMS.c.created_at, ITEMS.c.id)


def items_of(conn, case_id: int) -> list[ItemRow]:
    """All work items of a case in order of creation."""
    return [item_row(r) for r in conn.execute(_ITEMS_OF_CASE, {"case_id": case_id})]


def trail(conn, case_id: int) -> list[TrailEntry]:
    """A case's events with the actors' display names."""
    rows = audit.trail(conn, case_id)
    who = names(conn, [r.actor_id for r in rows])
    return [TrailEntry(r.seq, r.at, r.event, r.actor_id,
                       who.get(r.actor_id) or r.actor_name, r.task_name, r.work_item_id,
                       r.data, r.comment, r.hash) for r in rows]


_ATTACHMENTS_OF = select(*(c for c in ATTACHMENTS.c if c.name != "content")).where(
    ATTACHMENTS.c.case_id == bindparam("case_id")).order_by(ATTACHMENTS.c.uploaded_at,
                                                            ATTACHMENTS.c.id)


def attachments(conn, case_id: int) -> list[AttachmentView]:
    """The case's attachments (without their content), oldest first."""
    return [AttachmentView(r.id, r.case_id, r.work_item_id, r.kind, r.filename,
                           r.content_type, r.size, r.sha256, r.uploaded_by, r.uploaded_at)
            for r in conn.execute(_ATTACHMENTS_OF, {"case_id": case_id})]


def cases_of_subject(conn, kind: str, subject_id: int, now: datetime) -> list[CaseBrief]:
    """The cases about one subject, newest first."""
    rows = conn.execute(select(*CASE_COLUMNS).select_from(CASE_JOIN).where(
        CASES.c.subject_kind == kind, CASES.c.subject_id == subject_id).order_by(
        CASES.c.started_at.desc(), CASES.c.id.desc()))
    return [brief(case_row(r), now) for r in rows]
