"""The household register that identification cases refer to."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, or_, select

from . import policy
from .directory import area
from .errors import Conflict, InvalidData, NotFound
from .forms import id_number_problem, mask_id_number
from .models import Household, Level

HOUSEHOLDS = Household.__table__
ID_PROBLEMS = {"length": "must have 18 characters", "characters": "must be 17 digits and a "
               "digit or X", "birthdate": "has an impossible birth date",
               "checksum": "has a wrong check digit"}
_BY_ID = select(HOUSEHOLDS).where(HOUSEHOLDS.c.id == bindparam("id"))
# What the columns hold: longer text is refused here (PostgreSQL would fail, SQLite would
# store it silently).
TEXT_LIMITS = {"head_name": 50, "household_type": 20, "phone": 20}
MAX_MEMBERS = 100
MAX_INCOME = 9_999_999_999.99  # Numeric(12, 2)


@dataclass(frozen=True)
class HouseholdRow:
    """A household of the register (the ID number in full: mask it before showing it)."""

    id: int
    head_name: str
    id_number: str
    members: int
    village_code: str
    household_type: str
    income_per_head: float | None
    phone: str
    created_at: datetime

    @property
    def masked_id(self) -> str:
        """The ID number with all but the first 6 and last 4 characters hidden."""
        return mask_id_number(self.id_number)


def _row(row) -> HouseholdRow:
    return HouseholdRow(row.id, row.head_name, row.id_number, row.members, row.village_code,
                        row.household_type, row.income_per_head, row.phone, row.created_at)


def find(conn, household_id) -> HouseholdRow | None:
    """The household with this id, or None (no area check: callers check)."""
    if not isinstance(household_id, int) or isinstance(household_id, bool):
        return None
    row = conn.execute(_BY_ID, {"id": household_id}).first()
    return _row(row) if row is not None else None


def get(conn, actor, household_id: int) -> HouseholdRow:
    """A household inside the actor's area, or NotFound/Forbidden."""
    household = find(conn, household_id)
    if household is None:
        raise NotFound(f"household {household_id} does not exist")
    policy.require(policy.view_household, actor, household.village_code)
    return household


def add(conn, actor, head_name: str, id_number: str, village_code: str, members: int = 1,
        household_type: str = "", income_per_head: float | None = None, phone: str = "",
        now: datetime | None = None) -> HouseholdRow:
    """Register a household in a village inside the actor's area."""
    errors = {}
    if not isinstance(head_name, str) or not head_name.strip():
        errors["head_name"] = "required"
    id_number = id_number.strip().upper() if isinstance(id_number, str) else ""
    problem = id_number_problem(id_number)
    if problem:
        errors["id_number"] = f"ID number {ID_PROBLEMS[problem]}"
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        errors["members"] = "must be at least 1"
    elif members > MAX_MEMBERS:
        errors["members"] = f"must be at most {MAX_MEMBERS}"
    for name, value in (("head_name", head_name), ("household_type", household_type),
                        ("phone", phone)):
        if not isinstance(value, str):
            errors[name] = "must be text"
        elif len(value.strip()) > TEXT_LIMITS[name]:
            errors[name] = f"at most {TEXT_LIMITS[name]} characters"
    if income_per_head is not None and not (isinstance(income_per_head, (int, float))
                                            and abs(income_per_head) <= MAX_INCOME):
        errors["income_per_head"] = f"must be a number of at most {MAX_INCOME:.2f}"
    if errors:
        raise InvalidData("invalid household: " + "; ".join(f"{k}: {v}" for k, v in
                                                             errors.items()), errors)
    village = area(conn, village_code)
    if village is None or village.level != Level.VILLAGE.value:
        raise NotFound(f"village {village_code} does not exist")
    policy.require(policy.register_household, actor, village_code)
    if conn.execute(select(HOUSEHOLDS.c.id).where(
            HOUSEHOLDS.c.id_number == id_number)).first() is not None:
        raise Conflict("a household with this ID number is already registered")
    new_id = conn.execute(insert(HOUSEHOLDS).values(
        head_name=head_name.strip(), id_number=id_number, members=members,
        village_code=village_code, household_type=household_type.strip(),
        income_per_head=income_per_head, phone=phone.strip(), created_at=now or datetime.now()
    ).returning(HOUSEHOLDS.c.id)).scalar_one()
    return find(conn, new_id)


def search(conn, actor, text: str = "", village_code: str = "", limit: int = 50,
           offset: int = 0) -> list[HouseholdRow]:
    """Households in the actor's area by head name or ID-number ending, and village."""
    query = select(HOUSEHOLDS).where(policy.prefix_range(HOUSEHOLDS.c.village_code,
                                                         actor.area_code))
    if village_code:
        query = query.where(policy.prefix_range(HOUSEHOLDS.c.village_code, village_code))
    text = (text or "").strip()
    if text:
        query = query.where(or_(HOUSEHOLDS.c.head_name.contains(text, autoescape=True),
                                HOUSEHOLDS.c.id_number.endswith(text.upper(), autoescape=True)))
    rows = conn.execute(query.order_by(HOUSEHOLDS.c.head_name, HOUSEHOLDS.c.id)
                        .limit(limit).offset(offset))
    return [_row(r) for r in rows]


def by_id_numbers(conn, id_numbers) -> list[HouseholdRow]:
    """The registered households whose head has one of these ID numbers."""
    wanted = list(id_numbers)
    return [_row(r) for r in conn.execute(select(HOUSEHOLDS).where(
        HOUSEHOLDS.c.id_number.in_(wanted)))] if wanted else []
