"""The timer worker: fires due timers, survives database errors, stops promptly on SIGTERM."""
from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from engine import Settings, Sweep, build_engine
from worker.service import TimerService

from support import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VILLAGE = "360799100001"


def start_waiting_cases(eng, actor, count: int) -> list[int]:
    """Cases of the fixture process whose one-hour timer fell due a day ago."""
    a_day_ago = eng.clock() - timedelta(days=1)
    eng.deploy_files([FIXTURES / "waiting.bpmn"], None, a_day_ago, FIXTURES / "forms")
    return [eng.start("waiting", actor, {}, a_day_ago).case.id for _ in range(count)]


def fired_events(eng, case_ids) -> list[int]:
    """How many times the timer of each case fired, by its trail."""
    return [sum(e.event == "timer_fired" for e in eng.case(case_id).trail)
            for case_id in case_ids]


class Worker:
    """``python -m worker`` in a subprocess, its log lines collected as they come."""

    def __init__(self, *args: str, env: dict | None = None):
        environ = {k: v for k, v in os.environ.items() if not k.startswith("DIXIAN_")}
        self.proc = subprocess.Popen([sys.executable, "-m", "worker", *args], cwd=ROOT,
                                     env={**environ, **(env or {})}, text=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def count(self, words: str) -> int:
        """Log lines that contain ``words``."""
        with self._changed:
            return sum(words in line for line in self.lines)

    def wait_for(self, words: str, times: int = 1, timeout: float = 30) -> None:
        """Wait until ``words`` were logged ``times`` times (the worker must stay up)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(words in line for line in self.lines) < times:
                left = deadline - time.monotonic()
                assert left > 0 and self.proc.poll() is None, (
                    f"no {words!r} x{times} (exit {self.proc.poll()}):\n" + "\n".join(self.lines))
                self._changed.wait(min(left, 0.5))

    def terminate(self, timeout: float = 5) -> int:
        """Send SIGTERM; the exit status, which must come within ``timeout`` seconds."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"still running {timeout}s after SIGTERM:\n"
                                 + "\n".join(self.lines)) from None

    def close(self) -> None:
        """Make sure the process is gone and its pipe closed (test clean-up)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(5)
        self.proc.stderr.close()


@pytest.fixture
def workers():
    """Start workers; any still running at the end of the test are killed."""
    started: list[Worker] = []

    def start(*args, env=None) -> Worker:
        started.append(Worker(*args, env=env))
        return started[-1]
    yield start
    for worker in started:
        worker.close()


def test_fires_due_timers_and_stops_within_seconds_of_sigterm(eng, users, db_url, workers):
    cases = start_waiting_cases(eng, users["village11"], 3)
    # A long interval: SIGTERM must cut the wait between sweeps short, not sit it out.
    worker = workers("--db", db_url, "--interval", "60")
    worker.wait_for("fired 3, skipped 0, failed 0")
    began = time.monotonic()
    assert worker.terminate(timeout=5) == 0
    assert time.monotonic() - began < 5
    assert worker.count("timer service stopped") == 1
    assert eng.counts(users["village11"])["all"] == 3  # each case moved on to 回访
    assert fired_events(eng, cases) == [1, 1, 1]


def test_two_workers_fire_each_timer_once(eng, users, db_url, workers):
    """On PostgreSQL both workers take part; on SQLite the second refuses to start."""
    cases = start_waiting_cases(eng, users["village11"], 12)
    pair = [workers("--db", db_url, "--interval", "0.2", "--batch", "2")]
    pair[0].wait_for("timer service running")
    second = workers("--db", db_url, "--interval", "0.2", "--batch", "2")
    if eng.database.dialect.name == "sqlite":
        assert second.proc.wait(30) == 2 and second.count("SQLite allows one worker") == 1
    else:
        second.wait_for("timer service running")  # both take part, both stop on SIGTERM
        pair.append(second)
    assert len(eng.workers(users["admin"])) == len(pair)  # each running one holds a lease
    deadline = time.monotonic() + 60
    while eng.counts(users["village11"])["all"] < len(cases):
        running = all(worker.proc.poll() is None for worker in pair)
        assert running and time.monotonic() < deadline, "\n".join(pair[0].lines)
        time.sleep(0.2)  # the workers run on their own: look again
    assert [worker.terminate() for worker in pair] == [0] * len(pair)
    assert fired_events(eng, cases) == [1] * len(cases)


def test_a_second_worker_on_sqlite_refuses_to_start(tmp_path, workers):
    url = f"sqlite:///{tmp_path}/one.sqlite"
    eng = build_engine(Settings(database_url=url))
    eng.migrate()
    first = workers("--db", url, "--interval", "0.2")
    first.wait_for("timer service running")
    second = workers("--db", url, "--interval", "0.2")
    assert second.proc.wait(30) == 2
    assert second.count("another timer worker (pid") == 1
    assert second.count("SQLite allows one worker") == 1
    assert first.terminate() == 0
    third = workers("--db", url, "--interval", "0.2")   # the lease ended with the first
    third.wait_for("timer service running")
    assert third.terminate() == 0
    eng.dispose()


def test_a_killed_workers_lease_is_taken_over_by_the_next_one(tmp_path, workers):
    url = f"sqlite:///{tmp_path}/killed.sqlite"
    eng = build_engine(Settings(database_url=url))
    eng.migrate()
    first = workers("--db", url, "--interval", "0.1")
    first.wait_for("timer service running")
    first.proc.kill()              # SIGKILL: no chance to release its lease
    first.proc.wait()
    second = workers("--db", url, "--interval", "0.1")   # as the supervisor restarts it
    second.wait_for("timer service running")
    assert second.terminate() == 0
    eng.dispose()


def test_keeps_running_while_the_database_is_locked(tmp_path, workers):
    path = tmp_path / "locked.sqlite"
    url = f"sqlite:///{path}"
    eng = build_engine(Settings(database_url=url))
    eng.migrate()
    eng.add_area("360799", "示范县")
    eng.add_area("360799100", "东山镇", "360799")
    eng.add_area(VILLAGE, "东山村", "360799100")
    village = eng.add_user("village11", "village", VILLAGE, "a-long-password")
    cases = start_waiting_cases(eng, village, 3)
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
        worker = workers("--db", url, "--interval", "0.2", "--max-backoff", "1",
                         env={"DIXIAN_BUSY_TIMEOUT_MS": "200"})
        worker.wait_for("database is locked", times=2)
        assert worker.proc.poll() is None
        unfired = "SELECT count(*) FROM timers WHERE fired_at IS NULL"
        assert locker.execute(unfired).fetchone() == (3,)
        locker.execute("ROLLBACK")
        worker.wait_for("fired 3, skipped 0, failed 0")
        assert locker.execute(unfired).fetchone() == (0,)
        assert worker.terminate() == 0
    finally:
        locker.close()
    assert fired_events(eng, cases) == [1, 1, 1]
    eng.dispose()


def test_keeps_running_while_the_database_is_unreachable(workers):
    worker = workers("--db", "postgresql://postgres@127.0.0.1:9/dixian", "--interval", "0.1",
                     "--max-backoff", "0.2")
    worker.wait_for("sweep failed (3 in a row): OperationalError")
    assert worker.terminate() == 0


class ScriptedEngine:
    """Stands in for the Engine: each sweep raises or returns the next scripted result."""

    def __init__(self, results):
        self.results, self.calls = list(results), 0

    def fire_due(self, now=None, limit=None):
        self.calls += 1
        result = self.results.pop(0)
        if isinstance(result, BaseException):
            raise result
        return result


class RecordingStop(threading.Event):
    """A stop event that records each wait and returns at once; set after ``after`` waits."""

    def __init__(self, after: int):
        super().__init__()
        self.waits: list[float] = []
        self.after = after

    def wait(self, timeout=None):
        self.waits.append(timeout)
        if len(self.waits) >= self.after:
            self.set()
        return self.is_set()


def locked():
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


def test_every_failed_sweep_is_logged_and_retried_with_doubling_backoff(caplog):
    script = [locked(), ConnectionResetError("server closed the connection"),
              RuntimeError("deadlock detected"), locked(), Sweep(fired=2), Sweep(fired=10),
              Sweep()]
    engine = ScriptedEngine(script)
    service = TimerService(engine, interval=1, batch=10, max_backoff=5)
    service.stop = RecordingStop(after=6)
    with caplog.at_level(logging.INFO, logger="dixian.worker"):
        assert service.run() == 0
    # Backoff 1, 2, 4, capped at 5; after a good sweep the interval; a full batch: no wait.
    assert service.stop.waits == [1, 2, 4, 5, 1, 1]
    assert engine.calls == 7
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 4 and "database is locked" in errors[0]
    assert "ConnectionResetError: server closed the connection" in errors[1]
    assert "fired 2, skipped 0, failed 0" in caplog.text


def test_once_reports_a_failed_sweep():
    service = TimerService(ScriptedEngine([locked()]), interval=1)
    assert service.run(once=True) == 1
    service = TimerService(ScriptedEngine([Sweep(fired=1)]), interval=1)
    assert service.run(once=True) == 0


def test_dixian_timers_fire_and_run_once(cli, eng, users):
    cases = start_waiting_cases(eng, users["village11"], 2)
    code, out = cli("timers", "fire", "--limit", "1", now="2099-01-01T00:00")
    assert (code, out.strip()) == (0, "1 timer(s) fired")
    code, out = cli("timers", "run", "--once", now="2099-01-01T00:00")
    assert code == 0, out
    assert fired_events(eng, cases) == [1, 1]


def test_ctrl_c_then_sigterm_lets_the_sweep_finish_ctrl_c_twice_does_not():
    service = TimerService(ScriptedEngine([]), interval=1)
    service.request_stop(signal.SIGINT)  # the terminal's Ctrl-C
    service.request_stop(signal.SIGTERM)  # the supervisor passing it on
    assert service.stop.wait(5)
    with pytest.raises(SystemExit):
        service.request_stop(signal.SIGINT)
