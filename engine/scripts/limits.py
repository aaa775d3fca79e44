"""What one script or expression may spend, and the helpers scripts may call."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta




@dataclass(frozen=True)
class ScriptLimits:
    """Limits applied to every script run and expression evaluation."""
    time_seconds: float = 2.0        # wall time per evaluation
    max_items: int = 10_000_000      # items/characters/bytes of a sequence built in one step
    max_int_bits: int = 100_000      # bits of an integer built by *, ** or <<


def add_days(value: str, days: int) -> str:
    """The ISO date ``days`` natural days after the ISO date ``value``."""
    return (date.fromisoformat(str(value)[:10]) + timedelta(days=int(days))).isoformat()

