"""Connection funds (衔接资金): releases to the county, allocations to admitted projects,
payments, and the county's indicators.

Rules (DOMAIN.md §4): only admitted projects receive funds; released funds are assigned to
projects within 30 days (older unassigned remainders are flagged); an engineering project may
be paid 30%–50% of its allocation as an advance when works start and the rest by progress;
at least 55% of the connection funds go to industry projects. Amounts are whole fen.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, func, insert, select

from .errors import Conflict, InvalidData, NotFound, PaymentRefused
from .project_models import FundAllocation, FundPayment, FundRelease, Project
from .projects import FUND_SOURCES, yuan

RELEASES, ALLOCATIONS = FundRelease.__table__, FundAllocation.__table__
PAYMENTS, PROJECTS = FundPayment.__table__, Project.__table__
PAYMENT_KINDS = ("advance", "progress", "payment")
ADVANCE_MIN, ADVANCE_MAX = 30, 50  # per cent of the allocation, at the start of works
IDLE_DAYS = 30
INDUSTRY_TARGET = 55  # per cent of connection funds on industry projects


@dataclass(frozen=True)
class ReleaseView:
    """A release with what is left to assign and whether it waited too long."""

    id: int
    document: str
    source: str
    year: int
    amount: Decimal
    allocated: Decimal
    remaining: Decimal
    released_on: date
    idle_days: int
    idle: bool


@dataclass(frozen=True)
class AllocationView:
    """Funds of one release assigned to one project."""

    id: int
    release_id: int
    document: str
    project_id: int
    project_name: str
    amount: Decimal
    allocated_on: date


@dataclass(frozen=True)
class PaymentView:
    """One payment to a project."""

    id: int
    project_id: int
    kind: str
    amount: Decimal
    progress: int | None
    paid_on: date
    note: str


@dataclass(frozen=True)
class ProjectFunds:
    """A project's allocations and payments, and what may still be paid in advance."""

    allocations: list[AllocationView]
    payments: list[PaymentView]
    allocated: Decimal
    paid: Decimal
    advanced: Decimal
    advance_range: tuple[Decimal, Decimal] | None


@dataclass(frozen=True)
class FundsOverview:
    """The county's funds of one year: releases, the industry share against its target, and
    the releases of any year left unassigned too long."""

    year: int
    releases: list[ReleaseView]
    released: Decimal
    allocated: Decimal
    industry: Decimal
    industry_share: Decimal | None
    industry_target: int
    meets_target: bool
    by_type: dict[str, Decimal]
    idle: list[ReleaseView]


def _positive(amount) -> int:
    from .projects import fen

    if isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal, str)):
        raise InvalidData("the amount must be a number of yuan", {"amount": "invalid"})
    value = fen(amount)
    if value <= 0 or value > 10 ** 14:
        raise InvalidData("the amount must be more than 0 yuan and at most 10^12 yuan",
                          {"amount": "out of range"})
    return value


