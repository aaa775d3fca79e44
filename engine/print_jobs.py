"""Batch printing: a job asks for the trails of a township's or county's cases in a date
range; the worker claims it, reports progress and stores the PDF, which the requester then
downloads. Requesting, claiming and finishing are each one short transaction.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, insert, or_, select, update

from . import audit, policy, store, views
from .calendar import TIMEZONE
from .directory import area_names
from .errors import Forbidden, InvalidData, NotFound
from .models import Case, CaseStatus, User
from .print_models import PrintJob

JOBS, CASES, USERS = PrintJob.__table__, Case.__table__, User.__table__
MAX_CASES = 2000
MAX_DAYS = 366
# A job a worker started this long ago without finishing is taken again (the worker died).
STALE = timedelta(minutes=30)
STATUSES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class PrintJobView:
    """A batch print job as its page, the CLI and the worker see it."""

    id: int
    kind: str
    requested_by: int
    requester: str
    requested_at: datetime
    area_code: str
    area_name: str
    date_from: str
    date_to: str
    process: str
    case_status: str
    status: str
    total: int
    done: int
    error: str
    started_at: datetime | None
    finished_at: datetime | None
    filename: str
    sha256: str

    @property
    def percent(self) -> int:
        """How far the worker got, 0–100."""
        return 100 if self.status == "done" else (self.done * 100 // self.total
                                                  if self.total else 0)


_COLUMNS = [c for c in JOBS.c if c.name != "content"]


def _views(conn, rows) -> list[PrintJobView]:
    rows = list(rows)
    names = area_names(conn, [r.area_code for r in rows])
    people = dict(conn.execute(select(USERS.c.id, USERS.c.display_name).where(
        USERS.c.id.in_({r.requested_by for r in rows}))).all()) if rows else {}
    return [PrintJobView(r.id, r.kind, r.requested_by, people.get(r.requested_by, ""),
                         r.requested_at, r.area_code, names.get(r.area_code, r.area_code),
                         r.params.get("from", ""), r.params.get("to", ""),
                         r.params.get("process", ""), r.params.get("status", ""), r.status,
                         r.total, r.done, r.error, r.started_at, r.finished_at, r.filename,
                         r.sha256) for r in rows]


def _day(value, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidData(f"{name} must be a date (YYYY-MM-DD), not {value!r}",
                          {name: "not a date"}) from None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), TIMEZONE),
            datetime.combine(end + timedelta(days=1), time(), TIMEZONE))


def case_query(area_code: str, start: date, end: date, process: str = "", status: str = ""):
    """The cases of a batch: started in the area between the two days (China time)."""
    low, high = _bounds(start, end)
    query = select(CASES.c.id).where(policy.prefix_range(CASES.c.area_code, area_code),
                                     CASES.c.started_at >= low, CASES.c.started_at < high)
    if process:
        query = query.where(CASES.c.process_key == process)
    if status:
        query = query.where(CASES.c.status == status)
    return query.order_by(CASES.c.area_code, CASES.c.started_at, CASES.c.id)


class PrintJobVerbs:
    """Mixed into ``Engine``: request, follow and fetch batch print jobs; the worker's side."""

    def request_batch(self, actor, area_code: str, date_from, date_to, process: str = "",
                      status: str = "", now: datetime | None = None) -> PrintJobView:
        """Queue the trails of the cases of an area started between two days as one PDF."""
        now = now or self.clock()
        start, end = _day(date_from, "from"), _day(date_to, "to")
        if end < start:
            raise InvalidData("the range ends before it starts", {"to": "before from"})
        if (end - start).days >= MAX_DAYS:
            raise InvalidData(f"a batch covers at most {MAX_DAYS} days", {"to": "too far"})
        if status and status not in {s.value for s in CaseStatus}:
            raise InvalidData(f"unknown case status {status!r}", {"status": "unknown"})
        with self.transaction(write=True) as tx:
            conn = tx.conn
            policy.require(policy.print_batch, actor, area_code)
            ids = conn.execute(case_query(area_code, start, end, process, status)
                               .limit(MAX_CASES + 1)).scalars().all()
            if not ids:
                raise InvalidData("no case of this area started in that range",
                                  {"from": "no cases"})
            if len(ids) > MAX_CASES:
                raise InvalidData(f"more than {MAX_CASES} cases: choose a shorter range or a "
                                  f"smaller area", {"to": "too many cases"})
            params = {"from": start.isoformat(), "to": end.isoformat(), "process": process,
                      "status": status}
            job_id = conn.execute(insert(JOBS).returning(JOBS.c.id), [{
                "kind": "batch", "requested_by": actor.id, "requested_at": now,
                "area_code": area_code, "params": params, "status": "queued",
                "total": len(ids), "done": 0, "error": "", "filename": "", "sha256": "",
                "content": None}]).scalar_one()
            audit.append_global(conn, "batch_requested", actor, now,
                                {"job": job_id, "area": area_code, **params,
                                 "cases": len(ids)})
            return self._job(conn, job_id)

    def _job(self, conn, job_id: int) -> PrintJobView:
        row = conn.execute(select(*_COLUMNS).where(JOBS.c.id == job_id)).first() \
            if isinstance(job_id, int) else None
        if row is None:
            raise NotFound(f"print job {job_id} does not exist")
        return _views(conn, [row])[0]

    def print_jobs(self, actor, limit: int = 50) -> list[PrintJobView]:
        """The batch jobs of the actor's area, newest first."""
        with self.transaction(write=False) as tx:
            rows = tx.conn.execute(select(*_COLUMNS).where(
                policy.prefix_range(JOBS.c.area_code, actor.area_code)).order_by(
                JOBS.c.id.desc()).limit(limit))
            return _views(tx.conn, rows)

    def print_job(self, job_id: int, actor) -> PrintJobView:
        """One batch job of the actor's area."""
        with self.transaction(write=False) as tx:
            job = self._job(tx.conn, job_id)
            policy.require(policy.print_batch, actor, job.area_code)
            return job

    def print_job_content(self, job_id: int, actor) -> tuple[PrintJobView, bytes]:
        """A finished batch job and its PDF."""
        with self.transaction(write=False) as tx:
            job = self._job(tx.conn, job_id)
            policy.require(policy.print_batch, actor, job.area_code)
            if job.status != "done":
                raise NotFound(f"print job {job_id} is {job.status}, not done")
            content = tx.conn.execute(select(JOBS.c.content).where(JOBS.c.id == job_id)
                                      ).scalar_one()
            return job, content

    # The worker's side --------------------------------------------------------------------

    def claim_print_job(self, now: datetime | None = None) -> PrintJobView | None:
        """Take the oldest queued job (or one whose worker died); None when there is none.
        Workers on PostgreSQL skip a job another holds."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            query = select(JOBS.c.id).where(or_(
                JOBS.c.status == "queued",
                (JOBS.c.status == "running") & (JOBS.c.started_at < now - STALE))).order_by(
                JOBS.c.id).limit(1)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job_id = conn.execute(query).scalar()
            if job_id is None:
                return None
            conn.execute(update(JOBS).where(JOBS.c.id == job_id).values(
                status="running", started_at=now, done=0, error=""))
            return self._job(conn, job_id)

    def batch_case_ids(self, job: PrintJobView) -> list[int]:
        """The cases a job prints, in print order (by village, then start)."""
        with self.transaction(write=False) as tx:
            return tx.conn.execute(case_query(
                job.area_code, _day(job.date_from, "from"), _day(job.date_to, "to"),
                job.process, job.case_status).limit(MAX_CASES)).scalars().all()

    def print_job_progress(self, job_id: int, done: int) -> None:
        """Record how many cases the worker has rendered."""
        with self.transaction(write=True) as tx:
            tx.conn.execute(update(JOBS).where(JOBS.c.id == bindparam("job")).values(
                done=bindparam("done")), {"job": job_id, "done": done})

    def finish_print_job(self, job_id: int, content: bytes, filename: str,
                         now: datetime | None = None, error: str = "") -> PrintJobView:
        """Store a job's PDF (or, with ``error``, mark it failed); the print is audited."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            job = self._job(conn, job_id)
            digest = hashlib.sha256(content).hexdigest() if content else ""
            conn.execute(update(JOBS).where(JOBS.c.id == job_id).values(
                status="failed" if error else "done", finished_at=now, error=error[:2000],
                content=None if error else content, filename=filename, sha256=digest,
                done=job.done if error else job.total))
            if not error:
                requester = self.directory.get(conn, job.requested_by)
                audit.append_global(conn, "printed", requester, now, {
                    "kind": "batch", "job": job_id, "cases": job.total, "sha256": digest})
            return self._job(conn, job_id)


