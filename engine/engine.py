"""The Engine: one object assembled from its parts, holding every verb and read model.

Front-ends (web pages, JSON API, CLI, timer worker) build one Engine with ``build_engine``
and call its verbs. A verb called inside ``engine.transaction()`` joins that transaction and
the caller commits; a verb called outside one runs in a transaction of its own, committed
when it returns. The current transaction is kept per thread (a context variable), so one
Engine serves many threads.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import datetime
from typing import Callable, Iterator

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine as Database

from . import clock as clocks
from . import policy
from .admin import AdminVerbs
from .checkpoints import CheckpointVerbs, load_audit_key
from .case_list import CaseListVerbs
from .cases import CaseVerbs
from .clue_verbs import ClueVerbs
from .db import Tx, make_engine, migrate
from .definitions import DefinitionVerbs
from .elimination_verbs import EliminationVerbs
from .field_verbs import FieldVerbs
from .directory import Directory
from .logins import LoginVerbs
from .errors import DixianError
from .messaging import MessagingVerbs
from .migration import MigrationVerbs
from .print_jobs import AuditReadVerbs, PrintJobVerbs
from .printing import PrintVerbs
from .procedures import PROCEDURES, Procedure
from .project_verbs import ProjectVerbs
from .periods import PeriodVerbs
from .reading import ReadVerbs
from .register import RegisterVerbs
from .report_verbs import ReportVerbs
from .registry import Registry
from .runner import Runner
from .scripts import ScriptLimits
from .settings import Settings
from .supervision_verbs import SupervisionVerbs
from .take_over import TakeOverVerbs
from .timers import TimerVerbs
from .worker_verbs import WorkerVerbs


class Engine(CaseVerbs, TimerVerbs, ReadVerbs, AdminVerbs, DefinitionVerbs, MigrationVerbs,
             ProjectVerbs, LoginVerbs, SupervisionVerbs, MessagingVerbs, WorkerVerbs,
             CheckpointVerbs, PrintVerbs, PrintJobVerbs, AuditReadVerbs,
             RegisterVerbs, PeriodVerbs, CaseListVerbs,
             ClueVerbs, FieldVerbs, ReportVerbs, EliminationVerbs, TakeOverVerbs):
    """Definitions, cases, timers, trail and accounts behind one set of verbs."""

    def __init__(self, settings: Settings, database: Database, registry: Registry,
                 runner: Runner, directory: Directory, procedures: dict[str, Procedure],
                 clock: Callable[[], datetime] = clocks.utcnow):
        self.settings, self.database, self.registry, self.runner = (
            settings, database, registry, runner)
        self.directory, self.procedures, self.clock = directory, procedures, clock
        self.audit_key = load_audit_key(settings)
        self._current: contextvars.ContextVar[Tx | None] = contextvars.ContextVar(
            f"dixian_tx_{id(self)}", default=None)

    # Transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        """The current transaction, or a new one committed on success and rolled back on
        error. A write transaction takes the database's write lock as it begins (SQLite)."""
        current = self._current.get()
        if current is not None:
            if write and not current.write:
                raise DixianError("a read-only transaction is open: start a write "
                                  "transaction for changes")
            try:
                yield current
            except BaseException:
                current.failed = True
                raise
            return
        tx = self._tx(write)
        token = self._current.set(tx)
        try:
            yield tx
            tx.commit()
        except BaseException:
            tx.rollback()
            raise
        finally:
            self._current.reset(token)
            tx.close()

    def begin(self, write: bool = True) -> Tx:
        """Open a transaction that the verbs called after it join, until ``end``."""
        if self._current.get() is not None:
            raise DixianError("a transaction is already open")
        tx = self._tx(write)
        tx.token = self._current.set(tx)
        return tx

    def _tx(self, write: bool) -> Tx:
        tx = Tx(self.database, write)
        tx.audit_key = self.audit_key
        return tx

    def commit(self) -> None:
        """Commit the open transaction (``begin``); refused after a verb failed in it."""
        tx = self._current.get()
        if tx is None:
            return
        if getattr(tx, "failed", False):
            raise DixianError("a verb failed in this transaction: roll it back")
        tx.commit()

    def rollback(self) -> None:
        """Undo what the open transaction did; it stays open for reads."""
        tx = self._current.get()
        if tx is not None:
            tx.rollback()
            tx.failed = False

    def end(self) -> None:
        """Close the open transaction, rolling back whatever was not committed."""
        tx = self._current.get()
        if tx is None:
            return
        try:
            tx.close()
        finally:
            self._current.reset(tx.token)

    # Parts ----------------------------------------------------------------------------------

    @staticmethod
    def allowed(rule: str, *args) -> bool:
        """Whether a policy rule (``engine.policy``, by name) allows the action, for pages
        that show or hide a button; the verbs check the same rule again."""
        return policy.allowed(getattr(policy, rule), *args)

    def procedure_of(self, parsed) -> Procedure:
        """The procedure that knows a definition (by its property, else by process key)."""
        name = parsed.procedure or next(
            (p.name for p in self.procedures.values() if parsed.key in p.process_keys),
            "generic")
        procedure = self.procedures.get(name)
        if procedure is None:
            raise DixianError(f"process {parsed.key} names procedure {name!r}, which this "
                              f"installation does not have")
        return procedure

    def procedures_for(self, subject_kind: str) -> list[tuple[Procedure, str]]:
        """Procedures that start from a subject of this kind, with their deployed key."""
        deployed = {row.key for row in self.definitions()}
        return [(p, key) for p in self.procedures.values() if p.subject_kind == subject_kind
                for key in p.process_keys if key in deployed]

    def migrate(self) -> None:
        """Create or upgrade the schema (existing chain heads are sealed with the key)."""
        migrate(self.database, audit_key=self.audit_key)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.database.dispose()


def build_engine(settings: Settings | None = None, database: Database | None = None,
                 procedures: dict[str, Procedure] | None = None,
                 clock: Callable[[], datetime] = clocks.utcnow,
                 password_hasher: PasswordHasher | None = None) -> Engine:
    """An Engine assembled from settings (default: the environment's)."""
    settings = settings or Settings.from_environment()
    database = database or make_engine(settings.database_url, settings.busy_timeout_ms,
                                       settings.durability)
    limits = ScriptLimits(settings.script_time_seconds, settings.script_max_items,
                          settings.script_max_int_bits)
    return Engine(settings, database, Registry(settings.definition_cache_size),
                  Runner(limits, settings.workflow_cache_size),
                  Directory(password_hasher or PasswordHasher()),
                  {name: procedure.configured(settings)
                   for name, procedure in (procedures or PROCEDURES).items()}, clock)