def _day(value, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidData(f"{name} must be a date", {name: "invalid"})
    return value


def add_release(conn, actor, county: str, document: str, source: str, amount, released_on,
                now: datetime) -> int:
    """Record connection funds released to the county; returns the release id."""
    errors = {}
    if not isinstance(document, str) or not document.strip() or len(document) > 100:
        errors["document"] = "the document number (文号), 1–100 characters"
    if source not in FUND_SOURCES:
        errors["source"] = "one of " + ", ".join(FUND_SOURCES)
    if errors:
        raise InvalidData("invalid release: " + "; ".join(errors.values()), errors)
    released_on = _day(released_on, "released_on")
    if released_on > now.date() + timedelta(days=1):
        raise InvalidData("funds cannot be released in the future",
                          {"released_on": "in the future"})
    return conn.execute(insert(RELEASES).values(
        area_code=county, document=document.strip(), source=source, year=released_on.year,
        amount=_positive(amount), released_on=released_on, created_by=actor.id,
        created_at=now).returning(RELEASES.c.id)).scalar_one()


_RELEASE = select(RELEASES).where(RELEASES.c.id == bindparam("id"))
_ALLOCATED_OF_RELEASE = select(func.coalesce(func.sum(ALLOCATIONS.c.amount), 0)).where(
    ALLOCATIONS.c.release_id == bindparam("id"))
_ALLOCATED_TO = select(func.coalesce(func.sum(ALLOCATIONS.c.amount), 0)).where(
    ALLOCATIONS.c.project_id == bindparam("id"))


def release_row(conn, release_id, lock: bool = False):
    """A release's row (locked if asked), or NotFound."""
    found = conn.execute(_RELEASE.with_for_update() if lock else _RELEASE,
                         {"id": release_id}).first() if (
        isinstance(release_id, int) and 0 < release_id < 2 ** 31) else None
    if found is None:
        raise NotFound(f"fund release {release_id} does not exist")
    return found


def allocate(conn, actor, project, release, amount, allocated_on, now: datetime) -> int:
    """Assign part of a release (its row locked) to an admitted project (its row locked)."""
    if project.status != "admitted":
        raise Conflict(f"project {project.id} is {project.status}: only projects admitted to "
                       f"the library receive connection funds")
    value = _positive(amount)
    allocated_on = _day(allocated_on, "allocated_on")
    if allocated_on < release.released_on:
        raise InvalidData("funds cannot be allocated before they were released",
                          {"allocated_on": "before the release"})
    left = release.amount - conn.execute(_ALLOCATED_OF_RELEASE, {"id": release.id}).scalar()
    if value > left:
        raise InvalidData(f"release {release.document} has {yuan(left)} yuan left to assign, "
                          f"not {yuan(value)}", {"amount": "more than the release has left"})
    return conn.execute(insert(ALLOCATIONS).values(
        release_id=release.id, project_id=project.id, amount=value,
        allocated_on=allocated_on, created_by=actor.id, created_at=now
    ).returning(ALLOCATIONS.c.id)).scalar_one()


def payment_problem(engineering: bool, allocated: int, paid: int, advanced: int, kind: str,
                    amount: int, progress: int | None) -> tuple[str, dict, str] | None:
    """``(rule, values, reason)`` when a payment breaks the rules, else None (amounts in
    fen; the values are yuan as text and per cents)."""
    def no(rule: str, reason: str, **values):
        return rule, {k: str(yuan(v)) if k != "progress" else v for k, v in values.items()}, \
            reason

    if allocated <= 0:
        return no("no_allocation", "the project has no funds allocated yet")
    if paid + amount > allocated:
        return no("over_allocation", f"payments would reach {yuan(paid + amount)} yuan, more "
                  f"than the {yuan(allocated)} yuan allocated", total=paid + amount,
                  allocated=allocated)
    if not engineering:
        return None if kind == "payment" else no(
            "not_engineering", "advances and progress payments are for engineering projects; "
            "record a payment")
    if kind == "advance":
        total, low, high = (advanced + amount, -(-allocated * ADVANCE_MIN // 100),
                            allocated * ADVANCE_MAX // 100)
        if total > high:
            return no("advance_max", f"the advance at the start of works may be at most "
                      f"{ADVANCE_MAX}% of the allocation ({yuan(high)} yuan); it would be "
                      f"{yuan(total)} yuan; the rest is paid by progress", limit=high,
                      total=total)
        if total < low:
            return no("advance_min", f"the advance at the start of works is {ADVANCE_MIN}%–"
                      f"{ADVANCE_MAX}% of the allocation: at least {yuan(low)} yuan",
                      limit=low, total=total)
        return None
    if kind != "progress":
        return no("engineering_kind", "an engineering project is paid an advance when works "
                  "start, then by progress")
    if not isinstance(progress, int) or not 0 < progress <= 100:
        return no("progress_missing", "a progress payment needs the works' progress, 1–100 "
                  "per cent")
    cap = max(allocated * progress // 100, advanced)
    if paid + amount > cap:
        return no("progress_cap", f"at {progress}% progress at most {yuan(cap)} yuan may have "
                  f"been paid; payments would reach {yuan(paid + amount)} yuan",
                  progress=progress, limit=cap, total=paid + amount)
    return None


def _paid(conn, project_id: int) -> tuple[int, int]:
    row = conn.execute(select(
        func.coalesce(func.sum(PAYMENTS.c.amount), 0),
        func.coalesce(func.sum(PAYMENTS.c.amount).filter(PAYMENTS.c.kind == "advance"), 0))
        .where(PAYMENTS.c.project_id == project_id)).one()
    return int(row[0]), int(row[1])


def pay(conn, actor, project, kind: str, amount, progress, paid_on, note: str,
        now: datetime) -> int:
    """Record a payment to a project (its row locked) if the rules allow it."""
    if kind not in PAYMENT_KINDS:
        raise InvalidData("kind must be one of " + ", ".join(PAYMENT_KINDS), {"kind": "invalid"})
    if project.status != "admitted":
        raise Conflict(f"project {project.id} is {project.status}: only admitted projects "
                       f"are paid")
    value = _positive(amount)
    paid_on = _day(paid_on, "paid_on")
    if progress is not None and (isinstance(progress, bool) or not isinstance(progress, int)):
        raise InvalidData("progress must be a whole per cent", {"progress": "invalid"})
    if not isinstance(note, str) or len(note) > 200:
        raise InvalidData("the note has at most 200 characters", {"note": "too long"})
    allocated = int(conn.execute(_ALLOCATED_TO, {"id": project.id}).scalar())
    paid, advanced = _paid(conn, project.id)
    problem = payment_problem(project.engineering, allocated, paid, advanced, kind, value,
                              progress)
    if problem is not None:
        rule, values, reason = problem
        raise PaymentRefused(f"payment refused: {reason}", rule, values)
    return conn.execute(insert(PAYMENTS).values(
        project_id=project.id, kind=kind, amount=value, progress=progress, paid_on=paid_on,
        note=note.strip(), created_by=actor.id, created_at=now
    ).returning(PAYMENTS.c.id)).scalar_one()


def project_funds(conn, project) -> ProjectFunds:
    """A project's allocations, payments and the advance it may still receive."""
    allocations = [AllocationView(r.id, r.release_id, r.document, project.id, project.name,
                                  yuan(r.amount), r.allocated_on) for r in conn.execute(
        select(ALLOCATIONS, RELEASES.c.document).join(
            RELEASES, RELEASES.c.id == ALLOCATIONS.c.release_id).where(
            ALLOCATIONS.c.project_id == project.id).order_by(ALLOCATIONS.c.id))]
    payments = [PaymentView(r.id, r.project_id, r.kind, yuan(r.amount), r.progress,
                            r.paid_on, r.note) for r in conn.execute(
        select(PAYMENTS).where(PAYMENTS.c.project_id == project.id).order_by(PAYMENTS.c.id))]
    allocated = int(conn.execute(_ALLOCATED_TO, {"id": project.id}).scalar())
    paid, advanced = _paid(conn, project.id)
    advance_range = None
    if project.engineering and allocated:
        advance_range = (yuan(max(-(-allocated * ADVANCE_MIN // 100) - advanced, 0)),
                         yuan(max(allocated * ADVANCE_MAX // 100 - advanced, 0)))
    return ProjectFunds(allocations, payments, yuan(allocated), yuan(paid), yuan(advanced),
                        advance_range)


def overview(conn, county: str, year: int, today: date) -> FundsOverview:
    """Releases of ``year`` to the county with their idle flags, and the industry share."""
    allocated_by = dict(conn.execute(select(ALLOCATIONS.c.release_id,
                                            func.sum(ALLOCATIONS.c.amount)).group_by(
        ALLOCATIONS.c.release_id)).all())
    every = []
    for r in conn.execute(select(RELEASES).where(RELEASES.c.area_code == county).order_by(
            RELEASES.c.released_on, RELEASES.c.id)):
        used = int(allocated_by.get(r.id) or 0)
        idle_days = (today - r.released_on).days
        every.append(ReleaseView(r.id, r.document, r.source, r.year, yuan(r.amount),
                                    yuan(used), yuan(r.amount - used), r.released_on,
                                    idle_days, r.amount > used and idle_days > IDLE_DAYS))
    releases = [r for r in every if r.year == year]
    by_type = {kind: int(total) for kind, total in conn.execute(
        select(PROJECTS.c.project_type, func.sum(ALLOCATIONS.c.amount)).select_from(
            ALLOCATIONS.join(RELEASES, RELEASES.c.id == ALLOCATIONS.c.release_id).join(
                PROJECTS, PROJECTS.c.id == ALLOCATIONS.c.project_id)).where(
            RELEASES.c.area_code == county, RELEASES.c.year == year).group_by(
            PROJECTS.c.project_type))}
    allocated, industry = sum(by_type.values()), by_type.get("industry", 0)
    share = (Decimal(industry * 100) / allocated).quantize(Decimal("0.1")) \
        if allocated else None
    return FundsOverview(
        year, releases, sum((r.amount for r in releases), Decimal("0.00")),
        yuan(allocated), yuan(industry), share, INDUSTRY_TARGET,
        share is not None and industry * 100 >= allocated * INDUSTRY_TARGET,
        {kind: yuan(total) for kind, total in by_type.items()},
        [r for r in every if r.idle])
