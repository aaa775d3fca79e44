"""The reports pages in Chromium: the chart drawn by ECharts (SVG) beside its table, in
Chinese and in English, kept when printing, and the table alone without JavaScript.
Screenshots of the compliance, open-cases and overdue reports go to artifacts/screenshots/.
"""
from __future__ import annotations

from playwright.sync_api import expect

from reports_support import cst, identification
from tests.browser.test_identification_flow import shoot

RANGE = "from=2026-11-01&to=2026-12-31"


def build(eng, users):
    """On time in 东山村, late in 李家村, waiting at the township in 西河村, and a home
    check in 桃源村 that was never done."""
    identification(eng, users, 1, decided_at=cst(2026, 11, 24))
    identification(eng, users, 3, decided_at=cst(2026, 12, 3))
    identification(eng, users, 4, until="township_review")
    identification(eng, users, 5, until="home_check")


def chart_drawn(page):
    chart = page.locator("#report-chart")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("svg")).to_have_count(1)
    return chart


def test_report_pages_with_their_charts_in_both_languages(login, eng, users, screenshots):
    build(eng, users)
    page = login("county1")
    page.locator("nav.main a[href='/reports']").click()
    expect(page.locator("h1")).to_have_text("统计报表")
    page.locator("a[href='/reports/compliance']").first.click()
    page.goto(f"/reports/compliance?{RANGE}")
    chart = chart_drawn(page)
    expect(chart.locator("svg text", has_text="东山镇")).to_have_count(1)
    expect(page.locator("table.report-areas tbody tr").first).to_contain_text("东山镇")
    expect(page.locator("table.report-late tbody tr")).to_have_count(1)
    expect(page.locator("table.report-late tbody tr")).to_contain_text("李家村")
    expect(page.locator(".print-button")).to_be_visible()
    shoot(page, screenshots, "report-compliance-zh")
    for name in ("stages", "overdue", "daily", "funds"):
        page.goto(f"/reports/{name}?{RANGE}")
        chart_drawn(page)
        shoot(page, screenshots, f"report-{name}-zh")

    page.goto(f"/reports/compliance?{RANGE}")
    page.locator("form.lang button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Time-limit compliance (15 days)")
    chart = chart_drawn(page)
    expect(chart.locator("svg text", has_text="On time")).to_have_count(1)
    shoot(page, screenshots, "report-compliance-en")
    for name in ("stages", "overdue"):
        page.goto(f"/reports/{name}?{RANGE}")
        chart_drawn(page)
        shoot(page, screenshots, f"report-{name}-en")

    # Printing keeps the chart and the tables and leaves out the filters and navigation.
    page.emulate_media(media="print")
    expect(page.locator("form.report-filters")).to_be_hidden()
    expect(page.locator("#report-chart svg")).to_be_visible()
    expect(page.locator("table.report-villages")).to_be_visible()


def test_without_javascript_the_table_still_shows(browser, browser_context_args, demo_site,
                                                  eng, users):
    build(eng, users)
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login")
        page.locator("input[name=username]").fill("township1")
        page.locator("input[name=password]").fill("dixian-demo")
        page.locator("form[action='/login'] button[type=submit]").click()
        page.goto(f"/reports/compliance?{RANGE}")
        expect(page.locator("#report-chart svg")).to_have_count(0)
        expect(page.locator("table.report-areas tbody tr")).to_have_count(2)
        expect(page.locator("table.report-areas tbody tr").nth(1)).to_contain_text("李家村")
        expect(page.locator(".print-button")).to_be_hidden()
    finally:
        context.close()


def register(eng, users):
    """Monitoring objects in both townships, a year's visits in November, and the county's
    figures entered by hand for the month."""
    from datetime import date

    from reports_support import monitored

    monitored(eng, 1, "360799100001", "脱贫不稳定户", risks="01,07",
              measures="industry,employment")
    monitored(eng, 2, "360799100001", "边缘易致贫户", status="eliminated",
              measures="industry,health", eliminated=cst(2026, 11, 10))
    monitored(eng, 3, "360799100002", "突发严重困难户", risks="0201", measures="housing_safety")
    monitored(eng, 4, "360799200001", "边缘易致贫户", risks="04", measures="public_welfare_job")
    for user, household, day in (("village11", 1, 3), ("village11", 2, 5),
                                 ("village12", 3, 9), ("village21", 4, 12)):
        eng.record_visit(users[user], household, dict(
            visited_on=date(2026, 11, day).isoformat(), visitors="帮扶责任人 李明",
            income_change="stable", spending_change="stable", food_clothing=True,
            education=True, medical=True, housing=True, safe_water=True),
            now=cst(2026, 11, day, 18))


def test_register_and_visit_reports_with_the_hand_entered_form(login, eng, users,
                                                               screenshots):
    register(eng, users)
    page = login("county1")
    for name in ("monitoring", "measures"):
        page.goto(f"/reports/{name}?from=2026-01-01&to=2026-11-29")
        chart_drawn(page)
        shoot(page, screenshots, f"report-{name}-zh")
    page.goto("/reports/visits?from=2026-11-01&to=2026-11-29")
    chart_drawn(page)
    expect(page.locator("table.report-visited tfoot")).to_contain_text("合计")
    page.get_by_role("link", name="填报手工项目").click()
    page.locator("#f-county_who").fill("3")
    page.locator("#f-county_households").fill("12")
    page.locator("#f-county_persons").fill("40")
    page.locator("#f-money").fill("12.5")
    page.locator("#f-goods").fill("米、面、油")
    page.locator("#f-meetings").fill("4")
    page.locator("#f-deployment").fill("县委召开专题会议部署走访慰问\n各乡镇成立走访工作组")
    shoot(page, screenshots, "report-visits-entry-zh")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("p.flash.success")).to_contain_text("第 1 版")
    expect(page.locator("table.report-leaders")).to_contain_text("3位县领导走访慰问12户40人")
    shoot(page, screenshots, "report-visits-zh")

    page.locator("form.lang button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Visits and condolences (走访慰问情况统计表)")
    chart_drawn(page)
    shoot(page, screenshots, "report-visits-en")
    for name in ("monitoring", "measures", "daily"):
        page.goto(f"/reports/{name}?from=2026-01-01&to=2026-11-29")
        chart_drawn(page)
        shoot(page, screenshots, f"report-{name}-en")
