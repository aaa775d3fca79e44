"""Monthly home visits (每月入户走访): what the village finds at each household under watch —
income and spending changes, whether 两不愁三保障 and safe water hold, aid received, photos —
and the visit plan of a month: which households were visited, are still due, or were missed.

A visit that finds a sharp income drop, a sharp rise in spending or a broken guarantee is a
warning sign: one click opens a risk clue from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, update

from . import attachments, clues, policy, watch
from .clue_models import HouseholdVisit, VisitPhoto
from .directory import area_names
from .errors import Conflict, InvalidData, NotFound
from .forms import mask_id_number
from .models import Household, User

VISITS, PHOTOS, HOUSEHOLDS, USERS = (HouseholdVisit.__table__, VisitPhoto.__table__,
                                     Household.__table__, User.__table__)
INCOME_CHANGES = ("up", "stable", "down", "sharp_drop")
SPENDING_CHANGES = ("stable", "up", "sharp_rise")
GUARANTEES = ("food_clothing", "education", "medical", "housing", "safe_water")
GUARANTEE_NAMES = {"food_clothing": "吃穿不愁", "education": "义务教育有保障",
                   "medical": "基本医疗有保障", "housing": "住房安全有保障",
                   "safe_water": "饮水安全有保障"}
MAX_PHOTOS = 6


@dataclass(frozen=True)
class VisitView:
    """A recorded visit, its photos, and the warning signs it found."""

    id: int
    household_id: int
    head_name: str
    masked_id: str
    village_code: str
    month: str
    visited_on: date
    visitors: str
    income_change: str
    income_per_head: float | None
    spending_change: str
    guarantees: dict[str, bool]
    aid_received: str
    notes: str
    recorded_by: str
    recorded_at: datetime
    clue_id: int | None
    photos: list[tuple[int, str, int]]  # (id, file name, size)

    @property
    def warnings(self) -> list[str]:
        """What on this visit calls for a risk clue (codes: sharp_drop, sharp_rise and the
        guarantees that do not hold)."""
        signs = [self.income_change] if self.income_change == "sharp_drop" else []
        signs += [self.spending_change] if self.spending_change == "sharp_rise" else []
        return signs + [g for g in GUARANTEES if not self.guarantees[g]]


@dataclass(frozen=True)
class PlanRow:
    """A household under watch in a month's plan."""

    household_id: int
    head_name: str
    masked_id: str
    household_type: str
    village_code: str
    status: str  # visited, due, missed
    visit_id: int | None
    visited_on: date | None
    warnings: bool


@dataclass(frozen=True)
class VisitPlan:
    """A month's plan for an area: every household under watch and the coverage by
    village (visited / due / missed)."""

    month: str
    area_code: str
    closed: bool  # the month is over: what was not visited was missed
    rows: list[PlanRow]
    villages: list[tuple[str, str, int, int, int]]  # (code, name, visited, due, missed)

    @property
    def visited(self) -> int:
        """Households visited this month."""
        return sum(1 for r in self.rows if r.status == "visited")

    @property
    def due(self) -> int:
        """Households still to visit this month."""
        return sum(1 for r in self.rows if r.status == "due")

    @property
    def missed(self) -> int:
        """Households not visited in a month that is over."""
        return sum(1 for r in self.rows if r.status == "missed")


def month_of(value: str | date) -> str:
    """``YYYY-MM`` of a date, or a checked ``YYYY-MM`` string."""
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    try:
        return date.fromisoformat(f"{value}-01").strftime("%Y-%m")
    except (TypeError, ValueError):
        raise InvalidData(f"{value!r} is not a month (YYYY-MM)", {"month": "invalid"}) from None


