"""The monthly-visit reminder as a chore of the timer worker."""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Callable

from engine import Engine

log = logging.getLogger("dixian.worker")
# How often the worker looks for villages to remind (the engine sends each once a month).
EVERY_SECONDS = 600.0


def visit_reminder_chore(engine: Engine, now: Callable[[], datetime | None],
                         every: float = EVERY_SECONDS) -> Callable[[], bool]:
    """A chore that sends the month's visit reminders, looking at most every ``every``
    seconds; whether it sent any."""
    last = [float("-inf")]

    def chore() -> bool:
        if time.monotonic() - last[0] < every:
            return False
        last[0] = time.monotonic()
        villages = engine.remind_visits(now())
        if villages:
            log.info("visit reminders sent to %d village(s)", len(villages))
        return bool(villages)
    chore.__name__ = "visit_reminder_chore"
    return chore
