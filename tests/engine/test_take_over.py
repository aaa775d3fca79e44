"""Take-over (接管) of a claimed work item by an administrator or the lead of its level and
area: a reason is required, the trail records who took it from whom and why, the former
holder is told; two take-overs, or a take-over and a completion, at once have one winner."""
import pytest

from engine import Conflict, Forbidden, InvalidData, NotFound
from engine.models import AuditEvent, WorkItem
from engine.supervision_models import Notification

from support import NOW, rows, run_together, workers

PASSWORD = "long-enough-pw"


@pytest.fixture
def held(eng, deploy, users):
    """A four-task case whose first item village11 has claimed; a lead and a colleague."""
    deploy("bench/four_tasks.bpmn")
    lead = eng.add_user("village11lead", "village", "360799100001", PASSWORD, "staff,lead",
                        "东山村 支书", now=NOW)
    colleague = eng.add_user("village11b", "village", "360799100001", PASSWORD, now=NOW)
    started = eng.start("four_tasks", users["village11"], {}, NOW)
    item = started.items[0]
    eng.claim(item.id, users["village11"], NOW)
    return dict(users, lead=lead, colleague=colleague, item=item, case=started.case)


def trail(eng, case_id):
    return rows(eng, AuditEvent, AuditEvent.case_id == case_id, order=AuditEvent.seq)


def holder(eng, item_id):
    return rows(eng, WorkItem, WorkItem.id == item_id)[0].assignee_id


def test_the_lead_takes_a_claimed_item_to_themself_with_a_reason(eng, held):
    item, lead = held["item"], held["lead"]
    taken = eng.take_over(item.id, lead, " 村委会主任住院，由支书接办 ", now=NOW)
    assert taken.assignee_id == lead.id and holder(eng, item.id) == lead.id
    event = trail(eng, held["case"].id)[-1]
    assert event.event == "taken_over" and event.actor_id == lead.id
    assert event.data == {"from": held["village11"].id, "to": lead.id,
                          "reason": "村委会主任住院，由支书接办"}
    assert event.comment == "村委会主任住院，由支书接办" and event.work_item_id == item.id
    assert eng.verify(held["case"].id).ok
    told = rows(eng, Notification, Notification.kind == "taken_over")
    assert [n.user_id for n in told] == [held["village11"].id]
    # The former holder may no longer complete it; the lead may.
    with pytest.raises(Forbidden, match="claimed by another user"):
        eng.complete(item.id, held["village11"], {"step": 1}, NOW)
    eng.complete(item.id, lead, {"step": 1}, NOW)


def test_an_administrator_hands_it_to_a_colleague_or_back_to_the_group(eng, held):
    item, admin = held["item"], held["admin"]
    handed = eng.take_over(item.id, admin, "长期外出", to_user=held["colleague"].id, now=NOW)
    assert handed.assignee_id == held["colleague"].id
    told = {n.user_id for n in rows(eng, Notification, Notification.kind == "taken_over")}
    assert told == {held["village11"].id, held["colleague"].id}
    released = eng.take_over(item.id, admin, "交回待领取", now=NOW)
    assert released.assignee_id is None  # an administrator does not act on items
    assert [e.data["to"] for e in trail(eng, held["case"].id)
            if e.event == "taken_over"] == [held["colleague"].id, None]
    eng.claim(item.id, held["colleague"], NOW)
    with pytest.raises(Forbidden, match="does not work at the village level"):
        eng.take_over(item.id, admin, "x", to_user=held["village12"].id, now=NOW)


@pytest.mark.parametrize("who, match", [
    ("colleague", "neither an administrator nor the lead"),
    ("auditor", "neither an administrator nor the lead"),
    ("township1", "neither an administrator nor the lead"),
    ("village11", "not claimed by another user"),
])
def test_others_may_not_take_over(eng, held, who, match):
    with pytest.raises(Forbidden, match=match):
        eng.take_over(held["item"].id, held[who], "原因", now=NOW)
    assert holder(eng, held["item"].id) == held["village11"].id
    assert trail(eng, held["case"].id)[-1].event == "claimed"


