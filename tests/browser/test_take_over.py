"""接管 in Chromium: the lead of the village opens a step a colleague claimed, opens 接管,
gives the reason and confirms; the step is theirs, the history says who took it from whom
and why. Screenshots in Chinese and English go to artifacts/screenshots/."""
from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect

from engine import TIMEZONE, demo


def test_the_lead_takes_over_a_claimed_step(login, eng, users, screenshots):
    day = datetime.now(timezone.utc).astimezone(TIMEZONE).date().isoformat()
    eng.add_user("village11lead", "village", "360799100001", demo.PASSWORD, "staff,lead",
                 "东山村 支书")
    started = eng.start("monitoring_identification", users["village11"], {
        "household_id": 1, "channel": "self_declaration", "discovery_date": day,
        "risk_types": ["01"], "commitment_signed": True, "green_channel": False})
    item = started.items[0]
    eng.claim(item.id, users["village11"])

    page = login("village11lead")
    page.goto(f"/tasks/{item.id}")
    expect(page.locator("section.task-form")).to_have_count(0)  # claimed by a colleague
    section = page.locator("#take-over")
    expect(section.locator("textarea[name=reason]")).not_to_be_visible()  # behind 接管
    section.locator("summary").click()
    expect(section).to_contain_text("东山村 村委会已签收此环节")
    section.locator("textarea[name=reason]").fill("村委会主任住院，由支书接办")
    page.screenshot(path=str(screenshots / "take_over_zh_CN.png"), full_page=True)
    section.locator("button[type=submit]").click()
    expect(page.locator(".flash.success")).to_contain_text("已接管，现由东山村 支书办理")
    expect(page.locator("section.task-form")).to_be_visible()  # the lead may act now
    page.goto(f"/cases/{started.case.id}")
    row = page.locator("table.history tbody tr").filter(has_text="接管")
    expect(row).to_contain_text("东山村 支书")
    expect(row).to_contain_text("村委会主任住院，由支书接办")
    expect(row).to_contain_text("东山村 村委会")  # taken from
    page.locator("form.lang button[name=locale]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("table.history")).to_contain_text("Taken over")
    page.screenshot(path=str(screenshots / "take_over_history_en.png"), full_page=True)
