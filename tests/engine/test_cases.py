"""Cases through the Engine: start, complete, conflicts, area scoping, claims, round trips."""
from datetime import timedelta
from pathlib import Path

import pytest

from engine import Conflict, Forbidden, InvalidData, NotFound
from engine.models import AuditEvent, Case, Timer, WorkItem

from support import NOW, count, rows, snapshot

REVIEW = Path(__file__).parent / "fixtures" / "review.bpmn"


@pytest.fixture
def review(deploy, users):
    """The review fixture process deployed, with the demo users."""
    deploy("tests/engine/fixtures/review.bpmn")
    return users


def start(eng, user, **data):
    return eng.start("review", user, data, NOW)


def step(eng, item, user, data, at=NOW, **kw):
    """Complete an item, then forget the cached workflow: the next step restores it."""
    done = eng.complete(item.id, user, data, at, **kw)
    eng.runner.cache.clear()
    return done.items


def events(eng, case_id):
    return [r.event for r in rows(eng, AuditEvent, AuditEvent.case_id == case_id,
                                  order=AuditEvent.seq)]


def case_row(eng, case_id):
    return rows(eng, Case, Case.id == case_id)[0]


def test_start_opens_the_first_item_in_the_village(eng, review):
    started = start(eng, review["village11"])
    assert started.case.status == "running" and started.case.area_code == "360799100001"
    assert [(i.task_name, i.level, i.area_code) for i in started.items] == [
        ("declare", "village", "360799100001")]
    assert events(eng, started.case.id) == ["case_started"]


def test_full_path_with_persistence_round_trip(eng, review):
    started = start(eng, review["village11"])
    items = step(eng, started.items[0], review["village11"], {"note": "因病"})
    assert [(i.task_name, i.area_code) for i in items] == [("township_review", "360799100")]
    assert items[0].due_at is not None
    items = step(eng, items[0], review["township1"], {"decision": "approve"})
    assert [(i.task_name, i.level, i.area_code) for i in items] == [
        ("county_approval", "county", "360799")]
    assert step(eng, items[0], review["county1"], {}) == []
    case = case_row(eng, started.case.id)
    assert (case.status, case.outcome) == ("completed", "approved")
    assert eng.verify(case.id).ok
    with eng.database.connect() as conn:
        parsed = eng.registry.load(conn, case.definition_id)
    assert eng.runner.load(parsed, case.state).completed


def test_script_task_result_reaches_later_steps(eng, review):
    started = start(eng, review["village11"])
    items = step(eng, started.items[0], review["village11"], {"note": "abc"})
    data = eng.task(items[0].id, review["township1"], NOW).data
    assert data["score"] == 6 and data["summary"] == {"note": "abc", "score": 6}


def test_return_sends_the_case_back_and_reject_ends_it(eng, review):
    started = start(eng, review["village11"])
    items = step(eng, started.items[0], review["village11"], {"note": "x"})
    with pytest.raises(InvalidData) as err:
        eng.complete(items[0].id, review["township1"], {"decision": "return"}, NOW)
    assert "reason" in err.value.errors
    items = step(eng, items[0], review["township1"], {"decision": "return", "reason": "补材料"})
    assert [i.task_name for i in items] == ["declare"]
    items = step(eng, items[0], review["village11"], {"note": "补齐"})
    step(eng, items[0], review["township1"], {"decision": "reject", "reason": "不符合条件"})
    case = case_row(eng, started.case.id)
    assert (case.status, case.outcome, case.outcome_reason) == ("rejected", "rejected",
                                                                "不符合条件")
    trail = events(eng, case.id)
    assert trail.count("returned") == 1 and trail.count("rejected") == 1
    assert trail[-1] == "case_ended"


def test_stale_version_is_a_conflict_and_changes_nothing(eng, review):
    started = start(eng, review["village11"])
    seen = started.case.version
    items = step(eng, started.items[0], review["village11"], {"note": "x"})
    before = snapshot(eng)
    with pytest.raises(Conflict, match="changed since this form was opened"):
        eng.complete(items[0].id, review["township1"], {"decision": "approve"}, NOW,
                     expected_version=seen)
    assert snapshot(eng) == before


def test_completion_returns_the_stored_version(eng, review):
    started = start(eng, review["village11"])
    done = eng.complete(started.items[0].id, review["village11"], {"note": "x"}, NOW,
                        expected_version=started.case.version)
    assert done.case_version == case_row(eng, started.case.id).version == 2


