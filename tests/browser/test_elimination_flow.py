"""Risk elimination in Chromium: village11 opens a monitored household, sees the conditions
(all met), proposes the elimination on the proposal page; the village review, publicity and
township review go on through the engine; county1 approves on the task page, sees 风险已消除
on the household, marks the case entered into the national system and then rolls the
elimination back with a reason. Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from playwright.sync_api import expect

from elimination_support import BPMN, MEMBERS, take_in
from engine import TIMEZONE
from tests.browser.test_identification_flow import open_item, shoot, submit, today


def months_back(day: date, count: int) -> list[date]:
    """The 15th (or ``day`` itself when earlier) of this and the previous months."""
    out, year, month = [], day.year, day.month
    for _ in range(count):
        out.append(min(date(year, month, 15), day))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def monitored_household(eng, users) -> None:
    """Household 1 taken in eight months ago, two members, a visit in each of the last six
    months above the line with everything secured."""
    now = datetime.now(timezone.utc)
    take_in(eng, 1, since=now - timedelta(days=245))
    eng.set_members(1, users["village11"], MEMBERS, now=now)
    for day in months_back(today(), 6):
        eng.record_visit(users["village11"], 1, {
            "visited_on": day.isoformat(), "visitors": "李书记 王队员",
            "income_change": "stable", "income_per_head": 9600, "spending_change": "stable",
            "food_clothing": True, "education": True, "medical": True, "housing": True,
            "safe_water": True, "aid_received": "公益岗位", "notes": ""}, now=now)


def test_elimination_from_proposal_to_county_and_rollback(login, eng, users, deploy,
                                                           screenshots):
    deploy(BPMN)
    monitored_household(eng, users)
    day = today().isoformat()

    village = login("village11")
    village.goto("/households/1")
    expect(village.locator("table.conditions tr.condition.ok")).to_have_count(6)
    shoot(village, screenshots, "elimination-household")
    village.locator("a[href$='/declare/risk_elimination']").click()
    expect(village.locator("table.conditions")).to_contain_text("收入持续稳定高于监测线")
    form = village.locator("form.task-form")
    form.locator("input[name=mode][value=assisted]").check()
    form.locator("#f-checkers").fill("李书记\n王队员")
    form.locator("#f-check_date").fill(day)
    form.locator("#f-income_per_head").fill("9600")
    form.locator("#f-findings").fill("两人入户核实：务工收入稳定，住房饮水均有保障")
    shoot(village, screenshots, "elimination-proposal")
    form.locator("button.primary[type=submit]").click()
    village.wait_for_url(re.compile(r"/cases/\d+$"))
    case_id = int(village.url.rsplit("/", 1)[1])
    expect(village.locator("body")).to_contain_text("条件：家庭有劳动能力")
    shoot(village, screenshots, "elimination-case")

    # village review and publicity, the period's end and the township through the engine
    def finish(step, user, data, now=None):
        item = [i for i in eng.inbox(users[user]).items if i.case_id == case_id
                and i.task_name == step][0]
        eng.complete(item.id, users[user], data, now=now)
    finish("village_review", "village11", {"decision": "approve", "meeting_date": day,
                                           "attendees": 21, "votes_for": 20,
                                           "votes_against": 1})
    finish("post_publicity", "village11", {"publicity_start": day, "publicity_place": "公开栏",
                                           "publicity_days": 5})
    start = datetime.combine(today(), datetime.min.time(), TIMEZONE)
    assert eng.fire_due(start + timedelta(days=5, minutes=1)).failed == []
    finish("township_review", "township1", {"decision": "approve", "onsite_check": True})

    county = login("county1")
    open_item(county, case_id)
    expect(county.locator("body")).to_contain_text("条件：至少落实一项帮扶措施")
    shoot(county, screenshots, "elimination-county-decision")
    submit(county, "approve")
    county.goto("/households/1")
    expect(county.locator(".monitoring-status")).to_contain_text("风险已消除")
    expect(county.locator(".monitoring-status")).to_contain_text("帮扶消除")
    county.goto(f"/cases/{case_id}")
    county.locator(".national-entry input[name=note]").fill("全国系统已录入")
    county.locator(".national-entry button[type=submit]").click()
    expect(county.locator(".national-entry")).to_contain_text("已录入")
    county.goto("/households/1")
    county.locator("form.rollback textarea[name=reason]").fill("家庭成员突发重病，返贫风险未消除")
    shoot(county, screenshots, "elimination-rollback")
    county.locator("form.rollback button[type=submit]").click()
    expect(county.locator(".flash.success")).to_contain_text("恢复为监测中")
    expect(county.locator(".monitoring-status")).to_contain_text("监测中")
    expect(county.locator("table.monitoring-history")).to_contain_text("家庭成员突发重病")
    shoot(county, screenshots, "elimination-rolled-back")
