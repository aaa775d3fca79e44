"""Risk elimination (风险消除): the conditions a monitored household must meet, the register
changes when the county decides, and the county's rollback (回退).

The conditions (DOMAIN §3), read from the register and the monthly visits:

- ``income_stable``: the per-capita income recorded on the visits of each of the last
  ``stable_months`` (6) months is at or above the income monitoring line, with no sharp drop;
- ``costs_resolved``: no visit in those months found a sharp rise in spending, and the latest
  income record's rigid spending does not exceed the household's net income;
- ``guarantees``: the latest visit found 两不愁三保障 and safe water holding;
- ``monitored_long_enough``: taken in at least ``monitored_months`` (6) months ago;
- ``aid_measure``: at least one aid measure in the register;
- ``labour_capacity``: some member has labour capacity — a household without any
  (every member 丧失劳动力 or 无劳动力, or no members recorded) stays monitored.

Each failed condition refuses: the proposal, the township's and the county's approval.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update

from . import register
from .calendar import TIMEZONE
from .clue_models import HouseholdVisit
from .errors import Conflict, InvalidData
from .register_models import HouseholdMember, MonitoringEvent

VISITS, MEMBERS = HouseholdVisit.__table__, HouseholdMember.__table__
EVENTS, OBJECTS = MonitoringEvent.__table__, register.OBJECTS
GUARANTEES = ("food_clothing", "education", "medical", "housing", "safe_water")
LABOUR = ("skilled", "ordinary", "weak")
# The 2021 national line: used for households taken in before the line was recorded.
NATIONAL_LINE = 6000.0
MODES = {"assisted": ("帮扶消除", "Eliminated after aid"),
         "natural": ("自然消除", "Eliminated naturally")}

LABELS = {
    "monitored": ("监测中", "Being monitored"),
    "income_stable": ("收入持续稳定高于监测线", "Income stably above the line"),
    "costs_resolved": ("大额支出已解决", "Large costs resolved"),
    "guarantees": ("两不愁三保障及饮水安全有保障", "Basic needs and safe water secured"),
    "monitored_long_enough": ("纳入监测满 6 个月", "Monitored for 6 months"),
    "aid_measure": ("至少落实一项帮扶措施", "At least one aid measure"),
    "labour_capacity": ("家庭有劳动能力", "Household has labour capacity"),
}


@dataclass(frozen=True)
class Condition:
    """One condition of risk elimination, whether it holds and why (Chinese, English)."""

    key: str
    ok: bool
    detail: str
    detail_en: str

    def label(self, locale: str = "zh_CN") -> str:
        """The condition's name in ``locale``."""
        zh, en = LABELS[self.key]
        return en if locale == "en" else zh

    def text(self, locale: str = "zh_CN") -> str:
        """Why it holds or fails, in ``locale``."""
        return self.detail_en if locale == "en" else self.detail

    def as_dict(self) -> dict:
        """The condition as case data keeps it."""
        return {"key": self.key, "ok": self.ok, "detail": self.detail,
                "detail_en": self.detail_en}


def mode_label(mode: str, locale: str = "zh_CN") -> str:
    """帮扶消除 / 自然消除 (the code itself when unknown)."""
    words = MODES.get(mode)
    return (words[1] if locale == "en" else words[0]) if words else mode


def _months_back(today: date, count: int, start_offset: int) -> list[str]:
    year, month = today.year, today.month - start_offset
    months = []
    for _ in range(count):
        while month < 1:
            month, year = month + 12, year - 1
        months.append(f"{year:04d}-{month:02d}")
        month -= 1
    return months


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def income_line(conn, household_id: int) -> float:
    """The monitoring line the household was identified by (the national line if none)."""
    line = conn.execute(select(EVENTS.c.income_line).where(
        EVENTS.c.household_id == household_id, EVENTS.c.event == "taken_in",
        EVENTS.c.income_line.isnot(None)).order_by(EVENTS.c.id.desc()).limit(1)).scalar()
    return float(line) if line is not None else NATIONAL_LINE