def test_completing_a_completed_item_is_a_conflict(eng, review):
    started = start(eng, review["village11"])
    step(eng, started.items[0], review["village11"], {"note": "x"})
    before = snapshot(eng)
    with pytest.raises(Conflict, match="already completed"):
        eng.complete(started.items[0].id, review["village11"], {"note": "y"}, NOW)
    assert snapshot(eng) == before


def test_area_and_level_scoping(eng, review):
    started = start(eng, review["village11"])
    item = started.items[0]
    for other in ("village12", "village21"):
        assert eng.inbox(review[other], "all", now=NOW).items == []
        with pytest.raises(Forbidden, match="outside"):
            eng.complete(item.id, review[other], {"note": "x"}, NOW)
    for higher in ("township1", "county1"):
        assert eng.inbox(review[higher], "all", now=NOW).items == []
        with pytest.raises(Forbidden, match="village level"):
            eng.complete(item.id, review[higher], {"note": "x"}, NOW)
    with pytest.raises(Forbidden, match="no staff role"):
        eng.complete(item.id, review["auditor"], {"note": "x"}, NOW)
    assert [i.id for i in eng.inbox(review["village11"], "all", now=NOW).items] == [item.id]
    items = step(eng, item, review["village11"], {"note": "x"})
    assert eng.inbox(review["township2"], "all", now=NOW).items == []
    assert [i.id for i in eng.inbox(review["township1"], "all", now=NOW).items] == [
        items[0].id]


def test_permission_is_checked_before_the_form(eng, review):
    """A user outside the area learns nothing about the form, and the check costs nothing."""
    started = start(eng, review["village11"])
    with pytest.raises(Forbidden):
        eng.complete(started.items[0].id, review["village21"], {"x": "y" * 100}, NOW)


def test_claimed_items_belong_to_the_claimer(eng, review):
    village12 = review["village12"]
    started = eng.start("review", village12, {}, NOW)
    colleague = eng.add_user("village12b", "village", "360799100002", "long-enough-pw",
                             now=NOW)
    item = started.items[0]
    eng.claim(item.id, village12, NOW)
    assert [i.id for i in eng.inbox(village12, "mine", now=NOW).items] == [item.id]
    assert eng.inbox(colleague, "unclaimed", now=NOW).items == []
    with pytest.raises(Forbidden, match="claimed by another user"):
        eng.complete(item.id, colleague, {"note": "x"}, NOW)
    with pytest.raises(Forbidden):
        eng.claim(item.id, colleague, NOW)
    eng.unclaim(item.id, village12, NOW)
    step(eng, item, colleague, {"note": "x"})
    assert events(eng, started.case.id)[:3] == ["case_started", "claimed", "unclaimed"]
    assert eng.verify(started.case.id).ok


def test_a_claim_leaves_the_case_version_so_open_forms_stay_valid(eng, review):
    """Defect: a claim raised the case version, so a colleague's open form got a 409."""
    started = start(eng, review["village11"])
    item = started.items[0]
    seen = eng.task(item.id, review["village11"], NOW).case.version
    eng.claim(item.id, review["village11"], NOW)
    eng.attach(started.case.id, review["village11"], "a.pdf", "application/pdf",
               b"%PDF-1.4 x", "minutes", NOW)
    eng.unclaim(item.id, review["village11"], NOW)
    assert case_row(eng, started.case.id).version == seen
    done = eng.complete(item.id, review["village11"], {"note": "x"}, NOW,
                        expected_version=seen)
    assert done.case_version == seen + 1
    assert eng.verify(started.case.id).ok


def test_reassign_hands_the_item_to_a_colleague_of_the_same_area(eng, review):
    started = start(eng, review["village11"])
    colleague = eng.add_user("village11b", "village", "360799100001", "long-enough-pw",
                             now=NOW)
    item = started.items[0]
    with pytest.raises(Forbidden, match="does not work at the village level of area"):
        eng.reassign(item.id, review["village11"], review["village12"].id, NOW)
    handed = eng.reassign(item.id, review["village11"], colleague.id, NOW, comment="请假")
    assert handed.assignee_id == colleague.id
    with pytest.raises(Forbidden, match="claimed by another user"):
        eng.complete(item.id, review["village11"], {"note": "x"}, NOW)
    step(eng, item, colleague, {"note": "x"})
    trail = eng.trail(started.case.id, review["county1"])
    moved = next(e for e in trail if e.event == "reassigned")
    assert moved.data == {"from": None, "to": colleague.id} and moved.comment == "请假"


