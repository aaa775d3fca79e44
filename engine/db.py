"""Database connection: engine creation, transactions that know whether they write, migrations.

A write transaction takes the database's write lock when it begins: on SQLite
``BEGIN IMMEDIATE`` (waiting up to the busy timeout for another writer), so that a transaction
never reads under a shared lock and then fails to upgrade it ("database is locked") when
another worker committed in between. On PostgreSQL rows are locked where they are changed
(the case row first, see ``store``).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

DEFAULT_URL = "sqlite:///var/dixian.sqlite"
MIGRATIONS = Path(__file__).with_name("migrations")
WRITE = "dixian_write"


def database_url(url: str) -> str:
    """The SQLAlchemy URL for a setting: ``postgresql://`` uses the psycopg 3 driver."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_pragmas(busy_timeout_ms: int):
    def connect(dbapi_connection, _record):
        # WAL lets readers go on while one writer commits; NORMAL sync is durable across
        # application crashes (a power cut may lose the last commits, never corrupt).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()
        # SQLAlchemy, not the sqlite3 module, decides where transactions begin (its
        # documented recipe for pysqlite), so that BEGIN IMMEDIATE and savepoints work.
        dbapi_connection.isolation_level = None
    return connect


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str = DEFAULT_URL, busy_timeout_ms: int = 30_000, **kwargs) -> Engine:
    """A SQLAlchemy engine for ``url``; SQLite gets WAL, a busy timeout and write locks."""
    url = database_url(url)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


class Tx:
    """One transaction: a connection for the store's statements and, on demand, a session.

    The caller owns it: ``commit`` or ``rollback``, then ``close``.
    """

    def __init__(self, engine: Engine, write: bool):
        self.write = write
        bind = engine.execution_options(**{WRITE: True}) if write else engine
        self.conn: Connection = bind.connect()
        self.conn.begin()
        self.dialect: str = engine.dialect.name
        self.state: dict = {}  # per-transaction memo (the business calendar, …)
        self.failed = False  # a verb failed inside: the owner must roll back
        self.token = None  # the Engine's context-variable token while it is current
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """An ORM session joined to this transaction (for the few ORM reads left)."""
        if self._session is None:
            self._session = Session(bind=self.conn, expire_on_commit=False,
                                    join_transaction_mode="conservative_savepoint")
        return self._session

    def commit(self) -> None:
        """Commit everything done in this transaction."""
        if self._session is not None:
            self._session.flush()
        self.conn.commit()

    def rollback(self) -> None:
        """Undo everything done in this transaction."""
        if self._session is not None:
            self._session.expunge_all()
        self.conn.rollback()

    def close(self) -> None:
        """Give the connection back (rolling back what was not committed)."""
        if self._session is not None:
            self._session.close()
            self._session = None
        self.conn.close()


def alembic_config(engine: Engine):
    """An Alembic config whose migrations run on ``engine``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with Alembic."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