def test_a_lead_of_another_village_or_level_may_not_take_over(eng, held):
    other = eng.add_user("village12lead", "village", "360799100002", PASSWORD, "staff,lead",
                         now=NOW)
    upper = eng.add_user("township1lead", "township", "360799100", PASSWORD, "staff,lead",
                         now=NOW)
    with pytest.raises(Forbidden, match="outside"):
        eng.take_over(held["item"].id, other, "原因", now=NOW)
    with pytest.raises(Forbidden, match="is for the village level"):
        eng.take_over(held["item"].id, upper, "原因", now=NOW)


def test_a_take_over_from_someone_who_no_longer_holds_it_is_stale(eng, held):
    item = held["item"]
    eng.reassign(item.id, held["village11"], held["colleague"].id, NOW)
    with pytest.raises(Conflict, match="no longer held"):
        eng.take_over(item.id, held["lead"], "原因", now=NOW, holder=held["village11"].id)
    assert holder(eng, item.id) == held["colleague"].id


def test_a_reason_is_required_and_nothing_is_written_without_one(eng, held):
    for reason in ("", "   ", None, "长" * 501):
        with pytest.raises(InvalidData, match="reason"):
            eng.take_over(held["item"].id, held["lead"], reason, now=NOW)
    assert holder(eng, held["item"].id) == held["village11"].id
    with pytest.raises(NotFound):
        eng.take_over(999_999, held["lead"], "原因", now=NOW)


def test_an_unclaimed_or_completed_item_cannot_be_taken_over(eng, held):
    item = held["item"]
    eng.unclaim(item.id, held["village11"], NOW)
    with pytest.raises(Forbidden, match="nothing to take over"):
        eng.take_over(item.id, held["lead"], "原因", now=NOW)
    eng.complete(item.id, held["village11"], {"step": 1}, NOW)
    with pytest.raises(Conflict, match="already completed"):
        eng.take_over(item.id, held["lead"], "原因", now=NOW)


def test_two_take_overs_at_once_have_one_winner(eng, held):
    """The lead and the administrator take over the same item at once: one wins, the other
    is told the item changed (the claim is no longer the colleague's), the trail is one."""
    item = held["item"]
    outcome = []

    def taker(engine, actor, to_user):
        def run():
            try:
                engine.take_over(item.id, actor, "同时接管", to_user=to_user, now=NOW,
                                 holder=held["village11"].id)
                outcome.append(actor.username)
            except (Conflict, Forbidden) as err:
                outcome.append(type(err).__name__)
        return run

    first, second = workers(eng, 2)
    assert run_together([taker(first, held["lead"], None),
                         taker(second, held["admin"], held["colleague"].id)]) == []
    assert sorted(outcome) in (["Conflict", "admin"], ["Conflict", "village11lead"]), outcome
    taken = [e for e in trail(eng, held["case"].id) if e.event == "taken_over"]
    assert len(taken) == 1 and holder(eng, item.id) == taken[0].data["to"]
    assert eng.verify(held["case"].id).ok


def test_a_take_over_and_a_completion_at_once_have_one_winner(eng, held):
    item = held["item"]
    outcome = []

    def completer(engine):
        def run():
            try:
                engine.complete(item.id, held["village11"], {"step": 1}, NOW)
                outcome.append("completed")
            except (Conflict, Forbidden):
                # the take-over came first: seen when reading the item (no longer the
                # completer's to act on) or at the guarded write (someone acted first)
                outcome.append("refused")
        return run

    def taker(engine):
        def run():
            try:
                engine.take_over(item.id, held["lead"], "接管", now=NOW,
                                 holder=held["village11"].id)
                outcome.append("taken")
            except (Conflict, Forbidden):
                outcome.append("refused")
        return run

    first, second = workers(eng, 2)
    assert run_together([completer(first), taker(second)]) == []
    assert sorted(outcome) in (["refused", "taken"], ["completed", "refused"]), outcome
    events = [e.event for e in trail(eng, held["case"].id)]
    done = rows(eng, WorkItem, WorkItem.id == item.id)[0]
    if "completed" in outcome:
        assert done.status == "completed" and done.completed_by == held["village11"].id
        assert "taken_over" not in events[events.index("task_completed"):]
    else:
        assert done.status == "open" and done.assignee_id == held["lead"].id
    assert eng.verify(held["case"].id).ok
