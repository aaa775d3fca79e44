"""The write path's economies: what a step's UPDATE of the case sets, and SQLite's WAL
checkpoints on a thread of their own. Neither may change what is stored or what verifies."""
import sqlite3

import pytest

from engine import Settings, build_engine
from engine.db import CHECKPOINT_BACKSTOP_PAGES, Checkpointer
from engine.models import Case

from conftest import CHEAP_HASHER
from support import NOW, rows, statements

REPORT_COLUMNS = ("status", "outcome", "outcome_reason", "ended_at", "deadline_met_at")


def case_updates(sent: list[str]) -> list[str]:
    """The SET lists of the UPDATE statements of the cases table among ``sent``."""
    return [sql.split(" SET ", 1)[1].split(" WHERE ", 1)[0] for sql in sent
            if sql.lstrip().upper().startswith("UPDATE CASES ")]


@pytest.fixture
def four(deploy, users):
    """The benchmark's four-step process (village, village, township, county)."""
    deploy("bench/four_tasks.bpmn")
    return users


def test_a_plain_step_sets_no_column_of_the_case_indexes_and_the_last_one_does(eng, four):
    actors = [four["village11"], four["village11"], four["township1"], four["county1"]]
    items = eng.start("four_tasks", actors[0], {}, NOW).items
    case_id = items[0].case_id
    sets = []
    for actor in actors:
        with statements(eng) as sent:
            items = eng.complete(items[0].id, actor, {"note": actor.username}, NOW).items
        sets += case_updates(sent)
    assert len(sets) == 4
    for plain in sets[:3]:
        assert "state" in plain and "audit_seal" in plain
        assert not any(column in plain for column in REPORT_COLUMNS), plain
    assert all(column in sets[3] for column in REPORT_COLUMNS)
    case = rows(eng, Case, Case.id == case_id)[0]
    assert (case.status, case.outcome, case.ended_at is not None, case.version) == (
        "completed", "completed", True, 5)
    assert eng.verify(case_id).ok


def test_a_step_that_meets_the_deadline_writes_it(eng, four, monkeypatch):
    """A changed indexed column is written even on a step that does not end the case."""
    from engine import store

    items = eng.start("four_tasks", four["village11"], {}, NOW).items
    real = store.CaseWrite.save

    def meeting(write):
        write.case.deadline_met_at = NOW
        return real(write)
    monkeypatch.setattr(store.CaseWrite, "save", meeting)
    with statements(eng) as sent:
        eng.complete(items[0].id, four["village11"], {}, NOW)
    monkeypatch.undo()
    assert "deadline_met_at" in case_updates(sent)[0]
    case = rows(eng, Case, Case.id == items[0].case_id)[0]
    assert case.deadline_met_at is not None and case.status == "running"
    assert eng.verify(case.id).ok


def wal_pages(path) -> tuple[int, int]:
    """(pages in the WAL, pages of it already copied into the database)."""
    with sqlite3.connect(path) as conn:
        _busy, pages, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()[0]
    return pages, copied


def test_sqlite_checkpoints_on_a_thread_of_its_own(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.sqlite"
    monkeypatch.setattr(Checkpointer, "EVERY", 4)
    eng = build_engine(Settings(database_url=f"sqlite:///{path}"),
                       password_hasher=CHEAP_HASHER)
    try:
        eng.migrate()
        checkpointer = eng.database.checkpointer
        with eng.database.connect() as conn:
            # the commit's own checkpoint is only a backstop now
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == \
                CHECKPOINT_BACKSTOP_PAGES
        for n in range(4):
            eng.add_area(f"3601{n:02d}", f"县{n}", now=NOW)
        assert checkpointer.wait(1), "no checkpoint ran after four write commits"
        for n in range(4, 7):
            eng.add_area(f"3601{n:02d}", f"县{n}", now=NOW)
        assert checkpointer.passes == 1  # three more commits: not yet
        seen = {row.code for row in eng.areas()}
        assert {f"3601{n:02d}" for n in range(7)} <= seen
    finally:
        eng.dispose()


def test_a_checkpoint_pass_copies_the_whole_wal(tmp_path):
    path = tmp_path / "wal.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    for n in range(50):
        writer.execute("INSERT INTO t (body) VALUES (?)", ("x" * 3000,))
    checkpointer = Checkpointer(str(path), "NORMAL")
    with sqlite3.connect(path, isolation_level=None) as conn:
        busy, pages, copied = checkpointer.checkpoint(conn)
    assert busy == 0 and pages == copied and pages >= 50
    assert writer.execute("SELECT count(*) FROM t").fetchone()[0] == 50
    writer.close()


def test_no_checkpointer_for_postgresql_or_memory():
    from engine.db import make_engine

    assert getattr(make_engine("sqlite:///:memory:"), "checkpointer", None) is None
    assert getattr(make_engine("postgresql://nobody@127.0.0.1:1/none"), "checkpointer",
                   None) is None


def test_the_cache_keeps_running_cases_only(eng, four):
    actors = [four["village11"], four["village11"], four["township1"], four["county1"]]
    items = eng.start("four_tasks", actors[0], {}, NOW).items
    case_id = items[0].case_id
    for actor in actors[:3]:
        items = eng.complete(items[0].id, actor, {}, NOW).items
        assert len(eng.runner.cache) == 1  # the next step finds its workflow restored
    eng.complete(items[0].id, actors[3], {}, NOW)
    assert len(eng.runner.cache) == 0  # ended: it never runs again
    assert eng.verify(case_id).ok
    assert rows(eng, Case, Case.id == case_id)[0].status == "completed"
