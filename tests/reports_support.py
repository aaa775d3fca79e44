"""Builders for the report tests: identification cases carried to a chosen step through the
engine verbs, at chosen times (discovery 2026-11-16; limit ends 2026-12-01 24:00)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.models import WorkItem

CST = ZoneInfo("Asia/Shanghai")
BPMN = "workflows/monitoring_identification.bpmn"
KEY = "monitoring_identification"
# Household -> (village user, township user), from the demo county.
PEOPLE = {1: ("village11", "township1"), 2: ("village11", "township1"),
          3: ("village12", "township1"), 4: ("village21", "township2"),
          5: ("village22", "township2")}
STEPS = ("home_check", "village_review", "post_publicity", "township_review",
         "county_approval")

DECLARATION = dict(channel="self_declaration", discovery_date="2026-11-16", risk_types=["01"],
                   commitment_signed=True, green_channel=False, description="户主突发重病住院",
                   # cases started later in a test's timeline are entered late
                   late_reason="外出务工返乡后才上报")
DATA = {
    "home_check": dict(checkers=["张三", "李四"], check_date="2026-11-16", income_per_head=5000,
                       annual_household_income=20000, out_of_pocket_medical=30000,
                       major_illness=True, disability_grade=0, sudden_shock=False,
                       rigid_spending=35000, formerly_poor=False),
    "village_review": dict(decision="approve", meeting_date="2026-11-17", attendees=25,
                           votes_for=24, votes_against=1),
    "post_publicity": dict(publicity_start="2026-11-18", publicity_place="村务公开栏",
                           publicity_days=5),
    "township_review": dict(decision="approve", onsite_check=True),
    "county_approval": dict(decision="approve", object_type="边缘易致贫户"),
}
WHEN = {"home_check": (2026, 11, 16, 15), "village_review": (2026, 11, 17, 10),
        "post_publicity": (2026, 11, 17, 16), "township_review": (2026, 11, 23, 10)}
PUBLICITY_OVER = datetime(2026, 11, 23, 0, 1, tzinfo=CST)


def cst(y, m, d, h=10, mi=0) -> datetime:
    """An aware datetime in China time."""
    return datetime(y, m, d, h, mi, tzinfo=CST)


def open_item(eng, case_id: int, task_name: str) -> int:
    """The id of a case's open work item for a step."""
    with eng.database.connect() as conn:
        return conn.execute(select(WorkItem.id).where(
            WorkItem.case_id == case_id, WorkItem.task_name == task_name,
            WorkItem.status == "open")).scalar_one()


def identification(eng, users, household: int, until: str = "county_approval",
                   decided_at: datetime | None = None, decision: str = "approve",
                   started_at: datetime | None = None) -> int:
    """An identification case of ``household`` carried through every step before ``until``
    on the default timeline; with ``decided_at`` the county decides then. Its id."""
    village, township = PEOPLE[household]
    case_id = eng.start(KEY, users[village], dict(DECLARATION, household_id=household),
                        now=started_at or cst(2026, 11, 16, 9)).case.id
    for step in STEPS[:STEPS.index(until)]:
        user = township if step == "township_review" else village
        eng.complete(open_item(eng, case_id, step), users[user], DATA[step],
                     now=cst(*WHEN[step]))
        if step == "post_publicity":
            eng.fire_due(PUBLICITY_OVER)     # the publicity period is over: to the township
    if decided_at is not None:
        data = DATA["county_approval"] if decision == "approve" else {
            "decision": "reject", "reason": "收入高于监测范围"}
        eng.complete(open_item(eng, case_id, "county_approval"), users["county1"], data,
                     now=decided_at)
    return case_id


def later(moment: datetime, **delta) -> datetime:
    """``moment`` moved by a timedelta."""
    return moment + timedelta(**delta)


def monitored(eng, household, village, object_type, status="monitoring", risks="01",
              measures="", identified=None, eliminated=None):
    """A row of the register of monitoring objects, written as the register keeps it."""
    from sqlalchemy import insert

    from engine.register_models import MonitoringObject

    identified = identified or cst(2026, 6, 1)
    with eng.database.begin() as conn:
        conn.execute(insert(MonitoringObject.__table__).values(
            household_id=household, village_code=village, status=status,
            object_type=object_type, risk_types=risks, aid_measures=measures,
            identified_at=identified, eliminated_at=eliminated,
            elimination_mode="帮扶消除" if eliminated else "", updated_at=identified))
