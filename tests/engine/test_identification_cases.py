"""Scenario tests of monitoring-object identification (识别纳入) through the engine.

Unlike test_identification_definition.py (plain SpiffWorkflow in memory), every step here goes
through the ``Engine`` verbs with persistence: each verb commits its own transaction and the
workflow cache (``eng.runner.cache``) is cleared before and after it, so every step restores
the workflow from the stored state (a save-restore round trip per step). Timers fire through
``eng.fire_due`` with an explicit ``now``; nothing sleeps and nothing reads the wall clock.
Rows are read with SQLAlchemy Core through ``eng.database``; trails and verifications through
the read verbs, as the auditor sees them.

Demo data (tests/conftest.py): county 360799; township1 = 360799100 with village11 =
360799100001 (households 1, 2) and village12 = 360799100002 (household 3); township2 =
360799200 with village21 (household 4) and village22 (household 5).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from engine import Conflict, Forbidden, InvalidData
from engine.models import AuditEvent, Case, Household, Timer, WorkItem

CASES, ITEMS, TIMERS = Case.__table__, WorkItem.__table__, Timer.__table__
EVENTS, HOUSEHOLDS = AuditEvent.__table__, Household.__table__

CST = ZoneInfo("Asia/Shanghai")
BPMN = "workflows/monitoring_identification.bpmn"
WORKING_DAYS_BPMN = "tests/engine/fixtures/working_days.bpmn"
KEY = "monitoring_identification"

VILLAGE11, VILLAGE12 = "360799100001", "360799100002"
TOWNSHIP1, COUNTY = "360799100", "360799"
AID_TASKS = {"immediate_aid", "confirm_aid_village", "confirm_aid_township"}


def cst(y, m, d, h=10, mi=0) -> datetime:
    """An aware datetime in China time."""
    return datetime(y, m, d, h, mi, tzinfo=CST)


def end_of_day(y, m, d) -> datetime:
    """23:59:59 China time of a day: what the engine's due times and deadlines are."""
    return datetime(y, m, d, 23, 59, 59, tzinfo=CST)


# ---------------------------------------------------------------------------------------
# Valid form data (dates fit the default timeline below: discovery 2026-11-16)

DECLARATION = dict(household_id=1, channel="self_declaration", discovery_date="2026-11-16",
                   risk_types=["01"], commitment_signed=True, green_channel=False,
                   description="户主突发重病住院")
GREEN = dict(green_channel=True, sudden_risk_kind="disaster", risk_types=["0201"],
             description="洪涝冲毁房屋")
HOME_CHECK = dict(checkers=["张三", "李四"], check_date="2026-11-16", income_per_head=5000,
                  annual_household_income=20000, out_of_pocket_medical=30000, major_illness=True,
                  disability_grade=0, sudden_shock=False, rigid_spending=35000,
                  formerly_poor=False, acute_difficulties="住院费用无力支付")
VILLAGE_APPROVE = dict(decision="approve", meeting_date="2026-11-17", attendees=25,
                       votes_for=24, votes_against=1)
PUBLICITY = dict(publicity_start="2026-11-18", publicity_place="村务公开栏", publicity_days=5)
PUBLICITY_END = datetime(2026, 11, 23, 0, 0, tzinfo=CST)   # 18th..22nd: 5 full days
TOWNSHIP_APPROVE = dict(decision="approve", onsite_check=True)
COUNTY_APPROVE = dict(decision="approve", object_type="边缘易致贫户")
ANNOUNCEMENT = dict(announcement_date="2026-11-25", place="村务公开栏")
HELPER = dict(helper_name="王五", helper_unit="县农业农村局", helper_position="科员")
AID_PLAN = dict(measures=["health", "comprehensive_protection"], plan="落实大病救助和临时救助")
IMMEDIATE_AID = dict(aid_kind="temporary_relief", amount=2000, aid_date="2026-11-16")
CONFIRM_VILLAGE = dict(received=True, confirm_date="2026-11-17")
CONFIRM_TOWNSHIP = dict(confirmed=True, confirm_notes="已核实")

# who acts on each step of a case in village11
ACTOR = {"home_check": "village11", "village_review": "village11", "post_publicity": "village11",
         "publicity_objections": "village11", "investigate_objection": "village11",
         "township_review": "township1", "county_approval": "county1",
         "result_announcement": "village11", "assign_helper": "county1", "aid_plan": "village11",
         "immediate_aid": "township1", "confirm_aid_village": "village11",
         "confirm_aid_township": "township1"}


def rows(eng, query) -> list:
    """The rows of a Core query, read in a connection of their own."""
    with eng.database.connect() as conn:
        return conn.execute(query).all()


