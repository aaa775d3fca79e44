"""Hand-entered report figures (the part of a report only people know), one set per report,
area and period: read, and saved with an optimistic version so that two people saving at
once never overwrite each other unseen; every save is in the global audit chain."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import audit, policy
from ..errors import Conflict, InvalidData
from ..models import User
from ..report_models import ReportEntry
from . import visit_fields

ENTRIES, USERS = ReportEntry.__table__, User.__table__
CHECKS = {"visits": visit_fields.check}


@dataclass(frozen=True)
class ReportEntryView:
    """The hand-entered figures of a report for an area and period; ``version`` 0: none
    entered yet."""

    report: str
    area_code: str
    date_from: date
    date_to: date
    data: dict
    version: int
    updated_by: str
    updated_at: datetime | None


def read(conn, report: str, filters) -> ReportEntryView:
    """The entries of a report for the filters' area and period (empty when none)."""
    row = conn.execute(select(ENTRIES, USERS.c.display_name, USERS.c.username).join(
        USERS, USERS.c.id == ENTRIES.c.updated_by).where(
        ENTRIES.c.report == report, ENTRIES.c.area_code == filters.area,
        ENTRIES.c.date_from == filters.date_from, ENTRIES.c.date_to == filters.date_to)
    ).first()
    if row is None:
        return ReportEntryView(report, filters.area, filters.date_from, filters.date_to, {}, 0, "",
                         None)
    return ReportEntryView(report, row.area_code, row.date_from, row.date_to, dict(row.data),
                     row.version, row.display_name or row.username, row.updated_at)


def save(conn, actor, report: str, filters, data: dict, version: int,
         now: datetime) -> int:
    """Save the entries over ``version`` (0: the first save); the new version. A save over
    a version that is no longer the latest is refused (``Conflict``), nothing kept."""
    policy.require(policy.enter_report, actor, filters.area)
    if report not in CHECKS:
        raise InvalidData(f"report {report!r} has no hand-entered figures",
                          {"report": "no entries"})
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise InvalidData("version must be a whole number (0 for the first save)",
                          {"version": "invalid"})
    clean = CHECKS[report](data)
    key = (ENTRIES.c.report == report, ENTRIES.c.area_code == filters.area,
           ENTRIES.c.date_from == filters.date_from, ENTRIES.c.date_to == filters.date_to)
    if version == 0:
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        done = conn.execute(insert(ENTRIES).values(
            report=report, area_code=filters.area, date_from=filters.date_from,
            date_to=filters.date_to, data=clean, version=1, updated_by=actor.id,
            updated_at=now).on_conflict_do_nothing(
            index_elements=["report", "area_code", "date_from", "date_to"]).returning(
            ENTRIES.c.id)).first()
    else:
        done = conn.execute(update(ENTRIES).where(*key, ENTRIES.c.version == version).values(
            data=clean, version=version + 1, updated_by=actor.id, updated_at=now).returning(
            ENTRIES.c.id)).first()
    if done is None:
        latest = read(conn, report, filters)
        raise Conflict(f"the figures of {report} for {filters.area} "
                       f"{filters.date_from}–{filters.date_to} were saved by "
                       f"{latest.updated_by} (version {latest.version}) after version "
                       f"{version} you edited: reload them and enter your changes again")
    audit.append_global(conn, "report_entries_saved", actor, now, {
        "report": report, "area": filters.area, "from": filters.date_from.isoformat(),
        "to": filters.date_to.isoformat(), "version": version + 1, "data": clean})
    return version + 1
