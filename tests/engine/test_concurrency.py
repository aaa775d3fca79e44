"""Concurrent writers through the Engine: claims with one winner, completions that never
fail with "database is locked", trails that never fork. Each thread is a separate Engine
(as each gunicorn worker and timer worker is) on the same database."""
from collections import Counter

import pytest

from engine import Conflict, Forbidden
from engine.models import AuditEvent, WorkItem

from support import NOW, rows, run_together, workers

ROUNDS = 40


@pytest.fixture
def four_tasks(deploy, users):
    deploy("bench/four_tasks.bpmn")
    return users


def test_concurrent_claims_have_one_winner_each(eng, four_tasks):
    """Defect: three users claiming the same items at once lost claims (two told they had
    it), hit the audit unique key, and logged claims after completion."""
    colleagues = [four_tasks["village11"]] + [
        eng.add_user(f"village11{c}", "village", "360799100001", "long-enough-pw", now=NOW)
        for c in "bc"]
    items = [eng.start("four_tasks", colleagues[0], {}, NOW).items[0].id
             for _ in range(ROUNDS)]
    outcome = Counter()
    won: dict[int, list[int]] = {i: [] for i in items}

    def claimer(engine, user):
        def claim_all():
            for item_id in items:
                try:
                    engine.claim(item_id, user, NOW)
                    won[item_id].append(user.id)
                    outcome["won"] += 1
                except (Conflict, Forbidden):
                    outcome["refused"] += 1
        return claim_all

    errors = run_together([claimer(e, u) for e, u in zip(workers(eng, 3), colleagues)])
    assert errors == []
    assert outcome == {"won": ROUNDS, "refused": 2 * ROUNDS}
    holders = {r.id: r.assignee_id for r in rows(eng, WorkItem, WorkItem.id.in_(items))}
    assert all(len(w) == 1 and holders[i] == w[0] for i, w in won.items())
    for item_id in items:
        case_id = rows(eng, WorkItem, WorkItem.id == item_id)[0].case_id
        events = [e.event for e in rows(eng, AuditEvent, AuditEvent.case_id == case_id)]
        assert events == ["case_started", "claimed"] and eng.verify(case_id).ok


def test_concurrent_completions_of_different_items_all_succeed(eng, four_tasks):
    """Defect: on SQLite two workers completing different items got "database is locked"
    (a deferred transaction read, then failed to take the write lock). Write transactions
    now take it as they begin, and wait for it."""
    village = [four_tasks["village11"], four_tasks["village12"]]
    items = {u.id: [eng.start("four_tasks", u, {}, NOW).items[0].id for _ in range(ROUNDS)]
             for u in village}

    def completer(engine, user):
        def complete_all():
            for item_id in items[user.id]:
                engine.complete(item_id, user, {"step": 1}, NOW)
        return complete_all

    errors = run_together([completer(e, u) for e, u in zip(workers(eng, 2), village)])
    assert errors == []
    done = rows(eng, WorkItem, WorkItem.status == "completed")
    assert len(done) == 2 * ROUNDS


def test_a_form_and_a_claim_at_once_never_fork_a_trail(eng, four_tasks):
    """Completion and claim/unclaim of the same case race; the trail stays one chain."""
    user = four_tasks["village11"]
    started = [eng.start("four_tasks", user, {}, NOW) for _ in range(ROUNDS)]
    first, second = workers(eng, 2)

    def complete_all():
        for s in started:
            try:
                first.complete(s.items[0].id, user, {"step": 1}, NOW)
            except Conflict:
                pass

    def claim_all():
        for s in started:
            try:
                second.claim(s.items[0].id, user, NOW)
                second.unclaim(s.items[0].id, user, NOW)
            except Conflict:
                pass

    assert run_together([complete_all, claim_all]) == []
    for s in started:
        assert eng.verify(s.case.id).ok
