"""The holiday library ends: administrators are warned about a year without holidays and
enter the State Council's schedule of it in one go."""
from __future__ import annotations

from datetime import date

from engine import BusinessCalendar


def test_admin_is_warned_about_the_coming_year_and_enters_it(client, auth, eng, clock, user):
    clock.move_to("2026-12-01T02:00:00+00:00")
    assert eng.calendar_gaps() == [2027]            # the library knows 2026, not 2027
    auth.login("admin")
    page = client.get("/admin/calendar?year=2027").data.decode()
    assert "尚未录入 2027 年的节假日安排" in page and 'id="schedule"' in page
    bad = client.post("/admin/calendar/schedule", data={
        "year": "2027", "holidays": "2027-10-01..2027-10-07\n2027-02-30", "workdays": ""})
    assert bad.status_code == 400
    text = bad.data.decode()
    assert "2027-02-30 is not a date" in text and "2027-10-01..2027-10-07" in text
    assert eng.calendar_overrides(2027) == []            # nothing half-written
    done = client.post("/admin/calendar/schedule", data={
        "year": "2027", "holidays": "2027-10-01..2027-10-07, 2027-01-01",
        "workdays": "2027-09-26\n2027-10-09", "note": "国务院办公厅通知"})
    assert done.status_code == 302
    days = {d.day: d.is_workday for d in eng.calendar_overrides(2027)}
    assert len(days) == 10 and days[date(2027, 10, 9)] is True and days[date(2027, 10, 3)] is False
    assert eng.calendar_gaps() == []
    assert "尚未录入" not in client.get("/inbox").data.decode()
    calendar = BusinessCalendar(days)
    assert calendar.add_days(date(2027, 9, 30), 1, "working") == date(2027, 10, 8)
    assert calendar.add_days(date(2027, 9, 30), 2, "working") == date(2027, 10, 9)   # 调休


def test_staff_cannot_enter_a_schedule(client, auth):
    auth.login("county1")
    assert client.post("/admin/calendar/schedule", data={
        "year": "2027", "holidays": "2027-10-01"}).status_code == 403
