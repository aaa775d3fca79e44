"""The timer service's own bookkeeping: worker leases, pending timers, incidents.

A timer worker holds a lease row (``worker_leases``) that it renews with a heartbeat; a
lease not renewed within ``DIXIAN_WORKER_LEASE_SECONDS`` has expired and the next worker to
start takes it over. On SQLite only one worker may run (its write transactions would only
wait for each other), so a second one is refused while another's lease is alive. The rows a
worker fires are claimed by row locks inside its sweep transaction: a worker that dies has
its transaction rolled back by the database and its rows are fired by the others.

A timer row that failed ``DIXIAN_TIMER_MAX_ATTEMPTS`` times is an incident: it is no longer
swept until an administrator retries it (``retry_timer``), which the global trail records.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, func, insert, select, update

from . import audit, policy
from .errors import Conflict, NotFound
from .models import Case, Timer, WorkItem
from .supervision_models import WorkerLease

LEASES, TIMERS = WorkerLease.__table__, Timer.__table__
CASES, ITEMS = Case.__table__, WorkItem.__table__


@dataclass(frozen=True)
class LeaseView:
    """A timer worker as the administration page shows it."""

    name: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    lease_until: datetime
    fired: int
    alive: bool


@dataclass(frozen=True)
class TimerView:
    """A pending timer row (or an incident): what, of which case, when, how it failed."""

    id: int
    case_id: int
    case_title: str
    kind: str
    step: str
    due_at: datetime
    fire_at: datetime
    attempts: int
    last_error: str
    incident_at: datetime | None


class WorkerVerbs:
    """Mixed into ``Engine``: leases for the worker, timers and incidents for admins."""

    def take_lease(self, name: str, host: str, pid: int, now: datetime | None = None,
                   is_gone: Callable[[str, int], bool] = lambda host, pid: False) -> None:
        """Register a running worker; on SQLite refuse while another worker's lease lives.
        ``is_gone(host, pid)`` says that a lease's worker is known to have died (its process
        is gone from this host): its lease is taken over at once, without waiting."""
        now = now or self.clock()
        until = now + timedelta(seconds=self.settings.worker_lease_seconds)
        with self.transaction(write=True) as tx:
            conn = tx.conn
            conn.execute(delete(LEASES).where(LEASES.c.lease_until < now))  # expired: taken over
            for other in conn.execute(select(LEASES).where(LEASES.c.name != name)).all():
                if is_gone(other.host, other.pid):
                    conn.execute(delete(LEASES).where(LEASES.c.name == other.name))
            if tx.dialect == "sqlite":
                other = conn.execute(select(LEASES).where(LEASES.c.name != name)).first()
                if other is not None:
                    raise Conflict(
                        f"another timer worker (pid {other.pid} on {other.host or 'this host'})"
                        f" is running on this SQLite database, its lease renewed until "
                        f"{other.lease_until.isoformat(timespec='seconds')}; SQLite allows one "
                        f"worker: stop that one, or use PostgreSQL for several")
            conn.execute(delete(LEASES).where(LEASES.c.name == name))
            conn.execute(insert(LEASES).values(name=name, host=host[:100], pid=pid,
                                               started_at=now, heartbeat_at=now,
                                               lease_until=until, fired=0))

    def heartbeat(self, name: str, fired: int = 0, now: datetime | None = None) -> bool:
        """Renew a worker's lease (adding what it fired); False if it was taken over."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            return tx.conn.execute(update(LEASES).where(LEASES.c.name == name).values(
                heartbeat_at=now, fired=LEASES.c.fired + fired,
                lease_until=now + timedelta(seconds=self.settings.worker_lease_seconds))
            ).rowcount == 1

    def release_lease(self, name: str) -> None:
        """A worker stopped: its lease ends."""
        with self.transaction(write=True) as tx:
            tx.conn.execute(delete(LEASES).where(LEASES.c.name == name))

    def workers(self, actor, now: datetime | None = None) -> list[LeaseView]:
        """The timer workers with a lease, alive or expired."""
        policy.require(policy.manage_timers, actor)
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            return [LeaseView(r.name, r.host, r.pid, r.started_at, r.heartbeat_at,
                              r.lease_until, r.fired, r.lease_until >= now)
                    for r in tx.conn.execute(select(LEASES).order_by(LEASES.c.started_at))]

    def pending_timers(self, actor, incidents: bool = False, page: int = 1, size: int = 50
                       ) -> tuple[list[TimerView], int]:
        """Pending timer rows, next due first (or the incidents); and how many there are."""
        policy.require(policy.manage_timers, actor)
        where = [TIMERS.c.fired_at.is_(None),
                 TIMERS.c.incident_at.isnot(None) if incidents else TIMERS.c.incident_at.is_(None)]
        with self.transaction(write=False) as tx:
            conn = tx.conn
            total = conn.execute(select(func.count()).select_from(TIMERS).where(*where)).scalar()
            rows = conn.execute(select(TIMERS, CASES.c.title.label("case_title"),
                                       ITEMS.c.title.label("step")).select_from(
                TIMERS.join(CASES, CASES.c.id == TIMERS.c.case_id).outerjoin(
                    ITEMS, ITEMS.c.id == TIMERS.c.work_item_id)).where(*where).order_by(
                TIMERS.c.fire_at, TIMERS.c.id).limit(size).offset((max(page, 1) - 1) * size))
            return [TimerView(r.id, r.case_id, r.case_title, r.kind, r.step or r.task_id or "",
                              r.due_at, r.fire_at, r.attempts, r.last_error, r.incident_at)
                    for r in rows], total

    def retry_timer(self, timer_id: int, actor, now: datetime | None = None) -> None:
        """An administrator sends an incident back to the timer service, at once."""
        policy.require(policy.manage_timers, actor)
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            row = tx.conn.execute(select(TIMERS).where(TIMERS.c.id == timer_id)).first()
            if row is None or row.fired_at is not None:
                raise NotFound(f"timer {timer_id} is not pending")
            if row.incident_at is None:
                raise Conflict(f"timer {timer_id} is not an incident; the service retries it "
                               f"by itself")
            tx.conn.execute(update(TIMERS).where(TIMERS.c.id == timer_id).values(
                incident_at=None, attempts=0, fire_at=now))
            audit.append_global(tx.conn, "timer_retried", actor, now, {
                "timer": timer_id, "case": row.case_id, "kind": row.kind,
                "attempts": row.attempts, "error": row.last_error})
