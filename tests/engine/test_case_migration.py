"""Moving running cases to a newer version: allowed when their steps exist in it, refused
per case with the reason otherwise, audited, with a dry run that writes nothing."""
from datetime import timedelta
from pathlib import Path

import pytest

from engine import Forbidden, InvalidData, parsing
from engine.models import AuditEvent, Case, Timer, WorkItem

from support import NOW, rows, run_together, snapshot, workers

STYLES = Path(__file__).parent / "fixtures" / "styles"


def source(name="exclusive_loop.bpmn"):
    bpmn, dmn, forms = parsing.collect_files([STYLES / name])
    return bpmn, dmn, forms


@pytest.fixture
def loop(eng, users):
    """style_return_loop v1; v2: review renamed, its level moved to the county; v3: without
    the draft step. One case at draft, one at review (claimed)."""
    bpmn, dmn, forms = source()
    text = bpmn["exclusive_loop.bpmn"]
    eng.deploy(bpmn, dmn, forms, None, NOW)
    at_draft = eng.start("style_return_loop", users["village11"], {}, NOW)
    at_review = eng.start("style_return_loop", users["village11"], {}, NOW)
    review = eng.complete(at_review.items[0].id, users["village11"], {}, NOW).items[0]
    eng.claim(review.id, users["township1"], NOW)
    v2 = text.replace('name="乡镇审核"', 'name="县级审核"').replace(
        '<spiffworkflow:property name="level" value="township"/><spiffworkflow:property '
        'name="form"', '<spiffworkflow:property name="level" value="county"/>'
        '<spiffworkflow:property name="form"')
    eng.deploy({"exclusive_loop.bpmn": v2}, dmn, forms, None, NOW)
    start, end = v2.index('<bpmn:userTask id="draft"'), v2.index('<bpmn:userTask id="review"')
    v3 = (v2[:start] + v2[end:]).replace('targetRef="draft"', 'targetRef="review"').replace(
        '<bpmn:sequenceFlow id="f3" sourceRef="draft" targetRef="review"/>', '')
    eng.deploy({"exclusive_loop.bpmn": v3}, dmn, forms, None, NOW)
    return at_draft.case.id, at_review.case.id, review.id


def version_of(eng, case_id, users):
    return eng.case(case_id, users["county1"]).definition.version


def test_a_case_moves_when_its_steps_exist_in_the_new_version(eng, users, loop):
    at_draft, at_review, review_item = loop
    later = NOW + timedelta(hours=2)
    report = eng.migrate_cases("style_return_loop", 2, users["admin"], [at_review], now=later)
    moved, = report.cases
    assert (moved.case_id, moved.moved, moved.from_version, moved.to_version) == (
        at_review, True, 1, 2)
    assert version_of(eng, at_review, users) == 2 and version_of(eng, at_draft, users) == 1
    item, = [i for i in eng.case(at_review, users["county1"]).items if i.status == "open"]
    # the same work item, now with the new version's title and level, back to the group
    assert (item.id, item.title, item.level, item.area_code, item.assignee_id) == (
        review_item, "县级审核", "county", "360799", None)
    trail = [e.event for e in eng.case(at_review, users["county1"]).trail]
    assert trail[-1] == "case_migrated" and eng.verify(at_review, users["auditor"]).ok
    last = rows(eng, AuditEvent, AuditEvent.case_id.is_(None))[-1]
    assert (last.event, last.data["moved"], last.actor_name) == ("cases_migrated", [at_review],
                                                                 "admin")
    done = eng.complete(item.id, users["county1"], {"decision": "approve"}, later)
    assert done.items == [] and eng.case(at_review, users["county1"]).case.outcome == "approved"


