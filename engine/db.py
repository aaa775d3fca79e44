"""Database connection: engine creation, transactions that know whether they write, migrations.

A write transaction takes the database's write lock when it begins: on SQLite
``BEGIN IMMEDIATE`` (waiting up to the busy timeout for another writer), so that a transaction
never reads under a shared lock and then fails to upgrade it ("database is locked") when
another worker committed in between. On PostgreSQL rows are locked where they are changed
(the case row first, see ``store``).
"""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import orjson

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

DEFAULT_URL = "sqlite:///var/dixian.sqlite"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(url: str) -> str:
    """The SQLAlchemy URL for a setting: ``postgresql://`` uses the psycopg 3 driver."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


# What a commit survives, per setting (``DIXIAN_DURABILITY``):
#   normal  a crash of Dixian or of the database server loses nothing committed; a power cut
#           or an operating-system crash may lose the commits of the last moment (SQLite: WAL
#           with synchronous=NORMAL; PostgreSQL: synchronous_commit=off, at most about three
#           times wal_writer_delay, 0.6 s by default). Never a corrupt or half-written database.
#   full    a commit is on disk when it returns, power cut included (SQLite synchronous=FULL;
#           PostgreSQL synchronous_commit=on): each commit waits for the disk's flush.
DURABILITY = ("normal", "full")


# SQLite's WAL is copied back into the database file by a checkpoint, which flushes both
# files to disk (10–20 ms on these machines). SQLite runs it inside the commit that crosses
# 1,000 WAL pages: every 60–120 steps one commit took that long, more than all the others
# together. A thread of the process runs it instead (``Checkpointer``), every ``EVERY`` write
# commits; the commit's own limit stays as a backstop should that thread fall behind.
CHECKPOINT_BACKSTOP_PAGES = 10_000


class Checkpointer:
    """Checkpoints one SQLite database's WAL on a thread of its own, off the commit path.

    It changes nothing a commit survives: a checkpoint only copies committed pages, and
    flushes as the durability setting says. The thread starts on demand in each process
    (a forked web worker gets its own) and ends after ``IDLE_SECONDS`` without commits.
    """

    EVERY = 64  # write commits between checkpoints (a step writes 8–18 WAL pages)
    IDLE_SECONDS = 30.0

    def __init__(self, path: str, synchronous: str):
        self.path, self.synchronous = path, synchronous
        self.passes = 0  # checkpoints run (tests wait on it)
        self._pid = os.getpid()
        self._reset()

    def _reset(self) -> None:
        self._commits = 0
        self._wake = threading.Event()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """A write transaction committed: every ``EVERY`` of them, wake the thread."""
        self._commits += 1
        if self._commits < self.EVERY:
            return
        self._commits = 0
        if self._pid != os.getpid():  # a forked process: the parent's thread is not here
            self._pid = os.getpid()
            self._reset()
        with self._done:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="dixian-checkpoint")
                self._thread.start()
            self._wake.set()

    def checkpoint(self, conn) -> tuple[int, int, int]:
        """One pass: copy what the WAL holds into the database without waiting for any
        reader or writer; again while writers added to it meanwhile (up to three times), so
        that the next writer can start the WAL afresh. SQLite's (busy, pages in the WAL,
        pages copied)."""
        for _ in range(3):
            busy, pages, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()[0]
            if busy or copied >= pages:
                break
        return busy, pages, copied

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            while True:
                if not self._wake.wait(self.IDLE_SECONDS):
                    with self._done:
                        if not self._wake.is_set():
                            self._thread = None
                            return
                self._wake.clear()
                try:
                    self.checkpoint(conn)
                except sqlite3.Error:
                    pass  # the commits' own backstop checkpoints; the next pass retries
                with self._done:
                    self.passes += 1
                    self._done.notify_all()
        finally:
            conn.close()

    def wait(self, passes: int, timeout: float = 10.0) -> bool:
        """Wait until at least ``passes`` checkpoints ran (for tests)."""
        with self._done:
            return self._done.wait_for(lambda: self.passes >= passes, timeout)


def _sqlite_pragmas(busy_timeout_ms: int, durability: str):
    synchronous = "FULL" if durability == "full" else "NORMAL"

    def connect(dbapi_connection, _record):
        # WAL lets readers go on while one writer commits.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BACKSTOP_PAGES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()
        # SQLAlchemy, not the sqlite3 module, decides where transactions begin (its
        # documented recipe for pysqlite), so that BEGIN IMMEDIATE and savepoints work.
        dbapi_connection.isolation_level = None
    return connect


def _json_text(value) -> str:
    return orjson.dumps(value).decode("utf-8")


def _sqlite_begin(connection: Connection) -> None:
    # SQLAlchemy's own transactions (migrations, scripts, tests); the engine's are ``Tx``.
    connection.connection.dbapi_connection.execute("BEGIN")


def make_engine(url: str = DEFAULT_URL, busy_timeout_ms: int = 30_000,
                durability: str = "normal", **kwargs) -> Engine:
    """A SQLAlchemy engine for ``url``; SQLite gets WAL, a busy timeout and write locks.
    ``durability`` is one of ``DURABILITY`` (see there)."""
    if durability not in DURABILITY:
        raise ValueError(f"durability must be one of {', '.join(DURABILITY)}, not {durability!r}")
    url = database_url(url)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        # No ping before each use (a round trip per transaction): connections are renewed
        # hourly, and a connection the server dropped fails one transaction, after which
        # SQLAlchemy discards the pool's connections.
        kwargs.setdefault("pool_recycle", 3600)
        if durability == "normal":
            # Set at connection start-up: no statement, no round trip of its own.
            kwargs.setdefault("connect_args", {}).setdefault(
                "options", "-c synchronous_commit=off")
    # JSON columns (audit data, definition sources) written and read by orjson: several
    # times faster than the json module, same JSON.
    kwargs.setdefault("json_serializer", _json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms, durability))
        event.listen(engine, "begin", _sqlite_begin)
        path = engine.url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            engine.checkpointer = Checkpointer(
                path, "FULL" if durability == "full" else "NORMAL")
    return engine


class Conn:
    """The transaction's connection: the driver's connection for prepared statements
    (``engine.sql``) and, made on first use, a SQLAlchemy connection over the same driver
    connection for everything else. Neither begins or ends the transaction: ``Tx`` does."""

    def __init__(self, database: Engine, raw, tx: "Tx"):
        self.database, self.raw, self.dialect, self.tx = database, raw, database.dialect, tx
        self.dbapi = raw.dbapi_connection
        self._sqlalchemy: Connection | None = None

    def ensure(self) -> None:
        """Begin the next transaction if the last one was committed or rolled back."""
        if not self.tx.open:
            self.tx._begin()

    @property
    def sqlalchemy(self) -> Connection:
        """A SQLAlchemy connection that runs in this transaction (no begin of its own)."""
        if self._sqlalchemy is None:
            self._sqlalchemy = Connection(self.database, connection=self.raw,
                                          _allow_autobegin=False)
        return self._sqlalchemy

    def execute(self, statement, parameters=None):
        """Run a Core statement through SQLAlchemy in this transaction."""
        self.ensure()
        return self.sqlalchemy.execute(statement, parameters)

    def close(self) -> None:
        """Give the driver connection back to the pool."""
        if self._sqlalchemy is not None:
            self._sqlalchemy.close()
        else:
            self.raw.close()


class Tx:
    """One transaction on one pooled connection. The caller owns it: ``commit`` or
    ``rollback``, then ``close``. A write transaction on SQLite begins with
    ``BEGIN IMMEDIATE`` (waiting up to the busy timeout for the write lock)."""

    def __init__(self, database: Engine, write: bool):
        self.write = write
        self.dialect: str = database.dialect.name
        self.checkpointer: Checkpointer | None = getattr(database, "checkpointer", None)
        self.conn = Conn(database, database.raw_connection(), self)
        self.open = False
        self._begin()
        self.state: dict = {}  # per-transaction memo (the business calendar, …)
        self.failed = False  # a verb failed inside: the owner must roll back
        self.global_events: list[tuple] = []  # written to the global chain at commit
        self.token = None  # the Engine's context-variable token while it is current
        self.audit_key: bytes | None = None  # the Engine's, for keyed audit hashes
        self._savepoints = 0

    def _begin(self) -> None:
        # PostgreSQL's driver begins a transaction by itself at the first statement.
        if self.dialect == "sqlite":
            self.conn.dbapi.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
        self.open = True

    def commit(self) -> None:
        """Commit everything done in this transaction (its global-chain events last); a
        statement after it begins the next one."""
        if self.global_events:
            from .audit import write_global

            events, self.global_events = self.global_events, []
            write_global(self.conn, events)
        self.conn.dbapi.commit()
        self.open = False
        if self.write and self.checkpointer is not None:
            self.checkpointer.committed()

    def rollback(self) -> None:
        """Undo everything done in this transaction; a statement after it begins the next."""
        self.conn.dbapi.rollback()
        self.global_events = []
        self.open = False

    @contextmanager
    def savepoint(self):
        """A nested transaction: rolled back alone if the block raises."""
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self.conn.ensure()
        cursor = self.conn.dbapi.cursor()
        cursor.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {name}")
            cursor.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            cursor.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            cursor.close()

    def close(self) -> None:
        """End the transaction (rolling back what was not committed) and give the
        connection back."""
        try:
            if self.open:
                self.conn.dbapi.rollback()
        finally:
            self.conn.close()


def alembic_config(engine: Engine, audit_key: bytes | None = None):
    """An Alembic config whose migrations run on ``engine`` (with the audit key, for
    migrations that seal chains)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    config.attributes["audit_key"] = audit_key
    return config


def migrate(engine: Engine, revision: str = "head", audit_key: bytes | None = None) -> None:
    """Bring the schema up to ``revision`` with Alembic."""
    from alembic import command

    command.upgrade(alembic_config(engine, audit_key), revision)