def check(conn, household_id: int, today: date, stable_months: int = 6,
          monitored_months: int = 6) -> list[Condition]:
    """Every condition for the household as of ``today``."""
    monitoring = register.monitoring_of(conn, household_id)
    out: list[Condition] = []
    if monitoring is None or monitoring.status != register.MONITORING:
        out.append(Condition("monitored", False, "该户不是监测中的监测对象",
                             "the household is not a monitored monitoring object"))
        return out
    line = income_line(conn, household_id)
    visits = conn.execute(select(VISITS).where(VISITS.c.household_id == household_id)
                          .order_by(VISITS.c.visited_on.desc(), VISITS.c.id.desc())).all()
    this_month = f"{today.year:04d}-{today.month:02d}"
    offset = 0 if any(v.month == this_month for v in visits) else 1
    window = _months_back(today, stable_months, offset)
    by_month: dict[str, list] = {}
    for v in visits:
        by_month.setdefault(v.month, []).append(v)
    problem = None
    for month in window:
        found = by_month.get(month, [])
        low = [v for v in found if v.income_per_head is None or v.income_per_head < line
               or v.income_change == "sharp_drop"]
        if not found:
            problem = (f"{month} 无走访记录", f"no visit in {month}")
        elif low:
            shown = low[0].income_per_head
            problem = ((f"{month} 走访人均收入 {shown:g} 元低于监测线 {line:g} 元"
                        if shown is not None else f"{month} 走访未记录人均收入"),
                       (f"{month}: income per head {shown:g} below the line {line:g}"
                        if shown is not None else f"{month}: no income per head recorded"))
        if problem:
            break
    out.append(Condition(
        "income_stable", problem is None,
        problem[0] if problem else f"{window[-1]} 至 {window[0]} 每月走访人均收入均不低于监测线 "
        f"{line:g} 元",
        problem[1] if problem else f"every month {window[-1]} to {window[0]} at or above "
        f"the line of {line:g} yuan"))
    rising = [v for m in window for v in by_month.get(m, []) if v.spending_change == "sharp_rise"]
    income = conn.execute(select(register.INCOMES).where(
        register.INCOMES.c.household_id == household_id).order_by(
        register.INCOMES.c.period_end.desc(), register.INCOMES.c.id.desc()).limit(1)).first()
    figures = register.income_of(income) if income is not None else None
    if rising:
        costs = (f"{rising[0].visited_on} 走访发现刚性支出骤增",
                 f"the visit of {rising[0].visited_on} found a sharp rise in spending")
    elif figures is not None and figures.rigid_spending > figures.net_income:
        costs = (f"刚性支出 {figures.rigid_spending} 元超过家庭纯收入 {figures.net_income} 元",
                 f"rigid spending {figures.rigid_spending} exceeds net income "
                 f"{figures.net_income}")
    else:
        costs = None
    out.append(Condition("costs_resolved", costs is None,
                         costs[0] if costs else "近期走访无支出骤增，刚性支出未超过收入",
                         costs[1] if costs else "no sharp rise in spending; rigid spending "
                         "within income"))
    latest = visits[0] if visits else None
    broken = [g for g in GUARANTEES if latest is not None and not getattr(latest, g)]
    if latest is None:
        guarantees = ("无走访记录", "no visit recorded")
    elif broken:
        from .visits import GUARANTEE_NAMES
        guarantees = (f"{latest.visited_on} 走访：" + "、".join(GUARANTEE_NAMES[g] + "未保障"
                                                            for g in broken),
                      f"visit of {latest.visited_on}: not secured: " + ", ".join(broken))
    else:
        guarantees = None
    out.append(Condition("guarantees", guarantees is None,
                         guarantees[0] if guarantees else f"{latest.visited_on} 走访均有保障",
                         guarantees[1] if guarantees else f"all secured on {latest.visited_on}"))
    since = monitoring.identified_at.astimezone(TIMEZONE).date()
    enough = _add_months(since, monitored_months)
    out.append(Condition(
        "monitored_long_enough", today >= enough,
        f"{since} 纳入监测" + ("" if today >= enough else f"，{enough} 起满 {monitored_months} 个月"),
        f"monitored since {since}" + ("" if today >= enough else
                                      f"; {monitored_months} months on {enough}")))
    measures = monitoring.aid_measures
    out.append(Condition("aid_measure", bool(measures),
                         f"帮扶措施 {len(measures)} 项" if measures else "登记中没有帮扶措施",
                         f"{len(measures)} aid measure(s)" if measures else
                         "no aid measure in the register"))
    capacities = [r.labour_capacity for r in conn.execute(select(MEMBERS.c.labour_capacity).where(
        MEMBERS.c.household_id == household_id))]
    able = [c for c in capacities if c in LABOUR]
    out.append(Condition(
        "labour_capacity", bool(able),
        f"{len(able)} 名成员有劳动能力" if able else
        ("登记中没有家庭成员" if not capacities else "无劳动能力家庭：继续监测，不予消除"),
        f"{len(able)} member(s) able to work" if able else
        ("no members in the register" if not capacities else
         "no member can work: the household stays monitored")))
    return out


