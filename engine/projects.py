"""The project library (项目库): project records, campaigns and the library's read models.

A project is recorded when its village (or, across villages, its township) proposes it: the
intake procedure (``procedures/projects.py``) creates the record from the start form,
updates it when a returned proposal is revised, and admits it when the case ends approved.
Amounts are whole fen in the tables and ``Decimal`` yuan in the views.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from . import policy
from .directory import area_names
from .errors import InvalidData, NotFound
from .models import Case, CaseStatus, ItemStatus, WorkItem
from .project_models import FundAllocation, FundPayment, Project, ProjectCampaign

PROJECTS, CAMPAIGNS = Project.__table__, ProjectCampaign.__table__
ALLOCATIONS, PAYMENTS = FundAllocation.__table__, FundPayment.__table__
CASES, ITEMS = Case.__table__, WorkItem.__table__

PROJECT_TYPES = ("industry", "employment", "three_guarantees", "rural_construction",
                 "management_fee")
FUND_SOURCES = ("central", "provincial", "municipal", "county", "other")
STATUSES = ("proposed", "admitted", "rejected", "withdrawn")
# Start-form fields a proposal (and a revision) may set, with the column each one fills.
TEXT_FIELDS = ("name", "department", "content", "benefit_mechanism")
COUNT_FIELDS = ("beneficiary_households", "beneficiary_people", "monitoring_households")
_CENT = Decimal("0.01")


def fen(yuan) -> int:
    """A yuan amount (number or numeric text) as whole fen, rounded half up."""
    try:
        value = Decimal(str(yuan)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise InvalidData(f"{yuan!r} is not an amount of yuan", {"amount": "invalid"}) from None
    if not value.is_finite():
        raise InvalidData(f"{yuan!r} is not an amount of yuan", {"amount": "invalid"})
    return int(value * 100)


def yuan(amount: int | None) -> Decimal:
    """Whole fen as Decimal yuan."""
    return (Decimal(amount or 0) / 100).quantize(_CENT)


@dataclass(frozen=True)
class CampaignView:
    """A campaign's years and its three dates: guide, intake done, system entry done."""

    id: int
    name: str
    first_year: int
    last_year: int
    guide_due: date
    intake_due: date
    entry_due: date


@dataclass(frozen=True)
class ProjectView:
    """A project as the library, its page, the API, the CLI and the export show it."""

    id: int
    name: str
    project_type: str
    area_code: str
    village: str
    township: str
    cross_village: bool
    year: int
    status: str
    emergency: bool
    emergency_cause: str
    priority: bool
    engineering: bool
    department: str
    content: str
    budget: dict[str, Decimal]
    budget_total: Decimal
    beneficiary_households: int
    beneficiary_people: int
    monitoring_households: int
    benefit_mechanism: str
    performance_targets: tuple[str, ...]
    campaign: CampaignView | None
    proposed_at: datetime
    admitted_at: datetime | None
    case_id: int | None
    current_steps: tuple[str, ...]
    allocated: Decimal
    paid: Decimal


@dataclass(frozen=True)
class LibraryPage:
    """One page of the library with the filters that chose it."""

    projects: list[ProjectView]
    page: int
    page_size: int
    has_next: bool
    filters: dict


def record_values(data: dict, partial: bool = False) -> dict:
    """Column values from a proposal's (or a revision's) form data."""
    values = {name: data[name].strip() for name in TEXT_FIELDS if isinstance(data.get(name), str)}
    values |= {name: data[name] for name in COUNT_FIELDS if isinstance(data.get(name), int)}
    if "performance_targets" in data:
        values["performance_targets"] = [t.strip() for t in data["performance_targets"]
                                         if isinstance(t, str) and t.strip()]
    budget = {source: fen(data[f"budget_{source}"]) for source in FUND_SOURCES
              if isinstance(data.get(f"budget_{source}"), (int, float))}
    if budget or not partial:
        values["budget"] = {source: amount for source, amount in budget.items() if amount}
        values["budget_total"] = sum(budget.values())
    return values


def add(conn, actor, area_code: str, data: dict, campaign_id: int | None,
        now: datetime) -> int:
    """Record a proposed project from valid start data; returns its id."""
    values = record_values(data)
    return conn.execute(insert(PROJECTS).values(
        project_type=data["project_type"], area_code=area_code,
        cross_village=bool(data.get("cross_village")), year=data["year"], status="proposed",
        emergency=bool(data.get("emergency")), emergency_cause=data.get("emergency_cause", ""),
        # Urgent projects are admitted and funded first (2022 notice).
        priority=bool(data.get("emergency")), engineering=bool(data.get("engineering")),
        campaign_id=campaign_id, proposed_by=actor.id, proposed_at=now, updated_at=now,
        **{"department": "", "content": "", "benefit_mechanism": "",
           "performance_targets": [], **values}).returning(PROJECTS.c.id)).scalar_one()