def counts(eng) -> dict[str, int]:
    """Rows that any engine call could add or change."""
    def count(table, *where):
        return rows(eng, select(func.count()).select_from(table).where(*where))[0][0]
    return {"cases": count(CASES), "work_items": count(ITEMS),
            "open_items": count(ITEMS, ITEMS.c.status == "open"),
            "audit_events": count(EVENTS), "timers": count(TIMERS),
            "households": count(HOUSEHOLDS)}


def case_states(eng) -> dict[int, tuple]:
    """What a change to any case would move: version, state, status, trail length."""
    return {r.id: (r.version, r.state, r.status, r.audit_seq) for r in rows(
        eng, select(CASES.c.id, CASES.c.version, CASES.c.state, CASES.c.status,
                    CASES.c.audit_seq))}


def cold(eng, action):
    """Run an engine verb with an empty workflow cache, and empty it again afterwards: the
    verb restores the workflow from the stored state, and so does the next one."""
    eng.runner.cache.clear()
    try:
        return action()
    finally:
        eng.runner.cache.clear()


class Driver:
    """Drives one case through the engine, one committed step at a time, each step restoring
    the workflow from the database (the cache is cleared before and after every verb)."""

    def __init__(self, eng, users, case_id: int):
        self.eng, self.users, self.case_id = eng, users, case_id

    @classmethod
    def start(cls, eng, users, now=None, user="village11", key=KEY, **data):
        declaration = dict(DECLARATION, **data) if key == KEY else data
        started = cold(eng, lambda: eng.start(key, users[user], declaration,
                                              now=now or cst(2026, 11, 16, 9)))
        driver = cls(eng, users, started.case.id)
        driver.started_items = started.items
        return driver

    # --- reading -------------------------------------------------------------------------
    @property
    def case(self):
        return rows(self.eng, select(CASES).where(CASES.c.id == self.case_id))[0]

    def items(self, status=None) -> list:
        query = select(ITEMS).where(ITEMS.c.case_id == self.case_id)
        if status:
            query = query.where(ITEMS.c.status == status)
        return rows(self.eng, query.order_by(ITEMS.c.id))

    def item_by_id(self, item_id: int):
        return rows(self.eng, select(ITEMS).where(ITEMS.c.id == item_id))[0]

    def timers(self, *where) -> list:
        return rows(self.eng, select(TIMERS).where(TIMERS.c.case_id == self.case_id, *where)
                    .order_by(TIMERS.c.id))

    def periods(self):
        return cold(self.eng, lambda: self.eng.periods(self.case_id, self.users["auditor"]))

    def open_names(self, paperwork_only=False) -> list[str]:
        """Open work items and open periods (publicity: no work item) of the case."""
        names = sorted([i.task_name for i in self.items("open")]
                       + [p.step for p in self.periods() if p.open])
        return [n for n in names if n not in AID_TASKS] if paperwork_only else names

    def item(self, task_name):
        found = [i for i in self.items("open") if i.task_name == task_name]
        assert len(found) == 1, f"{task_name} is not open once; open: {self.open_names()}"
        return found[0]

    def trail(self) -> list:
        return self.eng.trail(self.case_id, self.users["auditor"])

    def events(self) -> list[str]:
        return [e.event for e in self.trail()]

    def assert_verified(self):
        check = self.eng.verify(self.case_id, self.users["auditor"])
        assert check.ok, check.problem
        assert check.events == len(self.trail()) > 0

    # --- acting --------------------------------------------------------------------------
    def complete(self, task_name, data, now, user=None, **kw) -> list:
        if task_name == "publicity_objections":          # a period: lodged on the case
            done = cold(self.eng, lambda: self.eng.lodge(
                self.case_id, task_name, self.users[user or ACTOR[task_name]], data, now=now,
                **kw))
            return done.items
        item = self.item(task_name)
        done = cold(self.eng, lambda: self.eng.complete(
            item.id, self.users[user or ACTOR[task_name]], data, now=now, **kw))
        assert done.case_id == self.case_id
        return done.items

    def fire(self, now):
        sweep = cold(self.eng, lambda: self.eng.fire_due(now))
        assert sweep.failed == []
        return sweep

    # --- common stretches (default timeline) ---------------------------------------------
    def to_publicity(self):
        self.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
        assert self.open_names(True) == ["village_review"]
        self.complete("village_review", VILLAGE_APPROVE, cst(2026, 11, 17))
        assert self.open_names(True) == ["post_publicity"]
        self.complete("post_publicity", PUBLICITY, cst(2026, 11, 17, 16))
        assert self.open_names(True) == ["publicity_objections"]

    def to_township_review(self):
        self.to_publicity()
        self.fire(PUBLICITY_END + timedelta(minutes=1))
        assert self.open_names(True) == ["township_review"]

    def to_county_approval(self):
        self.to_township_review()
        self.complete("township_review", TOWNSHIP_APPROVE, cst(2026, 11, 23))
        assert self.open_names(True) == ["county_approval"]

    def after_approval(self, start=cst(2026, 11, 25)):
        assert self.open_names(True) == ["aid_plan", "assign_helper", "result_announcement"]
        self.complete("result_announcement", ANNOUNCEMENT, start)
        self.complete("assign_helper", HELPER, start + timedelta(hours=1))
        self.complete("aid_plan", AID_PLAN, start + timedelta(hours=2))