def _check(data: dict, today: date) -> dict:
    errors, clean = {}, {}
    visited_on = data.get("visited_on")
    if isinstance(visited_on, str):
        try:
            visited_on = date.fromisoformat(visited_on)
        except ValueError:
            visited_on = None
    if not isinstance(visited_on, date):
        errors["visited_on"] = "required (YYYY-MM-DD)"
    elif visited_on > today:
        errors["visited_on"] = "cannot be in the future"
    clean["visited_on"] = visited_on
    visitors = " ".join(str(data.get("visitors") or "").split())
    if not visitors:
        errors["visitors"] = "name who visited"
    elif len(visitors) > 200:
        errors["visitors"] = "at most 200 characters"
    clean["visitors"] = visitors
    for name, allowed in (("income_change", INCOME_CHANGES),
                          ("spending_change", SPENDING_CHANGES)):
        if data.get(name) not in allowed:
            errors[name] = f"must be one of {', '.join(allowed)}"
        clean[name] = data.get(name)
    income = data.get("income_per_head")
    if income not in (None, ""):
        try:
            income = float(income)
            if not 0 <= income < 10_000_000:
                raise ValueError
        except (TypeError, ValueError):
            errors["income_per_head"] = "a number of yuan, 0 or more"
    clean["income_per_head"] = income if income not in ("",) else None
    for name in GUARANTEES:
        value = data.get(name)
        if not isinstance(value, bool):
            errors[name] = "say whether it holds (true or false)"
        clean[name] = value
    for name, limit in (("aid_received", 1000), ("notes", 2000)):
        clean[name] = str(data.get(name) or "").strip()
        if len(clean[name]) > limit:
            errors[name] = f"at most {limit} characters"
    if errors:
        raise InvalidData("invalid visit: " + "; ".join(f"{k}: {v}" for k, v in
                                                        errors.items()), errors)
    return clean


def _photos(photos, max_bytes: int) -> list[tuple[str, str, bytes]]:
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise InvalidData(f"at most {MAX_PHOTOS} photos per visit", {"photos": "too many"})
    checked = []
    for filename, content in photos:
        try:
            content_type, extension = attachments.check(content, "other", max_bytes)
        except InvalidData as err:
            raise InvalidData(f"photo {filename}: {err}", {"photos": str(err)}) from None
        checked.append((attachments.clean_filename(filename, extension), content_type,
                        content))
    return checked


def record(conn, actor, household_id: int, data: dict, photos, today: date,
           now: datetime, max_bytes: int) -> int:
    """Record a visit to a household of the actor's village, with its photos."""
    household = conn.execute(select(HOUSEHOLDS).where(HOUSEHOLDS.c.id == household_id)).first()
    if household is None:
        raise NotFound(f"household {household_id} does not exist")
    policy.require(policy.village_work, actor, household.village_code)
    clean, files = _check(data, today), _photos(photos, max_bytes)
    visit_id = conn.execute(insert(VISITS).values(
        household_id=household.id, village_code=household.village_code,
        month=month_of(clean["visited_on"]), recorded_by=actor.id, recorded_at=now,
        **clean).returning(VISITS.c.id)).scalar_one()
    for filename, content_type, content in files:
        conn.execute(insert(PHOTOS).values(
            visit_id=visit_id, filename=filename, content_type=content_type,
            size=len(content), sha256=attachments.digest(content), content=content,
            uploaded_by=actor.id, uploaded_at=now))
    return visit_id


def get(conn, actor, visit_id: int) -> VisitView:
    """A visit the actor may read."""
    row = conn.execute(select(VISITS, HOUSEHOLDS.c.head_name, HOUSEHOLDS.c.id_number,
                              USERS.c.display_name).join(
        HOUSEHOLDS, HOUSEHOLDS.c.id == VISITS.c.household_id).join(
        USERS, USERS.c.id == VISITS.c.recorded_by).where(VISITS.c.id == visit_id)).first()
    if row is None:
        raise NotFound(f"visit {visit_id} does not exist")
    policy.require(policy.view_clue, actor, row.village_code)
    photos = [tuple(p) for p in conn.execute(select(PHOTOS.c.id, PHOTOS.c.filename,
                                                    PHOTOS.c.size).where(
        PHOTOS.c.visit_id == visit_id).order_by(PHOTOS.c.id))]
    return VisitView(row.id, row.household_id, row.head_name, mask_id_number(row.id_number),
                     row.village_code, row.month, row.visited_on, row.visitors,
                     row.income_change, row.income_per_head, row.spending_change,
                     {g: getattr(row, g) for g in GUARANTEES}, row.aid_received, row.notes,
                     row.display_name, row.recorded_at, row.clue_id, photos)


def of_household(conn, actor, household_id: int, limit: int = 24) -> list[VisitView]:
    """A household's visits, the latest first."""
    ids = conn.execute(select(VISITS.c.id).where(VISITS.c.household_id == household_id)
                       .order_by(VISITS.c.visited_on.desc(), VISITS.c.id.desc())
                       .limit(limit)).scalars().all()
    return [get(conn, actor, i) for i in ids]


