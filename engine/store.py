"""The one writer: every change to a case, its work items, timers and trail goes through here.

A change to a case starts by reading the case row under a lock (``FOR UPDATE`` on
PostgreSQL; SQLite's write transaction already holds the database's write lock), so changes
to one case never interleave and its audit chain never forks. A ``CaseWrite`` then collects
what changes — the workflow state, work items opened, completed, claimed or cancelled, timer
rows, audit events — and ``save`` writes it with statements built once at import.

One version rule: the case version moves only when the workflow state moves. A claim, an
upload or a comment appends to the trail but leaves the version, so a colleague's open form
stays valid.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter

from sqlalchemy import bindparam, delete, insert, or_, select, update

from . import audit, supervision
from .errors import Conflict
from .sql import Prepared, pipeline
from .models import Attachment, Case, DefinitionVersion, ItemStatus, Timer, WorkItem

CASES, ITEMS, TIMERS = Case.__table__, WorkItem.__table__, Timer.__table__
VERSIONS, ATTACHMENTS = DefinitionVersion.__table__, Attachment.__table__


@dataclass
class CaseRow:
    """A case as writes and views need it (the state text included)."""

    id: int
    definition_id: int
    definition_sha: str
    process_key: str
    subject_kind: str
    subject_id: int | None
    title: str
    area_code: str
    status: str
    outcome: str
    outcome_reason: str
    deadline_from: date | None
    deadline: datetime | None
    deadline_met_at: datetime | None
    started_by: int
    started_at: datetime
    ended_at: datetime | None
    state: str
    version: int
    audit_seq: int
    audit_head: str


@dataclass
class ItemRow:
    """A work item row."""

    id: int
    case_id: int
    task_id: str
    task_name: str
    title: str
    level: str
    area_code: str
    assignee_id: int | None
    form: str
    status: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: int | None


CASE_NAMES = [f.name for f in fields(CaseRow)]
ITEM_NAMES = [f.name for f in fields(ItemRow)]
CASE_COLUMNS = [VERSIONS.c.sha256.label("definition_sha") if name == "definition_sha"
                else CASES.c[name] for name in CASE_NAMES]
CASE_JOIN = CASES.join(VERSIONS, VERSIONS.c.id == CASES.c.definition_id)


def case_row(row, prefix: str = "") -> CaseRow:
    """A CaseRow from a result row (case columns optionally prefixed)."""
    return CaseRow(*(getattr(row, prefix + name) for name in CASE_NAMES))


def item_row(row) -> ItemRow:
    """An ItemRow from a result row."""
    return ItemRow(*(getattr(row, name) for name in ITEM_NAMES))


_ITEM_WIDTH = len(ITEM_NAMES)


# Statements built once: building and keying a statement costs several times what SQLite
# takes to run it, and these run on every step of every case.
_CASE_SELECT = select(*CASE_COLUMNS).select_from(CASE_JOIN).where(
    CASES.c.id == bindparam("case_id"))
_READ_CASE = Prepared(_CASE_SELECT)
LOCK_CASE = Prepared(_CASE_SELECT.with_for_update(of=CASES))
# For the timer service: a case someone else holds is left for the next sweep.
LOCK_CASE_SKIP = Prepared(_CASE_SELECT.with_for_update(of=CASES, skip_locked=True))
_ITEM_SELECT = select(*(ITEMS.c[n] for n in ITEM_NAMES), *CASE_COLUMNS).select_from(
    ITEMS.join(CASE_JOIN, CASES.c.id == ITEMS.c.case_id)).where(
    ITEMS.c.id == bindparam("item_id"))
_READ_ITEM = Prepared(_ITEM_SELECT)
# Only the case row is locked: every writer locks the case first, so item rows need no lock
# of their own (and locking them too could deadlock against a writer holding the case).
_LOCK_ITEM = Prepared(_ITEM_SELECT.with_for_update(of=CASES))

INSERT_CASE = Prepared(insert(CASES).returning(CASES.c.id))
UPDATE_CASE = Prepared(update(CASES).where(CASES.c.id == bindparam("case_id"),
                                  CASES.c.version == bindparam("old_version")).values(
    state=bindparam("state"), version=bindparam("new_version"),
    audit_seq=bindparam("new_seq"), audit_head=bindparam("new_head"),
    status=bindparam("new_status"), outcome=bindparam("new_outcome"),
    outcome_reason=bindparam("new_reason"), ended_at=bindparam("new_ended_at"),
    deadline_met_at=bindparam("new_met_at"), audit_seal=bindparam("new_seal")))
# A plain step changes the state, the version and the chain head, nothing the case's indexes
# hold: those columns are set only when they changed (SQLite rewrites the entry of every index
# over a column an UPDATE sets, same value or not — five index pages on every step).
STEP_CASE = Prepared(update(CASES).where(CASES.c.id == bindparam("case_id"),
                                         CASES.c.version == bindparam("old_version")).values(
    state=bindparam("state"), version=bindparam("new_version"),
    audit_seq=bindparam("new_seq"), audit_head=bindparam("new_head"),
    audit_seal=bindparam("new_seal")))
# The indexed columns a write may change (compared with their values as read).
_INDEXED = attrgetter("status", "outcome", "outcome_reason", "ended_at", "deadline_met_at")
SET_CASE_HEAD = Prepared(update(CASES).where(CASES.c.id == bindparam("case_id"),
                                             CASES.c.audit_seq == bindparam("old_seq")).values(
    audit_seq=bindparam("new_seq"), audit_head=bindparam("new_head"),
    audit_seal=bindparam("new_seal")))
COMPLETE_ITEM = Prepared(update(ITEMS).where(
    ITEMS.c.id == bindparam("item_id"), ITEMS.c.status == ItemStatus.OPEN.value,
    or_(ITEMS.c.assignee_id.is_(None), ITEMS.c.assignee_id == bindparam("user_id"))).values(
    status=ItemStatus.COMPLETED.value, completed_at=bindparam("now"),
    completed_by=bindparam("user_id")))
CANCEL_ITEM = Prepared(update(ITEMS).where(
    ITEMS.c.case_id == bindparam("of_case"), ITEMS.c.task_id == bindparam("task_id"),
    ITEMS.c.status == ItemStatus.OPEN.value).values(
    status=ItemStatus.CANCELLED.value, completed_at=bindparam("now")))
CANCEL_ALL_ITEMS = Prepared(update(ITEMS).where(
    ITEMS.c.case_id == bindparam("of_case"), ITEMS.c.status == ItemStatus.OPEN.value).values(
    status=ItemStatus.CANCELLED.value, completed_at=bindparam("now")))
SET_ASSIGNEE = Prepared(update(ITEMS).where(
    ITEMS.c.id == bindparam("item_id"), ITEMS.c.status == ItemStatus.OPEN.value,
    or_(ITEMS.c.assignee_id.is_(None), ITEMS.c.assignee_id == bindparam("expected"))).values(
    assignee_id=bindparam("assignee")))
INSERT_ITEMS = Prepared(insert(ITEMS).returning(ITEMS.c.id))
INSERT_TIMERS = Prepared(insert(TIMERS))
INSERT_ATTACHMENT = insert(ATTACHMENTS).returning(ATTACHMENTS.c.id)
DROP_TIMERS = {
    "all": Prepared(delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                         TIMERS.c.fired_at.is_(None))),
    "deadline": Prepared(delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                              TIMERS.c.kind == "case_deadline",
                                              TIMERS.c.fired_at.is_(None))),
    "item": Prepared(delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                          TIMERS.c.work_item_id == bindparam("item_id"),
                                          TIMERS.c.fired_at.is_(None))),
    # one task at a time (a step changes few): every statement here is prepared
    "task": Prepared(delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"),
                                          TIMERS.c.task_id == bindparam("task_id"),
                                          TIMERS.c.fired_at.is_(None))),
    "item_of_task": Prepared(delete(TIMERS).where(
        TIMERS.c.case_id == bindparam("case_id"), TIMERS.c.fired_at.is_(None),
        TIMERS.c.work_item_id.in_(select(ITEMS.c.id).where(
            ITEMS.c.case_id == bindparam("case_id"),
            ITEMS.c.task_id == bindparam("task_id"))))),
}


def read_case(conn, case_id: int, lock: bool = True) -> CaseRow | None:
    """The case row, locked for this transaction unless ``lock`` is False."""
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        return None
    row = (LOCK_CASE if lock else _READ_CASE).first(conn, {"case_id": case_id})
    return CaseRow(*row) if row is not None else None


def read_item(conn, item_id: int, lock: bool = True) -> tuple[ItemRow | None, CaseRow | None]:
    """A work item and its case in one query; the case row locked unless ``lock`` is False."""
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        return None, None
    row = (_LOCK_ITEM if lock else _READ_ITEM).first(conn, {"item_id": item_id})
    if row is None:
        return None, None
    return ItemRow(*row[:_ITEM_WIDTH]), CaseRow(*row[_ITEM_WIDTH:])


class CaseWrite:
    """The changes to one case in one transaction, written together by ``save``."""

    def __init__(self, conn, case: CaseRow, now: datetime):
        self.conn, self.case, self.now = conn, case, now
        self.indexed = _INDEXED(case)  # as read: changed later, they are written at save
        self.events: list[tuple] = []
        self.checked: list[tuple] = []  # (statement, params, conflict message)
        self.new_items: list[dict] = []
        self.new_timers: list[dict] = []
        self.drop_timers: list[tuple[str, dict]] = []
        self.state: str | None = None
        self.closed = False  # the case ended in this write
        # Items that left in this write and may be under 督办 (closed at save): completed
        # item ids, cancelled task ids, or every item of the case.
        self.left_items: set[int] = set()
        self.left_tasks: set[str] = set()
        self.all_left = False

    def audit(self, event: str, actor, data: dict | None = None, comment: str = "",
              task_name: str = "", work_item_id: int | None = None) -> None:
        """Append an event to the case's trail."""
        self.events.append((event, actor, data, comment, task_name, work_item_id))

    def guarded(self, statement: Prepared, params: dict, conflict: str | None) -> None:
        """Run ``statement`` at save; if it changes no row, the save fails with Conflict
        (``conflict`` None: no check)."""
        self.checked.append((statement, params, conflict))

    def complete_item(self, item: ItemRow, user_id: int) -> None:
        """Mark the item completed by the user (unless someone else got there first)."""
        self.guarded(COMPLETE_ITEM, {"item_id": item.id, "now": self.now, "user_id": user_id},
                     f"work item {item.id} was completed or claimed by someone else at the "
                     f"same time")
        if item.due_at is not None:
            self.drop_timers.append(("item", {"item_id": item.id}))
            if item.due_at <= self.now:  # only an overdue step can be under 督办
                self.left_items.add(item.id)

    def set_assignee(self, item: ItemRow, assignee: int | None, expected: int | None) -> None:
        """Give the item to ``assignee`` (None: the group) if it is held by ``expected``."""
        self.guarded(SET_ASSIGNEE, {"item_id": item.id, "assignee": assignee,
                                    "expected": expected},
                     f"work item {item.id} was claimed or completed by someone else first")

    def cancel_tasks(self, task_ids: list[str]) -> None:
        """Cancel the open items of these tasks (they left the READY state)."""
        for task_id in task_ids:
            self.checked.append((CANCEL_ITEM, {"of_case": self.case.id, "task_id": task_id,
                                               "now": self.now}, None))
            self.drop_timers.append(("item_of_task", {"task_id": task_id}))
            self.left_tasks.add(task_id)

    def drop_task_timers(self, task_ids: list[str]) -> None:
        """Drop the pending rows of these BPMN timer tasks (they fired or moved)."""
        self.drop_timers += [("task", {"task_id": task_id}) for task_id in task_ids]

    def cancel_all(self) -> None:
        """Cancel every open item and every pending timer of the case."""
        self.checked.append((CANCEL_ALL_ITEMS, {"of_case": self.case.id, "now": self.now},
                             None))
        self.drop_timers.append(("all", {}))
        self.all_left = True

    def open_item(self, row: dict) -> None:
        """Open a work item (its id is known after save)."""
        self.new_items.append(row)

    def add_timer(self, kind: str, due_at: datetime, task_id: str | None = None,
                  work_item_id: int | None = None, fire_at: datetime | None = None) -> None:
        """Add a pending timer row (fired at ``fire_at``, by default its due time)."""
        self.new_timers.append({"kind": kind, "due_at": due_at, "fire_at": fire_at or due_at,
                                "task_id": task_id, "work_item_id": work_item_id})

    def set_state(self, state: str) -> None:
        """The workflow moved: store its new state and raise the version."""
        self.state = state

    def insert_case(self, columns: dict) -> int:
        """Insert the case row itself (a new case); returns its id."""
        self.case.state = columns["state"]
        self.case.id = INSERT_CASE.insert(self.conn, [{**columns, "version": 1,
                                                       "audit_seq": 0, "audit_head": "",
                                                       "audit_seal": ""}])[0][0]
        return self.case.id

    def save(self) -> list[ItemRow]:
        """Write everything; returns the work items opened. Conflict if a guard fails.

        The statements are sent together (one round trip on PostgreSQL) and their guards
        checked at the end.
        """
        conn, case = self.conn, self.case
        if self.left_items or self.left_tasks or self.all_left:
            self._settle_supervisions()
        guards, sent = [], None
        with pipeline(conn) as piped:
            for statement, params, conflict in self.checked:
                guards.append((statement.send(conn, params), conflict))
            if piped and not any(row.get("due_at") for row in self.new_items):
                # no timer needs the new items' ids: read them when the pipeline syncs
                sent = self._send_items()
                created = []
            else:
                created = self._items(self._send_items())
            for kind, params in self.drop_timers:
                DROP_TIMERS[kind].send(conn, {"case_id": case.id, **params}).close()
            for timer in self.new_timers:
                INSERT_TIMERS.send(conn, {"case_id": case.id, "fired_at": None, "attempts": 0,
                                          "last_error": "", **timer}).close()
            old_seq = case.audit_seq
            for row in self._chain():
                audit.INSERT_EVENTS.send(conn, row).close()
            key = audit.key_of(conn)
            if self.state is not None:
                statement = STEP_CASE if _INDEXED(case) == self.indexed else UPDATE_CASE
                guards.append((statement.send(conn, {
                    "case_id": case.id, "old_version": case.version, "state": self.state,
                    "new_version": case.version + 1, "new_seq": case.audit_seq,
                    "new_head": case.audit_head, "new_status": case.status,
                    "new_outcome": case.outcome, "new_reason": case.outcome_reason,
                    "new_ended_at": case.ended_at, "new_met_at": case.deadline_met_at,
                    "new_seal": audit.case_seal(
                        key, case.id, case.audit_seq, case.audit_head, self.state,
                        case.status, case.outcome, case.definition_id)}),
                    f"case {case.id} was changed by someone else at the same time; reload "
                    f"and try again"))
            elif case.audit_seq != old_seq:
                guards.append((SET_CASE_HEAD.send(conn, {
                    "case_id": case.id, "old_seq": old_seq, "new_seq": case.audit_seq,
                    "new_head": case.audit_head, "new_seal": audit.seal_of(key, case)}),
                    f"case {case.id} was changed by someone else at the same time"))
        if sent is not None:
            created = self._items(sent)
        for cursor, conflict in guards:
            changed = cursor.rowcount
            cursor.close()
            if conflict is not None and changed != 1:
                raise Conflict(conflict)
        if self.state is not None:
            case.version += 1
            case.state = self.state
        return created

    def _settle_supervisions(self) -> None:
        """Close the 督办 of the items that leave in this write, with their outcome; the
        trail says so before the case's end."""
        rows = supervision.open_of_case(self.conn, self.case.id)
        events = []
        for row in rows:
            if row.work_item_id in self.left_items:
                outcome = "done"
            elif self.all_left or row.task_id in self.left_tasks:
                outcome = "cancelled"
            else:
                continue
            self.checked.append((supervision.CLOSE, {"sid": row.id, "now": self.now,
                                                     "result": outcome}, None))
            events.append(("supervision_closed", None, {
                "supervision": row.id, "work_item": row.work_item_id, "level": row.level,
                "area": row.area_code, "tier": row.tier, "outcome": outcome}, "",
                row.task_name, row.work_item_id))
        ends = [i for i, event in enumerate(self.events)
                if event[0] in ("case_ended", "cancelled")]
        at = ends[0] if ends else len(self.events)
        self.events[at:at] = events

    def _send_items(self) -> tuple[list[dict], list]:
        rows = [{"case_id": self.case.id, "assignee_id": None, "status": ItemStatus.OPEN.value,
                 "created_at": self.now, "completed_at": None, "completed_by": None, **row}
                for row in self.new_items]
        return rows, INSERT_ITEMS.send_rows(self.conn, rows)

    def _items(self, sent: tuple[list[dict], list]) -> list[ItemRow]:
        """The opened items, with the ids their inserts returned; their due timers added."""
        rows, cursors = sent
        if not rows:
            return []
        ids = [found[0] for found in INSERT_ITEMS.returned(cursors)]
        items = [ItemRow(**{"id": i, **row}) for i, row in zip(ids, rows)]
        for item in items:
            if item.due_at is not None:
                self.add_timer("task_due", item.due_at, work_item_id=item.id,
                               fire_at=supervision.reminder_at(item.due_at, self.now))
        return items

    def _chain(self) -> list[dict]:
        case, rows, key = self.case, [], audit.key_of(self.conn)
        for event, actor, data, comment, task_name, item_id in self.events:
            row = audit.entry(case.id, case.audit_seq + 1, case.audit_head or audit.GENESIS,
                              event, actor, self.now, data, comment, task_name, item_id, key)
            case.audit_seq, case.audit_head = row["seq"], row["hash"]
            rows.append(row)
        self.events = []
        return rows

def insert_attachment(conn, row: dict) -> int:
    """Store an attachment's content and metadata; returns its id."""
    return conn.execute(INSERT_ATTACHMENT, [row]).scalar_one()