@pytest.fixture
def identification(deploy, users):
    deploy(BPMN)
    return users


@pytest.fixture
def start(eng, identification):
    def _start(**kw):
        return Driver.start(eng, identification, **kw)
    return _start


def assert_item(item, level: str, area: str):
    assert (item.level, item.area_code) == (level, area), item.task_name


# =======================================================================================
# Paths

def test_straight_approval(eng, start):
    c = start()
    case = c.case
    assert (case.status, case.outcome, case.area_code, case.subject_kind, case.subject_id) == (
        "running", "", VILLAGE11, "household", 1)
    assert case.deadline_from == date(2026, 11, 16)
    assert case.deadline == end_of_day(2026, 12, 1)          # discovery + 15 natural days
    assert [i.task_name for i in c.started_items] == ["home_check"]
    assert_item(c.item("home_check"), "village", VILLAGE11)
    assert c.item("home_check").due_at == end_of_day(2026, 11, 19)

    c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    assert_item(c.item("village_review"), "village", VILLAGE11)
    c.complete("village_review", VILLAGE_APPROVE, cst(2026, 11, 17))
    c.complete("post_publicity", PUBLICITY, cst(2026, 11, 17, 16))
    assert "publicity_objections" not in [i.task_name for i in c.items()]   # not a to-do
    [period] = c.periods()
    assert (period.first_day, period.last_day, period.open) == ("2026-11-18", "2026-11-22",
                                                                True)
    bpmn_timers = c.timers(TIMERS.c.kind == "bpmn_timer")
    assert [t.due_at for t in bpmn_timers] == [PUBLICITY_END]

    # one minute before the publicity period ends nothing moves
    c.fire(PUBLICITY_END - timedelta(minutes=1))
    assert c.open_names() == ["publicity_objections"]
    assert c.fire(PUBLICITY_END + timedelta(minutes=1)).fired == 1
    assert c.open_names() == ["township_review"]
    assert c.fire(PUBLICITY_END + timedelta(minutes=2)).fired == 0      # fired only once
    assert [p.open for p in c.periods()] == [False]   # closed by the timer, not by a user
    assert_item(c.item("township_review"), "township", TOWNSHIP1)

    c.complete("township_review", TOWNSHIP_APPROVE, cst(2026, 11, 23))
    assert_item(c.item("county_approval"), "county", COUNTY)
    assert c.case.deadline_met_at is None
    approved_at = cst(2026, 11, 24)
    created = c.complete("county_approval", COUNTY_APPROVE, approved_at)
    assert sorted(i.task_name for i in created) == ["aid_plan", "assign_helper",
                                                    "result_announcement"]
    assert c.case.deadline_met_at == approved_at
    assert c.case.status == "running"
    assert_item(c.item("result_announcement"), "village", VILLAGE11)
    assert_item(c.item("aid_plan"), "village", VILLAGE11)
    assert_item(c.item("assign_helper"), "county", COUNTY)
    assert c.item("aid_plan").due_at == end_of_day(2026, 12, 4)   # approval + 10 days

    c.after_approval()
    case = c.case
    assert (case.status, case.outcome, case.outcome_reason) == ("completed", "approved", "")
    assert case.ended_at == cst(2026, 11, 25, 12)
    assert c.open_names() == []
    assert c.timers(TIMERS.c.fired_at.is_(None)) == []

    c.assert_verified()
    events = c.events()
    assert events[0] == "case_started" and events[-1] == "case_ended"
    assert "timer_fired" in events
    completed = [e.task_name for e in c.trail() if e.event == "task_completed"]
    assert completed == ["home_check", "village_review", "post_publicity", "township_review",
                         "county_approval", "result_announcement", "assign_helper", "aid_plan"]
    assert "rejected" not in events and "returned" not in events
    assert "task_overdue" not in events and "case_overdue" not in events
    assert events.count("timer_fired") == 1
    ended = c.trail()[-1]
    assert ended.data["outcome"] == "approved" and ended.data["status"] == "completed"


