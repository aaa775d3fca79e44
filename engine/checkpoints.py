"""The audit key, and signed checkpoints that anchor every chain head outside the database.

A checkpoint lists the count and last hash of every case's chain and of the global chain,
signed with the audit key. The bureau archives the files (the timer worker writes one a day);
checking the database against an archived checkpoint shows a chain that was rolled back to
an earlier state, rewritten before the checkpoint, or deleted with its case — what a seal
alone cannot show when a whole earlier copy of the rows is put back.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
from sqlalchemy import and_, select, tuple_

from . import audit, policy
from .calendar import TIMEZONE
from .errors import DixianError, InvalidData
from .models import AuditEvent, Case

KIND = "dixian-audit-checkpoint"
EVENTS, CASES = AuditEvent.__table__, Case.__table__
MIN_KEY_BYTES = 16


def load_audit_key(settings) -> bytes:
    """The audit key: ``DIXIAN_AUDIT_KEY``, else the key file (made with a random key when
    it does not exist yet, readable by its owner only)."""
    if settings.audit_key:
        key = settings.audit_key.encode("utf-8")
    else:
        path = Path(settings.audit_key_file)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
        key = path.read_text(encoding="utf-8").strip().encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise DixianError(f"the audit key must have at least {MIN_KEY_BYTES} characters "
                          f"(DIXIAN_AUDIT_KEY or {settings.audit_key_file})")
    return key


def _sign(key: bytes, body: dict) -> str:
    return audit.mac(key, orjson.dumps(body, option=orjson.OPT_SORT_KEYS))


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint written: where, its sha256, and how many chains it anchors."""

    path: str
    sha256: str
    created_at: datetime
    cases: int
    global_seq: int


@dataclass(frozen=True)
class CheckpointCheck:
    """The database checked against an archived checkpoint."""

    ok: bool
    created_at: str
    cases: int
    problems: list[str] = field(default_factory=list)


def heads(conn) -> tuple[dict, dict]:
    """The global head and every case's head as a checkpoint records them."""
    row = conn.execute(select(audit.HEADS.c.seq, audit.HEADS.c.head).where(
        audit.HEADS.c.name == audit.GLOBAL)).first()
    cases = {str(r.id): {"seq": r.audit_seq, "head": r.audit_head} for r in conn.execute(
        select(CASES.c.id, CASES.c.audit_seq, CASES.c.audit_head).order_by(CASES.c.id))}
    return {"seq": row.seq if row else 0, "head": row.head if row else ""}, cases


def build(conn, key: bytes, now: datetime) -> dict:
    """A signed checkpoint of every chain head, as a JSON-ready dict."""
    global_head, cases = heads(conn)
    body = {"kind": KIND, "format": 1, "algorithm": audit.ALGORITHM,
            "created_at": now.astimezone(TIMEZONE).isoformat(timespec="seconds"),
            "global": global_head, "cases": cases}
    return {**body, "signature": _sign(key, body)}


def check(conn, key: bytes, content: bytes) -> CheckpointCheck:
    """Whether every chain the checkpoint anchors still holds the event it recorded."""
    try:
        document = orjson.loads(content)
        body = {k: v for k, v in document.items() if k != "signature"}
        signature = document["signature"]
        cases = body["cases"]
        if body.get("kind") != KIND:
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidData("not a Dixian audit checkpoint file", {"checkpoint": "invalid"}) \
            from None
    created = str(body.get("created_at", ""))
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(key, body)):
        return CheckpointCheck(False, created, len(cases), [
            "the checkpoint's signature does not match the audit key: the file was altered "
            "or belongs to another installation"])
    wanted = [(int(case_id), head["seq"]) for case_id, head in cases.items() if head["seq"]]
    found = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update({(r.case_id, r.seq): r.hash for r in conn.execute(
            select(EVENTS.c.case_id, EVENTS.c.seq, EVENTS.c.hash).where(
                tuple_(EVENTS.c.case_id, EVENTS.c.seq).in_(chunk)))})
    problems = []
    existing = {r.id for r in conn.execute(select(CASES.c.id))}
    for case_id, head in cases.items():
        number = int(case_id)
        if number not in existing:
            problems.append(f"case {number} is in the checkpoint but no longer in the database")
        elif head["seq"] and found.get((number, head["seq"])) != head["head"]:
            problems.append(f"case {number}: event #{head['seq']} is not the one the "
                            f"checkpoint recorded (the chain was rolled back or rewritten)")
    anchor = body["global"]
    if anchor["seq"]:
        row = conn.execute(select(EVENTS.c.hash).where(and_(
            EVENTS.c.case_id.is_(None), EVENTS.c.seq == anchor["seq"]))).first()
        if row is None or row.hash != anchor["head"]:
            problems.append(f"the global chain: event #{anchor['seq']} is not the one the "
                            f"checkpoint recorded (the chain was rolled back or rewritten)")
    return CheckpointCheck(not problems, created, len(cases), problems)


def may_checkpoint(actor) -> str:
    """Write or check checkpoints: the system, administrators and auditors."""
    if actor is None or actor.has_role("admin") or actor.has_role("auditor"):
        return ""
    return policy.administer(actor)


class CheckpointVerbs:
    """Mixed into ``Engine``: write a checkpoint of every chain head; check one."""

    def checkpoint(self, actor=None, now: datetime | None = None,
                   directory: str | None = None) -> Checkpoint:
        """Write a signed checkpoint file into the checkpoint directory (the write is
        recorded in the global chain)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            policy.require(may_checkpoint, actor)
            document = build(tx.conn, self.audit_key, now)
            content = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
            folder = Path(directory or self.settings.checkpoint_dir)
            folder.mkdir(parents=True, exist_ok=True)
            stamp = now.astimezone(TIMEZONE).strftime("%Y%m%d-%H%M%S")
            path = folder / f"checkpoint-{stamp}.json"
            path.write_bytes(content)
            digest = hashlib.sha256(content).hexdigest()
            audit.append_global(tx.conn, "checkpoint_written", actor, now, {
                "file": path.name, "sha256": digest, "cases": len(document["cases"]),
                "global_seq": document["global"]["seq"]})
            return Checkpoint(str(path), digest, now, len(document["cases"]),
                              document["global"]["seq"])

    def checkpoint_due(self, now: datetime | None = None, directory: str | None = None) -> bool:
        """Whether today's (China time) checkpoint has not been written yet."""
        now = now or self.clock()
        folder = Path(directory or self.settings.checkpoint_dir)
        day = now.astimezone(TIMEZONE).strftime("%Y%m%d")
        return not any(folder.glob(f"checkpoint-{day}-*.json"))

    def check_checkpoint(self, content: bytes, actor=None) -> CheckpointCheck:
        """Check the database against an archived checkpoint file's content."""
        with self.transaction(write=False) as tx:
            policy.require(may_checkpoint, actor)
            return check(tx.conn, self.audit_key, content)
