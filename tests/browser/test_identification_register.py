"""A case carried through every level in Chromium, with the evidence a reviewer needs:
village11 declares, checks at home, reviews and posts publicity; during publicity it lodges
an objection from the case page (no to-do in anyone's inbox), investigates it (not founded)
and the period runs out; township1 reviews with the approval sheet in front of it; county1
approves and names the helper; the village announces and writes the aid plan. The household
is then on the register as monitored and cannot be declared again. Screenshots (Chinese and
English) of the review page with its evidence and of the register page go to
artifacts/screenshots/.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from playwright.sync_api import expect

from engine import TIMEZONE
from tests.browser.test_identification_flow import (HOUSEHOLD, TASK_FORM, open_item, set_value,
                                                    shoot, submit, switch_language, today)


def declare(page, day: str) -> None:
    """Fill and send the declaration form: found today by cadre screening, illness."""
    form = page.locator("form.task-form")
    form.locator("input[name=channel][value=cadre_screening]").check()
    form.locator("#f-discovery_date").fill(day)
    form.locator("input[name=risk_types][value='01']").check()
    form.locator("#f-commitment_signed").check()
    form.locator("button.primary[type=submit]").click()


def test_case_through_every_level_onto_the_register(login, eng, screenshots):
    day = today().isoformat()
    last = (today() + timedelta(days=4)).isoformat()

    village = login("village11")
    village.goto("/households/1")
    expect(village.locator("h1")).to_contain_text(HOUSEHOLD)
    expect(village.locator(".monitoring-status")).to_have_text("不是监测对象")
    village.locator("a[href$='/declare/monitoring_identification']").click()
    declare(village, day)
    village.wait_for_url(re.compile(r"/cases/\d+$"))
    case_id = int(village.url.rsplit("/", 1)[1])

    open_item(village, case_id)
    form = village.locator(TASK_FORM)
    form.locator("#f-checkers").fill("王支书\n李队员")
    form.locator("#f-check_date").fill(day)
    form.locator("#f-annual_household_income").fill("21000")
    form.locator("#f-income_per_head").fill("5250")
    form.locator("#f-out_of_pocket_medical").fill("26000")
    form.locator("#f-major_illness").check()
    set_value(form.locator("#f-disability_grade"), "0")
    form.locator("#f-rigid_spending").fill("26000")
    submit(village)

    open_item(village, case_id)
    form = village.locator(TASK_FORM)
    form.locator("#f-meeting_date").fill(day)
    form.locator("#f-attendees").fill("31")
    form.locator("#f-votes_for").fill("29")
    form.locator("#f-votes_against").fill("2")
    submit(village, "approve")

    open_item(village, case_id)
    form = village.locator(TASK_FORM)
    form.locator("#f-publicity_start").fill(day)
    form.locator("#f-publicity_place").fill("村委会公示栏")
    submit(village)

    # -- during publicity: an objection lodged from the case page -------------------------
    village.goto(f"/cases/{case_id}")
    period = village.locator("dd.period-open")
    expect(period).to_contain_text(f"{day} 至 {last}")
    period.locator("a", has_text="登记异议").click()
    form = village.locator("section.task-form form")
    form.locator("#f-objector").fill("赵六")
    form.locator("#f-objection_content").fill("该户家中有小货车一辆")
    form.locator("#f-lodged_date").fill(day)
    form.locator("button.primary").click()
    village.wait_for_url(f"**/cases/{case_id}")
    expect(village.locator(".flash.success")).to_be_visible()

    open_item(village, case_id, "异议调查")
    form = village.locator(TASK_FORM)
    form.locator("#f-findings").fill("货车为借用亲戚车辆，已核实")
    form.locator("input[name=objection_result][value=dismissed]").check()
    form.locator("#f-reason").fill("异议不成立")
    submit(village)

    eng.fire_due(datetime.combine(today() + timedelta(days=5), time(), TIMEZONE)
                 + timedelta(minutes=1))

    # -- township review with the approval sheet ------------------------------------------
    township = login("township1")
    open_item(township, case_id, "乡镇审核")
    sheet = township.locator("#sheet")
    for text in ("入户核实", "王支书、李队员", "26000", "村级民主评议", "31", "29",
                 "村内公示", "村委会公示栏", "公示期异议登记", "赵六", "异议调查", "异议不成立"):
        expect(sheet).to_contain_text(text)
    expect(township.locator("section.summary")).to_contain_text(f"{day} 至 {last}")
    shoot(township, screenshots, "review_evidence_zh_CN")
    switch_language(township, "en")
    expect(township.locator("#sheet h2")).to_have_text("Approval sheet: the case so far")
    shoot(township, screenshots, "review_evidence_en")
    switch_language(township, "zh_CN")
    form = township.locator(TASK_FORM)
    form.locator("#f-onsite_check").check()
    submit(township, "approve")

    # -- the county returns it once; the township sees who, when and why -----------------
    county = login("county1")
    open_item(county, case_id, "县级审批")
    expect(county.locator("#sheet")).to_contain_text("乡镇审核")
    form = county.locator(TASK_FORM)
    form.locator("#f-reason").fill("请补充实地核查照片")
    form.locator("button[name=decision][value=return]").click()
    county.wait_for_url(re.compile(r"/(inbox)?(\?.*)?$"))
    township.goto("/inbox")
    row = township.locator("table.list tbody tr", has_text="乡镇审核")
    expect(row.locator(".tag.returned")).to_have_text("被退回")
    row.locator("a[href^='/tasks/']").click()
    notice = township.locator("section.returned")
    expect(notice).to_contain_text("县乡村振兴局 王科长")
    expect(notice).to_contain_text("理由：请补充实地核查照片")
    shoot(township, screenshots, "returned_zh_CN")
    switch_language(township, "en")
    expect(township.locator("section.returned h2")).to_have_text("Returned for correction")
    shoot(township, screenshots, "returned_en")
    switch_language(township, "zh_CN")
    submit(township, "approve")

    # -- county approval and helper -------------------------------------------------------
    open_item(county, case_id, "县级审批")
    county.locator(TASK_FORM).locator("input[name=object_type][value='边缘易致贫户']").check()
    submit(county, "approve")
    open_item(county, case_id, "明确帮扶责任人")
    form = county.locator(TASK_FORM)
    form.locator("#f-helper_name").fill("赵干部")
    form.locator("#f-helper_unit").fill("县农业农村局")
    form.locator("#f-helper_position").fill("科员")
    submit(county)

    # -- village: announcement and aid plan -----------------------------------------------
    open_item(village, case_id, "结果公告")
    form = village.locator(TASK_FORM)
    form.locator("#f-announcement_date").fill(day)
    form.locator("#f-place").fill("村委会公示栏")
    submit(village)
    open_item(village, case_id, "制定帮扶计划")
    form = village.locator(TASK_FORM)
    form.locator("input[name=measures][value=health]").check()
    form.locator("#f-plan").fill("落实大病保险和医疗救助")
    submit(village)

    # -- the register ---------------------------------------------------------------------
    eng.set_members(1, eng.find_user("village11"), [
        dict(name="王建国", relation="head", sex="male", health="major_illness",
             labour_capacity="ordinary", birth_date="1968-04-02"),
        dict(name="刘秀兰", relation="spouse", sex="female", health="chronic",
             labour_capacity="weak"),
        dict(name="王小军", relation="child", sex="male", labour_capacity="none",
             schooling="junior")])
    eng.record_income(1, eng.find_user("village11"), day, dict(
        wage=14000, business=5200, transfer=2400, business_expense=600,
        medical_out_of_pocket=26000))
    county.goto(f"/cases/{case_id}")
    expect(county.locator("dd.deadline-met")).to_contain_text("按时办结")
    county.goto("/households/1")
    register = county.locator("#register")
    expect(register.locator(".monitoring-status")).to_have_text("监测中（风险未消除）")
    expect(register).to_contain_text("赵干部")
    expect(register).to_contain_text("落实大病保险和医疗救助")
    expect(register.locator(".risk-types")).to_have_text("因病")
    expect(register).to_contain_text("长期慢性病")
    expect(register).to_contain_text("7000.00")                     # 21000 ÷ 3
    expect(county.locator("a[href$='/declare/monitoring_identification']")).to_have_count(0)
    shoot(county, screenshots, "register_zh_CN")
    switch_language(county, "en")
    expect(county.locator("#register .monitoring-status")).to_have_text(
        "Monitored (risk not eliminated)")
    shoot(county, screenshots, "register_en")

    # -- the case list, and the case history on a phone ----------------------------------
    switch_language(county, "zh_CN")
    county.goto(f"/cases?q={HOUSEHOLD}&returned=1")
    expect(county.locator(f"table.cases a[href='/cases/{case_id}']")).to_be_visible()
    shoot(county, screenshots, "case_list_zh_CN")
    switch_language(county, "en")
    expect(county.locator("h1")).to_have_text("Cases")
    shoot(county, screenshots, "case_list_en")
    switch_language(county, "zh_CN")
    county.set_viewport_size({"width": 375, "height": 800})
    county.goto(f"/cases/{case_id}")
    when = county.locator("table.history tbody tr td").first
    assert when.bounding_box()["width"] > 90          # not a character per line
    shoot(county, screenshots, "case_375px")

    # declaring the monitored household again is refused, with a link to the case
    village.goto("/households/1/declare/monitoring_identification")
    declare(village, day)
    expect(village.locator("p.busy a")).to_have_attribute("href", f"/cases/{case_id}")
