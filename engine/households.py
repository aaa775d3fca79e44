"""The household register that identification cases refer to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import access
from .errors import Conflict, InvalidData, NotFound
from .forms import id_number_problem
from .models import Area, Case, Household, Level, User

ID_PROBLEMS = {"length": "must have 18 characters", "characters": "must be 17 digits and a "
               "digit or X", "birthdate": "has an impossible birth date",
               "checksum": "has a wrong check digit"}


def add(session: Session, user: User, head_name: str, id_number: str, village_code: str,
        members: int = 1, household_type: str = "", income_per_head: float | None = None,
        phone: str = "", now: datetime | None = None) -> Household:
    """Register a household in a village inside the user's area."""
    errors = {}
    if not (head_name or "").strip():
        errors["head_name"] = "required"
    id_number = (id_number or "").strip().upper()
    problem = id_number_problem(id_number)
    if problem:
        errors["id_number"] = f"ID number {ID_PROBLEMS[problem]}"
    if not isinstance(members, int) or members < 1:
        errors["members"] = "must be at least 1"
    if errors:
        raise InvalidData("invalid household: " + "; ".join(f"{k}: {v}" for k, v in
                                                             errors.items()), errors)
    area = session.get(Area, village_code)
    if area is None or area.level != Level.VILLAGE.value:
        raise NotFound(f"village {village_code} does not exist")
    access.check_area(user, village_code, "a household")
    if session.scalar(select(Household.id).where(Household.id_number == id_number)):
        raise Conflict("a household with this ID number is already registered")
    household = Household(head_name=head_name.strip(), id_number=id_number, members=members,
                          village_code=village_code, household_type=household_type,
                          income_per_head=income_per_head, phone=phone,
                          created_at=now or datetime.now())
    session.add(household)
    session.flush()
    return household


def get(session: Session, user: User, household_id: int) -> Household:
    """A household inside the user's area, or NotFound/Forbidden."""
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound(f"household {household_id} does not exist")
    access.check_area(user, household.village_code, f"household {household_id}")
    return household


def search(session: Session, user: User, text: str = "", village_code: str = "",
           limit: int = 50, offset: int = 0) -> list[Household]:
    """Households in the user's area by head name or ID-number fragment, and village."""
    query = select(Household).where(Household.village_code.startswith(user.area_code))
    if village_code:
        query = query.where(Household.village_code.startswith(village_code))
    text = (text or "").strip()
    if text:
        query = query.where(or_(Household.head_name.contains(text, autoescape=True),
                                Household.id_number.endswith(text.upper(), autoescape=True)))
    return list(session.scalars(query.order_by(Household.head_name).limit(limit)
                                .offset(offset)))


def cases_of(session: Session, household_id: int) -> list[Case]:
    """The household's cases, newest first."""
    return list(session.scalars(select(Case).where(Case.household_id == household_id)
                                .order_by(Case.started_at.desc())))
