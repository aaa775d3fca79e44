"""The timer worker: a front-end of its own that fires due timers until it is stopped.

Run it as ``dixian-worker`` or ``python -m worker``; ``dixian timers run`` runs the same loop.
Several workers may run at once on PostgreSQL: the engine locks each case it steps.
"""
from __future__ import annotations

import logging
import signal
import sys
import uuid
from dataclasses import replace

import click

from engine import Settings, build_engine
from engine.errors import Conflict

from .printing import checkpoint_chore, run_print_job
from .reminders import visit_reminder_chore
from .service import (DEFAULT_BATCH, DEFAULT_INTERVAL, DEFAULT_MAX_BACKOFF,
                      WORKER_BUSY_TIMEOUT_MS, TimerService, configure_logging,
                      lease_owner, process_gone)

log = logging.getLogger("dixian.worker")

__all__ = ["TimerService", "main", "run_print_job", "run_service"]


def run_service(settings: Settings, interval: float, batch: int | None, once: bool,
                max_backoff: float = DEFAULT_MAX_BACKOFF, now=None) -> int:
    """Build an Engine for the worker, run the loop in this process, return its exit status.

    ``now`` fixes the time every sweep acts at (``dixian --now``); None is the wall clock."""
    settings = replace(settings, busy_timeout_ms=min(settings.busy_timeout_ms,
                                                     WORKER_BUSY_TIMEOUT_MS))
    engine = build_engine(settings)
    host, pid = lease_owner()
    lease = f"{host}:{pid}:{uuid.uuid4().hex[:8]}"
    try:
        engine.take_lease(lease, host, pid, now, process_gone)
    except Conflict as err:  # SQLite: another worker runs
        log.error("%s", err)
        engine.dispose()
        return 2
    except Exception as err:  # the database is away: the loop's first sweep will retry
        log.error("could not register the worker: %s", err)
    chores = [lambda: run_print_job(engine, now), checkpoint_chore(engine, lambda: now),
              visit_reminder_chore(engine, lambda: now)]
    service = TimerService(engine, interval, batch or settings.timer_batch, max_backoff,
                           lambda: now, lease, chores)
    previous = service.handle_signals()
    try:
        return service.run(once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        try:
            engine.release_lease(lease)
        except Exception as err:  # noqa: BLE001 - the lease expires by itself
            log.warning("could not release the lease: %s", err)
        engine.dispose()


@click.command()
@click.option("--db", envvar="DIXIAN_DATABASE_URL", default=None,
              help="database URL (default $DIXIAN_DATABASE_URL or sqlite:///var/dixian.sqlite)")
@click.option("--interval", type=click.FloatRange(min=0.01), default=DEFAULT_INTERVAL,
              show_default=True, help="seconds between sweeps")
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help=f"timer rows per sweep (default $DIXIAN_TIMER_BATCH or {DEFAULT_BATCH})")
@click.option("--max-backoff", type=click.FloatRange(min=0), default=DEFAULT_MAX_BACKOFF,
              show_default=True, help="longest wait after failed sweeps, in seconds")
@click.option("--once", is_flag=True, help="one sweep, then exit (1 if it failed)")
def main(db, interval, batch, max_backoff, once):
    """Fire due timers (BPMN timers, step and case deadlines, 督办), send notifications,
    render batch print jobs and write the daily audit checkpoint, until SIGTERM or Ctrl-C.
    On SQLite one worker runs at a time (exit status 2 if another holds the lease)."""
    configure_logging()
    settings = Settings.from_environment(**({"database_url": db} if db else {}))
    sys.exit(run_service(settings, interval, batch, once, max_backoff))
