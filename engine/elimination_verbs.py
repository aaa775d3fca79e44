"""The verbs after identification that change or read a household's monitoring status,
mixed into ``Engine``: the elimination conditions, the county's rollback (回退), the
monitoring history, entry into the national system, the national export, and the monthly
visit reminder. Changes are in the global audit chain.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from . import audit, elimination, households, national, policy, store, visit_reminders
from .calendar import TIMEZONE
from .errors import Conflict, InvalidData, NotFound
from .models import Case, CaseStatus, User
from .register_models import MonitoringEvent, NationalEntry

EVENTS, ENTRIES, USERS = MonitoringEvent.__table__, NationalEntry.__table__, User.__table__


@dataclass(frozen=True)
class HistoryLine:
    """One change of a household's monitoring status: taken in, eliminated, rolled back."""

    event: str
    at: datetime
    case_id: int | None
    mode: str
    reason: str
    actor: str


@dataclass(frozen=True)
class NationalEntryView:
    """That a case was entered into the national system: by whom, when."""

    case_id: int
    entered_by: str
    entered_at: datetime
    note: str


def _entry(conn, case_id: int) -> NationalEntryView | None:
    row = conn.execute(select(ENTRIES, USERS.c.display_name).join(
        USERS, USERS.c.id == ENTRIES.c.entered_by).where(ENTRIES.c.case_id == case_id)).first()
    return (NationalEntryView(row.case_id, row.display_name, row.entered_at, row.note)
            if row is not None else None)


