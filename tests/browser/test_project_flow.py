"""One project carried through the UI in Chromium, from the village's proposal to the library:
village11 proposes a tea workshop, records the villagers' representative meeting with its
minutes and posts the publicity; township1 checks the seven points and publishes its result;
county1 appraises, approves and announces it. The county then finds it in the library, exports
the library to Excel (checked with openpyxl and shown as a page), allocates funds and sees an
advance beyond 50% refused with its reason. Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import html
import io
import re
from datetime import datetime, time, timedelta

from openpyxl import load_workbook
from playwright.sync_api import expect

from engine import TIMEZONE
from tests.browser.test_identification_flow import PDF, TASK_FORM, open_item, shoot, submit, today

INTAKE = "workflows/project_intake.bpmn"
NAME = "东山村茶叶加工车间"


def publicity_over(eng, day):
    """Fire the timers just after a 10-day publicity that started on ``day``."""
    end = datetime.combine(day + timedelta(days=10), time(), TIMEZONE)
    sweep = eng.fire_due(end + timedelta(minutes=1))
    assert sweep.fired >= 1 and not sweep.failed, sweep


def post_publicity(page, case_id, day):
    open_item(page, case_id)
    form = page.locator(TASK_FORM)
    form.locator("#f-publicity_start").fill(day.isoformat())
    form.locator("#f-publicity_place").fill("村务公开栏")
    expect(form.locator("#f-publicity_days")).to_have_value("10")
    submit(page)


def test_a_project_from_village_proposal_to_the_library(login, eng, users, deploy,
                                                        screenshots):
    deploy(INTAKE)
    day = today()
    eng.set_campaign(users["county1"], f"{day.year + 1}年度项目库", day.year + 1, day.year + 1,
                     day - timedelta(days=120), day + timedelta(days=40),
                     day + timedelta(days=70))

    # -- village11 proposes the project -------------------------------------------------
    village = login("village11")
    village.locator("nav.main a[href='/projects']").click()
    village.locator("a[href='/projects/new']").click()
    form = village.locator("form.task-form")
    expect(form.locator("#f-area_code")).to_have_count(0)  # the village proposes for itself
    form.locator("#f-name").fill(NAME)
    form.locator("#f-project_type").select_option("industry")
    form.locator("#f-year").fill(str(day.year + 1))
    form.locator("#f-content").fill("新建茶叶加工车间 600 平方米，购置揉捻机 4 台")
    form.locator("#f-engineering").check()
    form.locator("#f-budget_central").fill("800000")
    form.locator("#f-budget_county").fill("200000")
    form.locator("#f-beneficiary_households").fill("60")
    form.locator("#f-beneficiary_people").fill("210")
    form.locator("#f-monitoring_households").fill("8")
    form.locator("#f-benefit_mechanism").fill("脱贫户务工、订单收购、村集体分红")
    form.locator("#f-performance_targets").fill("带动 60 户户均增收 2000 元\n村集体年增收 5 万元")
    shoot(village, screenshots, "project_proposal_zh_CN")
    form.locator("button.primary[type=submit]").click()
    village.wait_for_url(re.compile(r"/projects/\d+$"))
    project_id = int(village.url.rsplit("/", 1)[1])
    expect(village.locator(".flash.success")).to_be_visible()
    case_id = int(village.locator("a[href^='/cases/']").first.get_attribute("href")
                  .rsplit("/", 1)[1])

    # -- the village meeting, with its minutes, and the village publicity -----------------
    item = open_item(village, case_id)
    expect(village.locator("section.summary")).to_contain_text(NAME)
    upload = village.locator("#attachments .upload")
    upload.locator("select[name=kind]").select_option("minutes")
    upload.locator("input[name=file]").set_input_files(
        {"name": "村民代表会议记录.pdf", "mimeType": "application/pdf", "buffer": PDF})
    upload.locator("button[type=submit]").click()
    village.wait_for_url(f"**/tasks/{item}/attachments")
    expect(village.locator(".flash.success")).to_be_visible()
    form = village.locator(TASK_FORM)
    form.locator("input[name=meeting_kind][value=representatives]").check()
    form.locator("#f-meeting_date").fill(day.isoformat())
    form.locator("#f-attendees").fill("35")
    form.locator("#f-votes_for").fill("33")
    form.locator("#f-votes_against").fill("1")
    submit(village, "approve")
    post_publicity(village, case_id, day)
    publicity_over(eng, day)

    # -- township review: the seven points, then the township's publicity ---------------
    township = login("township1")
    open_item(township, case_id, "乡镇审核")
    form = township.locator(TASK_FORM)
    for check in ("authentic", "necessary", "feasible", "cost_reasonable", "funding_clear",
                  "farmers_benefit", "targets_set", "onsite_check"):
        form.locator(f"#f-{check}").check()
    form.locator("#f-notes").fill("项目真实可行，联农带农机制明确")
    shoot(township, screenshots, "project_township_review_zh_CN")
    submit(township, "approve")
    post_publicity(township, case_id, day)
    publicity_over(eng, day)

    # -- county: joint appraisal, leading group approval, announcement -------------------
    county = login("county1")
    open_item(county, case_id, "县级部门联合论证")
    form = county.locator(TASK_FORM)
    form.locator("#f-appraisal_date").fill(day.isoformat())
    form.locator("#f-departments").fill("县农业农村局\n县财政局\n县乡村振兴局")
    submit(county, "approve")
    open_item(county, case_id, "县级领导小组审定")
    county.locator(TASK_FORM).locator("#f-meeting_date").fill(day.isoformat())
    submit(county, "approve")
    open_item(county, case_id, "项目库公告")
    form = county.locator(TASK_FORM)
    form.locator("#f-announcement_date").fill(day.isoformat())
    form.locator("#f-announcement_place").fill("示范县人民政府网站")
    submit(county)

    # -- the library: the project is in it --------------------------------------------------
    county.locator("nav.main a[href='/projects']").click()
    county.locator("select[name=status]").select_option("admitted")
    county.locator("form.search button[type=submit]").click()
    row = county.locator("table.projects tbody tr", has_text=NAME)
    expect(row).to_contain_text("已入库")
    expect(row).to_contain_text("100.00")
    shoot(county, screenshots, "project_library_zh_CN")

    # -- the Excel export, checked with openpyxl and shown as a page -----------------------
    with county.expect_download() as download:
        county.locator("a", has_text="导出 Excel").click()
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("序号", "项目名称", "项目类型", "乡镇")
    assert [r[1] for r in rows[2:]] == [NAME]
    record = dict(zip(rows[1], rows[2]))
    assert (record["总投资（万元）"], record["入库状态"], record["其中监测对象户数"]) == (
        100, "已入库", 8)
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(c if c is not None else ''))}</td>"
                                     for c in r) + "</tr>" for r in rows)
    sheet_page = county.context.new_page()
    sheet_page.set_content(
        "<html><body style='font-family: Noto Sans CJK SC, sans-serif; font-size: 12px'>"
        f"<h3>{html.escape(download.value.suggested_filename)} · openpyxl</h3>"
        "<table border=1 cellspacing=0 cellpadding=3>" + cells + "</table></body></html>")
    shoot(sheet_page, screenshots, "project_library_excel")
    sheet_page.close()

    # -- funds: allocate, then an advance beyond 50% is refused with the reason ---------------
    release = eng.release_funds(users["county1"], "示财农〔2026〕12号", "central", 1_000_000,
                                day, datetime.now(TIMEZONE))
    county.goto(f"/projects/{project_id}")
    allocation = county.locator(f"form[action='/projects/{project_id}/allocations']")
    allocation.locator("select[name=release_id]").select_option(str(release.id))
    allocation.locator("input[name=amount]").fill("600000")
    allocation.locator("button[type=submit]").click()
    expect(county.locator(".flash.success")).to_be_visible()
    payment = county.locator(f"form[action='/projects/{project_id}/payments']")
    payment.locator("select[name=kind]").select_option("advance")
    payment.locator("input[name=amount]").fill("400000")
    payment.locator("button[type=submit]").click()
    expect(county.locator("form .error")).to_contain_text("不得超过已安排资金的 50%")
    shoot(county, screenshots, "project_payment_refused_zh_CN")
    county.goto(f"/projects/{project_id}")
    expect(county.locator("strong.allocated")).to_have_text("600,000.00")
    expect(county.locator("strong.paid")).to_have_text("0.00")

    # -- the case page with its diagram (both modes visible) -------------------------------
    county.goto(f"/cases/{case_id}")
    diagram = county.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")
    for task in ("village_decision", "township_review", "county_appraisal", "announcement"):
        expect(diagram.locator(f".djs-element.dx-done[data-element-id={task}]")).to_have_count(1)
    expect(diagram.locator(".djs-element[data-element-id=gw_split]")).to_have_count(1)
    shoot(county, screenshots, "project_case_zh_CN")
    county.goto("/funds")
    expect(county.locator("section.indicator")).to_contain_text("100.0%")
    shoot(county, screenshots, "project_funds_zh_CN")
