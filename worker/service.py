"""The timer service's loop: sweep due timers, wait, sweep again, until told to stop.

The service must outlive anything a sweep can raise. The engine already isolates one case's
failure (rolled back, logged, retried later with backoff); what reaches this loop is a sweep
that failed as a whole — SQLite's "database is locked", a lost PostgreSQL connection, a
deadlock — and the answer is the same for all: log one line, wait (doubling the wait after
each failure in a row, up to a cap) and sweep again. Nothing but a stop request ends it.

Stopping: SIGTERM or SIGINT sets an Event. A sweep in progress finishes (its transaction
commits), the wait between sweeps ends at once, and ``run`` returns 0.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from datetime import datetime
from typing import Callable

from engine import Engine, Sweep
from engine.errors import Conflict

log = logging.getLogger("dixian.worker")

DEFAULT_INTERVAL = 15.0
DEFAULT_BATCH = 100
DEFAULT_MAX_BACKOFF = 300.0
# The worker waits at most this long for SQLite's write lock: a sweep that cannot get it
# fails, is retried after a backoff, and a stop request is never stuck behind a long wait.
WORKER_BUSY_TIMEOUT_MS = 3_000


def summary(err: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")


class TimerService:
    """Fires due timers of one Engine in batches until ``stop`` is set."""

    def __init__(self, engine: Engine, interval: float = DEFAULT_INTERVAL,
                 batch: int = DEFAULT_BATCH, max_backoff: float = DEFAULT_MAX_BACKOFF,
                 now: Callable[[], datetime | None] = lambda: None, lease: str = "",
                 chores: list[Callable[[], bool]] | None = None):
        self.engine, self.interval, self.batch = engine, interval, batch
        # The worker's lease name: with one, each sweep renews the lease and sends the
        # notifications waiting in the outbox, and long waits are cut to keep it alive.
        self.lease = lease
        # Work beside the timers (batch printing, the daily checkpoint): each call does one
        # piece and says whether it found any.
        self.chores = list(chores or [])
        self.max_backoff = max(max_backoff, interval)
        self.now = now
        self.stop = threading.Event()
        self.failures = 0  # sweeps failed in a row
        self._signals: set[int] = set()  # the stop signals received

    def sweep(self) -> Sweep:
        """One batch of due timers, committed; logs a line when it saw any."""
        sweep = self.engine.fire_due(self.now(), self.batch)
        if sweep.seen:
            log.info("fired %d, skipped %d, failed %d", sweep.fired, sweep.skipped,
                     len(sweep.failed))
        if self.lease:
            self.renew(sweep.fired)
            sent, failed = self.engine.deliver(self.now())
            if sent or failed:
                log.info("notifications sent %d, failed %d", sent, failed)
        return sweep

    def renew(self, fired: int = 0) -> None:
        """Renew the lease; one that expired (a stall longer than the lease) is taken again,
        and on SQLite that fails if another worker took it meanwhile (then this one stops)."""
        if not self.engine.heartbeat(self.lease, fired, self.now()):
            log.warning("the lease had expired; taking it again")
            try:
                self.engine.take_lease(self.lease, *lease_owner(), self.now(), process_gone)
            except Conflict as err:
                log.error("%s", err)
                self.stop.set()

    def wait(self, seconds: float) -> None:
        """Wait between sweeps (until stopped), renewing the lease meanwhile."""
        if not self.lease:
            self.stop.wait(seconds)
            return
        step = max(self.engine.settings.worker_lease_seconds / 3, 0.01)
        end = time.monotonic() + seconds
        while not self.stop.is_set():
            left = end - time.monotonic()
            if left <= 0 or self.stop.wait(min(left, step)):
                return
            try:
                self.renew()
            except Exception as err:  # the database is away: the sweep will say so
                log.debug("heartbeat failed: %s", summary(err))

    def run_chores(self) -> bool:
        """One round of chores; whether any found work. A failed chore is logged, never
        fatal to the loop."""
        busy = False
        for chore in self.chores:
            if self.stop.is_set():
                break
            try:
                busy = chore() or busy
            except Exception as err:  # the service must outlive every chore
                log.error("%s failed: %s", getattr(chore, "__name__", "chore"), summary(err))
        return busy

    def backoff(self) -> float:
        """Seconds to wait after the current run of failed sweeps."""
        return min(self.interval * 2 ** (self.failures - 1), self.max_backoff)

    def run(self, once: bool = False) -> int:
        """Sweep until stopped (or once); 0 when it stopped as asked, 1 if ``once`` failed."""
        log.info("timer service running (every %gs, batches of %d)", self.interval, self.batch)
        while not self.stop.is_set():
            try:
                sweep = self.sweep()
            except Exception as err:  # the service must survive every failed sweep
                self.failures += 1
                wait = self.backoff()
                log.error("sweep failed (%d in a row): %s; next try in %gs", self.failures,
                          summary(err), wait, exc_info=log.isEnabledFor(logging.DEBUG))
                if once:
                    return 1
                self.wait(wait)
                continue
            self.failures = 0
            busy = self.run_chores()
            if once:
                break
            if busy:
                continue
            if sweep.seen < self.batch:  # a full batch means more are due: go on at once
                self.wait(self.interval)
        log.info("timer service stopped")
        return 0

    def request_stop(self, signum: int | None = None, _frame=None) -> None:
        """Ask the loop to stop after the current sweep. The same signal a second time (Ctrl-C
        twice) stops it at once, rolling the sweep back; SIGINT from the terminal followed by
        the supervisor's SIGTERM still lets the sweep finish."""
        if signum is not None and signum in self._signals:
            log.warning("stopping now: the current sweep is rolled back")
            raise SystemExit(1)
        if not self._signals:
            log.info("stopping after the current sweep")
        if signum is not None:
            self._signals.add(signum)
        # Event.set takes the lock that Event.wait holds for a moment; a signal handler
        # running inside that moment would wait for itself, so a helper thread sets it.
        threading.Thread(target=self.stop.set, daemon=True).start()

    def handle_signals(self) -> dict:
        """Stop on SIGTERM and SIGINT (main thread only); the handlers they had before."""
        return {sig: signal.signal(sig, self.request_stop)
                for sig in (signal.SIGTERM, signal.SIGINT)}


def lease_owner() -> tuple[str, int]:
    """This worker's host name and process id, for its lease row."""
    return socket.gethostname(), os.getpid()


def process_gone(host: str, pid: int) -> bool:
    """Whether a lease's worker ran on this host and its process no longer exists."""
    if host != socket.gethostname() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def configure_logging(level: int = logging.INFO) -> None:
    """One line per record on standard error, with the time; SpiffWorkflow's step-by-step
    records only from warnings up."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(max(level, logging.WARNING))
    logging.getLogger("weasyprint").setLevel(max(level, logging.WARNING))
