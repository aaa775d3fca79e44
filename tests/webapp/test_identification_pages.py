"""Identification pages a county can trust: deadline met or 超期 N 天, publicity as a period
with an objection form on the case page, the approval sheet on review pages, the register on
the household page, a refused declaration that links the case."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

CST = timezone(timedelta(hours=8))
HOME_CHECK = {"checkers": ["张三", "李四"], "check_date": "2025-03-09",
              "annual_household_income": 20000, "income_per_head": 5000,
              "out_of_pocket_medical": 31000, "major_illness": True, "disability_grade": 0,
              "rigid_spending": 0, "formerly_poor": False, "sudden_shock": False}
REVIEW = {"decision": "approve", "meeting_date": "2025-03-10", "attendees": 25,
          "votes_for": 23, "votes_against": 1}
PUBLICITY = {"publicity_start": "2025-03-10", "publicity_place": "村务公开栏",
             "publicity_days": 5}
OBJECTION = {"objector": "赵六", "objection_content": "该户有货车一辆",
             "lodged_date": "2025-03-10"}


def at(day, hour=10):
    return datetime(2025, 3, day, hour, tzinfo=CST)


@pytest.fixture
def publicised(eng, user, declaration):
    """A case of household 1 in its publicity period (2025-03-10 to 03-14)."""
    case = eng.start("monitoring_identification", user("village11"), declaration).case

    def step(name, data, who, when):
        [item] = [i for i in eng.case(case.id, user("admin")).items
                  if i.status == "open" and i.task_name == name]
        eng.complete(item.id, user(who), data, now=when)
    step("home_check", HOME_CHECK, "village11", at(10, 9))
    step("village_review", REVIEW, "village11", at(10, 10))
    step("post_publicity", PUBLICITY, "village11", at(10, 11))
    step.case_id = case.id
    return step


def test_publicity_is_a_period_on_the_case_not_a_to_do(client, auth, publicised):
    auth.login("village11")
    inbox = client.get("/inbox?view=all").data.decode()
    assert "公示期异议登记" not in inbox
    page = client.get(f"/cases/{publicised.case_id}").data.decode()
    assert "2025-03-10 至 2025-03-14（首尾两日均计入，异议受理至最后一天 24 时）" in page
    assert f"/cases/{publicised.case_id}/periods/publicity_objections" in page


def test_township_lodges_an_objection_from_the_case_page(client, auth, publicised, case_of):
    auth.login("township1")
    url = f"/cases/{publicised.case_id}/periods/publicity_objections"
    assert client.get(url).status_code == 200
    version = case_of(publicised.case_id).case.version
    missing = client.post(url, data={"objector": "赵六", "case_version": version})
    assert missing.status_code == 400
    assert 'value="赵六"' in missing.data.decode()          # what was typed is kept
    done = client.post(url, data=dict(OBJECTION, case_version=version))
    assert done.status_code == 302
    open_names = [i.task_name for i in case_of(publicised.case_id).items if i.status == "open"]
    assert open_names == ["investigate_objection"]


def test_county_cannot_lodge(client, auth, publicised):
    auth.login("county1")
    url = f"/cases/{publicised.case_id}/periods/publicity_objections"
    assert client.get(url).status_code == 404
    page = client.get(f"/cases/{publicised.case_id}").data.decode()
    assert url not in page


def test_review_page_shows_the_evidence(client, auth, eng, clock, publicised, case_of):
    clock.move_to(at(15, 9))
    eng.fire_due()
    [review] = [i for i in case_of(publicised.case_id).items
                if i.status == "open" and i.task_name == "township_review"]
    auth.login("township1")
    page = client.get(f"/tasks/{review.id}").data.decode()
    sheet = page[page.index('id="sheet"'):page.index('class="task-form"')]
    for text in ("审批表", "入户核实", "张三、李四", "31000", "村级民主评议", "参会人数",
                 "25", "同意票数", "23", "村内公示", "2025-03-10", "村务公开栏"):
        assert text in sheet, text


def test_late_approval_shows_days_over_everywhere(client, auth, eng, clock, user,
                                                  publicised, case_of):
    clock.move_to(at(15, 9))
    eng.fire_due()
    items = lambda: [i for i in case_of(publicised.case_id).items if i.status == "open"]
    [review] = items()
    eng.complete(review.id, user("township1"), {"decision": "approve"}, now=at(16))
    [county] = items()
    clock.move_to(at(27, 10))                 # limit: 03-08 + 15 = 03-23, a Sunday → 03-24
    eng.complete(county.id, user("county1"), {"decision": "approve",
                                              "object_type": "边缘易致贫户"})
    auth.login("county1")
    page = client.get(f"/cases/{publicised.case_id}").data.decode()
    assert "截止 2025-03-24 24:00" in page
    assert "超期办结：超期 3 天" in page and "按时办结" not in page
    household = client.get("/households/1").data.decode()
    assert "超期 3 天" in household


def test_register_on_the_household_page_and_declaration_refused(client, auth, eng, user,
                                                                 publicised):
    eng.set_members(1, user("village11"), [
        {"name": "王建国", "relation": "head", "health": "major_illness",
         "labour_capacity": "ordinary", "id_number": "11010519491231002X"}])
    auth.login("village11")
    page = client.get("/households/1").data.decode()
    assert "不是监测对象" in page and "患有大病" in page and "110105********002X" in page
    response = client.post("/households/1/declare/monitoring_identification", data={
        "channel": "self_declaration", "discovery_date": "2025-03-10", "risk_types": "01",
        "commitment_signed": "y", "green_channel": ""})
    assert response.status_code == 409
    assert f'href="/cases/{publicised.case_id}"' in response.data.decode()


def test_not_approving_asks_for_confirmation_without_javascript(client, auth, eng, clock,
                                                                 publicised, case_of):
    clock.move_to(at(15, 9))
    eng.fire_due()
    [review] = [i for i in case_of(publicised.case_id).items if i.status == "open"]
    auth.login("township1")
    version = case_of(publicised.case_id).case.version
    page = client.get(f"/tasks/{review.id}").data.decode()
    assert ">不予通过</button>" in page and ">退回修改</button>" in page
    first = client.post(f"/tasks/{review.id}", data={
        "decision": "reject", "reason": "家庭收入明显高于监测线", "case_version": version})
    assert first.status_code == 200
    text = first.data.decode()
    assert "确认不予通过" in text and 'name="confirm_reject" value="1"' in text
    assert "家庭收入明显高于监测线" in text                       # what was typed is kept
    assert case_of(publicised.case_id).case.status == "running"   # nothing decided yet
    done = client.post(f"/tasks/{review.id}", data={
        "decision": "reject", "reason": "家庭收入明显高于监测线", "case_version": version,
        "confirm_reject": "1"})
    assert done.status_code == 302
    view = case_of(publicised.case_id)
    assert (view.case.status, view.case.outcome) == ("rejected", "rejected")
    history = client.get(f"/cases/{publicised.case_id}").data.decode()
    assert "不予通过" in history and "rejected" not in history.split("<main")[1].split(
        "</main>")[0].replace("status-rejected", "")


def test_case_list_searches_and_filters(client, auth, eng, user, publicised):
    auth.login("county1")
    page = client.get("/cases").data.decode()
    assert f'href="/cases/{publicised.case_id}"' in page and "案件" in page
    assert f'href="/cases/{publicised.case_id}"' in client.get(
        "/cases?q=王建国&status=running&step=&sort=deadline").data.decode()
    assert "没有符合条件的案件。" in client.get("/cases?returned=1").data.decode()
    assert client.get("/cases?village=999999999999").status_code == 404
    auth.logout()
    auth.login("village12")                                  # another village sees nothing
    assert f'href="/cases/{publicised.case_id}"' not in client.get("/cases").data.decode()


def test_returned_item_says_who_when_and_why(client, auth, eng, user, declaration, case_of):
    case = eng.start("monitoring_identification", user("village11"), declaration).case
    [check] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.complete(check.id, user("village11"), HOME_CHECK, now=at(10, 9))
    [review] = [i for i in case_of(case.id).items if i.status == "open"]
    eng.complete(review.id, user("village11"), dict(REVIEW, decision="return",
                                                    reason="核查表缺少第二名核查人签字"),
                 now=at(10, 11))
    [again] = [i for i in case_of(case.id).items if i.status == "open"]
    assert again.task_name == "home_check" and again.returned.reason == "核查表缺少第二名核查人签字"
    auth.login("village11")
    inbox = client.get("/inbox?view=all").data.decode()
    assert '<span class="tag returned" title="核查表缺少第二名核查人签字">被退回</span>' in inbox
    page = client.get(f"/tasks/{again.id}").data.decode()
    assert "于 2025-03-10 11:00 将案件退回本环节修改。" in page
    assert "理由：核查表缺少第二名核查人签字" in page


def test_case_list_marks_and_filters_late_entries(client, auth, eng, user, publicised,
                                                  declaration):
    """迟报: the reason given at the declaration shows in the list and on the case page."""
    late = eng.start("monitoring_identification", user("village11"), dict(
        declaration, household_id=2, discovery_date="2025-03-01",
        late_reason="农户外出务工，返乡后才申报"), now=at(10, 8)).case
    auth.login("county1")
    page = client.get("/cases").data.decode()
    row = page.split(f'href="/cases/{late.id}"')[1].split("</tr>")[0]
    assert '<span class="tag late">迟报</span>' in row and "农户外出务工，返乡后才申报" in row
    other = page.split(f'href="/cases/{publicised.case_id}"')[1].split("</tr>")[0]
    assert "迟报" not in other
    only = client.get("/cases?late=1").data.decode()
    assert f'href="/cases/{late.id}"' in only
    assert f'href="/cases/{publicised.case_id}"' not in only
    assert 'name="late" value="1" checked' in only
    case_page = client.get(f"/cases/{late.id}").data.decode()
    assert "<dt>迟报原因</dt>" in case_page and "农户外出务工，返乡后才申报" in case_page