def revise(conn, project_id: int, data: dict, now: datetime) -> dict:
    """Apply a revision's fields to the record; returns what changed."""
    values = record_values(data, partial=True)
    if values:
        conn.execute(update(PROJECTS).where(PROJECTS.c.id == project_id).values(
            updated_at=now, **values))
    return values


def set_status(conn, project_id: int, status: str, now: datetime) -> None:
    """Admit, reject or withdraw a project when its intake case ends."""
    values = {"status": status, "updated_at": now}
    if status == "admitted":
        values["admitted_at"] = now
    conn.execute(update(PROJECTS).where(PROJECTS.c.id == project_id).values(**values))


_ROW = select(PROJECTS).where(PROJECTS.c.id == bindparam("id"))


def row(conn, project_id, lock: bool = False):
    """The project's row (locked for this transaction if asked), or None."""
    if not isinstance(project_id, int) or isinstance(project_id, bool):
        return None
    query = _ROW.with_for_update() if lock else _ROW
    return conn.execute(query, {"id": project_id}).first()


def campaign_for(conn, year: int, today: date):
    """The campaign whose intake for ``year`` is still open on ``today`` (the earliest)."""
    return conn.execute(select(CAMPAIGNS).where(
        CAMPAIGNS.c.first_year <= year, CAMPAIGNS.c.last_year >= year,
        CAMPAIGNS.c.intake_due >= today).order_by(CAMPAIGNS.c.intake_due).limit(1)).first()


def _campaign(r) -> CampaignView:
    return CampaignView(r.id, r.name, r.first_year, r.last_year, r.guide_due, r.intake_due,
                        r.entry_due)


def campaigns(conn) -> list[CampaignView]:
    """Every campaign, the latest intake first."""
    return [_campaign(r) for r in conn.execute(select(CAMPAIGNS).order_by(
        CAMPAIGNS.c.intake_due.desc(), CAMPAIGNS.c.id))]


def set_campaign(conn, actor, name: str, first_year: int, last_year: int, guide_due: date,
                 intake_due: date, entry_due: date, now: datetime) -> CampaignView:
    """Create or change the campaign of that name (dates in their order)."""
    name = name.strip() if isinstance(name, str) else ""
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = "a name of 1–100 characters is required"
    if not (isinstance(first_year, int) and isinstance(last_year, int)
            and 2000 <= first_year <= last_year <= 2100):
        errors["years"] = "years must run forward, between 2000 and 2100"
    if not (isinstance(guide_due, date) and isinstance(intake_due, date)
            and isinstance(entry_due, date) and guide_due <= intake_due <= entry_due):
        errors["dates"] = "the guide comes before the intake, the intake before system entry"
    if errors:
        raise InvalidData("invalid campaign: " + "; ".join(errors.values()), errors)
    values = {"first_year": first_year, "last_year": last_year, "guide_due": guide_due,
              "intake_due": intake_due, "entry_due": entry_due, "updated_by": actor.id,
              "updated_at": now}
    if not conn.execute(update(CAMPAIGNS).where(CAMPAIGNS.c.name == name).values(**values)
                        ).rowcount:
        conn.execute(insert(CAMPAIGNS).values(name=name, **values))
    return _campaign(conn.execute(select(CAMPAIGNS).where(CAMPAIGNS.c.name == name)).one())


# Reading the library -----------------------------------------------------------------------

def _sums(table, column, ids):
    return select(table.c.project_id, func.sum(column)).where(
        table.c.project_id.in_(ids)).group_by(table.c.project_id)


