"""Timers: fire the due ones now, or run the timer service in the foreground."""
from __future__ import annotations

import sys

import click

from worker import run_service
from worker.service import DEFAULT_INTERVAL, configure_logging

from .context import transactional
from .output import Report, table


@click.group()
def timers():
    """Timer rows: BPMN timers, step and case deadlines."""


@timers.command()
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="at most this many timer rows (default $DIXIAN_TIMER_BATCH or 100)")
@transactional(write=True)
def fire(obj, limit):
    """Fire the timer rows that are due now, once."""
    sweep = obj.engine.fire_due(obj.now, limit)
    lines = [f"{sweep.fired} timer(s) fired"]
    lines += [f"failed: timer {timer}: {error} (tried again later)"
              for timer, error in sweep.failed]
    return Report(sweep, "\n".join(lines))


@timers.command()
@click.option("--interval", type=click.FloatRange(min=0.01), default=DEFAULT_INTERVAL,
              show_default=True, help="seconds between sweeps")
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="timer rows per sweep (default $DIXIAN_TIMER_BATCH or 100)")
@click.option("--once", is_flag=True, help="one sweep, then exit (1 if it failed)")
@click.pass_obj
def run(obj, interval, batch, once):
    """The timer service in the foreground (as dixian-worker): stop with Ctrl-C."""
    configure_logging()
    sys.exit(run_service(obj.settings, interval, batch, once, now=obj.now))


TIMER_COLUMNS = [("timer", "id"), ("case", "case_id"), ("kind", "kind"), ("step", "step"),
                 ("due", "due_at"), ("fires", "fire_at"), ("tries", "attempts"),
                 ("error", "last_error")]


@timers.command()
@click.option("--as", "as_user", required=True, help="an administrator")
@click.option("--incidents", is_flag=True, help="the timers that failed too often instead")
@click.option("--page", type=click.IntRange(min=1), default=1)
@transactional(write=False)
def pending(obj, as_user, incidents, page):
    """Pending timer rows, next due first (or the incidents)."""
    rows, total = obj.engine.pending_timers(obj.actor(as_user), incidents, page)
    return Report(rows, f"{total} {'incident(s)' if incidents else 'pending'}\n"
                  + table(rows, TIMER_COLUMNS, "none"))


@timers.command()
@click.argument("timer_id", metavar="TIMER", type=int)
@click.option("--as", "as_user", required=True, help="an administrator")
@transactional(write=True)
def retry(obj, timer_id, as_user):
    """Send incident TIMER back to the timer service, due now."""
    obj.engine.retry_timer(timer_id, obj.actor(as_user), obj.now)
    return Report({"timer": timer_id}, f"timer {timer_id} will fire at the next sweep")


@timers.command(name="workers")
@click.option("--as", "as_user", required=True, help="an administrator")
@transactional(write=False)
def list_workers(obj, as_user):
    """The timer workers holding a lease."""
    found = obj.engine.workers(obj.actor(as_user), obj.now)
    return Report(found, table(found, [("name", "name"), ("pid", "pid"), ("since", "started_at"),
                                       ("heartbeat", "heartbeat_at"), ("fired", "fired"),
                                       ("alive", "alive")], "no worker running"))


COMMANDS = [timers]
