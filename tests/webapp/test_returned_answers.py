"""A step sent back for correction (退回修改) opens with what it recorded last time, so the
village corrects the figure in question instead of typing the whole check form again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
HOME_CHECK = {"checkers": ["张三", "李四"], "check_date": "2025-03-09",
              "annual_household_income": 20000, "income_per_head": 5000,
              "out_of_pocket_medical": 31000, "major_illness": True, "disability_grade": 2,
              "rigid_spending": 0, "formerly_poor": False, "sudden_shock": False}
REVIEW = {"meeting_date": "2025-03-10", "attendees": 25, "votes_for": 3, "votes_against": 20}


def at(day, hour=10):
    return datetime(2025, 3, day, hour, tzinfo=CST)


def test_returned_home_check_shows_the_previous_answers(client, auth, eng, user, declaration,
                                                       case_of):
    case = eng.start("monitoring_identification", user("village11"), declaration).case
    [check] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.complete(check.id, user("village11"), HOME_CHECK, now=at(10, 9))
    [review] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.complete(review.id, user("village11"), dict(REVIEW, decision="return",
                                                    reason="收入需重新核实"), now=at(10, 11))
    [again] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.claim(again.id, user("village11"))
    auth.login("village11")
    page = client.get(f"/tasks/{again.id}").data.decode()
    assert "张三\n李四</textarea>" in page
    assert 'name="annual_household_income" id="f-annual_household_income" value="20000"' in page
    assert 'value="2" selected' in page
    assert 'name="major_illness" id="f-major_illness" value="on" checked' in page
    assert 'name="formerly_poor" id="f-formerly_poor" value="on">' in page


def test_a_fresh_step_opens_empty(client, auth, eng, user, declaration, case_of):
    case = eng.start("monitoring_identification", user("village11"), declaration).case
    [check] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.claim(check.id, user("village11"))
    auth.login("village11")
    page = client.get(f"/tasks/{check.id}").data.decode()
    assert 'name="annual_household_income" id="f-annual_household_income" value=""' in page
