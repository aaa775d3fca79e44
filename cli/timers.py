"""Timers: fire the due ones now, or run the timer service in the foreground."""
from __future__ import annotations

import sys

import click

from worker import run_service
from worker.service import DEFAULT_INTERVAL, configure_logging

from .context import transactional
from .output import Report


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


COMMANDS = [timers]
