"""The register of monitoring objects (监测对象信息): members, income, monitoring status.

Read through ``RegisterVerbs.register_entry`` (one household: members, latest income with the
per-capita net income computed from its parts, monitoring status, every case about it) and
``monitoring_objects`` (the list); changed by ``set_members``, ``record_income`` and, when an
identification case ends approved, ``take_in``. Risk elimination and visits build on
``monitoring_objects`` rows by household (``set_status``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, insert, select, update

from . import audit, households, policy, views
from .calendar import TIMEZONE
from .errors import InvalidData
from .forms import id_number_problem, mask_id_number
from .models import Case
from .register_models import HouseholdIncome, HouseholdMember, MonitoringEvent, MonitoringObject

MEMBERS, INCOMES = HouseholdMember.__table__, HouseholdIncome.__table__
OBJECTS, CASES = MonitoringObject.__table__, Case.__table__

MONITORING, ELIMINATED = "monitoring", "eliminated"

# Value → (Chinese, English): what the national system's forms offer.
CHOICES = {
    "relation": {"head": ("户主", "Head"), "spouse": ("配偶", "Spouse"),
                 "child": ("子女", "Child"), "parent": ("父母", "Parent"),
                 "grandchild": ("孙辈", "Grandchild"), "other": ("其他", "Other")},
    "sex": {"male": ("男", "Male"), "female": ("女", "Female")},
    "health": {"healthy": ("健康", "Healthy"), "chronic": ("长期慢性病", "Chronic illness"),
               "major_illness": ("患有大病", "Major illness"),
               "disabled": ("残疾", "Disabled")},
    "labour_capacity": {"skilled": ("技能劳动力", "Skilled labour"),
                        "ordinary": ("普通劳动力", "Ordinary labour"),
                        "weak": ("弱劳动力或半劳动力", "Weak or half labour"),
                        "lost": ("丧失劳动力", "Lost labour capacity"),
                        "none": ("无劳动力", "No labour capacity")},
    "schooling": {"": ("非在校生", "Not in school"), "preschool": ("学前教育", "Preschool"),
                  "primary": ("小学", "Primary school"), "junior": ("初中", "Junior middle"),
                  "senior": ("高中", "Senior middle"), "vocational": ("中职", "Vocational"),
                  "college": ("大专及以上", "College or above")},
    "status": {MONITORING: ("监测中（风险未消除）", "Monitored (risk not eliminated)"),
               ELIMINATED: ("风险已消除", "Risk eliminated")},
    "elimination_mode": {"assisted": ("帮扶消除", "Eliminated after aid"),
                         "natural": ("自然消除", "Eliminated naturally")},
}
INCOME_PARTS = ("wage", "business", "property", "transfer", "business_expense",
                "medical_out_of_pocket", "schooling_spending", "accident_loss")


def choice_label(kind: str, value: str, locale: str = "zh_CN") -> str:
    """The words for a register value in ``locale`` (the value itself when unknown)."""
    words = CHOICES.get(kind, {}).get(value)
    return (words[1] if locale == "en" else words[0]) if words else value


@dataclass(frozen=True)
class MemberView:
    """A household member; the ID number is masked."""

    name: str
    masked_id: str
    relation: str
    sex: str
    birth_date: date | None
    health: str
    disability_grade: int
    labour_capacity: str
    schooling: str
    employment: str


@dataclass(frozen=True)
class IncomeView:
    """Income of the 12 months up to ``period_end`` and the per-capita net income."""

    period_end: date
    members: int
    parts: dict[str, Decimal]
    net_income: Decimal              # 家庭纯收入
    per_capita: Decimal              # 人均纯收入
    rigid_spending: Decimal          # 合规自付医疗 + 学 + 意外
    recorded_at: datetime


@dataclass(frozen=True)
class MonitoringView:
    """Where the household's monitoring stands."""

    status: str
    object_type: str
    risk_types: list[str]
    helper_name: str
    helper_unit: str
    helper_position: str
    aid_measures: list[str]
    aid_plan: str
    identified_case_id: int | None
    identified_at: datetime
    elimination_mode: str
    eliminated_at: datetime | None


@dataclass(frozen=True)
class RegisterView:
    """One household's register page."""

    household: households.HouseholdRow
    members: list[MemberView]
    income: IncomeView | None
    monitoring: MonitoringView | None
    cases: list[views.CaseBrief]


def _money(value, field: str, errors: dict) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        errors[field] = "must be a number"
        return Decimal(0)
    if amount < 0 or not amount.is_finite():
        errors[field] = "must be 0 or more"
        return Decimal(0)
    return amount.quantize(Decimal("0.01"))


