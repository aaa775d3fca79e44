"""Statements compiled once and run on the driver's cursor: the hot path's way to the database.

SQLAlchemy's execution machinery costs several times what SQLite takes to run a small
statement. A ``Prepared`` statement is compiled once per database dialect (and per set of
inserted columns); running it converts the parameters with SQLAlchemy's own bind processors
(so values are stored exactly as SQLAlchemy would store them), executes on the DBAPI cursor
of the transaction's connection, and converts result columns with SQLAlchemy's result
processors. Statements with expanding parameters (``IN``) are not prepared: they run through
SQLAlchemy.
"""
from __future__ import annotations

from collections import namedtuple
from contextlib import contextmanager

from sqlalchemy.engine import Connection


class _Compiled:
    __slots__ = ("sql", "plan", "results", "positional", "row")

    def __init__(self, statement, dialect, keys):
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        self.sql = compiled.string
        self.positional = dialect.positional
        # Literal values written into the statement (``status = 'open'``) and scalar column
        # defaults of inserted columns the caller did not give.
        base = dict(compiled.construct_params(_check=False))
        for column in getattr(statement, "table", None).columns if keys else ():
            default = column.default
            if column.key not in keys and column.key in base and default is not None \
                    and default.is_scalar:
                base[column.key] = default.arg
        processors = compiled._bind_processors
        names = compiled.positiontup if dialect.positional else list(base)
        # (name, value when not given, converter): one pass per execution
        self.plan = [(name, base.get(name), processors.get(name)) for name in names]
        self.results = [type_._cached_result_processor(dialect, None)
                        for _key, _name, _objects, type_ in compiled._result_columns]
        # Rows are tuples with the columns' names (duplicates, as in a join, renamed _N).
        self.row = namedtuple("Row", [key for key, *_ in compiled._result_columns] or ["_0"],
                              rename=True)

    def parameters(self, params: dict):
        get, values = params.get, []
        for name, default, process in self.plan:
            value = get(name, default)
            values.append(process(value) if process is not None and value is not None
                          else value)
        if self.positional:
            return values
        return {name: value for (name, _, _), value in zip(self.plan, values)}

    def rows(self, cursor) -> list[tuple]:
        rows, make = cursor.fetchall(), self.row._make
        results = self.results
        if not any(results):
            return [make(row) for row in rows]
        return [make(process(value) if process else value
                     for process, value in zip(results, row)) for row in rows]


class Prepared:
    """A Core statement run on the DBAPI cursor; see the module docstring."""

    def __init__(self, statement):
        self.statement = statement
        # An INSERT is compiled for the columns each call gives (others take their defaults).
        self.is_insert = bool(getattr(statement, "is_insert", False))
        self._compiled: dict = {}

    def compiled(self, dialect, keys=None) -> _Compiled:
        """The statement compiled for this dialect (and these inserted columns)."""
        key = (dialect.name, keys)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _Compiled(self.statement, dialect,
                                                    list(keys) if keys else None)
        return found

    def _cursor(self, conn: Connection, params: dict):
        compiled = self.compiled(conn.dialect, tuple(params) if self.is_insert else None)
        cursor = dbapi_of(conn).cursor()
        cursor.execute(compiled.sql, compiled.parameters(params))
        return compiled, cursor

    def send(self, conn: Connection, params: dict | None = None):
        """Execute without reading the outcome: the open cursor, whose ``rowcount`` is known
        once the results arrived (at once, or when a PostgreSQL pipeline syncs)."""
        return self._cursor(conn, params or {})[1]

    def run(self, conn: Connection, params: dict | None = None) -> int:
        """Execute; the number of rows changed."""
        _, cursor = self._cursor(conn, params or {})
        count = cursor.rowcount
        cursor.close()
        return count

    def all(self, conn: Connection, params: dict | None = None) -> list[tuple]:
        """Execute and return every row, converted."""
        compiled, cursor = self._cursor(conn, params or {})
        rows = compiled.rows(cursor)
        cursor.close()
        return rows

    def first(self, conn: Connection, params: dict | None = None):
        """Execute and return the first row (converted), or None."""
        rows = self.all(conn, params)
        return rows[0] if rows else None

    def insert(self, conn: Connection, rows: list[dict]) -> list:
        """Insert rows one statement each; the RETURNING values of each (if any)."""
        return self.returned(self.send_rows(conn, rows))

    def send_rows(self, conn: Connection, rows: list[dict]) -> list:
        """Send one statement per row without reading what it returns: in a PostgreSQL
        pipeline, read it with ``returned`` after the block (reading inside it waits for a
        round trip of its own)."""
        return [self._cursor(conn, row) for row in rows]

    @staticmethod
    def returned(sent: list) -> list:
        """The RETURNING values (if any) of statements sent by ``send_rows``."""
        found = []
        for compiled, cursor in sent:
            if compiled.results:
                found.append(compiled.rows(cursor)[0])
            cursor.close()
        return found


def dbapi_of(conn):
    """The driver connection of a transaction's connection (in a begun transaction) or of a
    SQLAlchemy one."""
    ensure = getattr(conn, "ensure", None)
    if ensure is not None:
        ensure()
        return conn.dbapi
    return conn.connection.dbapi_connection


@contextmanager
def pipeline(conn):
    """On PostgreSQL, send the statements of the block without waiting for each answer
    (psycopg's pipeline mode: one round trip instead of one per statement); elsewhere,
    nothing. Read what a statement changed only after the block. Yields whether it
    pipelines."""
    if conn.dialect.name == "postgresql":
        with dbapi_of(conn).pipeline():
            yield True
    else:
        yield False


def explain(conn, statement, analyze: bool = False) -> list[str]:
    """The database's plan for a statement, one line per step (SQLite's EXPLAIN QUERY PLAN,
    PostgreSQL's EXPLAIN): the benchmarks print it and tests check which indexes it uses.
    ``analyze``: on PostgreSQL, run it and show the rows, pages and time of each step."""
    compiled = Prepared(statement).compiled(conn.dialect)
    cursor = dbapi_of(conn).cursor()
    if conn.dialect.name == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + compiled.sql, compiled.parameters({}))
        lines = [row[-1] for row in cursor.fetchall()]
    else:
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ")
                       + compiled.sql, compiled.parameters({}))
        lines = [row[0] for row in cursor.fetchall()]
    cursor.close()
    return lines