def _reach(c: Driver, task_name: str):
    if task_name == "village_review":
        c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    elif task_name == "township_review":
        c.to_township_review()
    elif task_name == "county_approval":
        c.to_county_approval()


REJECTIONS = {
    "village_review": dict(VILLAGE_APPROVE, decision="reject", reason="收入核实后明显高于监测线"),
    "township_review": dict(decision="reject", reason="实地核查情况与申报不符"),
    "county_approval": dict(decision="reject", reason="不符合纳入条件"),
}


@pytest.mark.parametrize("step", list(REJECTIONS))
def test_rejection_never_cancels_aid_given_first(eng, start, step):
    # Wrong before: a rejection terminated the case and cancelled the open 先行帮扶 item.
    c = start(**GREEN)
    assert c.open_names() == ["home_check", "immediate_aid"]
    _reach(c, step)
    aid_item = c.item("immediate_aid")
    data = REJECTIONS[step]
    c.complete(step, data, cst(2026, 11, 24))

    assert c.case.status == "running"                 # the aid branch goes on
    assert c.open_names() == ["immediate_aid"]
    assert c.item_by_id(aid_item.id).status == "open"
    if step == "county_approval":
        assert c.case.deadline_met_at == cst(2026, 11, 24)   # a decision ends the limit
    c.complete("immediate_aid", IMMEDIATE_AID, cst(2026, 11, 24, 11))
    c.complete("confirm_aid_village", CONFIRM_VILLAGE, cst(2026, 11, 24, 12))
    c.complete("confirm_aid_township", CONFIRM_TOWNSHIP, cst(2026, 11, 25))

    case = c.case
    assert (case.status, case.outcome) == ("rejected", "rejected_aid_given")
    assert case.outcome_reason == data["reason"]
    assert case.ended_at == cst(2026, 11, 25)
    assert c.open_names() == []
    assert c.timers(TIMERS.c.fired_at.is_(None)) == []
    view = eng.case(c.case_id, c.users["auditor"])
    assert view.outcome_label["zh_CN"] == "不予纳入（已先行帮扶）"

    c.assert_verified()
    trail = c.trail()
    rejected = [e for e in trail if e.event == "rejected"]
    assert len(rejected) == 1
    assert rejected[0].task_name == step and rejected[0].data == {"reason": data["reason"]}
    assert trail[-1].event == "case_ended"
    assert trail[-1].data == {"status": "rejected", "outcome": "rejected_aid_given",
                              "reason": data["reason"]}


@pytest.mark.parametrize("step", list(REJECTIONS))
def test_rejection_ends_an_ordinary_case(eng, start, step):
    c = start()
    _reach(c, step)
    data = REJECTIONS[step]
    c.complete(step, data, cst(2026, 11, 24))
    case = c.case
    assert (case.status, case.outcome, case.outcome_reason) == ("rejected", "rejected",
                                                                data["reason"])
    assert c.open_names() == [] and c.timers(TIMERS.c.fired_at.is_(None)) == []
    c.assert_verified()


def test_township_returns_to_village_review(eng, start):
    c = start()
    c.to_township_review()
    first_review = [i for i in c.items() if i.task_name == "village_review"]
    assert len(first_review) == 1
    reason = "民主评议记录不全，请补充参会人员签名"
    created = c.complete("township_review", dict(decision="return", reason=reason),
                         cst(2026, 11, 23))
    assert [i.task_name for i in created] == ["village_review"]
    again = c.item("village_review")
    assert again.id != first_review[0].id
    assert_item(again, "village", VILLAGE11)
    assert c.case.status == "running"

    returned = [e for e in c.trail() if e.event == "returned"]
    assert len(returned) == 1
    assert returned[0].task_name == "township_review"
    assert returned[0].data == {"reason": reason}
    assert (returned[0].actor_id, returned[0].actor) == (c.users["township1"].id,
                                                         c.users["township1"].name)

    # the village reviews again, publicises again, and the case goes on to approval
    c.complete("village_review", dict(VILLAGE_APPROVE, meeting_date="2026-11-24"),
               cst(2026, 11, 24))
    c.complete("post_publicity", dict(PUBLICITY, publicity_start="2026-11-24"),
               cst(2026, 11, 24, 11))
    c.fire(cst(2026, 11, 28, 23, 59))
    assert c.open_names() == ["publicity_objections"]
    c.fire(cst(2026, 11, 29, 0, 1))
    assert c.open_names() == ["township_review"]
    c.complete("township_review", TOWNSHIP_APPROVE, cst(2026, 11, 29))
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 30))
    c.after_approval(cst(2026, 12, 1))
    assert (c.case.status, c.case.outcome) == ("completed", "approved")
    c.assert_verified()
    assert c.events().count("timer_fired") == 2


