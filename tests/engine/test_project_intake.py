"""Project library intake (项目库入库) scenarios: the normal path, each rejection and return, a
cross-village start at the township, emergency mode's parallel branches, the performance-target
rule and the campaign deadline. Every step goes through the store and back."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine.errors import Forbidden, InvalidData
from engine.models import Case, Timer
from engine.project_models import Project
from projects_support import (ANNOUNCE, APPRAISAL_APPROVE, COUNTY_APPROVE, INTAKE,
                              TOWNSHIP_APPROVE, VILLAGE_DECISION, after_publicity, open_items,
                              proposal, publicity)
from support import NOW, count, rows, snapshot


@pytest.fixture
def intake(eng, users, deploy):
    deploy(INTAKE)
    return users


def start(eng, user, **changes):
    return eng.start("project_intake", user, proposal(**changes), NOW)


def step(eng, case_id, name, user, data, now=NOW):
    """Complete the open item of step ``name`` (it must be open)."""
    items = open_items(eng, case_id)
    assert name in items, f"{name} is not open; open: {sorted(items)}"
    return eng.complete(items[name], user, data, now)


def to_township(eng, users, case_id):
    step(eng, case_id, "village_decision", users["village11"], VILLAGE_DECISION)
    step(eng, case_id, "village_publicity", users["village11"], publicity())
    eng.fire_due(after_publicity())
    assert set(open_items(eng, case_id)) == {"township_review"}


def to_county(eng, users, case_id):
    to_township(eng, users, case_id)
    step(eng, case_id, "township_review", users["township1"], TOWNSHIP_APPROVE)
    step(eng, case_id, "township_publicity", users["township1"], publicity())
    eng.fire_due(after_publicity())
    assert set(open_items(eng, case_id)) == {"county_appraisal"}


def project(eng, project_id):
    return rows(eng, Project, Project.id == project_id)[0]


def test_normal_path_admits_the_project_to_the_library(eng, intake):
    users = intake
    started = start(eng, users["village11"])
    case_id, project_id = started.case.id, started.case.subject_id
    assert started.case.subject_kind == "project" and started.case.area_code == "360799100001"
    assert project(eng, project_id).status == "proposed"
    assert [i.task_name for i in started.items] == ["village_decision"]
    to_county(eng, users, case_id)
    step(eng, case_id, "county_appraisal", users["county1"], APPRAISAL_APPROVE)
    step(eng, case_id, "county_approval", users["county1"], COUNTY_APPROVE)
    assert project(eng, project_id).status == "proposed"
    step(eng, case_id, "announcement", users["county1"], ANNOUNCE)
    view = eng.case(case_id, users["county1"])
    assert (view.case.status, view.case.outcome) == ("completed", "approved")
    assert view.outcome_label["zh_CN"] == "审定入库"
    admitted = project(eng, project_id)
    assert admitted.status == "admitted" and admitted.admitted_at is not None
    assert admitted.priority is False
    assert eng.verify(case_id).ok
    library = eng.library(users["county1"], {"status": "admitted"})
    assert [p.id for p in library.projects] == [project_id]
    assert library.projects[0].budget_total == 1000000


@pytest.mark.parametrize("where", ["village_decision", "township_review", "county_appraisal",
                                   "county_approval"])
def test_each_level_can_reject(eng, intake, where):
    users = intake
    case_id = start(eng, users["village11"]).case.id
    reject = {"decision": "reject", "reason": "不符合入库条件"}
    if where == "village_decision":
        step(eng, case_id, where, users["village11"], {**VILLAGE_DECISION, **reject})
    elif where == "township_review":
        to_township(eng, users, case_id)
        step(eng, case_id, where, users["township1"], reject)
    else:
        to_county(eng, users, case_id)
        if where == "county_approval":
            step(eng, case_id, "county_appraisal", users["county1"], APPRAISAL_APPROVE)
        step(eng, case_id, where, users["county1"],
             {**(APPRAISAL_APPROVE if where == "county_appraisal" else COUNTY_APPROVE),
              **reject})
    view = eng.case(case_id, users["county1"])
    assert (view.case.status, view.case.outcome_reason) == ("rejected", "不符合入库条件")
    assert project(eng, view.case.subject_id).status == "rejected"
    assert open_items(eng, case_id) == {}
    assert count(eng, Timer, Timer.case_id == case_id, Timer.fired_at.is_(None)) == 0


def test_township_return_is_revised_by_the_village_and_changes_the_record(eng, intake):
    users = intake
    started = start(eng, users["village11"])
    case_id = started.case.id
    to_township(eng, users, case_id)
    step(eng, case_id, "township_review", users["township1"],
         {"decision": "return", "reason": "预算偏高，请核减"})
    assert set(open_items(eng, case_id)) == {"revise_village"}
    step(eng, case_id, "revise_village", users["village11"],
         {"revision_note": "核减设备购置", "budget_central": 700000, "budget_county": 100000})
    revised = project(eng, started.case.subject_id)
    assert revised.budget_total == 80000000 and revised.budget == {
        "central": 70000000, "county": 10000000}
    assert revised.name == "东山村茶叶加工车间"  # what was not given stays
    # The village decides again, publicises again, and the township reviews again.
    assert set(open_items(eng, case_id)) == {"village_decision"}
    to_township(eng, users, case_id)
    assert [e.event for e in eng.trail(case_id, users["county1"])].count("returned") == 1


def test_county_returns_go_one_level_down(eng, intake):
    users = intake
    case_id = start(eng, users["village11"]).case.id
    to_county(eng, users, case_id)
    back = {"decision": "return", "reason": "补充论证材料"}
    step(eng, case_id, "county_appraisal", users["county1"], {**APPRAISAL_APPROVE, **back})
    assert set(open_items(eng, case_id)) == {"township_review"}
    step(eng, case_id, "township_review", users["township1"], TOWNSHIP_APPROVE)
    step(eng, case_id, "township_publicity", users["township1"], publicity())
    eng.fire_due(after_publicity())
    step(eng, case_id, "county_appraisal", users["county1"], APPRAISAL_APPROVE)
    step(eng, case_id, "county_approval", users["county1"], {**COUNTY_APPROVE, **back})
    assert set(open_items(eng, case_id)) == {"county_appraisal"}


def test_a_project_without_performance_targets_cannot_pass(eng, intake):
    users = intake
    started = start(eng, users["village11"], performance_targets=[])
    case_id = started.case.id
    to_township(eng, users, case_id)
    before = snapshot(eng)
    with pytest.raises(InvalidData, match="without performance targets") as refused:
        step(eng, case_id, "township_review", users["township1"], TOWNSHIP_APPROVE)
    assert "decision" in refused.value.errors
    assert snapshot(eng) == before
    # Returned, the village sets targets; then the township may pass it.
    step(eng, case_id, "township_review", users["township1"],
         {"decision": "return", "reason": "请补充绩效目标"})
    step(eng, case_id, "revise_village", users["village11"],
         {"revision_note": "补充绩效目标", "performance_targets": ["带动 60 户增收"]})
    to_township(eng, users, case_id)
    step(eng, case_id, "township_review", users["township1"], TOWNSHIP_APPROVE)
    assert set(open_items(eng, case_id)) == {"township_publicity"}


def test_the_township_checklist_must_hold_to_approve(eng, intake):
    users = intake
    case_id = start(eng, users["village11"]).case.id
    to_township(eng, users, case_id)
    with pytest.raises(InvalidData) as refused:
        step(eng, case_id, "township_review", users["township1"],
             {**TOWNSHIP_APPROVE, "feasible": False})
    assert set(refused.value.errors) == {"feasible"}


def test_cross_village_project_starts_at_the_township(eng, intake):
    users = intake
    before = snapshot(eng)
    with pytest.raises(InvalidData, match="starts at the township"):
        start(eng, users["village11"], cross_village=True)
    with pytest.raises(Forbidden):
        start(eng, users["township2"], cross_village=True, area_code="360799100")
    assert snapshot(eng) == before and count(eng, Project) == 0
    started = start(eng, users["township1"], cross_village=True, area_code="360799100",
                    name="东山镇跨村产业路")
    case_id = started.case.id
    assert started.case.area_code == "360799100"
    assert [(i.task_name, i.area_code) for i in started.items] == [
        ("township_review", "360799100")]
    step(eng, case_id, "township_review", users["township1"],
         {"decision": "return", "reason": "补充受益户名单"})
    assert set(open_items(eng, case_id)) == {"revise_township"}
    step(eng, case_id, "revise_township", users["township1"],
         {"revision_note": "补充受益户", "beneficiary_households": 120})
    assert project(eng, started.case.subject_id).beneficiary_households == 120
    step(eng, case_id, "township_review", users["township1"], TOWNSHIP_APPROVE)
    step(eng, case_id, "township_publicity", users["township1"], publicity())
    eng.fire_due(after_publicity())
    step(eng, case_id, "county_appraisal", users["county1"], APPRAISAL_APPROVE)
    step(eng, case_id, "county_approval", users["county1"], COUNTY_APPROVE)
    step(eng, case_id, "announcement", users["county1"], ANNOUNCE)
    assert project(eng, started.case.subject_id).status == "admitted"
    # The villages never saw a step of it.
    assert eng.inbox(users["village11"]).items == []


def test_county_staff_do_not_propose(eng, intake):
    with pytest.raises(Forbidden, match="proposed by villages and townships"):
        start(eng, intake["county1"], area_code="360799100001")


def test_emergency_mode_runs_publicity_report_and_review_in_parallel(eng, intake):
    users = intake
    started = start(eng, users["village11"], emergency=True, emergency_cause="epidemic")
    case_id, project_id = started.case.id, started.case.subject_id
    assert project(eng, project_id).priority is True
    step(eng, case_id, "village_decision", users["village11"], VILLAGE_DECISION)
    assert set(open_items(eng, case_id)) == {"village_publicity", "township_review",
                                             "county_appraisal"}
    step(eng, case_id, "county_appraisal", users["county1"], APPRAISAL_APPROVE)
    step(eng, case_id, "township_review", users["township1"], TOWNSHIP_APPROVE)
    # Review and appraisal are done; the publicity is not: no approval yet.
    assert set(open_items(eng, case_id)) == {"village_publicity"}
    step(eng, case_id, "village_publicity", users["village11"], publicity())
    assert open_items(eng, case_id) == {}
    eng.fire_due(after_publicity(9))  # the period is not over yet
    assert open_items(eng, case_id) == {}
    eng.fire_due(after_publicity())
    assert set(open_items(eng, case_id)) == {"county_approval"}
    step(eng, case_id, "county_approval", users["county1"], COUNTY_APPROVE)
    step(eng, case_id, "announcement", users["county1"], ANNOUNCE)
    assert project(eng, project_id).status == "admitted"
    library = eng.library(users["county1"], {"emergency": True})
    assert [(p.id, p.priority) for p in library.projects] == [(project_id, True)]


def test_emergency_returns_stay_in_their_branch(eng, intake):
    users = intake
    case_id = start(eng, users["village11"], emergency=True, emergency_cause="disaster").case.id
    step(eng, case_id, "village_decision", users["village11"], VILLAGE_DECISION)
    step(eng, case_id, "village_publicity", users["village11"], publicity())
    eng.fire_due(after_publicity())
    step(eng, case_id, "county_appraisal", users["county1"],
         {**APPRAISAL_APPROVE, "decision": "return", "reason": "补充灾损材料"})
    assert set(open_items(eng, case_id)) == {"township_review", "revise_village"}
    step(eng, case_id, "revise_village", users["village11"], {"revision_note": "已补充"})
    assert set(open_items(eng, case_id)) == {"township_review", "county_appraisal"}
    step(eng, case_id, "county_appraisal", users["county1"], APPRAISAL_APPROVE)
    assert set(open_items(eng, case_id)) == {"township_review"}
    step(eng, case_id, "township_review", users["township1"], TOWNSHIP_APPROVE)
    assert set(open_items(eng, case_id)) == {"county_approval"}
    # After the branches met, a return from the approval goes to the appraisal alone.
    step(eng, case_id, "county_approval", users["county1"],
         {**COUNTY_APPROVE, "decision": "return", "reason": "重新论证"})
    step(eng, case_id, "county_appraisal", users["county1"], APPRAISAL_APPROVE)
    assert set(open_items(eng, case_id)) == {"county_approval"}


def test_cross_village_emergency_publicity_is_the_townships(eng, intake):
    users = intake
    case_id = start(eng, users["township1"], cross_village=True, area_code="360799100",
                    emergency=True, emergency_cause="disaster").case.id
    assert set(open_items(eng, case_id)) == {"township_publicity", "township_review",
                                             "county_appraisal"}


def test_the_open_campaign_sets_the_intake_deadline(eng, intake):
    users = intake
    eng.set_campaign(users["county1"], "2027年度项目库", 2027, 2027, date(2026, 7, 15),
                     date(2026, 11, 30), date(2026, 12, 31), NOW)
    case = start(eng, users["village11"]).case
    assert case.deadline == datetime(2026, 11, 30, 15, 59, 59, tzinfo=timezone.utc)
    # No step is due after the campaign's intake date.
    assert rows(eng, Case, Case.id == case.id)[0].deadline == case.deadline
    other_year = start(eng, users["village11"], year=2029).case
    assert other_year.deadline is None
