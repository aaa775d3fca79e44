"""The current time for views; tests move it with time-machine."""
from datetime import date, datetime, timezone

from engine.calendar import TIMEZONE


def now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in Asia/Shanghai."""
    return now().astimezone(TIMEZONE).date()
