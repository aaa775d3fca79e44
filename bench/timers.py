"""The timer sweep: 1,000 due timers among 1,000 pending vs among 1,000,000 pending.

Two SQLite databases (under the temporary folder, deleted at the end) hold 1,000 running
cases, each with one due deadline (step deadlines and case deadlines: firing marks the row,
appends an audit event and moves the case's chain head), and the pending timers of the far
future: 1,000 in the small database, ``--pending`` (default 1,000,000) in the large one,
bulk-inserted. Each round restores both from their templates and fires every due timer with
``Engine.fire_due`` in batches (``DIXIAN_TIMER_BATCH``, default 100: one transaction each),
as one timer worker does. Prints timers/s for both, the ratio large/small of the time per
timer (goal ≤ 1.5×), timers/s of the large one (goal ≥ 500), and the statements sent per
timer (counted with SQLite's trace callback) and timers per CPU second of the worker's
thread, which running SQLite in-process includes: figures a busy machine changes little.

    .venv/bin/python bench/timers.py [--pending N] [--due N] [--rounds R]
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent.resolve()
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from sqlalchemy import event, text  # noqa: E402

from engine import Settings, build_engine, demo  # noqa: E402

BPMN = HERE / "four_tasks.bpmn"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
GOAL_RATIO, GOAL_RATE = 1.5, 500.0


def _time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, due: int, pending: int) -> None:
    """Schema, demo users, ``due`` running cases with a due timer each, ``pending`` future
    timers spread over those cases."""
    eng = build_engine(Settings(database_url=f"sqlite:///{path}"))
    eng.migrate()
    demo.seed(eng, NOW)
    eng.deploy_files([BPMN], None, NOW)
    eng.dispose()
    db = sqlite3.connect(path)
    definition = db.execute("select max(id) from definition_versions").fetchone()[0]
    user = db.execute("select min(id) from users").fetchone()[0]
    started = _time(NOW - timedelta(days=10))
    db.executemany(
        "insert into cases (id, definition_id, process_key, subject_kind, title, area_code, "
        "status, outcome, outcome_reason, started_by, started_at, state, version, audit_seq,"
        " audit_head) values (?, ?, 'four_tasks', 'household', ?, '360799100001', 'running',"
        " '', '', ?, ?, '{}', 1, 0, '')",
        [(n, definition, f"case {n}", user, started) for n in range(1, due + 1)])
    kinds = ("task_due", "case_deadline")
    db.executemany(
        "insert into timers (case_id, kind, due_at, fire_at, attempts, last_error) values "
        "(?, ?, ?, ?, 0, '')",
        ((n, kinds[n % 2], _time(NOW - timedelta(minutes=n % 50 + 1)),
          _time(NOW - timedelta(minutes=n % 50 + 1))) for n in range(1, due + 1)))
    db.executemany(
        "insert into timers (case_id, kind, due_at, fire_at, attempts, last_error) values "
        "(?, 'task_due', ?, ?, 0, '')",
        ((n % due + 1, _time(NOW + timedelta(days=1, seconds=n)),
          _time(NOW + timedelta(days=1, seconds=n))) for n in range(pending)))
    db.commit()
    db.execute("analyze")
    db.close()


def sweep(path: Path) -> tuple[float, float, int, int]:
    """Fire every due timer: (seconds, CPU seconds, timers fired, statements sent). CPU is
    this thread's, which runs SQLite too: on a busy machine it leaves out the waits for a
    core."""
    eng = build_engine(Settings(database_url=f"sqlite:///{path}"))
    sent = [0]

    def checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(lambda _sql: sent.__setitem__(0, sent[0] + 1))
    event.listen(eng.database.pool, "checkout", checkout)
    with eng.transaction(write=False) as tx:  # connect and warm up outside the timing
        tx.conn.execute(text("select count(*) from timers where fired_at is null "
                             "and fire_at < :now"), {"now": NOW}).scalar()
    sent[0] = 0
    fired, began, began_cpu = 0, time.perf_counter(), time.thread_time()
    while True:
        result = eng.fire_due(NOW)
        fired += result.fired
        if result.seen == 0:
            break
        assert not result.failed, result.failed
    elapsed, cpu = time.perf_counter() - began, time.thread_time() - began_cpu
    eng.dispose()
    return elapsed, cpu, fired, sent[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dixian_timers_"))
    try:
        templates = {"small": folder / "small.sqlite", "large": folder / "large.sqlite"}
        build(templates["small"], args.due, args.due)
        build(templates["large"], args.due, args.pending)
        rates: dict[str, list[float]] = {"small": [], "large": []}
        cpu_rates: dict[str, list[float]] = {"small": [], "large": []}
        per_timer = {}
        for _ in range(args.rounds):
            for name, template in templates.items():  # interleaved: the same machine load
                work = folder / f"run_{name}.sqlite"
                shutil.copy(template, work)
                seconds, cpu, fired, sent = sweep(work)
                assert fired == args.due, (name, fired)
                rates[name].append(fired / seconds)
                cpu_rates[name].append(fired / cpu)
                per_timer[name] = sent / fired
                work.unlink()
        small, large = (statistics.median(rates[n]) for n in ("small", "large"))
        cpu_small, cpu_large = (statistics.median(cpu_rates[n]) for n in ("small", "large"))
        print(f"sqlite: {args.due:,} due timers, {args.rounds} rounds (median)")
        for name, count in (("small", args.due), ("large", args.pending)):
            print(f"among {count:,} pending: {statistics.median(rates[name]):,.0f} timers/s, "
                  f"{statistics.median(cpu_rates[name]):,.0f} per CPU second, "
                  f"{per_timer[name]:.1f} statements per timer")
        print(f"ratio (time per timer, large/small) {small / large:.2f}× wall, "
              f"{cpu_small / cpu_large:.2f}× CPU (goal ≤ {GOAL_RATIO}×)")
        print(f"{large:,.0f} timers/s per worker, {cpu_large:,.0f} per CPU second "
              f"(goal ≥ {GOAL_RATE:.0f})")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
