"""The audit trail: append-only events, each chained to the previous one of its chain by hash.

A case's events form its chain; events without a case (deploys, logins, administration)
form the global chain. Every event stores the sha256 of the previous event of its chain and
its own hash over its content. The head of each chain (count and last hash) is kept outside
its events: on the case row, or in ``chain_heads`` for the global chain, so removing the last
event is detected too. Appends to a chain are serialised by locking that head row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson

from sqlalchemy import bindparam, insert, select, update

from .errors import NotFound
from .sql import Prepared
from .models import AuditEvent, Case, ChainHead

GENESIS = "0" * 64
GLOBAL = "global"
EVENTS, HEADS, CASES = AuditEvent.__table__, ChainHead.__table__, Case.__table__


HASH_VERSION = 2  # what new events are hashed with; older events keep their own


def _canonical_v1(content: list) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def _canonical_v2(content: list) -> bytes:
    # orjson: the same compact UTF-8 JSON with sorted keys, an order of magnitude faster.
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


CANONICAL = {1: _canonical_v1, 2: _canonical_v2}


def event_hash(case_id, seq, at: datetime, actor_id, actor_name, event, task_name,
               work_item_id, data, comment, prev_hash, version: int = HASH_VERSION) -> str:
    """The sha256 of one event's content and the hash of the event before it, in the
    canonical form of the event's hash version."""
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    # isoformat with microseconds: "%Y-%m-%dT%H:%M:%S.%f", several times faster than strftime
    body = CANONICAL[version]([case_id, seq, at.isoformat(timespec="microseconds"), actor_id,
                               actor_name, event, task_name, work_item_id, data, comment,
                               prev_hash])
    return hashlib.sha256(body).hexdigest()


def entry(case_id: int | None, seq: int, prev: str, event: str, actor, now: datetime,
          data: dict | None = None, comment: str = "", task_name: str = "",
          work_item_id: int | None = None) -> dict:
    """One chained audit row, ready to insert; its ``hash`` follows ``prev``.

    ``actor`` is anything with ``id`` and ``username`` (None: the system).
    """
    data = data or {}
    actor_id = actor.id if actor is not None else None
    actor_name = actor.username if actor is not None else "system"
    digest = event_hash(case_id, seq, now, actor_id, actor_name, event, task_name,
                        work_item_id, data, comment, prev)
    return {"case_id": case_id, "seq": seq, "at": now, "actor_id": actor_id,
            "actor_name": actor_name, "event": event, "task_name": task_name,
            "work_item_id": work_item_id, "data": data, "comment": comment,
            "prev_hash": prev, "hash": digest, "hash_version": HASH_VERSION}


INSERT_EVENTS = Prepared(insert(EVENTS))
_GLOBAL_HEAD = select(HEADS.c.seq, HEADS.c.head).where(HEADS.c.name == GLOBAL)
_SET_GLOBAL_HEAD = update(HEADS).where(HEADS.c.name == GLOBAL).values(
    seq=bindparam("seq"), head=bindparam("head"))


def _insert_head_if_missing(conn) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    conn.execute(dialect_insert(HEADS).values(name=GLOBAL, seq=0, head="")
                 .on_conflict_do_nothing())


def append_global(conn, event: str, actor, now: datetime, data: dict | None = None,
                  comment: str = "") -> None:
    """Append one event to the global chain.

    In an engine transaction the event is written when the transaction commits
    (``write_global``): the chain's head row is then the last lock the transaction takes
    and holds it only for that moment, so appends never deadlock with the rows a
    transaction changed before (an account, a calendar day).
    """
    pending = getattr(getattr(conn, "tx", None), "global_events", None)
    if pending is not None:
        pending.append((event, actor, now, data, comment))
    else:
        write_global(conn, [(event, actor, now, data, comment)])


def write_global(conn, events: list[tuple]) -> None:
    """Chain and insert events of the global chain, holding its head row until commit."""
    locked = _GLOBAL_HEAD.with_for_update()
    row = conn.execute(locked).first()
    if row is None:
        _insert_head_if_missing(conn)
        row = conn.execute(locked).first()
    seq, head = row.seq, row.head or GENESIS
    for event, actor, now, data, comment in events:
        values = entry(None, seq + 1, head, event, actor, now, data, comment)
        INSERT_EVENTS.insert(conn, [values])
        seq, head = values["seq"], values["hash"]
    conn.execute(_SET_GLOBAL_HEAD, {"seq": seq, "head": head})


@dataclass(frozen=True)
class Verification:
    """The result of checking one chain: ``ok``, how many events, the first problem."""

    ok: bool
    events: int
    problem: str = ""
    event_id: int | None = None
    head: str = ""


_EVENTS_OF_CASE = select(EVENTS).where(EVENTS.c.case_id == bindparam("case_id")).order_by(
    EVENTS.c.seq, EVENTS.c.id)
_GLOBAL_EVENTS = select(EVENTS).where(EVENTS.c.case_id.is_(None)).order_by(
    EVENTS.c.seq, EVENTS.c.id)
_CASE_HEAD = select(CASES.c.audit_seq, CASES.c.audit_head).where(
    CASES.c.id == bindparam("case_id"))


def verify(conn, case_id: int | None) -> Verification:
    """Check a case's chain (``None``: the global chain); report the first broken link."""
    if case_id is not None:
        head_row = conn.execute(_CASE_HEAD, {"case_id": case_id}).first()
        if head_row is None:
            raise NotFound(f"case {case_id} does not exist")
        count, head = head_row.audit_seq, head_row.audit_head
        events = conn.execute(_EVENTS_OF_CASE, {"case_id": case_id}).all()
    else:
        head_row = conn.execute(_GLOBAL_HEAD).first()
        count, head = (head_row.seq, head_row.head) if head_row else (0, "")
        events = conn.execute(_GLOBAL_EVENTS).all()
    return check_chain(events, count, head)


def check_chain(events, count: int, head: str) -> Verification:
    """Check events (in seq order) against the head recorded outside them."""
    prev, expected_seq = GENESIS, 1
    for ev in events:
        if ev.seq != expected_seq:
            what = "missing" if ev.seq > expected_seq else "duplicated or out of order"
            return Verification(False, len(events), f"event #{expected_seq} is {what} "
                                f"(found #{ev.seq} at row {ev.id})", ev.id)
        if ev.prev_hash != prev:
            return Verification(False, len(events), f"event #{ev.seq} does not follow event "
                                f"#{ev.seq - 1} (previous hash differs)", ev.id)
        version = ev.hash_version
        if version not in CANONICAL:
            return Verification(False, len(events), f"event #{ev.seq} names an unknown hash "
                                f"version {version}", ev.id)
        digest = event_hash(ev.case_id, ev.seq, ev.at, ev.actor_id, ev.actor_name, ev.event,
                            ev.task_name, ev.work_item_id, ev.data, ev.comment, ev.prev_hash,
                            version)
        if digest != ev.hash:
            return Verification(False, len(events), f"event #{ev.seq} ({ev.event}) was altered "
                                f"after it was written", ev.id)
        prev, expected_seq = ev.hash, expected_seq + 1
    if len(events) != count:
        return Verification(False, len(events), f"the chain records {count} events, the trail "
                            f"has {len(events)}: events were removed or added")
    if count and prev != head:
        return Verification(False, len(events), f"the trail ends in {prev[:12]}…, the chain "
                            f"records {head[:12]}…: the chain was rewritten")
    return Verification(True, len(events), head=prev if count else "")


def trail(conn, case_id: int):
    """The event rows of one case in order."""
    return conn.execute(_EVENTS_OF_CASE, {"case_id": case_id}).all()
