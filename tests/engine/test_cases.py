"""Cases through the engine: start, complete, conflicts, area scoping, claims, round trips."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import audit, cases, definitions, directory, runtime, work_items
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.models import AuditEvent, Case, Timer, WorkItem

from support import NOW

REVIEW = Path(__file__).parent / "fixtures" / "review.bpmn"


@pytest.fixture
def review(deploy, users):
    """The review fixture process deployed, with the demo users."""
    deploy("tests/engine/fixtures/review.bpmn")
    return users


def open_items(db, case_id):
    return db.scalars(select(WorkItem).where(WorkItem.case_id == case_id,
                                             WorkItem.status == "open")).all()


def snapshot(db):
    """Counts that must not move when an operation is refused."""
    return (db.scalar(select(func.count()).select_from(Case)),
            db.scalar(select(func.count()).select_from(WorkItem).where(
                WorkItem.status == "open")),
            db.scalar(select(func.count()).select_from(AuditEvent)),
            db.scalar(select(func.sum(Case.version))))


def start(db, user, **data):
    case, items = cases.start_case(db, "review", user, data, NOW)
    db.commit()
    return case, items


def step(db, item, user, data, at=NOW, **kw):
    items = cases.complete(db, item.id, user, data, at, **kw)
    db.commit()
    runtime.CACHE.clear()  # the next step restores the workflow from the database
    return items


def test_start_opens_the_first_item_in_the_village(db, review):
    case, items = start(db, review["village11"])
    assert case.status == "running" and case.area_code == "360799100001"
    assert [(i.task_name, i.level, i.area_code) for i in items] == [
        ("declare", "village", "360799100001")]
    assert [e.event for e in audit.trail(db, case.id)] == ["case_started"]


def test_full_path_with_persistence_round_trip(db, review):
    case, items = start(db, review["village11"])
    items = step(db, items[0], review["village11"], {"note": "因病"})
    assert [(i.task_name, i.area_code) for i in items] == [("township_review", "360799100")]
    assert items[0].due_at is not None
    items = step(db, items[0], review["township1"], {"decision": "approve"})
    assert [(i.task_name, i.level, i.area_code) for i in items] == [
        ("county_approval", "county", "360799")]
    assert step(db, items[0], review["county1"], {}) == []
    db.expire_all()
    case = db.get(Case, case.id)
    assert (case.status, case.outcome) == ("completed", "approved")
    assert audit.verify(db, case.id).ok
    assert runtime.load_state(definitions.load(db, case.definition_id), case.state).completed


def test_script_task_result_reaches_later_steps(db, review):
    case, items = start(db, review["village11"])
    items = step(db, items[0], review["village11"], {"note": "abc"})
    parsed = definitions.load(db, case.definition_id)
    db.expire_all()
    workflow = runtime.load_state(parsed, db.get(Case, case.id).state)
    ready = list(runtime.ready_user_tasks(workflow).values())[0]
    assert ready.data["score"] == 6 and ready.data["summary"] == {"note": "abc", "score": 6}


def test_return_sends_the_case_back_and_reject_ends_it(db, review):
    case, items = start(db, review["village11"])
    items = step(db, items[0], review["village11"], {"note": "x"})
    with pytest.raises(InvalidData) as err:
        cases.complete(db, items[0].id, review["township1"], {"decision": "return"}, NOW)
    assert "reason" in err.value.errors
    db.rollback()
    items = step(db, items[0], review["township1"], {"decision": "return", "reason": "补材料"})
    assert [i.task_name for i in items] == ["declare"]
    items = step(db, items[0], review["village11"], {"note": "补齐"})
    step(db, items[0], review["township1"], {"decision": "reject", "reason": "不符合条件"})
    db.expire_all()
    case = db.get(Case, case.id)
    assert (case.status, case.outcome, case.outcome_reason) == ("rejected", "rejected",
                                                                "不符合条件")
    events = [e.event for e in audit.trail(db, case.id)]
    assert events.count("returned") == 1 and events.count("rejected") == 1
    assert events[-1] == "case_ended"


def test_stale_version_is_a_conflict_and_changes_nothing(db, review):
    case, items = start(db, review["village11"])
    seen = case.version
    items = step(db, items[0], review["village11"], {"note": "x"})
    before = snapshot(db)
    with pytest.raises(Conflict, match="changed since this form was opened"):
        cases.complete(db, items[0].id, review["township1"], {"decision": "approve"}, NOW,
                       expected_version=seen)
    db.rollback()
    assert snapshot(db) == before


def test_completing_a_completed_item_is_a_conflict(db, review):
    case, items = start(db, review["village11"])
    step(db, items[0], review["village11"], {"note": "x"})
    before = snapshot(db)
    with pytest.raises(Conflict, match="already completed"):
        cases.complete(db, items[0].id, review["village11"], {"note": "y"}, NOW)
    db.rollback()
    assert snapshot(db) == before


def test_area_and_level_scoping(db, review):
    case, items = start(db, review["village11"])
    item = items[0]
    for other in ("village12", "village21"):
        assert work_items.inbox(db, review[other], "all", NOW) == []
        with pytest.raises(Forbidden, match="outside"):
            cases.complete(db, item.id, review[other], {"note": "x"}, NOW)
    for higher in ("township1", "county1"):
        assert work_items.inbox(db, review[higher], "all", NOW) == []
        with pytest.raises(Forbidden, match="village level"):
            cases.complete(db, item.id, review[higher], {"note": "x"}, NOW)
    with pytest.raises(Forbidden, match="no staff role"):
        cases.complete(db, item.id, review["auditor"], {"note": "x"}, NOW)
    assert [i.id for i in work_items.inbox(db, review["village11"], "all", NOW)] == [item.id]
    items = step(db, item, review["village11"], {"note": "x"})
    assert work_items.inbox(db, review["township2"], "all", NOW) == []
    assert [i.id for i in work_items.inbox(db, review["township1"], "all", NOW)] == [
        items[0].id]


def test_claimed_items_belong_to_the_claimer(db, review):
    village12 = review["village12"]
    case, items = cases.start_case(db, "review", village12, {}, NOW)
    db.commit()
    # a second user of the same village
    colleague = directory.add_user(db, "village12b", "village", "360799100002",
                                   "long-enough-pw", now=NOW)
    cases.claim(db, items[0].id, village12, NOW)
    db.commit()
    assert [i.id for i in work_items.inbox(db, village12, "mine", NOW)] == [items[0].id]
    assert work_items.inbox(db, colleague, "unclaimed", NOW) == []
    with pytest.raises(Forbidden, match="claimed by another user"):
        cases.complete(db, items[0].id, colleague, {"note": "x"}, NOW)
    with pytest.raises(Forbidden):
        cases.claim(db, items[0].id, colleague, NOW)
    cases.unclaim(db, items[0].id, village12, NOW)
    db.commit()
    step(db, items[0], colleague, {"note": "x"})
    assert [e.event for e in audit.trail(db, case.id)][:3] == ["case_started", "claimed",
                                                              "unclaimed"]
    assert audit.verify(db, case.id).ok


def test_county_starts_a_case_for_a_village(db, review):
    case, items = cases.start_case(db, "review", review["county1"],
                                   {"area_code": "360799200002"}, NOW)
    assert case.area_code == "360799200002" and items[0].area_code == "360799200002"
    with pytest.raises(InvalidData, match="belongs to a village"):
        cases.start_case(db, "review", review["county1"], {"area_code": "360799200"}, NOW)
    with pytest.raises(Forbidden, match="outside"):
        cases.start_case(db, "review", review["township1"], {"area_code": "360799200002"},
                         NOW)


def test_bad_input_is_refused_and_nothing_written(db, review):
    with pytest.raises(InvalidData, match="JSON object"):
        cases.start_case(db, "review", review["village11"], ["not", "a", "dict"], NOW)
    with pytest.raises(NotFound, match="no process definition 'nope'"):
        cases.start_case(db, "nope", review["village11"], {}, NOW)
    with pytest.raises(NotFound, match="work item 999"):
        cases.complete(db, 999, review["village11"], {}, NOW)
    case, items = start(db, review["village11"])
    before = snapshot(db)
    with pytest.raises(InvalidData) as err:
        cases.complete(db, items[0].id, review["village11"],
                       {"note": "", "id_number": "110101199003070000",
                        "found_on": (NOW + timedelta(days=3)).date().isoformat(), "x": 1}, NOW)
    assert set(err.value.errors) == {"note", "id_number", "found_on", "x"}
    db.rollback()
    assert snapshot(db) == before


def test_cancel_closes_items_and_timers(db, review):
    case, items = start(db, review["village11"])
    items = step(db, items[0], review["village11"], {"note": "x"})
    assert db.scalar(select(func.count()).select_from(Timer)) == 1
    with pytest.raises(Forbidden):
        cases.cancel(db, case.id, review["township1"], "重复申报", NOW)
    cases.cancel(db, case.id, review["county1"], "重复申报", NOW)
    db.commit()
    assert open_items(db, case.id) == []
    assert db.scalar(select(func.count()).select_from(Timer)) == 0
    assert db.get(Case, case.id).status == "cancelled"
    assert audit.verify(db, case.id).ok


def test_running_cases_stay_on_their_version(db, review, deploy):
    old, items = start(db, review["village11"])
    text = REVIEW.read_text(encoding="utf-8").replace('name="计分"', 'name="计分v2"')
    _, dmn, forms = definitions.collect_files([REVIEW])
    row, created = definitions.deploy(db, {"review.bpmn": text}, dmn, forms, None, NOW)
    db.commit()
    assert created and row.version == 2
    new, _ = start(db, review["village11"])
    assert db.get(Case, new.id).definition_id == row.id
    assert db.get(Case, old.id).definition_id != row.id
    step(db, items[0], review["village11"], {"note": "x"})  # still runs on version 1
