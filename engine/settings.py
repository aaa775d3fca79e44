"""The settings an Engine is built from, read from ``DIXIAN_*`` environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .db import DEFAULT_URL

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything a deployment may set; each field has a safe default."""

    database_url: str = DEFAULT_URL
    workflows_dir: str = str(ROOT / "workflows")
    # Parsed definitions kept per process (each a few MB for a large BPMN).
    definition_cache_size: int = 32
    # Restored workflows kept per process, keyed by case and exact stored state.
    workflow_cache_size: int = 256
    script_time_seconds: float = 2.0
    script_max_items: int = 10_000_000
    script_max_int_bits: int = 100_000
    busy_timeout_ms: int = 30_000
    # What a commit survives: "normal" (crashes of Dixian or the database server) or "full"
    # (power cuts too, each commit waiting for the disk); see engine/db.py.
    durability: str = "normal"
    timer_batch: int = 100
    # Seconds before a timer that failed is tried again: doubled per failure up to the cap.
    timer_retry_seconds: float = 30.0
    timer_retry_cap_seconds: float = 3600.0
    upload_max_bytes: int = 10 * 1024 * 1024
    # Wrong passwords in a row that lock an account, and for how long.
    lockout_failures: int = 10
    lockout_minutes: int = 15
    # A timer that failed this many times becomes an incident for an administrator.
    timer_max_attempts: int = 5
    # A worker's lease lasts this long past its last heartbeat; then others take over.
    worker_lease_seconds: float = 60.0
    # The shortest time between two urges (催办) of one work item.
    urge_interval_minutes: int = 240
    # Notifications by e-mail (none without a host) and SMS (``module:factory`` of a gateway).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "dixian@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: int = 0
    sms_gateway: str = ""
    # The address links in e-mails point to (``https://dixian.example.gov.cn``).
    base_url: str = "http://127.0.0.1:5000"
    # The audit key: held outside the database, set by the deployment (DIXIAN_AUDIT_KEY, or
    # a file). Without either, a random key is written to ``audit_key_file`` on first use.
    audit_key: str = field(default="", repr=False)
    audit_key_file: str = str(ROOT / "var" / "audit.key")
    # Where the daily signed checkpoints of every chain head are written for archiving.
    checkpoint_dir: str = str(ROOT / "var" / "checkpoints")
    # The deployment's province (2-digit division code, e.g. "41" Henan): the monitoring
    # line table is keyed by it. Empty: the first two digits of each case's village code.
    province: str = ""
    # Overrides the medical-insurance warning line of the monitoring line table (yuan/year).
    medical_warning_line: float = 0.0
    # A discovery date older than this many days is refused (a clue that old is a new case).
    discovery_max_age_days: int = 90
    # The column layout of the export to the national monitoring system (a JSON mapping).
    national_columns: str = str(ROOT / "exports" / "national_columns.json")
    # From this day of a month, villages with visits still due get one reminder that month.
    visit_reminder_day: int = 20
    # Risk elimination: months of visits with income stably above the line, and months a
    # household must have been monitored, before its risk may be eliminated (DOMAIN.md §3).
    elimination_stable_months: int = 6
    elimination_monitored_months: int = 6

    # Each field is read from ``DIXIAN_`` + its name in capitals, except these older names.
    _ENV_NAMES = {"workflows_dir": "DIXIAN_WORKFLOWS",
                  "definition_cache_size": "DIXIAN_DEFINITION_CACHE",
                  "workflow_cache_size": "DIXIAN_WORKFLOW_CACHE",
                  "script_time_seconds": "DIXIAN_SCRIPT_SECONDS"}

    @classmethod
    def variable(cls, name: str) -> str:
        """The environment variable a field is read from."""
        return cls._ENV_NAMES.get(name, "DIXIAN_" + name.upper())

    @classmethod
    def from_environment(cls, environ=None, **overrides) -> "Settings":
        """Settings from the environment (``DIXIAN_*``), then ``overrides``."""
        environ = os.environ if environ is None else environ
        values = {}
        types = {f.name: f.type for f in fields(cls)}
        for name in types:
            raw = environ.get(cls.variable(name))
            if raw not in (None, ""):
                kind = types[name]
                values[name] = int(raw) if kind == "int" else float(raw) if kind == "float" \
                    else raw
        return replace(cls(**values), **overrides)
