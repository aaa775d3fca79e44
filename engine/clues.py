"""Risk clues (风险线索): what the village must check, from department warnings, screening
campaigns and monthly visits, and what became of each (declared or closed with a reason).

A clue is added by one insert that does nothing on a unique key: one open clue per ID
number, one clue per ID number and file, so two writers at once add it once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from . import policy
from .clue_models import RiskClue
from .directory import area_names
from .errors import Conflict, InvalidData, NotFound
from .forms import mask_id_number
from .models import Case, CaseStatus, Household, User
from .sql import Prepared, pipeline
from .warning_files import DEPARTMENTS

CLUES, HOUSEHOLDS, CASES, USERS = (RiskClue.__table__, Household.__table__, Case.__table__,
                                   User.__table__)
STATUSES = ("open", "declared", "closed")
SOURCES = ("department_warning", "screening", "visit")
# The declaration's discovery channel for each source of a clue.
CHANNELS = {"department_warning": "department_warning", "screening": "cadre_screening",
            "visit": "cadre_screening"}


@dataclass(frozen=True)
class ClueView:
    """A risk clue as lists and its page show it (the ID number masked)."""

    id: int
    name: str
    masked_id: str
    village_code: str
    village: str
    household_id: int | None
    source: str
    department: str
    department_name: str
    reason: str
    risk_types: list
    found_on: date
    status: str
    case_id: int | None
    created_at: datetime
    handled_at: datetime | None
    handled_by: str
    close_reason: str
    import_id: int | None
    row_number: int | None
    campaign_id: int | None
    visit_id: int | None

    @property
    def channel(self) -> str:
        """The discovery channel its declaration records."""
        return CHANNELS[self.source]


@dataclass(frozen=True)
class CluePage:
    """One page of clues, with the counts by status in the same area."""

    clues: list[ClueView]
    page: int
    has_next: bool
    counts: dict[str, int]


def views(conn, rows) -> list[ClueView]:
    """Clue rows as views, with village and user names."""
    rows = list(rows)
    names = area_names(conn, {r.village_code for r in rows})
    handlers = {r.handled_by for r in rows if r.handled_by}
    people = dict(conn.execute(select(USERS.c.id, USERS.c.display_name).where(
        USERS.c.id.in_(handlers))).all()) if handlers else {}
    return [ClueView(r.id, r.name, mask_id_number(r.id_number), r.village_code,
                     names.get(r.village_code, r.village_code), r.household_id, r.source,
                     r.department, DEPARTMENTS.get(r.department, r.department), r.reason,
                     list(r.risk_types or []), r.found_on, r.status, r.case_id, r.created_at,
                     r.handled_at, people.get(r.handled_by, ""), r.close_reason, r.import_id,
                     r.row_number, r.campaign_id, r.visit_id) for r in rows]


def row(conn, clue_id: int, lock: bool = False):
    """A clue's row (locked for a change), or NotFound."""
    query = select(CLUES).where(CLUES.c.id == clue_id)
    found = conn.execute(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound(f"risk clue {clue_id} does not exist")
    return found


def get(conn, actor, clue_id: int) -> ClueView:
    """A clue the actor may read."""
    found = row(conn, clue_id)
    policy.require(policy.view_clue, actor, found.village_code)
    return views(conn, [found])[0]


def search(conn, actor, status: str = "", area: str = "", source: str = "", page: int = 1,
           size: int = 50) -> CluePage:
    """Clues of the actor's area (a village or township in it), by status and source."""
    where = [policy.prefix_range(CLUES.c.village_code, actor.area_code)]
    if area:
        policy.require(policy.view_clue, actor, area)
        where.append(policy.prefix_range(CLUES.c.village_code, area))
    counts = dict(conn.execute(select(CLUES.c.status, func.count()).where(*where)
                               .group_by(CLUES.c.status)).all())
    if status:
        if status not in STATUSES:
            raise InvalidData(f"status must be one of {', '.join(STATUSES)}",
                              {"status": "invalid"})
        where.append(CLUES.c.status == status)
    if source:
        if source not in SOURCES:
            raise InvalidData(f"source must be one of {', '.join(SOURCES)}",
                              {"source": "invalid"})
        where.append(CLUES.c.source == source)
    found = conn.execute(select(CLUES).where(*where).order_by(
        CLUES.c.found_on, CLUES.c.id).limit(size + 1).offset((page - 1) * size)).all()
    return CluePage(views(conn, found[:size]), page, len(found) > size,
                    {s: counts.get(s, 0) for s in STATUSES})


def taken(conn, id_numbers, sha: str | None = None) -> dict[str, str]:
    """Why each of these ID numbers would be a duplicate clue: an open clue, a clue from
    the same file, or a running case of its household."""
    ids = list(set(id_numbers))
    why: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for r in conn.execute(select(CLUES.c.id_number, CLUES.c.id).where(
                CLUES.c.open_key.in_(part))):
            why[r.id_number] = f"open:{r.id}"
        if sha:
            for r in conn.execute(select(CLUES.c.id_number, CLUES.c.id).where(
                    CLUES.c.source_sha == sha, CLUES.c.id_number.in_(part))):
                why.setdefault(r.id_number, f"file:{r.id}")
        for r in conn.execute(select(HOUSEHOLDS.c.id_number, CASES.c.id).join(
                CASES, (CASES.c.subject_kind == "household")
                & (CASES.c.subject_id == HOUSEHOLDS.c.id)).where(
                HOUSEHOLDS.c.id_number.in_(part),
                CASES.c.status == CaseStatus.RUNNING.value)):
            why.setdefault(r.id_number, f"case:{r.id}")
    return why


def duplicate_text(code: str) -> dict:
    """What a duplicate code from ``taken`` means, in both languages."""
    kind, _, ref = code.partition(":")
    return {"open": {"zh_CN": f"已有待核实的风险线索 #{ref}",
                     "en": f"an open risk clue #{ref} exists"},
            "file": {"zh_CN": f"本文件已导入过（风险线索 #{ref}）",
                     "en": f"this file was imported before (risk clue #{ref})"},
            "case": {"zh_CN": f"该户已有办理中的识别案件 {ref}",
                     "en": f"the household has a running case {ref}"},
            "row": {"zh_CN": f"与本文件第 {ref} 行身份证号相同",
                    "en": f"same ID number as row {ref} of this file"}}[kind]


# One prepared insert per database: it does nothing when a unique key is taken, and returns
# the new row's ID number and id otherwise.
_ADD = {name: Prepared(insert_of(CLUES).on_conflict_do_nothing().returning(
    CLUES.c.id_number, CLUES.c.id)) for name, insert_of in (("postgresql", pg_insert),
                                                           ("sqlite", sqlite_insert))}


def add(tx, actor, values: dict, now: datetime, **source) -> int | None:
    """Add an open clue; None if an open clue for the person, or one from the same file,
    already exists (also when another writer added it a moment ago: the insert waits for
    that writer and then does nothing)."""
    return add_many(tx, actor, [(values, source)], now).get(values["id_number"])


def add_many(tx, actor, entries: list[tuple[dict, dict]], now: datetime) -> dict[str, int]:
    """Add open clues (values and source columns each) in one statement; the ids of those
    added by ID number. Rows whose person has an open clue, or that the same file already
    gave, are left out by the unique keys."""
    if not entries:
        return {}
    ids = [values["id_number"] for values, _ in entries]
    registered = {r.id_number: r for r in tx.conn.execute(select(
        HOUSEHOLDS.c.id, HOUSEHOLDS.c.id_number, HOUSEHOLDS.c.village_code).where(
        HOUSEHOLDS.c.id_number.in_(ids)))}
    rows = []
    for values, source in entries:
        household = registered.get(values["id_number"])
        found_on = values["found_on"]
        rows.append({
            "id_number": values["id_number"], "name": values["name"],
            "village_code": household.village_code if household else values["village"],
            "household_id": household.id if household else None,
            "source": source["source"], "department": values.get("department", ""),
            "reason": values["reason"], "risk_types": values.get("risk_types") or [],
            "found_on": date.fromisoformat(found_on) if isinstance(found_on, str)
            else found_on, "status": "open", "open_key": values["id_number"],
            "source_sha": source.get("source_sha"), "import_id": source.get("import_id"),
            "row_number": source.get("row_number"), "campaign_id": source.get("campaign_id"),
            "visit_id": source.get("visit_id"), "created_by": actor.id, "created_at": now,
            "close_reason": ""})
    prepared = _ADD[tx.conn.dialect.name]
    # On PostgreSQL the inserts go out in one pipeline; their answers are read after it.
    with pipeline(tx.conn):
        cursors = [prepared.send(tx.conn, row) for row in rows]
    compiled, added = prepared.compiled(tx.conn.dialect, tuple(rows[0])), {}
    for cursor in cursors:
        for found in compiled.rows(cursor):
            added[found.id_number] = found.id
        cursor.close()
    return added


def open_clue_of(conn, id_number: str) -> int | None:
    """The open clue of a person, if there is one."""
    return conn.execute(select(CLUES.c.id).where(CLUES.c.open_key == id_number)).scalar()


def handle(conn, actor, clue_id: int):
    """The open clue's row, locked, after checking that the actor's village checks it."""
    found = row(conn, clue_id, lock=True)
    policy.require(policy.village_work, actor, found.village_code)
    if found.status != "open":
        raise Conflict(f"risk clue {clue_id} is already {found.status}")
    return found


def close(conn, actor, clue_id: int, reason: str, now: datetime):
    """Close an open clue with the reason the check gave."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidData("a reason is required to close a risk clue", {"reason": "required"})
    if len(reason) > 500:
        raise InvalidData("the reason has more than 500 characters", {"reason": "too long"})
    found = handle(conn, actor, clue_id)
    conn.execute(update(CLUES).where(CLUES.c.id == found.id).values(
        status="closed", open_key=None, handled_by=actor.id, handled_at=now,
        close_reason=reason))
    return found


def mark_declared(conn, actor, clue_id: int, household_id: int, case_id: int,
                  now: datetime) -> None:
    """Record the declaration a clue became."""
    conn.execute(update(CLUES).where(CLUES.c.id == clue_id).values(
        status="declared", open_key=None, household_id=household_id, case_id=case_id,
        handled_by=actor.id, handled_at=now))