def test_county_returns_to_township_review(eng, start):
    c = start()
    c.to_county_approval()
    reason = "请补充实地核查记录"
    created = c.complete("county_approval", dict(decision="return", reason=reason),
                         cst(2026, 11, 24))
    assert [i.task_name for i in created] == ["township_review"]
    reviews = [i for i in c.items() if i.task_name == "township_review"]
    assert [i.status for i in reviews] == ["completed", "open"]
    assert_item(reviews[1], "township", TOWNSHIP1)
    # a return is not a decision: the 15-day limit is still running
    assert c.case.deadline_met_at is None

    returned = [e for e in c.trail() if e.event == "returned"]
    county1 = c.users["county1"]
    assert [(e.task_name, e.data, e.actor_id, e.actor) for e in returned] == [
        ("county_approval", {"reason": reason}, county1.id, county1.name)]

    c.complete("township_review", TOWNSHIP_APPROVE, cst(2026, 11, 25))
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 26))
    assert c.case.deadline_met_at == cst(2026, 11, 26)
    c.after_approval(cst(2026, 11, 27))
    assert (c.case.status, c.case.outcome) == ("completed", "approved")
    c.assert_verified()


def test_objection_upheld(eng, start):
    c = start()
    c.to_publicity()
    c.complete("publicity_objections", dict(objector="赵六", objection_content="该户在县城有商品房",
                                            lodged_date="2026-11-19"), cst(2026, 11, 19))
    assert c.open_names() == ["investigate_objection"]
    assert_item(c.item("investigate_objection"), "village", VILLAGE11)
    # the publicity timer went with the objection item: the end of publicity skips nothing
    c.fire(PUBLICITY_END + timedelta(days=1))
    assert c.open_names() == ["investigate_objection"]
    assert "timer_fired" not in c.events()

    reason = "查实隐瞒资产"
    c.complete("investigate_objection", dict(findings="查实该户在县城有商品房一套",
                                             objection_result="upheld", reason=reason),
               cst(2026, 11, 24))
    case = c.case
    assert (case.status, case.outcome, case.outcome_reason) == (
        "rejected", "objection_upheld", reason)
    assert c.open_names() == []
    c.assert_verified()
    assert c.events()[-1] == "case_ended"
    assert c.trail()[-1].data["outcome"] == "objection_upheld"


def test_objection_dismissed_continues_after_publicity(eng, start):
    c = start()
    c.to_publicity()
    c.complete("publicity_objections", dict(objector="赵六", objection_content="该户收入高",
                                            lodged_date="2026-11-19"), cst(2026, 11, 19))
    c.complete("investigate_objection", dict(findings="经核实收入情况属实",
                                             objection_result="dismissed", reason="异议不成立"),
               cst(2026, 11, 20))
    # back in the publicity period, waiting out the SAME period
    assert [p.open for p in c.periods()] == [True]
    assert c.case.status == "running"
    waiting = c.timers(TIMERS.c.kind == "bpmn_timer", TIMERS.c.fired_at.is_(None))
    assert [t.due_at for t in waiting] == [PUBLICITY_END]

    c.fire(PUBLICITY_END - timedelta(minutes=1))
    assert c.open_names() == ["publicity_objections"]
    c.fire(PUBLICITY_END + timedelta(minutes=1))
    assert c.open_names() == ["township_review"]
    assert_item(c.item("township_review"), "township", TOWNSHIP1)

    c.complete("township_review", TOWNSHIP_APPROVE, cst(2026, 11, 23))
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 24))
    c.after_approval()
    assert (c.case.status, c.case.outcome) == ("completed", "approved")
    c.assert_verified()
    events = c.events()
    assert "timer_fired" in events and events[-1] == "case_ended"
    assert [e.task_name for e in c.trail() if e.event == "task_completed"][:5] == [
        "home_check", "village_review", "post_publicity", "publicity_objections",
        "investigate_objection"]


