"""督办 in Chromium: a village step two days past its due time is swept; the township sees
the bell and the 督办 item and urges the village, which reads the urge under its bell; a
week later the county gets its own 督办 and reads the overdue board, down to the village.
Screenshots of the bell, a 督办 item and the county board in Chinese and English go to
artifacts/screenshots/.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.browser.test_identification_flow import shoot, switch_language, today


def overdue_case(eng, users) -> int:
    """A declaration discovered nine days ago whose home check (3 days, moved past rest days)
    is overdue whatever the weekday, swept."""
    now = datetime.now(timezone.utc)
    data = {"household_id": 1, "channel": "self_declaration",
            "discovery_date": (today() - timedelta(days=9)).isoformat(), "risk_types": ["01"],
            "commitment_signed": True, "green_channel": False,
            "late_reason": "户主外出务工，返乡后才申报"}
    case_id = eng.start("monitoring_identification", users["village11"], data,
                        now - timedelta(days=9)).case.id
    eng.fire_due(now)
    return case_id


def test_supervision_bell_urge_and_county_board(login, eng, users, screenshots):
    case_id = overdue_case(eng, users)
    township = login("township1")
    bell = township.locator("header.site a.bell")
    expect(bell.locator(".count")).to_have_text("1")
    expect(township.locator("p.notice")).to_contain_text("由您督办")
    bell.click()
    expect(township.locator("table.notifications tbody tr")).to_have_count(1)
    expect(township.locator("table.notifications")).to_contain_text("入户核实")
    shoot(township, screenshots, "bell-notifications-zh")
    switch_language(township, "en")
    expect(township.locator("table.notifications")).to_contain_text("under your supervision")
    shoot(township, screenshots, "bell-notifications-en")
    switch_language(township, "zh_CN")

    township.locator("nav.main a[href='/supervision']").click()
    row = township.locator("table.supervisions tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("东山村")
    [supervised] = eng.supervisions(users["township1"])
    assert supervised.days_overdue >= 1
    expect(row.locator("td.num")).to_have_text(str(supervised.days_overdue))
    row.locator("input[name=note]").fill("请今天完成入户核实")
    row.locator("button[type=submit]").click()
    expect(township.locator(".flash.success")).to_contain_text("已催办")
    shoot(township, screenshots, "supervision-item-zh")
    switch_language(township, "en")
    expect(township.locator("table.supervisions")).to_contain_text("Days overdue")
    shoot(township, screenshots, "supervision-item-en")

    village = login("village11")
    expect(village.locator("header.site a.bell .count")).to_have_text("1")
    village.locator("header.site a.bell").click()
    expect(village.locator("table.notifications")).to_contain_text("请今天完成入户核实")
    village.locator("form.actions button[type=submit]").click()     # mark all read
    expect(village.locator("header.site a.bell .count")).to_have_text("0")

    eng.fire_due(datetime.now(timezone.utc) + timedelta(days=7))   # the township did not act
    county = login("county1")
    expect(county.locator("header.site a.bell .count")).to_have_text("1")
    county.locator("nav.main a[href='/overdue']").click()
    expect(county.locator("table.board tbody tr")).to_have_count(1)
    expect(county.locator("table.board")).to_contain_text("东山镇")
    shoot(county, screenshots, "overdue-board-zh")
    county.locator("table.board tbody tr a").first.click()
    expect(county.locator("table.board")).to_contain_text("东山村")
    expect(county.locator("main")).to_contain_text("入户核实")
    switch_language(county, "en")
    expect(county.locator("h1")).to_contain_text("Overdue board")
    shoot(county, screenshots, "overdue-board-village-en")
    county.goto(f"/cases/{case_id}")
    expect(county.locator("section.supervision tbody tr")).to_have_count(2)