def test_county_starts_a_case_for_a_village(eng, review):
    started = eng.start("review", review["county1"], {"area_code": "360799200002"}, NOW)
    assert started.case.area_code == "360799200002"
    assert started.items[0].area_code == "360799200002"
    with pytest.raises(InvalidData, match="belongs to a village"):
        eng.start("review", review["county1"], {"area_code": "360799200"}, NOW)
    with pytest.raises(Forbidden, match="outside"):
        eng.start("review", review["township1"], {"area_code": "360799200002"}, NOW)


def test_bad_input_is_refused_and_nothing_written(eng, review):
    with pytest.raises(InvalidData, match="JSON object"):
        eng.start("review", review["village11"], ["not", "a", "dict"], NOW)
    with pytest.raises(NotFound, match="no process definition 'nope'"):
        eng.start("nope", review["village11"], {}, NOW)
    with pytest.raises(NotFound, match="work item 999"):
        eng.complete(999, review["village11"], {}, NOW)
    started = start(eng, review["village11"])
    before = snapshot(eng)
    with pytest.raises(InvalidData) as err:
        eng.complete(started.items[0].id, review["village11"],
                     {"note": "", "id_number": "110101199003070000",
                      "found_on": (NOW + timedelta(days=3)).date().isoformat(), "x": 1}, NOW)
    assert set(err.value.errors) == {"note", "id_number", "found_on", "x"}
    assert snapshot(eng) == before


def test_cancel_closes_items_and_timers(eng, review):
    started = start(eng, review["village11"])
    step(eng, started.items[0], review["village11"], {"note": "x"})
    assert count(eng, Timer) == 1
    with pytest.raises(Forbidden):
        eng.cancel(started.case.id, review["township1"], "重复申报", NOW)
    eng.cancel(started.case.id, review["county1"], "重复申报", NOW)
    assert count(eng, WorkItem, WorkItem.status == "open") == 0
    assert count(eng, Timer, Timer.fired_at.is_(None)) == 0
    assert case_row(eng, started.case.id).status == "cancelled"
    assert eng.verify(started.case.id).ok
    with pytest.raises(Conflict, match="already cancelled"):
        eng.cancel(started.case.id, review["county1"], "again", NOW)


def test_running_cases_stay_on_their_version(eng, review):
    old = start(eng, review["village11"])
    text = REVIEW.read_text(encoding="utf-8").replace('name="计分"', 'name="计分v2"')
    from engine.parsing import collect_files

    _, dmn, forms = collect_files([REVIEW])
    row, created = eng.deploy({"review.bpmn": text}, dmn, forms, None, NOW)
    assert created and row.version == 2
    new = start(eng, review["village11"])
    assert case_row(eng, new.case.id).definition_id == row.id
    assert case_row(eng, old.case.id).definition_id != row.id
    step(eng, old.items[0], review["village11"], {"note": "x"})  # still runs on version 1


def test_a_verb_inside_a_transaction_joins_it(eng, review):
    """The caller owns the transaction: a rollback undoes what the verbs did in it."""
    before = snapshot(eng)
    with pytest.raises(RuntimeError):
        with eng.transaction(write=True):
            start(eng, review["village11"])
            assert count(eng, Case) == before[0]  # not visible outside before commit
            raise RuntimeError("abandon")
    assert snapshot(eng) == before
    with eng.transaction(write=True):
        start(eng, review["village11"])
        start(eng, review["village12"])
    assert count(eng, Case) == before[0] + 2


def test_inbox_filters_by_area_and_process(eng, review, deploy):
    deploy("bench/four_tasks.bpmn")
    county = review["county1"]
    for user in ("village11", "village12"):
        done = eng.complete(start(eng, review[user]).items[0].id, review[user], {"note": "x"},
                            NOW)
        eng.complete(done.items[0].id, review["township1"], {"decision": "approve"}, NOW)
    eng.start("four_tasks", county, {"area_code": "360799200001"}, NOW)
    assert len(eng.inbox(county, now=NOW).items) == 2
    page = eng.inbox(county, now=NOW, area="360799100002")
    assert [i.case_title for i in page.items] == [""] and page.area == "360799100002"
    assert len(eng.inbox(county, now=NOW, process="review").items) == 2
    assert eng.inbox(county, now=NOW, process="four_tasks").items == []
    with pytest.raises(Forbidden, match="outside"):
        eng.inbox(review["township2"], area="360799100")
    with pytest.raises(InvalidData):
        eng.inbox(county, page=0)