def test_green_channel(eng, start):
    c = start(**GREEN)
    assert sorted(i.task_name for i in c.started_items) == ["home_check", "immediate_aid"]
    assert_item(c.item("immediate_aid"), "township", TOWNSHIP1)
    assert_item(c.item("home_check"), "village", VILLAGE11)
    assert c.item("immediate_aid").due_at == end_of_day(2026, 11, 17)

    created = c.complete("immediate_aid", IMMEDIATE_AID, cst(2026, 11, 16, 11))
    assert [i.task_name for i in created] == ["confirm_aid_village"]
    assert_item(c.item("confirm_aid_village"), "village", VILLAGE11)
    created = c.complete("confirm_aid_village", CONFIRM_VILLAGE, cst(2026, 11, 17, 9))
    assert [i.task_name for i in created] == ["confirm_aid_township"]
    assert_item(c.item("confirm_aid_township"), "township", TOWNSHIP1)

    # the paperwork runs to its very end while the aid branch still waits for the township
    c.to_county_approval()
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 24))
    c.after_approval()
    assert c.open_names() == ["confirm_aid_township"]
    assert c.case.status == "running"
    assert "case_ended" not in c.events()

    c.complete("confirm_aid_township", CONFIRM_TOWNSHIP, cst(2026, 11, 26))
    case = c.case
    assert (case.status, case.outcome) == ("completed", "approved")
    assert c.open_names() == []
    c.assert_verified()
    completed = {e.task_name for e in c.trail() if e.event == "task_completed"}
    assert AID_TASKS <= completed
    assert {"home_check", "county_approval", "aid_plan"} <= completed


def test_green_channel_aid_finished_first_waits_for_paperwork(eng, start):
    c = start(**GREEN)
    c.complete("immediate_aid", IMMEDIATE_AID, cst(2026, 11, 16, 11))
    c.complete("confirm_aid_village", CONFIRM_VILLAGE, cst(2026, 11, 17, 9))
    c.complete("confirm_aid_township", CONFIRM_TOWNSHIP, cst(2026, 11, 17, 10))
    assert c.case.status == "running"
    assert c.open_names() == ["home_check"]
    c.to_county_approval()
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 24))
    c.after_approval()
    assert (c.case.status, c.case.outcome) == ("completed", "approved")
    c.assert_verified()


# =======================================================================================
# The 15-day limit

def test_case_found_16_days_ago_is_overdue(eng, start, identification):
    now = cst(2026, 11, 20, 10)
    c = start(now=now, discovery_date="2026-11-04", late_reason="村干部外出培训，返村后补录")
    case = c.case
    assert case.deadline == end_of_day(2026, 11, 19)
    assert case.deadline < now
    # the sweep marks the case overdue in its trail
    c.fire(now)
    assert "case_overdue" in c.events()
    assert c.case.status == "running"
    c.assert_verified()


def test_overdue_case_items_show_in_overdue_inbox(eng, start, identification):
    now = cst(2026, 11, 20, 10)
    c = start(now=now, discovery_date="2026-11-04", late_reason="村干部外出培训，返村后补录")
    case = c.case
    assert case.deadline < now
    item = c.item("home_check")
    assert item.due_at is not None and item.due_at <= case.deadline
    overdue = eng.inbox(identification["village11"], "overdue", now=now).items
    assert [i.id for i in overdue] == [item.id]


def test_step_opened_by_timer_gets_its_overdue_timer(eng, start):
    c = start()
    c.to_township_review()
    review = c.item("township_review")
    assert review.due_at == end_of_day(2026, 11, 25)     # 2 days for the township
    [row] = rows(eng, select(TIMERS).where(TIMERS.c.work_item_id == review.id))
    assert (row.kind, row.due_at, row.fired_at) == ("task_due", review.due_at, None)
    c.fire(cst(2026, 11, 27))
    overdue = [e for e in c.trail() if e.event == "task_overdue"]
    assert [e.data["work_item"] for e in overdue] == [review.id]
    assert [i.id for i in eng.inbox(c.users["township1"], "overdue",
                                    now=cst(2026, 11, 27)).items] == [review.id]


def test_no_overdue_event_for_item_the_workflow_cancelled(eng, start):
    c = start(**GREEN)
    c.complete("immediate_aid", IMMEDIATE_AID, cst(2026, 11, 16, 11))
    c.complete("confirm_aid_village", CONFIRM_VILLAGE, cst(2026, 11, 17, 9))
    c.to_publicity()
    c.fire(PUBLICITY_END + timedelta(minutes=1))
    c.complete("township_review", TOWNSHIP_APPROVE, cst(2026, 11, 23))
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 24))
    c.after_approval()
    assert c.open_names() == ["confirm_aid_township"]     # the case is still running
    c.fire(cst(2026, 12, 3))                               # after the case deadline
    events = c.trail()
    assert "case_overdue" not in [e.event for e in events]  # the limit was met on the 24th
    overdue_items = [e.data["work_item"] for e in events if e.event == "task_overdue"]
    assert all(c.item_by_id(i).task_name != "publicity_objections" for i in overdue_items)


