"""The rules a county is judged by (issue: "a county can trust it"): late approvals counted
as late, dates that hold together, discovery-date limits with the late-entry reason, a step
budget that fits the limit, publicity as a period, and the register of monitoring objects.

Each test drives cases through the engine with persistence (the Driver of
test_identification_cases) on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import Conflict, Forbidden, InvalidData
from engine.errors import SubjectBusy
from engine.procedures.identification import budget
from tests.engine.test_identification_cases import (  # noqa: F401  (fixtures)
    BPMN, COUNTY_APPROVE, HOME_CHECK, PUBLICITY, PUBLICITY_END, TOWNSHIP_APPROVE,
    VILLAGE_APPROVE, Driver, cold, cst, identification, start)


def _refused(action, field: str) -> str:
    with pytest.raises(InvalidData) as err:
        action()
    assert field in err.value.errors, err.value.errors
    return err.value.errors[field]


# --- 1. met or late, with the time --------------------------------------------------------

def test_county_approval_after_the_limit_is_late_with_days(eng, start):
    c = start(now=cst(2026, 11, 16, 9))                # limit: 2026-12-01 24:00
    c.to_county_approval()
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 12, 4, 10))
    brief = eng.case(c.case_id, c.users["auditor"]).case
    assert (brief.deadline_state, brief.days_late) == ("late", 3)     # 超期 3 天
    assert brief.deadline_met_at == cst(2026, 12, 4, 10)


def test_county_rejection_after_the_limit_is_late_too(eng, start):
    c = start()
    c.to_county_approval()
    c.complete("county_approval", dict(decision="reject", reason="不符合纳入条件"),
               cst(2026, 12, 2, 9))
    brief = eng.case(c.case_id, c.users["auditor"]).case
    assert (brief.status, brief.deadline_state, brief.days_late) == ("rejected", "late", 1)


def test_approval_within_the_limit_is_met(eng, start):
    c = start()
    c.to_county_approval()
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 12, 1, 23, 0))
    brief = eng.case(c.case_id, c.users["auditor"]).case
    assert (brief.deadline_state, brief.days_late) == ("met", 0)


def test_running_case_past_the_limit_counts_its_days(eng, start):
    c = start()
    c.to_county_approval()
    brief = eng.case(c.case_id, c.users["auditor"], now=cst(2026, 12, 6, 8)).case
    assert (brief.deadline_state, brief.days_late, brief.overdue) == ("overdue", 5, True)


# --- 2. dates hold together ---------------------------------------------------------------

def test_home_check_before_discovery_is_refused(eng, start):
    c = start()
    item = c.item("home_check")
    message = _refused(lambda: cold(eng, lambda: eng.complete(
        item.id, c.users["village11"], dict(HOME_CHECK, check_date="2026-11-15"),
        now=cst(2026, 11, 16, 15))), "check_date")
    assert message == "不能早于发现日期（2026-11-16）"


def test_review_before_home_check_and_votes_beyond_attendees_are_refused(eng, start):
    c = start()
    c.complete("home_check", dict(HOME_CHECK, check_date="2026-11-17"), cst(2026, 11, 17, 9))
    item = c.item("village_review")
    with pytest.raises(InvalidData) as err:
        cold(eng, lambda: eng.complete(item.id, c.users["village11"], dict(
            VILLAGE_APPROVE, meeting_date="2026-11-16", attendees=10, votes_for=9,
            votes_against=3), now=cst(2026, 11, 17, 15)))
    assert err.value.errors == {
        "meeting_date": "不能早于入户核实日期（2026-11-17）",
        "votes_for": "同意票与反对票之和（12）不能超过参会人数（10）"}
    assert c.open_names() == ["village_review"]              # nothing half-written


def test_back_dated_publicity_is_refused(eng, start):
    """Wrong before: a start of 2026-10-01 entered on 11-16 went to the township at once."""
    c = start()
    c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    c.complete("village_review", VILLAGE_APPROVE, cst(2026, 11, 17))
    item = c.item("post_publicity")
    message = _refused(lambda: cold(eng, lambda: eng.complete(
        item.id, c.users["village11"], dict(PUBLICITY, publicity_start="2026-10-01"),
        now=cst(2026, 11, 17, 16), locale="en")), "publicity_start")
    assert message == ("cannot be before the day it is entered (2026-11-17): publicity is "
                       "not back-dated")
    assert c.open_names() == ["post_publicity"]


def test_publicity_before_the_meeting_is_refused(eng, start):
    c = start(now=cst(2026, 11, 16, 9))
    c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    c.complete("village_review", dict(VILLAGE_APPROVE, meeting_date="2026-11-17"),
               cst(2026, 11, 17))
    item = c.item("post_publicity")
    assert _refused(lambda: cold(eng, lambda: eng.complete(
        item.id, c.users["village11"], dict(PUBLICITY, publicity_start="2026-11-16"),
        now=cst(2026, 11, 16, 16))), "publicity_start") == "不能早于民主评议日期（2026-11-17）"


# --- 3. discovery date: not future, not too old, late entries give a reason -------------

def test_discovery_in_2019_is_refused(eng, identification):
    message = _refused(lambda: Driver.start(eng, identification, discovery_date="2019-05-01"),
                       "discovery_date")
    assert message == "早于 90 天前：发现日期不能早于 2026-08-18"


def test_future_discovery_is_refused(eng, identification):
    _refused(lambda: Driver.start(eng, identification, discovery_date="2026-11-17"),
             "discovery_date")


def test_late_entry_needs_a_reason_and_keeps_it(eng, identification):
    """Found 20 days ago: 0 days left for a 14-day path; the reason is recorded."""
    now = cst(2026, 11, 16, 9)
    message = _refused(lambda: Driver.start(eng, identification, now=now,
                                            discovery_date="2026-10-27"), "late_reason")
    assert message.startswith("剩余 0 天，不足最短办理时间 14 天（入户核实 3 + ")
    c = Driver.start(eng, identification, now=now, discovery_date="2026-10-27",
                     late_reason="农户外出务工，返乡后才申报")
    facts = {f.key: f.value for f in eng.case(c.case_id, identification["auditor"]).facts}
    assert facts["late_reason"] == "农户外出务工，返乡后才申报"


def test_entry_with_the_path_still_fitting_needs_no_reason(eng, identification):
    c = Driver.start(eng, identification, now=cst(2026, 11, 17, 9),
                     discovery_date="2026-11-16")          # 14 days left: fits
    assert c.case.status == "running"


# --- 5. the step budget fits the limit ----------------------------------------------------

def test_default_step_limits_fit_the_15_day_limit(eng, deploy, users):
    row = deploy(BPMN)
    with eng.database.connect() as conn:
        parsed = eng.registry.load(conn, row.id, row.sha256)
    steps = dict(budget(parsed))
    assert steps == {"home_check": 3, "village_review": 1, "post_publicity": 1,
                     "publicity": 5, "township_review": 2, "county_approval": 2}
    days, _kind, _from, _stop = parsed.deadline_rule()
    assert sum(steps.values()) == 14 <= days - 1           # one day of slack


# --- 6. publicity is a period ------------------------------------------------------------

def test_publicity_is_not_a_to_do(eng, start):
    c = start()
    c.to_publicity()
    village = c.users["village11"]
    assert [i.task_name for i in eng.inbox(village, "all", now=cst(2026, 11, 19)).items] == []
    assert eng.counts(village, now=cst(2026, 11, 30))["overdue"] == 0
    [period] = c.periods()
    assert (period.kind, period.first_day, period.last_day) == ("publicity", "2026-11-18",
                                                                "2026-11-22")


def test_township_lodges_an_objection_county_cannot(eng, start):
    c = start()
    c.to_publicity()
    objection = dict(objector="赵六", objection_content="该户收入高", lodged_date="2026-11-19")
    with pytest.raises(Forbidden):
        cold(eng, lambda: eng.lodge(c.case_id, "publicity_objections", c.users["county1"],
                                    objection, now=cst(2026, 11, 19)))
    c.complete("publicity_objections", objection, cst(2026, 11, 19), user="township1")
    assert c.open_names() == ["investigate_objection"]


def test_no_objection_after_the_period(eng, start):
    c = start()
    c.to_township_review()
    with pytest.raises(Conflict):
        cold(eng, lambda: eng.lodge(c.case_id, "publicity_objections", c.users["village11"],
                                    dict(objector="赵六", objection_content="迟到的异议",
                                         lodged_date="2026-11-23"), now=cst(2026, 11, 23)))


# --- 7. the register ---------------------------------------------------------------------

def _approve(c):
    c.to_county_approval()
    c.complete("county_approval", COUNTY_APPROVE, cst(2026, 11, 24))
    c.after_approval()


def test_approval_takes_the_household_into_the_register(eng, start):
    c = start()
    _approve(c)
    entry = eng.register_entry(1, c.users["county1"], now=cst(2026, 11, 26))
    m = entry.monitoring
    assert (m.status, m.object_type, m.risk_types, m.identified_case_id) == (
        "monitoring", "边缘易致贫户", ["01"], c.case_id)
    assert (m.helper_name, m.helper_unit, m.aid_measures) == (
        "王五", "县农业农村局", ["health", "comprehensive_protection"])
    assert [b.id for b in entry.cases] == [c.case_id]


def test_monitored_household_cannot_be_declared_again(eng, start, identification):
    """Wrong before: an approved household could be declared again at once."""
    c = start()
    _approve(c)
    with pytest.raises(SubjectBusy) as err:
        Driver.start(eng, identification, now=cst(2026, 11, 27), discovery_date="2026-11-27")
    assert err.value.case_id == c.case_id


def test_household_with_a_running_case_names_it(eng, start, identification):
    c = start()
    with pytest.raises(SubjectBusy) as err:
        Driver.start(eng, identification, now=cst(2026, 11, 16, 10))
    assert err.value.case_id == c.case_id


def test_rejected_household_is_not_in_the_register(eng, start):
    c = start()
    c.complete("home_check", HOME_CHECK, cst(2026, 11, 16, 15))
    c.complete("village_review", dict(VILLAGE_APPROVE, decision="reject", reason="收入高"),
               cst(2026, 11, 17))
    assert eng.register_entry(1, c.users["county1"]).monitoring is None


def test_members_and_income_give_the_per_capita_figure(eng, users):
    village = users["village11"]
    eng.set_members(1, village, [
        dict(name="张大山", relation="head", sex="male", health="major_illness",
             disability_grade=0, labour_capacity="ordinary", id_number="11010519491231002X"),
        dict(name="李秀英", relation="spouse", sex="female", health="healthy",
             labour_capacity="weak"),
        dict(name="张小明", relation="child", sex="male", labour_capacity="none",
             schooling="junior")], now=cst(2026, 11, 16))
    income = eng.record_income(1, village, "2026-10-31", dict(
        wage=12000, business=6000, property=300, transfer=2400, business_expense=2700,
        medical_out_of_pocket=30000), now=cst(2026, 11, 16))
    assert (str(income.net_income), str(income.per_capita), str(income.rigid_spending)) == (
        "18000.00", "6000.00", "30000.00")
    entry = eng.register_entry(1, users["county1"])
    assert [m.masked_id for m in entry.members][0] == "110105********002X"
    assert entry.household.members == 3 and entry.income.per_capita == income.per_capita


def test_member_list_needs_one_head_and_known_values(eng, users):
    with pytest.raises(InvalidData) as err:
        eng.set_members(1, users["village11"], [dict(name="张大山", relation="boss",
                                                     labour_capacity="ordinary")])
    assert "members.0.relation" in err.value.errors


def test_register_outside_the_area_is_refused(eng, users):
    with pytest.raises(Forbidden):
        eng.record_income(1, users["village12"], "2026-10-31", {}, now=cst(2026, 11, 16))


def test_publicity_end_is_kept_after_the_period(eng, start):
    c = start()
    c.to_publicity()
    c.fire(PUBLICITY_END + timedelta(minutes=1))
    c.complete("township_review", TOWNSHIP_APPROVE, cst(2026, 11, 23))
    facts = {f.key: f.value for f in eng.case(c.case_id, c.users["auditor"]).facts}
    assert facts["publicity_period"] == "2026-11-18 至 2026-11-22"
