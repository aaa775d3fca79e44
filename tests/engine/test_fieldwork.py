"""Screening campaigns (集中排查) and monthly visits (每月入户走访): lists per village, coverage
by village and township, findings that become risk clues, the month's visit plan (visited,
due, missed), photos, the one-click clue from a visit, and writers at once."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.clue_models import HouseholdVisit, RiskClue, ScreeningEntry, VisitPhoto
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import AuditEvent
from clue_support import id_number
from support import NOW, count, rows, run_together, workers

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GOOD_VISIT = {"visited_on": "2026-11-18", "visitors": "李书记 王队员", "income_change": "stable",
              "spending_change": "stable", "food_clothing": True, "education": True,
              "medical": True, "housing": True, "safe_water": True,
              "aid_received": "公益岗位工资 800 元", "notes": ""}


@pytest.fixture
def watched(eng, users):
    """Households under watch: two formerly poor in 东山村, one monitored in 西河村."""
    county = users["county1"]
    made = {}
    for serial, (name, village, kind) in enumerate([
            ("孙有田", "360799100001", "formerly_poor"), ("周桂花", "360799100001", "monitoring"),
            ("吴长贵", "360799200001", "formerly_poor")], start=1):
        made[name] = eng.add_household(county, name, id_number(serial, "19600101"), village,
                                       3, kind, 7000.0, now=NOW).id
    return made


# Screening campaigns ----------------------------------------------------------------------

def test_campaign_lists_households_by_village_and_counts_coverage(eng, users, watched):
    view = eng.open_screening(users["county1"], "2026年秋季集中排查", date(2026, 11, 1),
                              date(2026, 11, 30), "all", NOW)
    assert view.total.due == 8  # the five demo households and three under watch
    assert [(t.name, t.due) for t in view.townships] == [("东山镇", 5), ("西河乡", 3)]
    listed = eng.screening_list(users["village11"], view.id, "360799100001")
    assert {e.head_name for e in listed} == {"孙有田", "周桂花", "李秀英", "王建国"}
    ids = {e.head_name: e.household_id for e in listed}
    eng.record_screening(users["village11"], view.id, ids["王建国"], "no_risk", now=NOW)
    _, clue_id = eng.record_screening(users["village11"], view.id, ids["孙有田"], "risk",
                                      "家中主要劳动力务工受伤，收入中断", ["05"], NOW)
    clue = eng.clue(clue_id, users["county1"])
    assert (clue.source, clue.channel, clue.risk_types) == ("screening", "cadre_screening",
                                                            ["05"])
    after = eng.screening(users["county1"], view.id)
    village = next(v for v in after.villages if v.area_code == "360799100001")
    assert (village.due, village.screened, village.risks, village.percent) == (4, 2, 1, 50)
    assert [(t.screened, t.percent) for t in after.townships] == [(2, 40), (0, 0)]
    township_view = eng.screening(users["township2"], view.id)
    assert [v.name for v in township_view.villages] == ["西河村", "桃源村"]
    assert township_view.total.due == 3
    listed = eng.screening_list(users["village11"], view.id, "360799100001")
    assert [e.finding == "" for e in listed] == [True, True, False, False]
    assert {e.head_name: e.finding for e in listed if e.finding} == {"孙有田": "risk",
                                                                    "王建国": "no_risk"}


def test_watched_scope_and_refusals(eng, users, watched):
    view = eng.open_screening(users["county1"], "重点户排查", date(2026, 11, 15),
                              date(2026, 11, 25), "watched", NOW)
    assert view.total.due == 3
    with pytest.raises(Conflict, match="exists already"):
        eng.open_screening(users["county1"], "重点户排查", date(2026, 11, 15),
                           date(2026, 11, 25), "watched", NOW)
    with pytest.raises(InvalidData, match="cannot end before it starts"):
        eng.open_screening(users["county1"], "x", date(2026, 11, 15), date(2026, 11, 1),
                           "all", NOW)
    with pytest.raises(Forbidden):
        eng.open_screening(users["township1"], "y", date(2026, 11, 1), date(2026, 11, 30),
                           "all", NOW)
    with pytest.raises(Forbidden):
        eng.record_screening(users["village12"], view.id, watched["孙有田"], "no_risk",
                             now=NOW)
    with pytest.raises(InvalidData, match="describe the risk"):
        eng.record_screening(users["village11"], view.id, watched["孙有田"], "risk", now=NOW)
    with pytest.raises(Conflict, match="runs from 2026-11-15 to 2026-11-25"):
        eng.record_screening(users["village11"], view.id, watched["孙有田"], "no_risk",
                             now=NOW + timedelta(days=10))
    eng.record_screening(users["village11"], view.id, watched["孙有田"], "no_risk", now=NOW)
    with pytest.raises(Conflict, match="already screened"):
        eng.record_screening(users["village11"], view.id, watched["孙有田"], "no_risk",
                             now=NOW)
    assert len(rows(eng, AuditEvent, AuditEvent.event == "household_screened")) == 1


def test_two_screeners_of_one_household_record_it_once(eng, users, watched):
    view = eng.open_screening(users["county1"], "秋季排查", date(2026, 11, 1),
                              date(2026, 11, 30), "watched", NOW)
    first, second = workers(eng, 2)
    errors = run_together([
        lambda e=e: e.record_screening(users["village11"], view.id, watched["周桂花"], "risk",
                                       "患病住院", ["01"], NOW) for e in (first, second)])
    assert [type(e).__name__ for e in errors] == ["Conflict"]
    assert count(eng, RiskClue) == 1
    assert count(eng, ScreeningEntry, ScreeningEntry.finding == "risk") == 1


# Monthly visits ---------------------------------------------------------------------------

def test_visit_plan_shows_visited_due_and_missed(eng, users, watched):
    visit = eng.record_visit(users["village11"], watched["孙有田"], GOOD_VISIT,
                             [("入户照片.png", PNG)], NOW)
    assert visit.month == "2026-11" and visit.warnings == []
    assert [(name, size) for _, name, size in visit.photos] == [("入户照片.png", len(PNG))]
    plan = eng.visit_plan(users["village11"], now=NOW)
    assert {r.head_name: r.status for r in plan.rows} == {"周桂花": "due", "孙有田": "visited"}
    assert (plan.visited, plan.due, plan.missed) == (1, 1, 0)
    county = eng.visit_plan(users["county1"], now=NOW)
    assert county.villages == [("360799100001", "东山村", 1, 1, 0),
                               ("360799200001", "西河村", 0, 1, 0)]
    december = NOW + timedelta(days=15)
    past = eng.visit_plan(users["county1"], month="2026-11", now=december)
    assert (past.closed, past.visited, past.due, past.missed) == (True, 1, 0, 2)
    now_december = eng.visit_plan(users["county1"], now=december)
    assert (now_december.month, now_december.due, now_december.visited) == ("2026-12", 3, 0)
    # Demo households of no watched type are not on the plan.
    assert "王建国" not in [r.head_name for r in plan.rows]


def test_visit_is_checked_and_refused_whole(eng, users, watched):
    bad = {**GOOD_VISIT, "visited_on": "2026-11-21", "visitors": " ", "income_change": "less",
           "safe_water": None}
    with pytest.raises(InvalidData) as err:
        eng.record_visit(users["village11"], watched["孙有田"], bad, now=NOW)
    assert set(err.value.errors) == {"visited_on", "visitors", "income_change", "safe_water"}
    with pytest.raises(InvalidData, match="photo a.txt"):
        eng.record_visit(users["village11"], watched["孙有田"], GOOD_VISIT,
                         [("a.png", PNG), ("a.txt", b"hello")], NOW)
    with pytest.raises(Forbidden):
        eng.record_visit(users["village21"], watched["孙有田"], GOOD_VISIT, now=NOW)
    with pytest.raises(Forbidden):
        eng.record_visit(users["township1"], watched["孙有田"], GOOD_VISIT, now=NOW)
    assert count(eng, HouseholdVisit) == 0 and count(eng, VisitPhoto) == 0


def test_a_visit_that_finds_a_sharp_drop_opens_a_clue_in_one_click(eng, users, watched):
    fine = eng.record_visit(users["village11"], watched["周桂花"], GOOD_VISIT, now=NOW)
    with pytest.raises(InvalidData, match="nothing to open a risk clue for"):
        eng.visit_clue(users["village11"], fine.id, NOW)
    bad = eng.record_visit(users["village11"], watched["孙有田"], {
        **GOOD_VISIT, "income_change": "sharp_drop", "medical": False,
        "notes": "户主住院，医疗自付 2 万元"}, now=NOW)
    assert bad.warnings == ["sharp_drop", "medical"]
    with pytest.raises(Forbidden):
        eng.visit_clue(users["township1"], bad.id, NOW)
    clue_id = eng.visit_clue(users["village11"], bad.id, NOW)
    clue = eng.clue(clue_id, users["village11"])
    assert clue.reason == ("2026-11-18 入户走访发现：收入大幅下降、基本医疗有保障出现问题。"
                           "户主住院，医疗自付 2 万元")
    assert (clue.source, clue.visit_id, clue.found_on) == ("visit", bad.id, date(2026, 11, 18))
    assert eng.visit(users["county1"], bad.id).clue_id == clue_id
    with pytest.raises(Conflict, match="already opened risk clue"):
        eng.visit_clue(users["village11"], bad.id, NOW)
    plan = eng.visit_plan(users["village11"], now=NOW)
    assert {r.head_name: r.warnings for r in plan.rows} == {"周桂花": False, "孙有田": True}


def test_two_clicks_at_once_open_one_clue(eng, users, watched):
    bad = eng.record_visit(users["village11"], watched["孙有田"], {
        **GOOD_VISIT, "housing": False}, now=NOW)
    first, second = workers(eng, 2)
    errors = run_together([lambda e=e: e.visit_clue(users["village11"], bad.id, NOW)
                           for e in (first, second)])
    assert [type(e).__name__ for e in errors] == ["Conflict"]
    assert count(eng, RiskClue) == 1


def test_monitoring_objects_of_the_register_are_visited_until_their_risk_is_eliminated(
        eng, users, watched):
    from sqlalchemy import update

    from engine.register_models import MonitoringObject
    from support import rows as table_rows

    plain = eng.add_household(users["county1"], "郑新户", id_number(9, "19700101"),
                              "360799100001", 4, "", 9000.0, now=NOW).id
    with eng.transaction() as tx:
        tx.conn.execute(MonitoringObject.__table__.insert().values(
            household_id=plain, village_code="360799100001", status="monitoring",
            identified_at=NOW, updated_at=NOW))
    plan = eng.visit_plan(users["village11"], now=NOW)
    assert {r.head_name: r.status for r in plan.rows}["郑新户"] == "due"
    with eng.transaction() as tx:
        tx.conn.execute(update(MonitoringObject.__table__).values(status="eliminated"))
    assert table_rows(eng, MonitoringObject)[0].status == "eliminated"
    plan = eng.visit_plan(users["village11"], now=NOW)
    assert "郑新户" not in [r.head_name for r in plan.rows]
