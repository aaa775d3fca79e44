"""Risk elimination (风险消除) through the engine: each condition failing and then passing,
the procedure from the village's proposal to the county's decision, the register updated,
the county's rollback (回退), entry into the national system, and writers at once.

Demo data: household 1 (王建国) lives in 东山村 360799100001 (village11, township1).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from engine import Conflict, Forbidden, InvalidData
from engine.errors import SubjectBusy
from engine.register_models import MonitoringEvent, MonitoringObject, NationalEntry
from elimination_support import (KEY, MEMBERS, PROPOSAL, _complete, cst, eliminated,
                                 propose, ready_household, through_publicity, visit)
from support import NOW, count, rows, run_together, snapshot, workers

OBJECTS = MonitoringObject.__table__


@pytest.fixture
def ready(eng, users, deploy):
    """Household 1 meets every condition (see ``elimination_support.ready_household``)."""
    ready_household(eng, users, deploy)
    return users


def refused(eng, users, now=NOW) -> InvalidData:
    before = snapshot(eng)
    with pytest.raises(InvalidData) as caught:
        propose(eng, users, now)
    assert snapshot(eng) == before
    return caught.value


def _drop_august(eng, users):
    from engine.clue_models import HouseholdVisit
    with eng.transaction() as tx:
        tx.conn.execute(HouseholdVisit.__table__.delete().where(
            HouseholdVisit.__table__.c.month == "2026-08"))


def _visit_august(eng, users):
    visit(eng, users, "2026-08-20")


def _low_income(eng, users):
    visit(eng, users, "2026-09-25", income=5200.0)


def _costs(eng, users):
    eng.record_income(1, users["village11"], "2026-10-31", {"wage": 20000,
                                                             "medical_out_of_pocket": 30000},
                      now=NOW)


def _costs_paid(eng, users):
    eng.record_income(1, users["village11"], "2026-11-15", {"wage": 20000,
                                                             "medical_out_of_pocket": 3000},
                      now=NOW)


def _broken_water(eng, users):
    visit(eng, users, "2026-11-18", safe_water=False)


def _water_fixed(eng, users):
    visit(eng, users, "2026-11-19")


def _no_measure(eng, users):
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).values(aid_measures=""))


def _measure(eng, users):
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).values(aid_measures="employment,industry"))


def _no_labour(eng, users):
    eng.set_members(1, users["village11"], [dict(m, labour_capacity="lost") for m in MEMBERS],
                    now=NOW)


def _labour(eng, users):
    eng.set_members(1, users["village11"], MEMBERS, now=NOW)


def _recent(eng, users):
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).values(identified_at=cst(2026, 5, 25)))


@pytest.mark.parametrize("condition, break_it, mend_it, later", [
    ("income_stable", _drop_august, _visit_august, None),
    ("income_stable", _low_income, None, None),
    ("costs_resolved", _costs, _costs_paid, None),
    ("guarantees", _broken_water, _water_fixed, None),
    ("aid_measure", _no_measure, _measure, None),
    ("labour_capacity", _no_labour, _labour, None),
    ("monitored_long_enough", _recent, None, cst(2026, 11, 26)),
])
def test_each_condition_refuses_then_passes(eng, ready, condition, break_it, mend_it, later):
    users = ready
    assert all(c.ok for c in eng.elimination_conditions(1, users["village11"], NOW))
    break_it(eng, users)
    checked = {c.key: c for c in eng.elimination_conditions(1, users["village11"], NOW)}
    assert [k for k, c in checked.items() if not c.ok] == [condition]
    err = refused(eng, users)
    assert f"conditions.{condition}" in err.errors
    assert checked[condition].label() in str(err)
    if mend_it is None and later is None:
        return
    if mend_it is not None:
        mend_it(eng, users)
    started = propose(eng, users, later or NOW)
    assert started.case.status == "running"


def test_a_household_not_monitored_or_with_a_running_case_is_refused(eng, ready):
    users = ready
    with pytest.raises(InvalidData, match="not a monitored") as caught:
        propose(eng, users, household_id=2)
    assert "conditions.monitored" in caught.value.errors
    first = propose(eng, users)
    with pytest.raises(SubjectBusy) as busy:
        propose(eng, users)
    assert busy.value.case_id == first.case.id
    with pytest.raises(Forbidden):
        propose(eng, users, user="village21")


def test_elimination_runs_to_the_county_and_marks_the_register(eng, ready):
    users = ready
    case_id = through_publicity(eng, users)
    periods = eng.periods(case_id, users["auditor"])
    assert [(p.first_day, p.last_day) for p in periods] == [("2026-11-21", "2026-11-25")]
    _complete(eng, users, case_id, "township_review", "township1", {"decision": "approve"},
              cst(2026, 11, 26))
    # a broken guarantee found after the proposal stops the county's approval
    visit(eng, users, "2026-11-20", housing=False)
    with pytest.raises(InvalidData, match="conditions not met") as caught:
        _complete(eng, users, case_id, "county_decision", "county1", {"decision": "approve"},
                  cst(2026, 11, 27))
    assert "conditions.guarantees" in caught.value.errors
    visit(eng, users, "2026-11-20", notes="危房已改造")
    _complete(eng, users, case_id, "county_decision", "county1", {"decision": "approve"},
              cst(2026, 11, 27))
    case = eng.case(case_id, users["county1"])
    assert (case.case.status, case.case.outcome) == ("completed", "approved")
    facts = {f.key: f.value for f in case.facts}
    assert facts["condition_income_stable"].startswith("✔")
    entry = eng.register_entry(1, users["village11"])
    assert entry.monitoring.status == "eliminated"
    assert entry.monitoring.elimination_mode == "assisted"
    assert entry.monitoring.eliminated_at == cst(2026, 11, 27)
    assert case_id in [c.id for c in entry.cases]
    history = eng.monitoring_history(1, users["village11"])
    assert [(h.event, h.case_id, h.mode) for h in history] == [
        ("taken_in", None, ""), ("eliminated", case_id, "assisted")]
    plan = eng.visit_plan(users["village11"], now=NOW)
    assert "王建国" not in [r.head_name for r in plan.rows]


def test_village_rejection_keeps_monitoring(eng, ready):
    users = ready
    case_id = propose(eng, users).case.id
    _complete(eng, users, case_id, "village_review", "village11", {
        "decision": "reject", "reason": "收入尚不稳定", "meeting_date": "2026-11-20",
        "attendees": 20, "votes_for": 3, "votes_against": 17}, NOW)
    assert eng.case(case_id, users["county1"]).case.outcome == "rejected"
    assert eng.register_entry(1, users["village11"]).monitoring.status == "monitoring"


def test_publicity_is_five_to_seven_days(eng, ready):
    users = ready
    case_id = propose(eng, users).case.id
    _complete(eng, users, case_id, "village_review", "village11", {
        "decision": "approve", "meeting_date": "2026-11-20", "attendees": 20, "votes_for": 19,
        "votes_against": 1}, NOW)
    for days in (4, 8):
        with pytest.raises(InvalidData):
            _complete(eng, users, case_id, "post_publicity", "village11", {
                "publicity_start": "2026-11-21", "publicity_place": "村务公开栏",
                "publicity_days": days}, NOW)


def test_county_rolls_back_an_elimination_with_a_reason(eng, ready):
    users = ready
    case_id = eliminated(eng, users)
    with pytest.raises(Forbidden):
        eng.roll_back_elimination(1, users["township1"], "返贫风险", cst(2026, 12, 5))
    with pytest.raises(InvalidData):
        eng.roll_back_elimination(1, users["county1"], "  ", cst(2026, 12, 5))
    assert eng.register_entry(1, users["county1"]).monitoring.status == "eliminated"
    done = eng.roll_back_elimination(1, users["county1"], "家庭成员突发重病，返贫风险未消除",
                                     cst(2026, 12, 5))
    assert done["case_id"] == case_id
    monitoring = eng.register_entry(1, users["county1"]).monitoring
    assert (monitoring.status, monitoring.elimination_mode, monitoring.eliminated_at) == (
        "monitoring", "", None)
    history = eng.monitoring_history(1, users["village11"])
    assert [(h.event, h.reason) for h in history][-1] == (
        "rolled_back", "家庭成员突发重病，返贫风险未消除")
    assert history[-1].actor
    with pytest.raises(Conflict):
        eng.roll_back_elimination(1, users["county1"], "再次回退", cst(2026, 12, 6))
    from engine.models import AuditEvent
    assert count(eng, AuditEvent, AuditEvent.event == "elimination_rolled_back") == 1


def test_national_entry_is_recorded_once_per_approved_case(eng, ready):
    users = ready
    case_id = eliminated(eng, users)
    with pytest.raises(Forbidden):
        eng.record_national_entry(case_id, users["village11"])
    entry = eng.record_national_entry(case_id, users["county1"], "已录入", cst(2026, 11, 28))
    assert (entry.case_id, entry.note) == (case_id, "已录入")
    assert eng.national_entry(case_id, users["township1"]).entered_by == entry.entered_by
    with pytest.raises(Conflict):
        eng.record_national_entry(case_id, users["county1"], now=cst(2026, 11, 28))
    assert count(eng, NationalEntry) == 1


def test_two_county_users_deciding_at_once_one_wins(eng, ready):
    users = ready
    eng.add_user("county2", "county", "360799", "long-enough-pw", now=NOW)
    users = {**users, "county2": eng.find_user("county2")}
    case_id = through_publicity(eng, users)
    _complete(eng, users, case_id, "township_review", "township1", {"decision": "approve"},
              cst(2026, 11, 26))
    item = [i for i in eng.inbox(users["county1"], now=NOW).items if i.case_id == case_id][0]
    first, second = workers(eng, 2)
    errors = run_together([
        lambda: first.complete(item.id, users["county1"], {"decision": "approve"},
                               now=cst(2026, 11, 27)),
        lambda: second.complete(item.id, users["county2"], {"decision": "approve"},
                                now=cst(2026, 11, 27))])
    assert [type(e).__name__ for e in errors] == ["Conflict"]
    assert count(eng, MonitoringEvent, MonitoringEvent.event == "eliminated") == 1
    errors = run_together([
        lambda: first.roll_back_elimination(1, users["county1"], "甲", cst(2026, 12, 1)),
        lambda: second.roll_back_elimination(1, users["county2"], "乙", cst(2026, 12, 1))])
    assert [type(e).__name__ for e in errors] == ["Conflict"]
    assert count(eng, MonitoringEvent, MonitoringEvent.event == "rolled_back") == 1
    assert rows(eng, OBJECTS)[0].status == "monitoring"
    errors = run_together([
        lambda: first.record_national_entry(case_id, users["county1"], now=cst(2026, 12, 2)),
        lambda: second.record_national_entry(case_id, users["county2"], now=cst(2026, 12, 2))])
    assert [type(e).__name__ for e in errors] == ["Conflict"]
    assert count(eng, NationalEntry) == 1


def test_the_periods_come_from_the_deployment_settings():
    """DIXIAN_ELIMINATION_STABLE_MONTHS / _MONITORED_MONTHS set the periods the conditions
    check (6 each by default)."""
    from engine import Settings
    from engine.procedures import PROCEDURES
    elimination = next(p for p in PROCEDURES.values() if "risk_elimination" in p.process_keys)
    default = elimination.configured(Settings())
    assert (default.stable_months, default.monitored_months) == (6, 6)
    chosen = elimination.configured(Settings.from_environment(
        {"DIXIAN_ELIMINATION_STABLE_MONTHS": "9", "DIXIAN_ELIMINATION_MONITORED_MONTHS": "12"}))
    assert (chosen.stable_months, chosen.monitored_months) == (9, 12)
