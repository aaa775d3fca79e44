"""Constants and helpers shared by the tests (importable: pytest puts tests/ on the path)."""
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in China


def rows(eng, table, *where, order=None) -> list:
    """Rows of a table (a model class or Table) read straight from the database."""
    from sqlalchemy import select

    table = getattr(table, "__table__", table)
    query = select(table).where(*where).order_by(order if order is not None else table.c[
        table.primary_key.columns.keys()[0]])
    with eng.database.connect() as conn:
        return conn.execute(query).all()


def count(eng, table, *where) -> int:
    """How many rows of a table match."""
    from sqlalchemy import func, select

    table = getattr(table, "__table__", table)
    with eng.database.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()


def snapshot(eng) -> tuple:
    """Counts that must not move when an operation is refused."""
    from sqlalchemy import func, select

    from engine.models import AuditEvent, Case, Timer, WorkItem

    with eng.database.connect() as conn:
        return tuple(conn.execute(query).scalar() for query in (
            select(func.count()).select_from(Case),
            select(func.count()).select_from(WorkItem).where(WorkItem.status == "open"),
            select(func.count()).select_from(AuditEvent),
            select(func.count()).select_from(Timer),
            select(func.sum(Case.version)),
            select(func.count()).where(WorkItem.assignee_id.isnot(None))))


@contextmanager
def statements(eng):
    """The SQL the driver sends while the block runs, however it is sent (SQLAlchemy or the
    engine's prepared statements): SQLite's trace callback, or psycopg's cursor."""
    sent: list[str] = []
    if eng.database.dialect.name == "sqlite":
        from sqlalchemy import event

        traced = []

        def checkout(dbapi_connection, _record, _proxy):
            dbapi_connection.set_trace_callback(sent.append)
            traced.append(dbapi_connection)
        event.listen(eng.database.pool, "checkout", checkout)
        try:
            yield sent
        finally:
            event.remove(eng.database.pool, "checkout", checkout)
            for dbapi_connection in traced:
                dbapi_connection.set_trace_callback(None)
    else:
        import psycopg

        real = psycopg.Cursor.execute

        def execute(cursor, query, params=None, **kwargs):
            sent.append(query if isinstance(query, str) else str(query))
            return real(cursor, query, params, **kwargs)
        psycopg.Cursor.execute = execute
        try:
            yield sent
        finally:
            psycopg.Cursor.execute = real
def workers(eng, n):
    """``n`` separate Engines on the test database, as separate worker processes have."""
    from engine import build_engine

    from conftest import CHEAP_HASHER

    return [build_engine(eng.settings, database=eng.database, password_hasher=CHEAP_HASHER)
            for _ in range(n)]


def run_together(targets):
    """Run the callables in threads released at the same moment; the errors they raised."""
    import threading

    barrier, errors = threading.Barrier(len(targets)), []

    def wrap(target):
        barrier.wait()
        try:
            target()
        except Exception as err:  # noqa: BLE001 - asserted by the caller
            errors.append(err)
    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
