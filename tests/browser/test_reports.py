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
