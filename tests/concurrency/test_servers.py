"""The default set-up under concurrent clients, as deployed: gunicorn with several workers
and several timer workers sharing one database (SQLite or PostgreSQL, whichever the suite
runs on). No request may fail with a 500; every change lands exactly once."""
from __future__ import annotations

import http.client
from contextlib import closing
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine import demo
from engine.models import AuditEvent, Case, Timer, WorkItem
from engine.supervision_models import Supervision

from concurrency.servers import environment, together
from support import ROOT, count, rows

NOW = datetime.now(timezone.utc)


def test_two_workers_two_clients_complete_different_items_without_a_500(eng, users, deploy,
                                                                       server):
    """Defect: on SQLite, 2 gunicorn workers and 2 clients completing different items got
    42% "database is locked" 500s."""
    deploy("bench/four_tasks.bpmn")
    village = [users["village11"], users["village12"]]
    items = {u.username: [eng.start("four_tasks", u, {}, NOW).items[0].id for _ in range(100)]
             for u in village}
    app = server(workers=2)
    statuses = Counter()

    # one API token per user (a new token replaces the old), shared by its two clients
    tokens = {u.username: app.token(u.username, demo.PASSWORD) for u in village}

    def client(user, share):
        def run():
            token = tokens[user.username]
            with closing(http.client.HTTPConnection("127.0.0.1", app.port, timeout=60)) as conn:
                for item_id in share:
                    status, body = app.request("POST", f"/api/v1/tasks/{item_id}/complete",
                                               {"data": {"step": 1}, "case_version": 1}, token,
                                               connection=conn)
                    statuses[status] += 1
                    assert status == 200, body
        return run

    # two clients per village user, each with half of that user's items
    clients = [client(u, items[u.username][half::2]) for u in village for half in (0, 1)]
    assert together(clients) == []
    assert statuses == {200: 200}
    assert count(eng, WorkItem, WorkItem.status == "completed") == 200


def test_three_users_claiming_the_same_items_have_one_winner_each(eng, users, deploy, server):
    """Defect: on PostgreSQL, 3 users claiming 200 items at once lost 50 claims (two users
    both told 200), got 500s from the audit key and claims logged after completion."""
    deploy("bench/four_tasks.bpmn")
    staff = [users["village11"]] + [
        eng.add_user(f"village11{c}", "village", "360799100001", demo.PASSWORD, now=NOW)
        for c in "bc"]
    items = [eng.start("four_tasks", staff[0], {}, NOW).items[0].id for _ in range(200)]
    app = server(workers=2)
    won, statuses = Counter(), Counter()

    def claimer(user):
        def run():
            token = app.token(user.username, demo.PASSWORD)
            with closing(http.client.HTTPConnection("127.0.0.1", app.port, timeout=60)) as conn:
                for item_id in items:
                    status, body = app.request("POST", f"/api/v1/tasks/{item_id}/claim", {},
                                               token, connection=conn)
                    statuses[status] += 1
                    if status == 200:
                        won[item_id] += 1
                        assert body["item"]["assignee_id"] == user.id
                    else:
                        assert status in (403, 409) and body["error"], body
        return run

    assert together([claimer(u) for u in staff]) == []
    assert statuses[500] == 0 and statuses[200] == 200
    assert set(won.values()) == {1} and len(won) == 200
    holders = {r.id: r.assignee_id for r in rows(eng, WorkItem, WorkItem.id.in_(items))}
    assert all(holder is not None for holder in holders.values())
    claims = rows(eng, AuditEvent, AuditEvent.event == "claimed")
    assert len(claims) == 200


def test_fifty_concurrent_logins_keep_the_global_chain_intact(eng, users, server):
    """Defect: 120 concurrent failed logins forked the global chain (duplicate numbers, a
    permanent false tamper alarm)."""
    app = server(workers=2)
    statuses = Counter()

    def login(n):
        def run():
            password = demo.PASSWORD if n % 2 else "wrong password"
            status, _ = app.request("POST", "/api/v1/tokens",
                                    {"username": f"village{11 + n % 2}", "password": password})
            statuses[status] += 1
        return run

    assert together([login(n) for n in range(50)]) == []
    assert statuses == {201: 25, 401: 25}
    events = Counter(r.event for r in rows(eng, AuditEvent, AuditEvent.case_id.is_(None)))
    assert events["login_failed"] == 25 and events["login"] == 25
    assert eng.verify(None).ok