def income_of(row) -> IncomeView:
    """The IncomeView of an income row: 家庭纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性
    − 生产经营性支出; 人均纯收入 = 家庭纯收入 ÷ 家庭人口."""
    parts = {p: Decimal(str(getattr(row, p))).quantize(Decimal("0.01")) for p in INCOME_PARTS}
    net = (parts["wage"] + parts["business"] + parts["property"] + parts["transfer"]
           - parts["business_expense"])
    per_capita = (net / row.members).quantize(Decimal("0.01"))
    rigid = (parts["medical_out_of_pocket"] + parts["schooling_spending"]
             + parts["accident_loss"])
    return IncomeView(row.period_end, row.members, parts, net, per_capita, rigid,
                      row.recorded_at)


def _monitoring(row) -> MonitoringView | None:
    if row is None:
        return None
    split = (lambda text: [v for v in (text or "").split(",") if v])
    return MonitoringView(row.status, row.object_type, split(row.risk_types), row.helper_name,
                          row.helper_unit, row.helper_position, split(row.aid_measures),
                          row.aid_plan, row.identified_case_id, row.identified_at,
                          row.elimination_mode, row.eliminated_at)


def monitoring_of(conn, household_id: int) -> MonitoringView | None:
    """The household's monitoring row, or None when it was never taken in."""
    return _monitoring(conn.execute(select(OBJECTS).where(
        OBJECTS.c.household_id == household_id)).first())


def take_in(conn, household, case_id: int, data: dict, now: datetime) -> None:
    """Record a household as monitored after its identification case ended approved, with
    the type the county approved, the risks declared, the helper and the aid plan."""
    values = {"village_code": household.village_code, "status": MONITORING,
              "object_type": str(data.get("object_type") or data.get("recommended_type")
                                 or "")[:20],
              "risk_types": ",".join(map(str, data.get("risk_types") or []))[:100],
              "helper_name": str(data.get("helper_name") or "")[:50],
              "helper_unit": str(data.get("helper_unit") or "")[:100],
              "helper_position": str(data.get("helper_position") or "")[:50],
              "aid_measures": ",".join(map(str, data.get("measures") or []))[:300],
              "aid_plan": str(data.get("plan") or ""), "identified_case_id": case_id,
              "identified_at": now, "elimination_mode": "", "eliminated_at": None,
              "updated_at": now}
    done = conn.execute(update(OBJECTS).where(OBJECTS.c.household_id == household.id)
                        .values(**values))
    if done.rowcount == 0:
        conn.execute(insert(OBJECTS).values(household_id=household.id, **values))
    line = data.get("income_line")
    conn.execute(insert(MonitoringEvent.__table__).values(
        household_id=household.id, village_code=household.village_code, event="taken_in",
        case_id=case_id, mode="", reason="", actor_id=None, at=now,
        income_line=float(line) if isinstance(line, (int, float)) else None))


def _member_row(raw, position: int, errors: dict) -> dict:
    where = f"members.{position}"
    if not isinstance(raw, dict):
        errors[where] = "must be an object"
        return {}
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > 50:
        errors[f"{where}.name"] = "required, at most 50 characters"
    id_number = str(raw.get("id_number") or "").strip().upper()
    if id_number and id_number_problem(id_number):
        errors[f"{where}.id_number"] = "not a valid 18-character ID number"
    row = {"position": position, "name": name, "id_number": id_number,
           "employment": str(raw.get("employment") or "")[:100]}
    for kind, default in (("relation", None), ("sex", ""), ("health", "healthy"),
                          ("labour_capacity", None), ("schooling", "")):
        value = raw.get(kind, default)
        if value not in CHOICES[kind] and not (value == "" and kind == "sex"):
            errors[f"{where}.{kind}"] = "choose one of " + ", ".join(CHOICES[kind])
        row[kind] = value if isinstance(value, str) else ""
    grade = raw.get("disability_grade", 0)
    if isinstance(grade, bool) or grade not in (0, 1, 2, 3, 4):
        errors[f"{where}.disability_grade"] = "0 (none) to 4"
        grade = 0
    row["disability_grade"] = grade
    born = raw.get("birth_date")
    try:
        row["birth_date"] = date.fromisoformat(born) if born else None
    except (TypeError, ValueError):
        errors[f"{where}.birth_date"] = "date must be YYYY-MM-DD"
    return row


def _editable(conn, actor, household_id: int) -> households.HouseholdRow:
    """A household whose register the actor may change (staff of its area)."""
    household = households.get(conn, actor, household_id)
    policy.require(policy.register_household, actor, household.village_code)
    return household


def _refuse(what: str, errors: dict[str, str]) -> None:
    if errors:
        raise InvalidData(f"invalid {what}: " + "; ".join(f"{k}: {v}"
                                                          for k, v in errors.items()), errors)


