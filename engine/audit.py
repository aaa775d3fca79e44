"""The audit trail: append-only events, each chained to the previous one of its chain by hash.

A case's events form its chain; events without a case (deploys, logins, administration)
form the global chain. Every event stores the hash of the previous event of its chain and
its own hash over its content. The head of each chain (count and last hash) is kept outside
its events: on the case row, or in ``chain_heads`` for the global chain, so removing the last
event is detected too. Appends to a chain are serialised by locking that head row.

The chain is keyed: events of hash version 3 carry an HMAC-SM3 (GB/T 32905) under the audit
key, which the deployment holds outside the database, so a rewrite cannot be recomputed.
Each head carries a seal, an HMAC over the head and, for a case, the digest of its workflow
state, its status and outcome: a reset head, a deleted last event or an edited ``state``
breaks the seal. A completed work item must match the completion event that names it.
Older events keep their version (1 json, 2 orjson, unkeyed): the seal over the head covers
them, and no event may be hashed with an older version than the one before it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson

from sqlalchemy import bindparam, insert, select, update

from .errors import DixianError, NotFound
from .sql import Prepared
from .models import AuditEvent, Case, ChainHead, ItemStatus, WorkItem

GENESIS = "0" * 64
GLOBAL = "global"
EVENTS, HEADS, CASES = AuditEvent.__table__, ChainHead.__table__, Case.__table__
ITEMS = WorkItem.__table__

HASH_VERSION = 3  # what new events are hashed with; older events keep their own
KEYED = 3  # the first keyed version: HMAC-SM3 over the v2 canonical form
MAC = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"
ALGORITHM = {"sm3": "HMAC-SM3", "sha256": "HMAC-SHA256"}[MAC]
# Events whose actor is the one who completed the work item they name.
COMPLETIONS = ("task_completed",)


def _canonical_v1(content: list) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def _canonical_v2(content: list) -> bytes:
    # orjson: the same compact UTF-8 JSON with sorted keys, an order of magnitude faster.
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


CANONICAL = {1: _canonical_v1, 2: _canonical_v2, 3: _canonical_v2}


class MissingKey(DixianError):
    """No audit key: keyed events can be neither written nor checked."""


def key_of(conn) -> bytes | None:
    """The audit key of the transaction ``conn`` belongs to (None when it has none)."""
    return getattr(getattr(conn, "tx", None), "audit_key", None)


def mac(key: bytes | None, body: bytes) -> str:
    """The HMAC (SM3 where OpenSSL has it) of ``body`` under the audit key."""
    if not key:
        raise MissingKey("no audit key: set DIXIAN_AUDIT_KEY or DIXIAN_AUDIT_KEY_FILE")
    return hmac.new(key, body, MAC).hexdigest()


def event_hash(case_id, seq, at: datetime, actor_id, actor_name, event, task_name,
               work_item_id, data, comment, prev_hash, version: int = HASH_VERSION,
               key: bytes | None = None) -> str:
    """The hash of one event's content and the hash of the event before it, in the
    canonical form of the event's hash version: sha256 (1, 2) or keyed HMAC (3)."""
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    # isoformat with microseconds: "%Y-%m-%dT%H:%M:%S.%f", several times faster than strftime
    body = CANONICAL[version]([case_id, seq, at.isoformat(timespec="microseconds"), actor_id,
                               actor_name, event, task_name, work_item_id, data, comment,
                               prev_hash])
    if version >= KEYED:
        return mac(key, body)
    return hashlib.sha256(body).hexdigest()


def state_digest(state: str | None) -> str:
    """The sha256 of a case's serialized workflow state, as its seal covers it."""
    return hashlib.sha256((state or "").encode("utf-8")).hexdigest()


def case_seal(key: bytes | None, case_id: int, seq: int, head: str, state: str | None,
              status: str, outcome: str, definition_id: int) -> str:
    """The seal of a case's chain head: its count, last hash, workflow state, status,
    outcome and definition version, under the audit key."""
    return mac(key, _canonical_v2(["case", case_id, seq, head or "", state_digest(state),
                                   status, outcome, definition_id]))


def global_seal(key: bytes | None, seq: int, head: str) -> str:
    """The seal of the global chain's head."""
    return mac(key, _canonical_v2(["global", seq, head or ""]))


def seal_of(key: bytes | None, case) -> str:
    """The seal of a CaseRow as it stands."""
    return case_seal(key, case.id, case.audit_seq, case.audit_head, case.state, case.status,
                     case.outcome, case.definition_id)


def entry(case_id: int | None, seq: int, prev: str, event: str, actor, now: datetime,
          data: dict | None = None, comment: str = "", task_name: str = "",
          work_item_id: int | None = None, key: bytes | None = None) -> dict:
    """One chained audit row, ready to insert; its ``hash`` follows ``prev``.

    ``actor`` is anything with ``id`` and ``username`` (None: the system).
    """
    data = data or {}
    actor_id = actor.id if actor is not None else None
    actor_name = actor.username if actor is not None else "system"
    digest = event_hash(case_id, seq, now, actor_id, actor_name, event, task_name,
                        work_item_id, data, comment, prev, HASH_VERSION, key)
    return {"case_id": case_id, "seq": seq, "at": now, "actor_id": actor_id,
            "actor_name": actor_name, "event": event, "task_name": task_name,
            "work_item_id": work_item_id, "data": data, "comment": comment,
            "prev_hash": prev, "hash": digest, "hash_version": HASH_VERSION}