class AuditReadVerbs:
    """Mixed into ``Engine``: the auditor's list of cases across their area."""

    def cases_in_area(self, actor, area: str = "", date_from=None, date_to=None,
                      process: str = "", status: str = "", text: str = "", page: int = 1,
                      size: int = 50, now: datetime | None = None
                      ) -> tuple[list[views.CaseBrief], bool]:
        """One page of the cases of the actor's area (or an area inside it), newest first,
        filtered by start date, process, status and title; and whether there are more."""
        now, area = now or self.clock(), area or actor.area_code
        if not policy.within(area, actor.area_code):
            raise Forbidden(f"area {area} is outside {actor.username}'s area "
                            f"{actor.area_code}")
        if status and status not in {s.value for s in CaseStatus}:
            raise InvalidData(f"unknown case status {status!r}", {"status": "unknown"})
        query = select(*store.CASE_COLUMNS).select_from(store.CASE_JOIN).where(
            policy.prefix_range(CASES.c.area_code, area))
        if date_from:
            query = query.where(CASES.c.started_at >= _bounds(_day(date_from, "from"),
                                                              _day(date_from, "from"))[0])
        if date_to:
            query = query.where(CASES.c.started_at < _bounds(_day(date_to, "to"),
                                                             _day(date_to, "to"))[1])
        if process:
            query = query.where(CASES.c.process_key == process)
        if status:
            query = query.where(CASES.c.status == status)
        if text.strip():
            query = query.where(CASES.c.title.contains(text.strip(), autoescape=True))
        with self.transaction(write=False) as tx:
            found = tx.conn.execute(query.order_by(CASES.c.started_at.desc(), CASES.c.id.desc())
                                    .limit(size + 1).offset((max(page, 1) - 1) * size)).all()
            return [views.brief(store.case_row(r), now) for r in found[:size]], \
                len(found) > size