def test_inbox_views_follow_due_times(eng, start, identification):
    c = start()        # started 2026-11-16 09:00, home_check due 2026-11-19 23:59:59
    item = c.item("home_check")
    v11, v12 = identification["village11"], identification["village12"]
    ids = lambda user, view, now: [i.id for i in eng.inbox(user, view, now=now).items]
    assert ids(v11, "all", cst(2026, 11, 17)) == [item.id]
    assert ids(v11, "unclaimed", cst(2026, 11, 17)) == [item.id]
    assert ids(v11, "overdue", cst(2026, 11, 17)) == []
    assert ids(v11, "today", cst(2026, 11, 19, 8)) == [item.id]
    assert ids(v11, "overdue", cst(2026, 11, 20, 0, 1)) == [item.id]
    assert ids(v12, "all", cst(2026, 11, 17)) == []            # another village sees nothing
    assert ids(identification["township1"], "all", cst(2026, 11, 17)) == []   # other level


# =======================================================================================
# Working-day deadlines (tests/engine/fixtures/working_days.bpmn)

@pytest.fixture
def working_days(deploy, users):
    deploy(WORKING_DAYS_BPMN)
    return users


def _start_working(eng, users, discovery: str, now: datetime) -> Driver:
    return Driver.start(eng, users, now=now, key="working_days", discovery_date=discovery)


@pytest.mark.parametrize("discovery, now, item_due, deadline", [
    # Tue 30 Sep 2025: Oct 1-8 are the National Day holiday, Oct 9, 10 and the adjusted
    # working Saturday Oct 11 are the three working days after it.
    ("2025-09-30", cst(2025, 9, 30, 10), (2025, 10, 11), (2025, 10, 14)),
    # Fri 26 Sep 2025: the adjusted working Sunday Sep 28 counts, Oct 1-8 do not.
    ("2025-09-26", cst(2025, 9, 26, 10), (2025, 9, 30), (2025, 10, 10)),
    # started on a holiday (Oct 3): the first working day after it is Oct 9
    ("2025-10-03", cst(2025, 10, 3, 10), (2025, 10, 11), (2025, 10, 14)),
])
def test_working_day_due_times_across_national_day(eng, working_days, discovery, now,
                                                   item_due, deadline):
    c = _start_working(eng, working_days, discovery, now)
    assert c.case.deadline_from == date.fromisoformat(discovery)
    assert c.case.deadline == end_of_day(*deadline)
    item = c.item("fill")
    assert_item(item, "village", VILLAGE11)
    assert item.due_at == end_of_day(*item_due)
    c.complete("fill", {}, now + timedelta(hours=1), user="village11")
    assert (c.case.status, c.case.outcome) == ("completed", "completed")
    assert c.case.deadline_met_at == now + timedelta(hours=1)
    c.assert_verified()


def test_admin_calendar_override_changes_due_date(eng, working_days):
    now = cst(2025, 9, 30, 10)
    before = _start_working(eng, working_days, "2025-09-30", now)
    assert before.item("fill").due_at == end_of_day(2025, 10, 11)

    # the county declares the adjusted Saturday a rest day after all, and Oct 8 a working day
    eng.set_calendar_day(date(2025, 10, 11), False, "本县调整：10月11日休息",
                         actor=working_days["admin"], now=now)
    after = _start_working(eng, working_days, "2025-09-30", now)
    assert after.item("fill").due_at == end_of_day(2025, 10, 13)
    assert after.case.deadline == end_of_day(2025, 10, 15)
    # the item that already existed keeps its due time
    assert before.item("fill").due_at == end_of_day(2025, 10, 11)

    eng.set_calendar_day(date(2025, 10, 8), True, "本县调整：10月8日上班",
                         actor=working_days["admin"], now=now)
    third = _start_working(eng, working_days, "2025-09-30", now)
    assert third.item("fill").due_at == end_of_day(2025, 10, 10)   # Oct 8, 9, 10


# =======================================================================================
# Bad input: refused with a clear message, nothing changed

def _refused(eng, error, action, match=None):
    """Run ``action``; it must raise ``error`` and leave every row as it was."""
    before, cases_before = counts(eng), case_states(eng)
    with pytest.raises(error, match=match) as caught:
        cold(eng, action)
    assert counts(eng) == before
    assert case_states(eng) == cases_before
    return caught.value


def test_invalid_id_number_is_refused(eng, identification):
    valid = "360799196503124515"     # the demo household 1's number: check digit 5
    wrong = valid[:17] + "6"
    err = _refused(eng, InvalidData, lambda: eng.add_household(
        identification["village11"], "赵四", wrong, VILLAGE11, 3, now=cst(2026, 11, 16)),
        match="check digit")
    assert "id_number" in err.errors and "check digit" in err.errors["id_number"]


