"""督办, 催办 and notifications through the engine, with time moved by time-machine.

The engine reads the wall clock (``eng.clock``) like the worker does; time-machine moves it.
Identification (village11's home check, due 2026-11-19 23:59:59 China time) and the project
intake (village decision, due in 5 days) escalate through the same rule in their BPMN.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from engine import Conflict, Forbidden, InvalidDefinition
from engine.supervision_models import Notification, Supervision
from projects_support import INTAKE, open_items, proposal
from support import count, rows, run_together, workers

from tests.engine.test_identification_cases import (BPMN, DECLARATION, HOME_CHECK, Driver, cst)

CST = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    """Travel to a moment in China time (the clock stands still there)."""
    return time_machine.travel(datetime(y, m, d, h, mi, tzinfo=CST), tick=False)


@pytest.fixture
def case(eng, deploy, users):
    deploy(BPMN)
    with at(2026, 11, 16, 9):
        started = eng.start("monitoring_identification", users["village11"], DECLARATION)
    return started.case.id


def supervisions(eng, *where):
    return rows(eng, Supervision, *where)


def kinds(eng, user) -> list[str]:
    return [n.kind for n in eng.notifications(user).items]


def test_overdue_village_step_goes_to_the_township_then_the_county(eng, users, case):
    home_check = eng.inbox(users["village11"]).items[0]
    assert home_check.due_at == datetime(2026, 11, 19, 23, 59, 59, tzinfo=CST)
    with at(2026, 11, 19, 23, 59):
        eng.fire_due()
    assert supervisions(eng) == []          # due, not yet overdue
    with at(2026, 11, 20, 10):
        eng.fire_due()
        eng.fire_due()                      # a second sweep adds nothing
        township = eng.supervisions(users["township1"])
    [row] = supervisions(eng)
    assert (row.level, row.area_code, row.tier, row.work_item_id) == (
        "township", "360799100", 1, home_check.id)
    # 2 days to act; the last, a Sunday, moves to the next working day (Civil Code art. 203)
    assert row.due_at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=CST)
    [view] = township
    assert (view.case_id, view.step, view.step_area_name, view.days_overdue, view.holder) == (
        case, "入户核实", "东山村", 1, "")
    assert eng.supervisions(users["county1"]) == []
    assert eng.supervisions(users["township2"]) == []       # another township's
    assert kinds(eng, users["township1"]) == ["supervision"]
    assert "supervision" not in kinds(eng, users["township2"])
    with at(2026, 11, 23, 10):
        eng.fire_due()                      # the township still has today
    assert len(supervisions(eng)) == 1
    with at(2026, 11, 24, 10):
        eng.fire_due()
        county = eng.supervisions(users["county1"])
    assert [(s.level, s.tier) for s in supervisions(eng)] == [("township", 1), ("county", 2)]
    assert [(s.step, s.days_overdue) for s in county] == [("入户核实", 5)]
    assert kinds(eng, users["county1"]) == ["supervision"]
    with at(2026, 11, 30, 10):
        eng.fire_due()                      # no level above the county
    assert len(supervisions(eng)) == 2
    with at(2026, 11, 24, 11):
        eng.complete(home_check.id, users["village11"], HOME_CHECK)
    assert [(s.closed_at is not None, s.outcome) for s in supervisions(eng)] == [
        (True, "done"), (True, "done")]
    assert eng.supervisions(users["township1"]) == []
    trail = eng.trail(case, users["auditor"])
    events = [e.event for e in trail]
    assert events.count("supervision_opened") == 2 and events.count("supervision_closed") == 2
    closed = [e for e in trail if e.event == "supervision_closed"]
    assert {e.data["level"] for e in closed} == {"township", "county"}
    assert all(e.task_name == "home_check" for e in closed)
    assert eng.verify(case, users["auditor"]).ok


def test_township_step_is_supervised_by_the_county_only(eng, users, deploy):
    deploy(BPMN)
    c = Driver.start(eng, users, now=cst(2026, 11, 16, 9))
    c.to_township_review()                       # due 2026-11-26
    review = c.item("township_review")
    with at(2026, 11, 27, 10):
        eng.fire_due()
    assert [(s.level, s.area_code, s.work_item_id) for s in supervisions(eng)] == [
        ("county", "360799", review.id)]


def test_returning_a_supervised_step_closes_its_supervision_and_tells_the_village(eng, users, deploy):
    deploy(BPMN)
    c = Driver.start(eng, users, now=cst(2026, 11, 16, 9))
    c.to_township_review()
    with at(2026, 11, 27, 10):
        eng.fire_due()
    c.complete("township_review", {"decision": "return", "reason": "材料不全",
                                   "onsite_check": True}, cst(2026, 11, 27, 11))
    [row] = supervisions(eng)
    assert row.outcome == "done"                  # the township did act on its step
    assert "returned" in kinds(eng, users["village11"])


def test_project_intake_escalates_by_the_same_rule(eng, users, deploy):
    deploy(INTAKE)
    with at(2026, 11, 20, 10):
        started = eng.start("project_intake", users["village11"], proposal())
    decision = open_items(eng, started.case.id)["village_decision"]
    with at(2026, 11, 26, 10):
        eng.fire_due()
    with at(2026, 12, 1, 10):               # the township's two days end on Monday 11-30
        eng.fire_due()
    assert [(s.level, s.work_item_id) for s in supervisions(eng)] == [
        ("township", decision), ("county", decision)]
    with at(2026, 12, 1, 11):
        eng.cancel(started.case.id, users["county1"], "重复申报")
    assert [s.outcome for s in supervisions(eng)] == ["cancelled", "cancelled"]


def test_escalation_rule_is_checked_at_deploy(eng, users, deploy, tmp_path):
    from support import ROOT
    source = (ROOT / BPMN).read_text(encoding="utf-8").replace(
        'name="escalation" value="township,county"', 'name="escalation" value="township,city"')
    path = tmp_path / "monitoring_identification.bpmn"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(InvalidDefinition, match="escalation names 'city'"):
        deploy(path, ROOT / "workflows/monitoring_lines.dmn",
               ROOT / "workflows/eligibility.dmn", forms_dir=ROOT / "forms")


def test_due_tomorrow_reminds_the_holder_once(eng, users, case):
    with at(2026, 11, 18, 8, 30):
        eng.fire_due()
        eng.fire_due()
    assert kinds(eng, users["village11"]) == ["due_tomorrow"]
    assert supervisions(eng) == []


def test_urge_notifies_the_holder_and_is_rate_limited(eng, users, case):
    item = eng.inbox(users["village11"]).items[0]
    eng.claim(item.id, users["village11"])
    with at(2026, 11, 20, 10):
        with pytest.raises(Forbidden, match="only a level above"):
            eng.urge(item.id, users["village12"], "快办")
        with pytest.raises(Forbidden, match="outside"):
            eng.urge(item.id, users["township2"], "快办")
        urged = eng.urge(item.id, users["township1"], "请今天完成入户核实")
        assert urged.notified == 1
        with pytest.raises(Conflict, match="may be urged again after"):
            eng.urge(item.id, users["county1"], "再催")
    [note] = eng.notifications(users["village11"]).items
    assert (note.kind, note.data["note"], note.data["by"]) == ("urge", "请今天完成入户核实",
                                                               users["township1"].name)
    assert eng.unread(users["village11"]) == 1
    assert eng.mark_read(users["village11"]) == 1 and eng.unread(users["village11"]) == 0
    with at(2026, 11, 20, 14, 1):
        eng.urge(item.id, users["county1"], "再催")
    urges = [e for e in eng.trail(case, users["auditor"]) if e.event == "urged"]
    assert [(e.actor, e.comment) for e in urges] == [
        (users["township1"].name, "请今天完成入户核实"), (users["county1"].name, "再催")]


def test_concurrent_urges_record_one(eng, users, case):
    item = eng.inbox(users["village11"]).items[0]
    engines = workers(eng, 4)
    now = cst(2026, 11, 20)
    errors = run_together([lambda e=e: e.urge(item.id, users["township1"], "快", now)
                           for e in engines])
    assert len(errors) == 3 and all(isinstance(e, Conflict) for e in errors)
    assert count(eng, Notification, Notification.kind == "urge") == 1


def test_workers_sweeping_together_never_double_a_supervision(eng, users, case):
    with at(2026, 11, 16, 9):
        more = [eng.start("monitoring_identification", users["village11"],
                          dict(DECLARATION, household_id=2)).case.id,
                eng.start("monitoring_identification", users["village12"],
                          dict(DECLARATION, household_id=3)).case.id]
    engines = workers(eng, 4)
    for day in (20, 24):                    # the township's 督办 runs to Monday 11-23
        now = cst(2026, 11, day)
        assert run_together([lambda e=e: e.fire_due(now, 1) for e in engines] +
                            [lambda e=e: e.fire_due(now) for e in engines]) == []
        for e in engines:
            e.fire_due(now)
    assert sorted((s.case_id, s.level) for s in supervisions(eng)) == sorted(
        (c, level) for c in [case, *more] for level in ("township", "county"))
    assert count(eng, Notification, Notification.kind == "supervision") == 3 + 3


def test_leases_expire_and_a_gone_worker_is_replaced(eng, users):
    t0 = cst(2026, 11, 20)
    eng.take_lease("a", "host1", 11, t0)
    if eng.database.dialect.name == "sqlite":
        with pytest.raises(Conflict, match="SQLite allows one worker"):
            eng.take_lease("b", "host1", 12, t0 + timedelta(seconds=30))
    else:
        eng.take_lease("b", "host1", 12, t0 + timedelta(seconds=30))
        eng.release_lease("b")
    assert eng.heartbeat("a", 5, t0 + timedelta(seconds=40))
    eng.take_lease("c", "host1", 13, t0 + timedelta(seconds=101))   # a's lease expired
    assert [w.name for w in eng.workers(users["admin"], t0 + timedelta(seconds=101))] == ["c"]
    assert not eng.heartbeat("a", 0, t0 + timedelta(seconds=102))
    eng.take_lease("d", "host1", 14, t0 + timedelta(seconds=103),
                   is_gone=lambda host, pid: pid == 13)
    assert [w.name for w in eng.workers(users["admin"])] == ["d"]
    with pytest.raises(Forbidden):
        eng.workers(users["county1"])


def test_handing_an_item_over_notifies_the_colleague(eng, users, case):
    colleague = eng.add_user("village11b", "village", "360799100001", "a-long-password",
                             "staff", "东山村 文书")
    item = eng.inbox(users["village11"]).items[0]
    eng.reassign(item.id, users["village11"], colleague.id, cst(2026, 11, 17), "请接手")
    [note] = eng.notifications(colleague).items
    assert (note.kind, note.work_item_id, note.data["comment"]) == ("assigned", item.id, "请接手")
    assert eng.notifications(users["village11"]).items == []


def test_the_open_count_every_page_shows_matches_the_list(eng, users, case):
    """The header's 督办 count is counted (from the partial index of open items), not read
    as the whole list (up to 200 rows with their steps, cases and names, on every page)."""
    def count(name):
        return eng.open_supervisions(users[name])

    home_check = eng.inbox(users["village11"]).items[0]
    assert count("township1") == 0
    with at(2026, 11, 20, 10):
        eng.fire_due()
    with at(2026, 11, 24, 10):
        eng.fire_due()
    for name in ("township1", "township2", "county1", "village11", "auditor"):
        assert count(name) == len(eng.supervisions(users[name])), name
    assert (count("township1"), count("county1"), count("township2")) == (1, 1, 0)
    with at(2026, 11, 24, 11):
        eng.complete(home_check.id, users["village11"], HOME_CHECK)
    assert count("township1") == count("county1") == 0