INSERT_EVENTS = Prepared(insert(EVENTS))
_GLOBAL_HEAD = select(HEADS.c.seq, HEADS.c.head, HEADS.c.seal).where(HEADS.c.name == GLOBAL)
_SET_GLOBAL_HEAD = update(HEADS).where(HEADS.c.name == GLOBAL).values(
    seq=bindparam("seq"), head=bindparam("head"), seal=bindparam("seal"))


def _insert_head_if_missing(conn) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    conn.execute(dialect_insert(HEADS).values(name=GLOBAL, seq=0, head="",
                                              seal=global_seal(key_of(conn), 0, ""))
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
    seq, head, key = row.seq, row.head or GENESIS, key_of(conn)
    for event, actor, now, data, comment in events:
        values = entry(None, seq + 1, head, event, actor, now, data, comment, key=key)
        INSERT_EVENTS.insert(conn, [values])
        seq, head = values["seq"], values["hash"]
    conn.execute(_SET_GLOBAL_HEAD, {"seq": seq, "head": head,
                                    "seal": global_seal(key, seq, head)})


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
_CASE_HEAD = select(CASES.c.audit_seq, CASES.c.audit_head, CASES.c.audit_seal, CASES.c.state,
                    CASES.c.status, CASES.c.outcome, CASES.c.definition_id).where(
    CASES.c.id == bindparam("case_id"))
_DONE_ITEMS = select(ITEMS.c.id, ITEMS.c.title, ITEMS.c.status, ITEMS.c.completed_by).where(
    ITEMS.c.case_id == bindparam("case_id"))


def verify(conn, case_id: int | None) -> Verification:
    """Check a case's chain (``None``: the global chain); report the first broken link."""
    key = key_of(conn)
    if case_id is not None:
        row = conn.execute(_CASE_HEAD, {"case_id": case_id}).first()
        if row is None:
            raise NotFound(f"case {case_id} does not exist")
        events = conn.execute(_EVENTS_OF_CASE, {"case_id": case_id}).all()
        result = check_chain(events, row.audit_seq, row.audit_head, key)
        if result.ok:
            sealed = _sealed(row.audit_seal, lambda: case_seal(
                key, case_id, row.audit_seq, row.audit_head, row.state, row.status,
                row.outcome, row.definition_id))
            problem = (sealed and f"case {case_id}: {sealed} (its workflow state, status, "
                       f"outcome or chain head was changed outside Dixian)") or \
                _completions(conn, case_id, events)
            if problem:
                return Verification(False, len(events), problem, head=result.head)
        return result
    head_row = conn.execute(_GLOBAL_HEAD).first()
    events = conn.execute(_GLOBAL_EVENTS).all()
    if head_row is None:
        return check_chain(events, 0, "", key)
    result = check_chain(events, head_row.seq, head_row.head, key)
    sealed = result.ok and _sealed(head_row.seal, lambda: global_seal(key, head_row.seq,
                                                                      head_row.head))
    if sealed:
        return Verification(False, len(events), f"the global chain: {sealed} (its head was "
                            f"reset or changed outside Dixian)", head=result.head)
    return result


def _sealed(stored: str | None, expected) -> str:
    """"" when the stored seal is the expected one, else what is wrong with it."""
    if not stored:
        return "the chain head carries no seal"
    try:
        good = hmac.compare_digest(stored, expected())
    except MissingKey:
        return "no audit key to check the seal with"
    return "" if good else "the chain head's seal does not match"


def _completions(conn, case_id: int, events) -> str:
    """The first work item whose completion disagrees with the trail ("" when none)."""
    by_item = {ev.work_item_id: ev.actor_id for ev in events
               if ev.event in COMPLETIONS and ev.work_item_id is not None}
    for item in conn.execute(_DONE_ITEMS, {"case_id": case_id}):
        completed = item.status == ItemStatus.COMPLETED.value
        if item.id not in by_item and not completed and item.completed_by is None:
            continue
        if not completed or item.id not in by_item or item.completed_by != by_item[item.id]:
            return (f"work item {item.id} ({item.title}) is recorded as {item.status} by user "
                    f"{item.completed_by}, its trail says completed by user "
                    f"{by_item.get(item.id)}: the item was changed outside Dixian")
    return ""


def check_chain(events, count: int, head: str, key: bytes | None = None) -> Verification:
    """Check events (in seq order) against the head recorded outside them."""
    prev, expected_seq, newest = GENESIS, 1, 0
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
        if version < newest:
            return Verification(False, len(events), f"event #{ev.seq} claims the older hash "
                                f"version {version} after version {newest}: it was rewritten",
                                ev.id)
        try:
            digest = event_hash(ev.case_id, ev.seq, ev.at, ev.actor_id, ev.actor_name,
                                ev.event, ev.task_name, ev.work_item_id, ev.data, ev.comment,
                                ev.prev_hash, version, key)
        except MissingKey:
            return Verification(False, len(events), f"event #{ev.seq} is keyed and no audit "
                                f"key is set to check it", ev.id)
        if not hmac.compare_digest(digest, ev.hash):
            return Verification(False, len(events), f"event #{ev.seq} ({ev.event}) was altered "
                                f"after it was written", ev.id)
        prev, expected_seq, newest = ev.hash, expected_seq + 1, version
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