def _day(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidData(f"{name}: {value!r} is not a date (YYYY-MM-DD)",
                          {name: "not a date"}) from None


class EliminationVerbs:
    """Mixed into ``Engine``."""

    def elimination_conditions(self, household_id: int, actor, now: datetime | None = None
                               ) -> list[elimination.Condition]:
        """Whether each condition of risk elimination holds for the household today."""
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            household = households.get(tx.conn, actor, household_id)
            procedure = self.procedures.get("elimination")
            return elimination.check(tx.conn, household.id,
                                     now.astimezone(TIMEZONE).date(),
                                     getattr(procedure, "stable_months", 6),
                                     getattr(procedure, "monitored_months", 6))

    def roll_back_elimination(self, household_id: int, actor, reason: str,
                              now: datetime | None = None) -> dict:
        """回退: county staff restore monitoring of an eliminated household, with a reason;
        a second rollback at once finds it monitored again and is refused (Conflict)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            household = households.get(tx.conn, actor, household_id)
            policy.require(policy.county_decision, actor, household.village_code)
            done = elimination.roll_back(tx.conn, actor, household.id, reason, now)
            audit.append_global(tx.conn, "elimination_rolled_back", actor, now, done,
                                done["reason"])
            return done

    def monitoring_history(self, household_id: int, actor) -> list[HistoryLine]:
        """The household's monitoring status changes, oldest first."""
        with self.transaction(write=False) as tx:
            household = households.get(tx.conn, actor, household_id)
            rows = tx.conn.execute(select(EVENTS, USERS.c.display_name).outerjoin(
                USERS, USERS.c.id == EVENTS.c.actor_id).where(
                EVENTS.c.household_id == household.id).order_by(EVENTS.c.id)).all()
            return [HistoryLine(r.event, r.at, r.case_id, r.mode, r.reason,
                                r.display_name or "") for r in rows]

    def record_national_entry(self, case_id: int, actor, note: str = "",
                              now: datetime | None = None) -> NationalEntryView:
        """Record that a household case's result (taken in, eliminated) was entered into
        全国防返贫监测信息系统 (county staff; once per case)."""
        now = now or self.clock()
        note = " ".join(str(note or "").split())
        if len(note) > 200:
            raise InvalidData("the note is at most 200 characters", {"note": "too long"})
        with self.transaction(write=True) as tx:
            conn = tx.conn
            case = store.read_case(conn, case_id)
            if case is None:
                raise NotFound(f"case {case_id} does not exist")
            policy.require(policy.view_case, actor, case)
            policy.require(policy.county_decision, actor, case.area_code)
            if case.subject_kind != "household" or case.status != CaseStatus.COMPLETED.value \
                    or case.outcome != "approved":
                raise Conflict(f"case {case.id} did not end approved: only a household taken "
                               f"in or whose risk was eliminated is entered")
            existing = _entry(conn, case.id)
            if existing is not None:
                raise Conflict(f"case {case.id} was recorded as entered by "
                               f"{existing.entered_by} at {existing.entered_at:%Y-%m-%d %H:%M}")
            conn.execute(ENTRIES.insert().values(case_id=case.id, entered_by=actor.id,
                                                 entered_at=now, note=note))
            audit.append_global(conn, "national_entry_recorded", actor, now,
                                {"case": case.id, "household": case.subject_id}, note)
            return _entry(conn, case.id)

    def national_entry(self, case_id: int, actor) -> NationalEntryView | None:
        """Whether (and by whom) a case was entered into the national system."""
        with self.transaction(write=False) as tx:
            case = store.read_case(tx.conn, case_id, lock=False)
            if case is None:
                raise NotFound(f"case {case_id} does not exist")
            policy.require(policy.view_case, actor, case)
            return _entry(tx.conn, case.id)

    def national_entries(self, case_ids: list[int]) -> dict[int, NationalEntryView]:
        """The entries of these cases (for markers in lists the caller already may see)."""
        ids = [i for i in case_ids if isinstance(i, int)]
        if not ids:
            return {}
        with self.transaction(write=False) as tx:
            rows = tx.conn.execute(select(ENTRIES, USERS.c.display_name).join(
                USERS, USERS.c.id == ENTRIES.c.entered_by).where(ENTRIES.c.case_id.in_(ids)))
            return {r.case_id: NationalEntryView(r.case_id, r.display_name, r.entered_at,
                                                 r.note) for r in rows}

    def export_national(self, actor, start=None, end=None, now: datetime | None = None,
                        mapping: str = "") -> tuple[bytes, int, int]:
        """The workbook for the national system of the actor's area (staff): new and
        eliminated monitoring objects (within ``start``..``end``, taken-in or eliminated
        dates) and their members; with the number of household and member rows."""
        now = now or self.clock()
        first, last = _day(start, "start"), _day(end, "end")
        if first and last and first > last:
            raise InvalidData("the start of the range is after its end", {"start": "after end"})
        layout = national.load_layout(mapping or self.settings.national_columns)
        with self.transaction(write=True) as tx:
            policy.require(policy.work_queue, actor)
            found, members = national.rows(tx.conn, actor, first, last)
            audit.append_global(tx.conn, "national_exported", actor, now, {
                "area": actor.area_code, "start": first.isoformat() if first else None,
                "end": last.isoformat() if last else None, "households": len(found),
                "members": len(members)})
            return national.workbook(layout, found, members), len(found), len(members)

    def remind_visits(self, now: datetime | None = None) -> list[str]:
        """Send this month's visit reminders not sent yet (timer worker); the villages."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            return visit_reminders.remind(tx.conn, self.settings, now,
                                          self.settings.visit_reminder_day)

    def national_cases(self, actor, start=None, end=None, limit: int = 200
                       ) -> list[tuple[CaseRowView, NationalEntryView | None]]:
        """Household cases of the actor's area that ended approved (taken in, eliminated)
        within the range, latest first, with their entry into the national system."""
        first, last = _day(start, "start"), _day(end, "end")
        cases = Case.__table__
        with self.transaction(write=False) as tx:
            policy.require(policy.work_queue, actor)
            query = select(cases.c.id, cases.c.title, cases.c.process_key, cases.c.area_code,
                           cases.c.subject_id, cases.c.ended_at).where(
                cases.c.subject_kind == "household",
                cases.c.status == CaseStatus.COMPLETED.value, cases.c.outcome == "approved",
                policy.prefix_range(cases.c.area_code, actor.area_code))
            if first:
                query = query.where(cases.c.ended_at >= local_start(first))
            if last:
                query = query.where(cases.c.ended_at < local_start(last, 1))
            found = [CaseRowView(*r) for r in tx.conn.execute(
                query.order_by(cases.c.ended_at.desc(), cases.c.id.desc()).limit(limit))]
        entries = self.national_entries([c.id for c in found])
        return [(c, entries.get(c.id)) for c in found]


@dataclass(frozen=True)
class CaseRowView:
    """A case the national system is told about."""

    id: int
    title: str
    process_key: str
    area_code: str
    household_id: int | None
    ended_at: datetime


def local_start(day: date, plus: int = 0) -> datetime:
    """00:00 China time of ``day`` (+ ``plus`` days)."""
    from datetime import timedelta
    return datetime.combine(day + timedelta(days=plus), datetime.min.time(), TIMEZONE)