def worker(db_url: str, log: Path, batch: int = 10) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "worker", "--db", db_url,
                                 "--interval", "0.2", "--batch", str(batch)], cwd=ROOT,
                                env=environment(db_url), stdout=out, stderr=subprocess.STDOUT)


def clone_cases(eng, case_id: int, copies: int) -> list[int]:
    """``copies`` more cases exactly like ``case_id`` (state, timers), written in bulk: how a
    large backlog is built quickly. Each copy's trail starts empty."""
    from sqlalchemy import insert, select

    cases, timers = Case.__table__, Timer.__table__
    with eng.database.begin() as conn:
        source = dict(conn.execute(select(cases).where(cases.c.id == case_id)).one()._mapping)
        source.pop("id")
        conn.execute(insert(cases), [{**source, "audit_seq": 0, "audit_head": ""}] * copies)
        ids = [r.id for r in conn.execute(select(cases.c.id).where(cases.c.id > case_id))]
        waiting = [dict(r._mapping) for r in conn.execute(
            select(timers).where(timers.c.case_id == case_id))]
        conn.execute(insert(timers), [
            {**{k: v for k, v in t.items() if k != "id"}, "case_id": new}
            for new in ids for t in waiting])
    return [case_id, *ids]


def test_timer_workers_one_killed_fire_every_timer_once_and_never_double_a_supervision(
        eng, users, deploy, db_url, tmp_path):
    """A backlog of due timers (10,000 on PostgreSQL, swept by three worker processes; 500
    on SQLite, where one worker runs), one worker killed by SIGKILL in the middle of a batch
    (on SQLite the supervisor starts it again): afterwards every timer has fired exactly
    once, each case's overdue step has exactly one 督办 at the township, and the surviving
    workers are still running."""
    deploy("tests/concurrency/two_timers.bpmn")
    past = NOW - timedelta(days=10)
    data = {"found_on": past.date().isoformat(), "wake_at": (NOW - timedelta(hours=1))
            .isoformat()}
    postgres = eng.database.dialect.name == "postgresql"
    first = eng.start("two_timers", users["village11"], data, past).case.id
    cases = clone_cases(eng, first, 4999 if postgres else 249)
    due = [r.id for r in rows(eng, Timer, Timer.fired_at.is_(None))]
    assert len(due) == (10_000 if postgres else 500)
    batch = 100 if postgres else 10
    workers = [worker(db_url, tmp_path / f"worker{n}.log", batch)
               for n in range(3 if postgres else 1)]
    try:
        deadline = time.monotonic() + 600
        while count(eng, Timer, Timer.fired_at.isnot(None)) < len(due) // 8:
            assert time.monotonic() < deadline, "the workers fired nothing"
            time.sleep(0.05)  # polling other processes, not moving the test's clock
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        if not postgres:  # the supervisor's restart: the dead worker's lease is taken over
            workers.append(worker(db_url, tmp_path / "worker1.log", batch))
        now_due = (Timer.fired_at.is_(None), Timer.fire_at < datetime.now(timezone.utc))
        while count(eng, Timer, *now_due) > 0:
            assert time.monotonic() < deadline, "timers left unfired"
            time.sleep(0.1)
        assert [w.poll() for w in workers[1:]] == [None] * (len(workers) - 1)
    finally:
        for w in workers[1:]:
            w.send_signal(signal.SIGTERM)
            w.wait(timeout=30)
    assert count(eng, Timer, Timer.id.in_(due), Timer.fired_at.isnot(None)) == len(due)
    # Each case: its BPMN timer fired, its deadline marked, the step it opened (due at the
    # passed deadline) marked overdue and supervised by the township: each exactly once.
    fired = Counter((r.case_id, r.event) for r in rows(
        eng, AuditEvent, AuditEvent.event.in_(("timer_fired", "case_overdue", "task_overdue",
                                               "supervision_opened"))))
    assert set(fired.values()) == {1} and len(fired) == 4 * len(cases)
    supervised = Counter(r.case_id for r in rows(eng, Supervision))
    assert set(supervised.values()) == {1} and len(supervised) == len(cases)
    assert {r.level for r in rows(eng, Supervision)} == {"township"}
    assert count(eng, WorkItem, WorkItem.case_id.in_(cases)) == len(cases)
    assert all(eng.verify(c).ok for c in cases[::250])
    logs = "".join(p.read_text() for p in tmp_path.glob("worker*.log")
                   if p.name != "worker0.log")
    assert "Traceback" not in logs, logs[-3000:]
