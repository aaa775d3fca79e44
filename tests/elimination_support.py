"""Helpers of the risk elimination tests: a household taken into the register, visits."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine import households, register

CST = ZoneInfo("Asia/Shanghai")
KEY = "risk_elimination"
BPMN = "workflows/risk_elimination.bpmn"
PROPOSAL = {"household_id": 1, "mode": "assisted", "checkers": ["李书记", "王队员"],
            "check_date": "2026-11-19", "income_per_head": 9800, "findings": "务工收入稳定"}
MEMBERS = [{"name": "王建国", "relation": "head", "sex": "male", "labour_capacity": "ordinary"},
           {"name": "李秀兰", "relation": "spouse", "sex": "female", "labour_capacity": "weak"}]
MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def cst(y, m, d, h=10) -> datetime:
    """An aware datetime in China time."""
    return datetime(y, m, d, h, tzinfo=CST)


def visit(eng, users, on: str, income=9500.0, household=1, **changes):
    """A monthly visit by village11 (everything secured unless ``changes`` say otherwise)."""
    data = {"visited_on": on, "visitors": "李书记 王队员", "income_change": "stable",
            "income_per_head": income, "spending_change": "stable", "food_clothing": True,
            "education": True, "medical": True, "housing": True, "safe_water": True,
            "aid_received": "", "notes": "", **changes}
    user = {1: "village11", 2: "village11", 3: "village12", 4: "village21"}[household]
    return eng.record_visit(users[user], household, data, now=cst(2026, 11, 20))


def take_in(eng, household_id=1, since=cst(2026, 3, 10), measures=("employment",),
            line=6000):
    """Take a household into the register as identification's approval does."""
    with eng.transaction() as tx:
        household = households.find(tx.conn, household_id)
        register.take_in(tx.conn, household, None, {
            "object_type": "脱贫不稳定户", "risk_types": ["01"], "measures": list(measures),
            "helper_name": "王五", "income_line": line}, since)


def ready_household(eng, users, deploy) -> None:
    """Household 1: monitored since March with one measure, two members who can work, a
    visit each month June to November above the 6000 line with everything secured."""
    deploy(BPMN)
    take_in(eng)
    eng.set_members(1, users["village11"], MEMBERS, now=datetime(2026, 11, 20, 2,
                                                                  tzinfo=CST))
    for month in MONTHS:
        visit(eng, users, f"{month}-15")


def propose(eng, users, now=datetime(2026, 11, 20, 10, tzinfo=CST), user="village11", **data):
    """The village's proposal (household 1 unless ``data`` says otherwise)."""
    return eng.start(KEY, users[user], dict(PROPOSAL, **data), now=now)


def _complete(eng, users, case_id, step, user, data, now):
    items = [i for i in eng.inbox(users[user], now=now).items if i.case_id == case_id
             and i.task_name == step]
    assert len(items) == 1, step
    return eng.complete(items[0].id, users[user], data, now=now)


def through_publicity(eng, users, now=datetime(2026, 11, 20, 10, tzinfo=CST)):
    case_id = propose(eng, users, now).case.id
    _complete(eng, users, case_id, "village_review", "village11", {
        "decision": "approve", "meeting_date": "2026-11-20", "attendees": 20, "votes_for": 19,
        "votes_against": 1}, now)
    _complete(eng, users, case_id, "post_publicity", "village11", {
        "publicity_start": "2026-11-21", "publicity_place": "村务公开栏", "publicity_days": 5},
        now + timedelta(hours=2))
    assert eng.fire_due(cst(2026, 11, 26, 0) + timedelta(minutes=1)).failed == []
    return case_id


def eliminated(eng, users):
    case_id = through_publicity(eng, users)
    _complete(eng, users, case_id, "township_review", "township1", {"decision": "approve"},
              cst(2026, 11, 26))
    _complete(eng, users, case_id, "county_decision", "county1", {"decision": "approve"},
              cst(2026, 11, 27))
    return case_id