def test_a_case_whose_current_step_is_gone_is_refused_with_the_reason(eng, users, loop):
    at_draft, at_review, _ = loop
    before = snapshot(eng)
    report = eng.migrate_cases("style_return_loop", 3, users["admin"], now=NOW)
    by_case = {c.case_id: c for c in report.cases}
    assert not by_case[at_draft].moved
    assert by_case[at_draft].reason == "step 村起草 does not exist in version 3"
    # the case at review passed through the draft step: its history names it too
    assert not by_case[at_review].moved and "村起草" in by_case[at_review].reason
    assert snapshot(eng) == before and version_of(eng, at_draft, users) == 1


def test_a_dry_run_reports_and_writes_nothing(eng, users, loop):
    at_draft, at_review, _ = loop
    before, events = snapshot(eng), len(rows(eng, AuditEvent))
    report = eng.migrate_cases("style_return_loop", 2, users["admin"], dry_run=True, now=NOW)
    assert report.dry_run and report.moved == 2
    assert [c.steps for c in report.cases] == [("村起草",), ("县级审核",)]
    assert snapshot(eng) == before and len(rows(eng, AuditEvent)) == events
    assert version_of(eng, at_review, users) == 1


def test_refusals_for_finished_cases_older_versions_and_other_processes(eng, users, loop):
    at_draft, at_review, _ = loop
    eng.cancel(at_draft, users["county1"], "重复", NOW)
    report = eng.migrate_cases("style_return_loop", 2, users["admin"],
                               [at_draft, at_review, 999], now=NOW)
    reasons = {c.case_id: c.reason for c in report.cases}
    assert reasons[at_draft] == f"case {at_draft} is cancelled; only running cases move"
    assert reasons[999] == "case 999 is not a case of style_return_loop"
    assert reasons[at_review] == ""
    again = eng.migrate_cases("style_return_loop", 2, users["admin"], [at_review], now=NOW)
    assert again.cases[0].reason == f"case {at_review} is on version 2, not older than version 2"


def test_only_administrators_migrate(eng, users, loop):
    before = snapshot(eng)
    for name in ("county1", "auditor"):
        with pytest.raises(Forbidden, match="may not migrate"):
            eng.migrate_cases("style_return_loop", 2, users[name], now=NOW)
    with pytest.raises(Forbidden):
        eng.migrate_cases("style_return_loop", 2, None, now=NOW)
    with pytest.raises(InvalidData):
        eng.migrate_cases("style_return_loop", 2, users["admin"], ["1"], now=NOW)
    assert snapshot(eng) == before


def test_a_waiting_timer_keeps_its_time_and_later_steps_follow_the_new_version(eng, users):
    bpmn, dmn, forms = source("timer_events.bpmn")
    eng.deploy(bpmn, dmn, forms, None, NOW)
    case_id = eng.start("style_timers", users["village11"], {}, NOW).case.id
    due = [t.due_at for t in rows(eng, Timer, Timer.case_id == case_id)]
    text = bpmn["timer_events.bpmn"].replace('name="再次入户"', 'name="第二次入户"')
    eng.deploy({"timer_events.bpmn": text}, dmn, forms, None, NOW)
    eng.migrate_cases("style_timers", 2, users["admin"], now=NOW + timedelta(hours=5))
    assert [t.due_at for t in rows(eng, Timer, Timer.case_id == case_id)] == due
    eng.fire_due(NOW + timedelta(days=2, minutes=1))
    item, = rows(eng, WorkItem, WorkItem.case_id == case_id)
    assert item.title == "第二次入户"


def test_two_administrators_migrating_at_once_move_each_case_once(eng, users, loop):
    at_draft, at_review, _ = loop
    reports = []

    def migrate(engine):
        return lambda: reports.append(engine.migrate_cases(
            "style_return_loop", 2, users["admin"], now=NOW))
    assert run_together([migrate(e) for e in workers(eng, 2)]) == []
    moved = sorted(c.case_id for r in reports for c in r.cases if c.moved)
    assert moved == [at_draft, at_review]
    assert [c.version for c in rows(eng, Case)] == [2, 3]  # one move each: one version step
    events = [e.event for e in rows(eng, AuditEvent, AuditEvent.case_id == at_review)]
    assert events.count("case_migrated") == 1