def photo(conn, actor, photo_id: int) -> tuple[str, str, bytes]:
    """A visit photo's file name, content type and content."""
    row = conn.execute(select(PHOTOS.c.filename, PHOTOS.c.content_type, PHOTOS.c.content,
                              VISITS.c.village_code).join(
        VISITS, VISITS.c.id == PHOTOS.c.visit_id).where(PHOTOS.c.id == photo_id)).first()
    if row is None:
        raise NotFound(f"photo {photo_id} does not exist")
    policy.require(policy.view_clue, actor, row.village_code)
    return row.filename, row.content_type, row.content


def plan(conn, actor, area_code: str, month: str, today: date) -> VisitPlan:
    """The month's plan for an area inside the actor's: each household under watch and
    whether it was visited; after the month, not visited means missed."""
    policy.require(policy.view_clue, actor, area_code)
    month = month_of(month)
    watched = watch.households_under_watch(area_code).subquery()
    visits = select(VISITS.c.household_id, func.max(VISITS.c.id).label("visit_id")).where(
        VISITS.c.month == month).group_by(VISITS.c.household_id).subquery()
    rows = conn.execute(select(watched, visits.c.visit_id, VISITS.c.visited_on,
                               VISITS.c.income_change, VISITS.c.spending_change,
                               *[VISITS.c[g] for g in GUARANTEES]).outerjoin(
        visits, visits.c.household_id == watched.c.id).outerjoin(
        VISITS, VISITS.c.id == visits.c.visit_id).order_by(
        watched.c.village_code, watched.c.head_name, watched.c.id)).all()
    closed = month < month_of(today)
    out, by_village = [], {}
    for r in rows:
        status = "visited" if r.visit_id else "missed" if closed else "due"
        signs = bool(r.visit_id) and (r.income_change == "sharp_drop"
                                      or r.spending_change == "sharp_rise"
                                      or not all(getattr(r, g) for g in GUARANTEES))
        out.append(PlanRow(r.id, r.head_name, mask_id_number(r.id_number), r.household_type,
                           r.village_code, status, r.visit_id, r.visited_on, signs))
        counts = by_village.setdefault(r.village_code, {"visited": 0, "due": 0, "missed": 0})
        counts[status] += 1
    names = area_names(conn, list(by_village))
    villages = [(code, names.get(code, code), c["visited"], c["due"], c["missed"])
                for code, c in sorted(by_village.items())]
    return VisitPlan(month, area_code, closed, out, villages)


def open_clue(tx, actor, visit_id: int, now: datetime) -> int:
    """Open a risk clue from a visit that found a warning sign (one click)."""
    conn = tx.conn
    row = conn.execute(select(VISITS).where(VISITS.c.id == visit_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"visit {visit_id} does not exist")
    policy.require(policy.village_work, actor, row.village_code)
    view = get(conn, actor, visit_id)
    if view.clue_id is not None:
        raise Conflict(f"visit {visit_id} already opened risk clue {view.clue_id}")
    if not view.warnings:
        raise InvalidData("the visit found no sharp change and every guarantee holds: "
                          "nothing to open a risk clue for", {"visit": "no warning"})
    found = ([{"sharp_drop": "收入大幅下降", "sharp_rise": "刚性支出骤增"}[w]
              for w in view.warnings if w in ("sharp_drop", "sharp_rise")]
             + [f"{GUARANTEE_NAMES[w]}出现问题" for w in view.warnings if w in GUARANTEES])
    household = conn.execute(select(HOUSEHOLDS).where(
        HOUSEHOLDS.c.id == row.household_id)).one()
    reason = f"{view.visited_on} 入户走访发现：" + "、".join(found) + (
        f"。{view.notes}" if view.notes else "")
    values = {"id_number": household.id_number, "name": household.head_name,
              "village": household.village_code, "reason": reason[:500],
              "risk_types": [], "found_on": view.visited_on}
    clue_id = clues.add(tx, actor, values, now, source="visit", visit_id=visit_id)
    if clue_id is None:
        existing = clues.open_clue_of(conn, household.id_number)
        raise Conflict(f"{household.head_name} already has an open risk clue {existing}")
    conn.execute(update(VISITS).where(VISITS.c.id == visit_id).values(clue_id=clue_id))
    return clue_id
