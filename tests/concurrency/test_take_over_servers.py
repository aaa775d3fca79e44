"""接管 under concurrent clients on gunicorn with two workers: for each claimed item the
lead takes it over, an administrator hands it to a colleague, and its holder completes it, all at once. Exactly
one of the three wins each item, the others are told 403 or 409, never a 500."""
from __future__ import annotations

import http.client
from collections import Counter
from contextlib import closing
from datetime import datetime, timezone

from engine import demo
from engine.models import AuditEvent, WorkItem

from concurrency.servers import together
from support import rows

NOW = datetime.now(timezone.utc)
ITEMS = 60


def test_take_overs_and_a_completion_at_once_have_one_winner_per_item(eng, users, deploy,
                                                                      server):
    deploy("bench/four_tasks.bpmn")
    holder = users["village11"]
    eng.add_user("village11lead", "village", "360799100001", demo.PASSWORD, "staff,lead",
                 now=NOW)
    colleague = eng.add_user("village11b", "village", "360799100001", demo.PASSWORD, now=NOW)
    items = []
    for _ in range(ITEMS):
        item = eng.start("four_tasks", holder, {}, NOW).items[0]
        eng.claim(item.id, holder, NOW)
        items.append(item.id)
    app = server(workers=2)
    won, statuses = Counter(), Counter()

    def client(username, path, body):
        def run():
            token = app.token(username, demo.PASSWORD)
            with closing(http.client.HTTPConnection("127.0.0.1", app.port, timeout=60)) as conn:
                for item_id in items:
                    status, answer = app.request("POST", f"/api/v1/tasks/{item_id}/{path}",
                                                 body, token, connection=conn)
                    statuses[status] += 1
                    if status == 200:
                        won[item_id] += 1
                    else:
                        assert status in (403, 409) and answer["error"], answer
        return run

    take = {"reason": "同时接管", "holder": holder.id}
    assert together([client("village11lead", "take-over", take),
                     client("admin", "take-over", dict(take, to_user=colleague.id)),
                     client("village11", "complete", {"data": {"step": 1},
                                                      "case_version": 1})]) == []
    assert statuses[500] == 0 and statuses[200] == ITEMS, statuses
    assert set(won.values()) == {1} and len(won) == ITEMS
    done = {r.id: r for r in rows(eng, WorkItem, WorkItem.id.in_(items))}
    taken = rows(eng, AuditEvent, AuditEvent.event == "taken_over")
    completed = [i for i in items if done[i].status == "completed"]
    assert len(taken) + len(completed) == ITEMS
    assert {e.work_item_id for e in taken}.isdisjoint(completed)
    for event in taken:
        assert done[event.work_item_id].assignee_id == event.data["to"]
