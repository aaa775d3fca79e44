"""The audit trail: append-only events, each chained to the previous one of its case by hash.

Every event stores the sha256 of the previous event of the same case and its own hash over
its content. The case row keeps the head of its chain (last hash and count), so removing the
last event is detected too. ``verify`` reports the first broken link.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import AuditEvent, Case, User

GENESIS = "0" * 64
_TABLE = AuditEvent.__table__


def event_hash(case_id, seq, at: datetime, actor_id, actor_name, event, task_name,
               work_item_id, data, comment, prev_hash) -> str:
    """The sha256 of one event's content and the hash of the event before it."""
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc)
    body = json.dumps([case_id, seq, at.strftime("%Y-%m-%dT%H:%M:%S.%f"), actor_id, actor_name,
                       event, task_name, work_item_id, data, comment, prev_hash],
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def entry(case_id: int | None, seq: int, prev: str, event: str, actor: User | None,
          now: datetime, data: dict | None = None, comment: str = "", task_name: str = "",
          work_item_id: int | None = None) -> dict:
    """One chained audit row, ready to insert; its ``hash`` follows ``prev``."""
    data = data or {}
    actor_id = actor.id if actor is not None else None
    actor_name = actor.username if actor is not None else "system"
    digest = event_hash(case_id, seq, now, actor_id, actor_name, event, task_name,
                        work_item_id, data, comment, prev)
    return {"case_id": case_id, "seq": seq, "at": now, "actor_id": actor_id,
            "actor_name": actor_name, "event": event, "task_name": task_name,
            "work_item_id": work_item_id, "data": data, "comment": comment,
            "prev_hash": prev, "hash": digest}


_INSERT = insert(_TABLE)


def insert_entries(connection, rows: list[dict]) -> None:
    """Insert prepared audit rows in one statement (on a Session or a Connection)."""
    if rows:
        connection.execute(_INSERT, rows)


def record(session: Session, case: Case | None, event: str, actor: User | None, now: datetime,
           data: dict | None = None, comment: str = "", task_name: str = "",
           work_item_id: int | None = None) -> str:
    """Append one event to a loaded case's chain (or the global chain); returns its hash."""
    if case is not None:
        seq, prev = case.audit_seq + 1, case.audit_head or GENESIS
    else:
        last = session.execute(select(AuditEvent.seq, AuditEvent.hash).where(
            AuditEvent.case_id.is_(None)).order_by(AuditEvent.seq.desc()).limit(1)).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    row = entry(case.id if case is not None else None, seq, prev, event, actor, now, data,
                comment, task_name, work_item_id)
    insert_entries(session, [row])
    if case is not None:
        case.audit_seq, case.audit_head = seq, row["hash"]
    return row["hash"]


@dataclass
class Verification:
    """The result of checking one chain: ``ok``, how many events, the first problem."""

    ok: bool
    events: int
    problem: str = ""
    event_id: int | None = None


def verify(session: Session, case_id: int | None) -> Verification:
    """Check a case's chain (``None``: the global chain); report the first broken link."""
    head, count = None, None
    if case_id is not None:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        head, count = case.audit_head, case.audit_seq
    where = AuditEvent.case_id == case_id if case_id is not None else AuditEvent.case_id.is_(None)
    events = session.scalars(select(AuditEvent).where(where).order_by(AuditEvent.id)).all()
    prev, expected_seq = GENESIS, 1
    for ev in events:
        if ev.seq != expected_seq:
            what = "missing" if ev.seq > expected_seq else "out of order"
            return Verification(False, len(events), f"event #{expected_seq} is {what} "
                                f"(found #{ev.seq} at row {ev.id})", ev.id)
        if ev.prev_hash != prev:
            return Verification(False, len(events), f"event #{ev.seq} does not follow event "
                                f"#{ev.seq - 1} (previous hash differs)", ev.id)
        digest = event_hash(ev.case_id, ev.seq, ev.at, ev.actor_id, ev.actor_name, ev.event,
                            ev.task_name, ev.work_item_id, ev.data, ev.comment, ev.prev_hash)
        if digest != ev.hash:
            return Verification(False, len(events), f"event #{ev.seq} ({ev.event}) was altered "
                                f"after it was written", ev.id)
        prev, expected_seq = ev.hash, expected_seq + 1
    if count is not None and len(events) != count:
        return Verification(False, len(events), f"the case records {count} events, the trail "
                            f"has {len(events)}: events were removed")
    if count and prev != head:
        return Verification(False, len(events), f"the trail ends in {prev[:12]}…, the case "
                            f"records {head[:12]}…: the chain was rewritten")
    return Verification(True, len(events))


def trail(session: Session, case_id: int) -> list[AuditEvent]:
    """The events of one case in order."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                .order_by(AuditEvent.seq)))