class RegisterVerbs:
    """Mixed into ``Engine``: the register of monitoring objects."""

    def register_entry(self, household_id: int, actor, now: datetime | None = None
                       ) -> RegisterView:
        """One household of the register: members, income, monitoring, cases."""
        now = now or self.clock()
        with self.transaction(write=False) as tx:
            conn = tx.conn
            household = households.get(conn, actor, household_id)
            members = [MemberView(m.name, mask_id_number(m.id_number), m.relation, m.sex,
                                  m.birth_date, m.health, m.disability_grade,
                                  m.labour_capacity, m.schooling, m.employment)
                       for m in conn.execute(select(MEMBERS).where(
                           MEMBERS.c.household_id == household.id).order_by(
                           MEMBERS.c.position))]
            income = conn.execute(select(INCOMES).where(
                INCOMES.c.household_id == household.id).order_by(
                INCOMES.c.period_end.desc(), INCOMES.c.id.desc()).limit(1)).first()
            cases = views.cases_of_subject(conn, "household", household.id, now)
            return RegisterView(household, members, income_of(income) if income else None,
                                monitoring_of(conn, household.id), cases)

    def set_members(self, household_id: int, actor, members: list,
                    now: datetime | None = None) -> list[MemberView]:
        """Replace the household's member list (village or township staff of its area)."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            household = _editable(conn, actor, household_id)
            errors: dict[str, str] = {}
            if not isinstance(members, list) or not members:
                raise InvalidData("a household has at least one member",
                                  {"members": "at least one member"})
            rows = [_member_row(raw, i, errors) for i, raw in enumerate(members)]
            if not errors and sum(r["relation"] == "head" for r in rows) != 1:
                errors["members"] = "exactly one member is the head of household"
            _refuse("members", errors)
            conn.execute(delete(MEMBERS).where(MEMBERS.c.household_id == household.id))
            conn.execute(insert(MEMBERS), [dict(r, household_id=household.id) for r in rows])
            conn.execute(update(households.HOUSEHOLDS).where(
                households.HOUSEHOLDS.c.id == household.id).values(members=len(rows)))
            audit.append_global(conn, "household_members_set", actor, now, {
                "household_id": household.id, "members": len(rows)})
        return self.register_entry(household_id, actor, now).members

    def record_income(self, household_id: int, actor, period_end: str, parts: dict,
                      now: datetime | None = None) -> IncomeView:
        """Record the household's income of the 12 months up to ``period_end`` by parts;
        the register keeps the per-capita figure it gives on the household."""
        now = now or self.clock()
        with self.transaction(write=True) as tx:
            conn = tx.conn
            household = _editable(conn, actor, household_id)
            errors: dict[str, str] = {}
            try:
                end = date.fromisoformat(period_end)
            except (TypeError, ValueError):
                errors["period_end"] = "date must be YYYY-MM-DD"
                end = None
            if end is not None and end > now.astimezone(TIMEZONE).date():
                errors["period_end"] = "cannot be in the future"
            amounts = {p: _money((parts or {}).get(p), p, errors) for p in INCOME_PARTS}
            _refuse("income", errors)
            row = {"household_id": household.id, "period_end": end,
                   "members": household.members, "recorded_by": actor.id,
                   "recorded_at": now, **amounts}
            conn.execute(insert(INCOMES).values(**row))
            income = income_of(type("Row", (), row))
            conn.execute(update(households.HOUSEHOLDS).where(
                households.HOUSEHOLDS.c.id == household.id).values(
                income_per_head=float(income.per_capita)))
            audit.append_global(conn, "household_income_recorded", actor, now, {
                "household_id": household.id, "period_end": period_end,
                "per_capita": str(income.per_capita)})
            return income

    def monitoring_objects(self, actor, status: str = "", village: str = "",
                           limit: int = 100, offset: int = 0) -> list[tuple]:
        """(household, monitoring) pairs of the actor's area, by village and head name."""
        with self.transaction(write=False) as tx:
            conn = tx.conn
            query = (select(OBJECTS, households.HOUSEHOLDS.c.head_name)
                     .join(households.HOUSEHOLDS,
                           households.HOUSEHOLDS.c.id == OBJECTS.c.household_id)
                     .where(policy.prefix_range(OBJECTS.c.village_code,
                                                village or actor.area_code)))
            if village and not policy.within(village, actor.area_code):
                return []
            if status:
                query = query.where(OBJECTS.c.status == status)
            rows = conn.execute(query.order_by(OBJECTS.c.village_code,
                                               households.HOUSEHOLDS.c.head_name)
                                .limit(limit).offset(offset)).all()
            return [(households.find(conn, r.household_id), _monitoring(r)) for r in rows]
