"""The engine's notion of "now", also used by SpiffWorkflow's timer events.

Engine operations take ``now`` from their caller. SpiffWorkflow's timer events read the
wall clock themselves, so while a step runs they are given the caller's ``now`` instead:
the CLI's ``--now``, the timer service's sweep time and the tests all get timers that agree
with every other date the engine writes.
"""
from __future__ import annotations

import contextlib
import contextvars
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_NOW: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("dixian_now",
                                                                       default=None)


class _EngineDateTime(datetime):
    """``datetime`` whose ``now()`` answers the engine's time while a step runs."""

    @classmethod
    def now(cls, tz=None):
        """The step's ``now`` if one is set, else the wall clock."""
        fixed = _NOW.get()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz is not None else fixed.astimezone().replace(
            tzinfo=None)


_spiff_timer.datetime = _EngineDateTime


@contextlib.contextmanager
def frozen(now: datetime):
    """Run the enclosed workflow code as if it were ``now``."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


def utcnow() -> datetime:
    """The wall-clock time as an aware UTC datetime."""
    return datetime.now(timezone.utc)