def refuse_unless_met(conditions: list[Condition]) -> None:
    """InvalidData naming every failed condition."""
    failed = [c for c in conditions if not c.ok]
    if failed:
        raise InvalidData(
            "风险消除条件不满足 / elimination conditions not met: " + "; ".join(
                f"{c.label()}（{c.detail}）/ {c.label('en')} ({c.detail_en})" for c in failed),
            {"conditions": "; ".join(f"{c.label()}：{c.detail}" for c in failed),
             **{f"conditions.{c.key}": c.detail for c in failed}})


def record(conn, household_id: int, village_code: str, event: str, now: datetime,
           case_id: int | None = None, mode: str = "", reason: str = "",
           actor_id: int | None = None, line: float | None = None) -> None:
    """One line of the household's monitoring history."""
    conn.execute(insert(EVENTS).values(household_id=household_id, village_code=village_code,
                                       event=event, case_id=case_id, mode=mode, reason=reason,
                                       income_line=line, actor_id=actor_id, at=now))


def eliminate(conn, household_id: int, case_id: int, mode: str, now: datetime,
              actor_id: int | None = None) -> None:
    """The county approved: the register shows 风险已消除 with the date and mode."""
    row = conn.execute(select(OBJECTS).where(OBJECTS.c.household_id == household_id)
                       .with_for_update()).first()
    if row is None or row.status != register.MONITORING:
        raise Conflict(f"household {household_id} is no longer monitored")
    conn.execute(update(OBJECTS).where(OBJECTS.c.household_id == household_id).values(
        status=register.ELIMINATED, elimination_mode=mode, eliminated_at=now, updated_at=now))
    record(conn, household_id, row.village_code, "eliminated", now, case_id, mode,
           actor_id=actor_id)


def roll_back(conn, actor, household_id: int, reason: str, now: datetime) -> dict:
    """回退: the county restores monitoring of an eliminated household, with a reason."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidData("a rollback needs a reason", {"reason": "required"})
    if len(reason) > 500:
        raise InvalidData("the reason is at most 500 characters", {"reason": "too long"})
    row = conn.execute(select(OBJECTS).where(OBJECTS.c.household_id == household_id)
                       .with_for_update()).first()
    if row is None or row.status != register.ELIMINATED:
        raise Conflict(f"household {household_id}'s risk is not eliminated: nothing to roll "
                       f"back (someone may have rolled it back already)")
    case_id = conn.execute(select(EVENTS.c.case_id).where(
        EVENTS.c.household_id == household_id, EVENTS.c.event == "eliminated")
        .order_by(EVENTS.c.id.desc()).limit(1)).scalar()
    conn.execute(update(OBJECTS).where(OBJECTS.c.household_id == household_id,
                                       OBJECTS.c.status == register.ELIMINATED).values(
        status=register.MONITORING, elimination_mode="", eliminated_at=None, updated_at=now))
    record(conn, household_id, row.village_code, "rolled_back", now, case_id,
           row.elimination_mode, reason, actor.id)
    return {"household_id": household_id, "case_id": case_id, "mode": row.elimination_mode,
            "eliminated_at": row.eliminated_at.isoformat() if row.eliminated_at else None,
            "reason": reason}
