"""Database connection: engine creation, transactions that know whether they write, migrations.

A write transaction takes the database's write lock when it begins: on SQLite
``BEGIN IMMEDIATE`` (waiting up to the busy timeout for another writer), so that a transaction
never reads under a shared lock and then fails to upgrade it ("database is locked") when
another worker committed in between. On PostgreSQL rows are locked where they are changed
(the case row first, see ``store``).
"""
from __future__ import annotations

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


def _sqlite_pragmas(busy_timeout_ms: int, durability: str):
    synchronous = "FULL" if durability == "full" else "NORMAL"

    def connect(dbapi_connection, _record):
        # WAL lets readers go on while one writer commits.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
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
