"""Constants shared by the tests (importable because pytest puts tests/ on the path)."""
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