def views(conn, rows) -> list[ProjectView]:
    """ProjectViews of project rows: names, intake case, current steps, funds, campaign."""
    rows = list(rows)
    if not rows:
        return []
    ids = [r.id for r in rows]
    codes = {r.area_code for r in rows} | {r.area_code[:9] for r in rows}
    names = area_names(conn, codes)
    cases = dict(conn.execute(select(CASES.c.subject_id, func.max(CASES.c.id)).where(
        CASES.c.subject_kind == "project", CASES.c.subject_id.in_(ids)).group_by(
        CASES.c.subject_id)).all())
    steps: dict[int, list[str]] = {}
    if cases:
        for case_id, title in conn.execute(select(ITEMS.c.case_id, ITEMS.c.title).where(
                ITEMS.c.case_id.in_(list(cases.values())),
                ITEMS.c.status == ItemStatus.OPEN.value).order_by(ITEMS.c.id)):
            steps.setdefault(case_id, []).append(title)
    allocated = dict(conn.execute(_sums(ALLOCATIONS, ALLOCATIONS.c.amount, ids)).all())
    paid = dict(conn.execute(_sums(PAYMENTS, PAYMENTS.c.amount, ids)).all())
    known = {c.id: c for c in campaigns(conn)}
    return [ProjectView(
        r.id, r.name, r.project_type, r.area_code,
        names.get(r.area_code, "") if len(r.area_code) == 12 else "",
        names.get(r.area_code[:9], r.area_code[:9]), r.cross_village, r.year, r.status,
        r.emergency, r.emergency_cause, r.priority, r.engineering, r.department, r.content,
        {s: yuan(r.budget.get(s)) for s in FUND_SOURCES}, yuan(r.budget_total),
        r.beneficiary_households, r.beneficiary_people, r.monitoring_households,
        r.benefit_mechanism, tuple(r.performance_targets), known.get(r.campaign_id),
        r.proposed_at, r.admitted_at, cases.get(r.id),
        tuple(steps.get(cases.get(r.id), ())), yuan(allocated.get(r.id)),
        yuan(paid.get(r.id))) for r in rows]


def get(conn, actor, project_id) -> ProjectView:
    """A project the actor may read."""
    found = row(conn, project_id)
    if found is None:
        raise NotFound(f"project {project_id} does not exist")
    if actor is not None:
        policy.require(policy.view_project, actor, found.area_code)
    return views(conn, [found])[0]


FILTERS = ("year", "project_type", "status", "area", "emergency", "text")


def library_query(actor, filters: dict):
    """The projects of the actor's area matching the filters, in library order."""
    query = select(PROJECTS).where(policy.prefix_range(PROJECTS.c.area_code, actor.area_code))
    year, kind = filters.get("year"), filters.get("project_type")
    if year:
        query = query.where(PROJECTS.c.year == year)
    if kind:
        query = query.where(PROJECTS.c.project_type == kind)
    if filters.get("status"):
        query = query.where(PROJECTS.c.status == filters["status"])
    if filters.get("area"):
        query = query.where(policy.prefix_range(PROJECTS.c.area_code, filters["area"]))
    if filters.get("emergency"):
        query = query.where(PROJECTS.c.emergency.is_(True))
    if filters.get("text"):
        query = query.where(or_(PROJECTS.c.name.contains(filters["text"], autoescape=True),
                                PROJECTS.c.content.contains(filters["text"], autoescape=True)))
    return query.order_by(PROJECTS.c.year.desc(), PROJECTS.c.priority.desc(),
                          PROJECTS.c.area_code, PROJECTS.c.id)


def check_filters(actor, filters: dict) -> dict:
    """The filters cleaned, or InvalidData naming the wrong one."""
    clean, errors = {}, {}
    for name in FILTERS:
        value = filters.get(name)
        if value in (None, "", False):
            continue
        if name == "year" and not (isinstance(value, int) and 2000 <= value <= 2100):
            errors[name] = "a year between 2000 and 2100"
        elif name == "project_type" and value not in PROJECT_TYPES:
            errors[name] = "one of " + ", ".join(PROJECT_TYPES)
        elif name == "status" and value not in STATUSES:
            errors[name] = "one of " + ", ".join(STATUSES)
        elif name == "area" and not (isinstance(value, str) and value.isdigit()
                                     and policy.within(value, actor.area_code)):
            errors[name] = "an area code inside your area"
        elif name == "text" and not (isinstance(value, str) and len(value) <= 50):
            errors[name] = "at most 50 characters"
        clean[name] = value.strip() if isinstance(value, str) else value
    if errors:
        raise InvalidData("invalid filter: " + "; ".join(f"{k}: {v}" for k, v in
                                                         errors.items()), errors)
    return clean


def library(conn, actor, filters: dict, page: int = 1, size: int = 50) -> LibraryPage:
    """One page of the library as the actor may see it."""
    clean = check_filters(actor, filters)
    found = conn.execute(library_query(actor, clean).limit(size + 1)
                         .offset((page - 1) * size)).all()
    return LibraryPage(views(conn, found[:size]), page, size, len(found) > size, clean)


def running_case(conn, project_id: int) -> int | None:
    """The project's running intake case, if any."""
    return conn.execute(select(CASES.c.id).where(and_(
        CASES.c.subject_kind == "project", CASES.c.subject_id == project_id,
        CASES.c.status == CaseStatus.RUNNING.value))).scalar()
