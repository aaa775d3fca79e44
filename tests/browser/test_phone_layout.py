"""At 375 px (a phone) the case page's steps and history and the task page read as cards:
no cell is squeezed to a character per line and nothing runs off the right edge. Widths
are measured in Chromium; screenshots go to artifacts/screenshots/."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from engine import TIMEZONE

PHONE = {"width": 375, "height": 812}
MIN_CELL = 4 * 15  # four characters of the 15 px body font


def _today() -> str:
    return datetime.now(timezone.utc).astimezone(TIMEZONE).date().isoformat()


@pytest.fixture
def case_with_history(eng, users, demo_site):
    """An identification case past its home check, with a comment: a history of some length."""
    day = _today()
    village = users["village11"]
    started = eng.start("monitoring_identification", village, {
        "household_id": 1, "channel": "self_declaration", "discovery_date": day,
        "risk_types": ["01"], "commitment_signed": True, "green_channel": False,
        "description": "户主突发重病住院，家庭收入骤减"})
    done = eng.complete(started.items[0].id, village, {
        "checkers": ["张三", "李四"], "check_date": day, "annual_household_income": 20000,
        "income_per_head": 5000, "out_of_pocket_medical": 30000, "major_illness": True,
        "disability_grade": 0, "rigid_spending": 35000, "formerly_poor": False,
        "sudden_shock": False, "acute_difficulties": "住院费用无力支付"},
        comment="两名村干部入户核实，情况属实")
    return started.case.id, done.items[0].id


def _phone(login, username):
    page = login(username)
    page.set_viewport_size(PHONE)
    return page


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def _cell_widths(page, selector):
    return page.locator(selector).evaluate_all(
        "cells => cells.map(c => [c.getBoundingClientRect().width, c.textContent.trim()])")


def test_case_history_and_steps_read_as_cards_at_375_px(login, case_with_history,
                                                         screenshots):
    case_id, _ = case_with_history
    page = _phone(login, "county1")
    page.goto(f"/cases/{case_id}")
    expect(page.locator("table.history")).to_be_visible()
    cells = _cell_widths(page, "table.history tbody td")
    assert len(cells) >= 8
    narrow = [(w, text[:20]) for w, text in cells if text and w <= MIN_CELL]
    assert narrow == [], f"history cells squeezed at 375 px: {narrow}"
    # …and none hidden off to the right of a table that scrolls sideways.
    rights = page.locator("table.history tbody td").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().right)")
    assert max(rights) <= PHONE["width"]
    steps = _cell_widths(page, "table.steps tbody td")
    assert steps and all(w > MIN_CELL for w, text in steps if text)
    # Each value says what it is, the column heads being out of sight.
    label = page.locator("table.history tbody td[data-label]").first.evaluate(
        "c => getComputedStyle(c, '::before').content")
    assert "时间" in label
    # The household's data in the history: labels and values side by side, both readable.
    values = _cell_widths(page, "table.history dl.data dd")
    assert values and min(w for w, _ in values) > MIN_CELL
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "case_history_375_zh_CN.png"), full_page=True)


def test_task_page_fits_375_px(login, case_with_history, screenshots):
    _, item_id = case_with_history
    page = _phone(login, "village11")
    page.goto(f"/tasks/{item_id}")
    expect(page.locator("section.sheet")).to_be_visible()
    values = _cell_widths(page, "section.sheet dl.grid dd")
    assert values and min(w for w, _ in values) > MIN_CELL
    for selector in ("header.site .account a", "header.site .account button"):
        for height in page.locator(selector).evaluate_all(
                "els => els.map(e => e.getBoundingClientRect().height)"):
            assert height < 30  # one line: 密码 and 退出 do not stack their characters
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "task_375_zh_CN.png"), full_page=True)
