"""In Chromium: a refused form puts the focus on its error summary, whose links focus the
fields; the process diagram opens with readable labels, zooms with its buttons and names
its lanes by level in the page's language."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_identification_flow import TASK_FORM, shoot, switch_language, today

# The font size of a step's label as drawn on screen (its bounding box, in CSS pixels).
LABEL_PX = """id => {
  const text = document.querySelector(`#diagram [data-element-id="${id}"] .djs-visual text`);
  const tspan = text.querySelector('tspan') || text;
  return tspan.getBoundingClientRect().height;
}"""


def _start(eng, household_id=1):
    declaration = {"household_id": household_id, "channel": "cadre_screening",
                   "discovery_date": today().isoformat(), "risk_types": ["01"],
                   "commitment_signed": True, "green_channel": False}
    started = eng.start("monitoring_identification", eng.find_user("village11"), declaration)
    return started.case.id, started.items[0].id


def test_error_summary_takes_the_focus_and_links_to_the_fields(login, eng, screenshots):
    case_id, item_id = _start(eng)
    page = login("village11")
    page.goto(f"/tasks/{item_id}")
    form = page.locator(TASK_FORM)
    expect(form.locator("#f-major_illness")).not_to_have_attribute("required", "")
    form.locator("#f-checkers").fill("王支书")
    form.locator("#f-income_per_head").fill("五千")
    form.locator("button.primary[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.locator("h2")).to_contain_text("请更正以下")
    checkers = summary.locator("a[href='#f-checkers']")
    expect(checkers).to_contain_text("入户核实至少需要 2 人")
    shoot(page, screenshots, "form_errors_zh_CN")
    checkers.click()
    expect(page.locator("#f-checkers")).to_be_focused()
    expect(page.locator("#f-checkers")).to_have_attribute("aria-invalid", "true")
    summary.locator("a[href='#f-income_per_head']").click()
    field = page.locator("#f-income_per_head")
    expect(field).to_be_focused()
    expect(field).to_have_value("五千")                                   # what was typed is kept
    described = field.get_attribute("aria-describedby").split()
    expect(page.locator(f"#{described[-1]}")).to_have_text("请填写数字")
    # the keyboard reaches the links: Tab from the summary lands on its first link
    summary.focus()
    page.keyboard.press("Tab")
    expect(checkers).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#f-checkers")).to_be_focused()


def test_diagram_is_readable_zooms_and_names_lanes_in_the_ui_language(login, eng,
                                                                      screenshots):
    case_id, _item = _start(eng)
    page = login("county1")
    page.goto(f"/cases/{case_id}")
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")
    assert page.evaluate(LABEL_PX, "home_check") >= 11           # was 5 px at fit-viewport
    lanes = diagram.locator(".djs-element[data-element-id^='lane_'] .djs-visual text")
    names = sorted(lanes.all_text_contents())
    assert names == sorted(["村级", "乡镇级", "县级"])
    expect(diagram.locator("[data-element-id='home_check'].dx-current")).to_be_attached()
    shoot(page, screenshots, "case_diagram_zh_CN")

    tools = page.locator("#diagram-tools")
    first = float(diagram.get_attribute("data-zoom"))
    tools.locator("button[data-zoom=in]").click()
    zoomed_in = float(diagram.get_attribute("data-zoom"))
    assert zoomed_in > first
    assert page.evaluate(LABEL_PX, "home_check") > 11
    tools.locator("button[data-zoom=out]").focus()                # keyboard: Enter on a button
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert float(diagram.get_attribute("data-zoom")) < zoomed_in
    tools.locator("button[data-zoom=fit]").click()
    whole = float(diagram.get_attribute("data-zoom"))
    assert whole < first                                          # the whole process
    tools.locator("button[data-zoom=reset]").click()
    assert float(diagram.get_attribute("data-zoom")) == first

    switch_language(page, "en")
    expect(diagram).to_have_attribute("data-ready", "true")
    expect(tools.locator("button[data-zoom=in]")).to_contain_text("Zoom in")
    assert sorted(lanes.all_text_contents()) == sorted(["Village level", "Township level",
                                                         "County level"])
    expect(diagram.locator("[data-element-id='home_check'] .djs-visual text")).to_have_text(
        "Home check")
    shoot(page, screenshots, "case_diagram_en")


def test_case_list_shows_late_entries_and_outcomes(login, eng, screenshots):
    """The county's starting page with several cases: a late entry with its reason (迟报),
    one not approved at the village review, one running; the 迟报 filter."""
    day = today().isoformat()
    running, _item = _start(eng, household_id=1)
    village = eng.find_user("village11")
    late = eng.start("monitoring_identification", village, {
        "household_id": 2, "channel": "hotline_12317",
        "discovery_date": (today() - timedelta(days=10)).isoformat(), "risk_types": ["05"],
        "commitment_signed": True, "green_channel": False,
        "late_reason": "户主外出务工，返乡后才报告"}).case.id
    refused = eng.start("monitoring_identification", eng.find_user("village12"), {
        "household_id": 3, "channel": "self_declaration", "discovery_date": day,
        "risk_types": ["07"], "commitment_signed": True, "green_channel": False})
    eng.complete(refused.items[0].id, eng.find_user("village12"), {
        "checkers": ["张三", "李四"], "check_date": day, "annual_household_income": 60000,
        "income_per_head": 15000, "out_of_pocket_medical": 0, "major_illness": False,
        "disability_grade": 0, "rigid_spending": 0, "formerly_poor": False,
        "sudden_shock": False})
    [review] = [i for i in eng.case(refused.case.id, eng.find_user("admin")).items
                if i.status == "open"]
    eng.complete(review.id, eng.find_user("village12"), {
        "decision": "reject", "meeting_date": day, "attendees": 20, "votes_for": 3,
        "votes_against": 17, "reason": "家庭收入高于监测范围"})

    page = login("county1")
    page.goto("/cases")
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(3)
    late_row = rows.filter(has=page.locator(f"a[href='/cases/{late}']"))
    expect(late_row.locator(".late-entry .tag")).to_have_text("迟报")
    expect(late_row.locator(".late-entry")).to_contain_text("户主外出务工，返乡后才报告")
    refused_row = rows.filter(has=page.locator(f"a[href='/cases/{refused.case.id}']"))
    expect(refused_row).to_contain_text("不予纳入")
    expect(rows.filter(has=page.locator(f"a[href='/cases/{running}']"))
           .locator(".late-entry")).to_have_text("")
    shoot(page, screenshots, "case_list_all_zh_CN")
    page.locator("input[name=late]").check()
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator(f"a[href='/cases/{late}']")).to_be_visible()
    page.goto(f"/cases/{late}")
    expect(page.locator("dd.fact-late_reason")).to_have_text("户主外出务工，返乡后才报告")
    page.goto("/cases")
    switch_language(page, "en")
    expect(late_row.locator(".late-entry .tag")).to_have_text("Late entry")
    shoot(page, screenshots, "case_list_all_en")
