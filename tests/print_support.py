"""One identification case run to county approval for the printout tests: a return, a
claim, an attachment, a late township step and the publicity timer in its trail."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.models import Household, WorkItem

CST = ZoneInfo("Asia/Shanghai")
KEY = "monitoring_identification"
ID_NUMBER = "360799196503124515"  # household 1 (王建国), see engine/demo.py


def cst(d, h=10) -> datetime:
    return datetime(2026, 11, d, h, tzinfo=CST)


def open_item(eng, case_id, task_name):
    with eng.database.connect() as conn:
        return conn.execute(select(WorkItem.__table__).where(
            WorkItem.case_id == case_id, WorkItem.task_name == task_name,
            WorkItem.status == "open")).one()


def household(eng, household_id):
    with eng.database.connect() as conn:
        return conn.execute(select(Household.__table__).where(
            Household.id == household_id)).one()


def run_case(eng, users, household_id=1, village="village11", publicity="2026-11-18",
             late=True, finish=True):
    """Start and drive a case; returns its id."""
    def complete(task, who, data, day, hour=10, comment=""):
        item = open_item(eng, case_id, task)
        eng.complete(item.id, users[who], data, cst(day, hour), comment=comment)

    started = eng.start(KEY, users[village], {
        "household_id": household_id, "channel": "self_declaration",
        "discovery_date": "2026-11-16", "risk_types": ["01", "07"],
        "commitment_signed": True, "green_channel": False,
        "description": "户主突发重病住院"}, cst(16, 9))
    case_id = started.case.id
    complete("home_check", village, {
        "checkers": ["王支书", "李队员"], "check_date": "2026-11-16", "income_per_head": 5000,
        "annual_household_income": 20000, "out_of_pocket_medical": 30000,
        "major_illness": True, "disability_grade": 0, "sudden_shock": False,
        "rigid_spending": 35000, "formerly_poor": False}, 16, 15, "已入户核实")
    complete("village_review", village, {
        "decision": "approve", "meeting_date": "2026-11-17", "attendees": 25,
        "votes_for": 24, "votes_against": 1}, 17, comment="评议通过")
    complete("post_publicity", village, {"publicity_start": publicity,
                                         "publicity_place": "村委会公示栏",
                                         "publicity_days": 5}, 17, 11)
    if not finish:
        return case_id
    eng.fire_due(cst(23, 1))
    township = "township1" if village.startswith("village1") else "township2"
    item = open_item(eng, case_id, "township_review")
    eng.claim(item.id, users[township], cst(24, 9))
    complete("township_review", township, {"decision": "return",
                                           "reason": "补充收入证明"}, 24, comment="材料不全")
    return case_id


def approve(eng, users, case_id, village="village11", township="township1"):
    """Finish a returned case: the village reviews and publicises again, the township and
    the county approve after the 15-day limit (late by two days)."""
    def complete(task, who, data, when, comment=""):
        item = open_item(eng, case_id, task)
        eng.complete(item.id, users[who], data, when, comment=comment)

    complete("village_review", village, {
        "decision": "approve", "meeting_date": "2026-11-25", "attendees": 26,
        "votes_for": 26, "votes_against": 0}, cst(25), "补充收入证明后重新评议")
    complete("post_publicity", village, {"publicity_start": "2026-11-25",
                                         "publicity_place": "村委会公示栏",
                                         "publicity_days": 5}, cst(25, 11))
    eng.fire_due(cst(30, 1))
    complete("township_review", township, {"decision": "approve", "onsite_check": True},
             cst(30, 15), "同意上报")
    complete("county_approval", "county1", {"decision": "approve",
                                            "object_type": "边缘易致贫户"},
             datetime(2026, 12, 3, 10, tzinfo=CST), "同意纳入")
    return case_id