def test_missing_required_fields_in_task_form(eng, start):
    c = start()
    item = c.item("home_check")
    err = _refused(eng, InvalidData, lambda: eng.complete(
        item.id, c.users["village11"], {"checkers": ["张三", "李四"]}, now=cst(2026, 11, 16, 15)))
    for field in ("check_date", "income_per_head", "annual_household_income",
                  "out_of_pocket_medical", "major_illness", "disability_grade",
                  "sudden_shock", "rigid_spending", "formerly_poor"):
        assert field in err.errors, field
        assert field in str(err)
    assert "checkers" not in err.errors
    # a rejection needs a reason
    c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    item = c.item("village_review")
    err = _refused(eng, InvalidData, lambda: eng.complete(
        item.id, c.users["village11"], dict(VILLAGE_APPROVE, decision="reject"),
        now=cst(2026, 11, 17)))
    assert "reason" in err.errors
    # the refused attempts did not disturb the case
    c.complete("village_review", VILLAGE_APPROVE, cst(2026, 11, 17))
    assert c.open_names() == ["post_publicity"]
    c.assert_verified()


def test_future_discovery_date_is_refused(eng, identification):
    now = cst(2026, 11, 16, 9)
    err = _refused(eng, InvalidData, lambda: eng.start(
        KEY, identification["village11"], dict(DECLARATION, discovery_date="2026-11-17"),
        now=now))
    assert "discovery_date" in err.errors
    # "today" is the date in China: 01:00 on the 17th in China is still the 16th in UTC
    c = Driver.start(eng, identification, discovery_date="2026-11-17",
                     now=datetime(2026, 11, 16, 17, 0, tzinfo=timezone.utc))
    assert c.case.deadline_from == date(2026, 11, 17)


def test_second_open_case_for_household_is_refused(eng, start):
    first = start()
    err = _refused(eng, Conflict, lambda: eng.start(
        KEY, first.users["village11"], DECLARATION, now=cst(2026, 11, 16, 10)))
    assert str(first.case_id) in str(err) and "household 1" in str(err)
    # another household of the same village may start
    other = start(household_id=2)
    assert (other.case.subject_kind, other.case.subject_id) == ("household", 2)


def test_second_case_allowed_after_first_ended(eng, start):
    first = start()
    first.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    first.complete("village_review", REJECTIONS["village_review"], cst(2026, 11, 17))
    assert first.case.status == "rejected"
    second = start(now=cst(2026, 11, 18), discovery_date="2026-11-18")
    assert second.case_id != first.case_id and second.case.status == "running"


def test_approval_by_wrong_level_is_refused(eng, start):
    c = start()
    c.to_county_approval()
    item = c.item("county_approval")
    err = _refused(eng, Forbidden, lambda: eng.complete(
        item.id, c.users["township1"], COUNTY_APPROVE, now=cst(2026, 11, 24)))
    assert "county" in str(err) and "township" in str(err)
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 24))
    assert c.case.deadline_met_at == cst(2026, 11, 24)


def test_village_user_of_another_village_is_refused(eng, start):
    c = start()
    item = c.item("home_check")
    err = _refused(eng, Forbidden, lambda: eng.complete(
        item.id, c.users["village12"], HOME_CHECK, now=cst(2026, 11, 16, 15)))
    assert VILLAGE11 in str(err)
    # nor may they start a case for a household of another village
    _refused(eng, Forbidden, lambda: eng.start(
        KEY, c.users["village12"], dict(DECLARATION, household_id=2),
        now=cst(2026, 11, 16, 10)))
    # a township user of the other township may not act on the township step either
    c.to_township_review()
    item = c.item("township_review")
    _refused(eng, Forbidden, lambda: eng.complete(
        item.id, c.users["township2"], TOWNSHIP_APPROVE, now=cst(2026, 11, 23)))


def test_completing_completed_item_is_refused(eng, start):
    c = start()
    item = c.item("home_check")
    c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    err = _refused(eng, Conflict, lambda: eng.complete(
        item.id, c.users["village11"], HOME_CHECK, now=cst(2026, 11, 16, 16)))
    assert "already completed" in str(err)


def test_stale_expected_version_is_refused(eng, start):
    c = start(**GREEN)
    opened_at = c.case.version          # both users open their forms at this version
    c.complete("immediate_aid", IMMEDIATE_AID, cst(2026, 11, 16, 11),
               expected_version=opened_at)
    assert c.case.version > opened_at
    item = c.item("home_check")
    err = _refused(eng, Conflict, lambda: eng.complete(
        item.id, c.users["village11"], HOME_CHECK, now=cst(2026, 11, 16, 15),
        expected_version=opened_at))
    assert "reload" in str(err)
    # with the current version it goes through
    c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15),
               expected_version=c.case.version)
    assert c.open_names(True) == ["village_review"]
