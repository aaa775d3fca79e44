"""Tests for engine.calendar: natural/working days, holidays, 调休, overrides, deadlines."""

from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar
import pytest
import time_machine

from engine.calendar import TIMEZONE, BusinessCalendar, DayKind

W = DayKind.WORKING
N = DayKind.NATURAL


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar()


# --- library data sanity: check the facts the other tests rely on -----------


def test_library_data_2025_national_day():
    holidays = [date(2025, 10, d) for d in range(1, 9)]
    for d in holidays:
        assert chinese_calendar.is_holiday(d), d
    # 调休: Sunday Sep 28 and Saturday Oct 11 are working days
    assert date(2025, 9, 28).weekday() == 6
    assert date(2025, 10, 11).weekday() == 5
    assert chinese_calendar.is_workday(date(2025, 9, 28))
    assert chinese_calendar.is_workday(date(2025, 10, 11))
    assert chinese_calendar.is_holiday(date(2025, 9, 27))  # ordinary Saturday
    assert chinese_calendar.is_workday(date(2025, 10, 9))


def test_library_data_2026_spring_festival():
    for d in (date(2026, 2, 15) + timedelta(i) for i in range(9)):  # Feb 15..23
        assert chinese_calendar.is_holiday(d), d
    assert chinese_calendar.is_workday(date(2026, 2, 14))  # Saturday 调休
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    assert chinese_calendar.is_workday(date(2026, 2, 28))  # Saturday 调休


# --- DayKind -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("natural", N),
        ("working", W),
        ("  Working ", W),
        ("自然日", N),
        ("工作日", W),
        (DayKind.WORKING, W),
    ],
)
def test_daykind_parse(value, expected):
    assert DayKind.parse(value) is expected


@pytest.mark.parametrize("value", ["", "workday", "日", "business", None, 3])
def test_daykind_parse_rejects(value):
    with pytest.raises(ValueError, match="day kind"):
        DayKind.parse(value)


def test_daykind_is_str():
    assert DayKind.WORKING == "working"
    assert DayKind("natural") is N


# --- is_workday / knows_year -----------------------------------------------------


def test_is_workday_basic(cal):
    assert cal.is_workday(date(2025, 9, 26))  # Friday
    assert not cal.is_workday(date(2025, 9, 27))  # Saturday
    assert not cal.is_workday(date(2025, 10, 1))  # National Day
    assert cal.is_workday(date(2025, 10, 11))  # 调休 Saturday


def test_is_workday_rejects_datetime(cal):
    with pytest.raises(TypeError):
        cal.is_workday(datetime(2025, 10, 1, 12, 0))


def test_unknown_year_falls_back_to_monday_friday(cal):
    assert not cal.knows_year(2031)
    # 2031-10-01 is a Wednesday: without data it is an ordinary working day
    assert date(2031, 10, 1).weekday() == 2
    assert cal.is_workday(date(2031, 10, 1))
    assert not cal.is_workday(date(2031, 10, 4))  # Saturday
    assert not cal.is_workday(date(2031, 10, 5))  # Sunday
    # Fri 2031-10-03 + 1 working day -> Mon 2031-10-06
    assert cal.add_days(date(2031, 10, 3), 1, W) == date(2031, 10, 6)


def test_knows_year(cal):
    assert cal.knows_year(2025)
    assert cal.knows_year(2026)
    assert not cal.knows_year(2031)
    assert not cal.knows_year(0)
    assert not cal.knows_year(10000)
    with_override = BusinessCalendar({date(2031, 10, 1): False})
    assert with_override.knows_year(2031)
    assert not with_override.knows_year(2032)


# --- overrides ---------------------------------------------------------------


def test_overrides_win_over_library():
    cal = BusinessCalendar(
        {
            date(2025, 10, 9): False,  # library: working Thursday -> local holiday
            date(2025, 10, 4): True,  # library: holiday Saturday -> workday
        }
    )
    assert not cal.is_workday(date(2025, 10, 9))
    assert cal.is_workday(date(2025, 10, 4))
    assert cal.add_days(date(2025, 10, 3), 1, W) == date(2025, 10, 4)
    assert cal.add_days(date(2025, 10, 4), 1, W) == date(2025, 10, 10)
    # the plain calendar is unaffected
    assert BusinessCalendar().is_workday(date(2025, 10, 9))


def test_overrides_for_unknown_year():
    cal = BusinessCalendar({date(2031, 10, 1): False, date(2031, 10, 4): True})
    assert not cal.is_workday(date(2031, 10, 1))
    assert cal.is_workday(date(2031, 10, 4))
    # Tue 2031-09-30 + 2 working days: skip Wed 1 (holiday) -> Thu 2, Fri 3
    assert cal.add_days(date(2031, 9, 30), 2, W) == date(2031, 10, 3)
    assert cal.add_days(date(2031, 9, 30), 3, W) == date(2031, 10, 4)


def test_overrides_are_copied():
    table = {date(2025, 10, 9): False}
    cal = BusinessCalendar(table)
    table[date(2025, 10, 9)] = True
    assert not cal.is_workday(date(2025, 10, 9))
    cal.overrides[date(2025, 10, 9)] = True
    assert not cal.is_workday(date(2025, 10, 9))


def test_override_keys_must_be_dates():
    with pytest.raises(TypeError):
        BusinessCalendar({datetime(2025, 10, 9, 0, 0): False})


# --- add_days ------------------------------------------------------------------


def test_add_natural_days(cal):
    assert cal.add_days(date(2025, 9, 30), 3, N) == date(2025, 10, 3)
    assert cal.add_days(date(2025, 12, 30), 5, "natural") == date(2026, 1, 4)
    assert cal.add_days(date(2024, 2, 28), 1, "自然日") == date(2024, 2, 29)
    assert cal.add_days(date(2025, 10, 1), 0, N) == date(2025, 10, 1)


def test_add_zero_working_days_returns_start(cal):
    assert cal.add_days(date(2025, 10, 1), 0, W) == date(2025, 10, 1)


def test_working_days_across_2025_national_day(cal):
    fri = date(2025, 9, 26)
    # Sat 27 off, Sun 28 调休 working, Mon 29, Tue 30
    assert cal.add_days(fri, 1, W) == date(2025, 9, 28)
    assert cal.add_days(fri, 3, W) == date(2025, 9, 30)
    assert cal.add_days(fri, 4, W) == date(2025, 10, 9)
    # a case found on Tue Sep 30 with 3 working days: Oct 9, Oct 10, Sat Oct 11 (调休)
    assert cal.add_days(date(2025, 9, 30), 1, W) == date(2025, 10, 9)
    assert cal.add_days(date(2025, 9, 30), 3, "工作日") == date(2025, 10, 11)
    assert cal.add_days(date(2025, 9, 30), 4, W) == date(2025, 10, 13)
    # starting inside the holiday
    assert cal.add_days(date(2025, 10, 3), 1, W) == date(2025, 10, 9)


def test_adjusted_saturday_counts_as_working_day(cal):
    # Fri Oct 10 + 1 working day is the 调休 Saturday, not Monday
    assert cal.add_days(date(2025, 10, 10), 1, W) == date(2025, 10, 11)
    # an ordinary Friday + 1 is the next Monday
    assert cal.add_days(date(2025, 10, 17), 1, W) == date(2025, 10, 20)


def test_working_days_across_2026_spring_festival(cal):
    # Fri Feb 13 -> Sat Feb 14 (调休) -> holiday Feb 15..23 -> Tue Feb 24
    assert cal.add_days(date(2026, 2, 13), 1, W) == date(2026, 2, 14)
    assert cal.add_days(date(2026, 2, 13), 2, W) == date(2026, 2, 24)
    assert cal.add_days(date(2026, 2, 12), 5, W) == date(2026, 2, 26)
    # Sat Feb 28 is also an adjusted working day
    assert cal.add_days(date(2026, 2, 27), 1, W) == date(2026, 2, 28)


def test_negative_working_days(cal):
    assert cal.add_days(date(2025, 10, 9), -1, W) == date(2025, 9, 30)
    assert cal.add_days(date(2025, 10, 9), -4, W) == date(2025, 9, 26)
    assert cal.add_days(date(2025, 10, 9), -3, N) == date(2025, 10, 6)


def test_add_days_validates(cal):
    with pytest.raises(ValueError):
        cal.add_days(date(2025, 10, 1), 1, "weekdays")
    with pytest.raises(TypeError):
        cal.add_days(date(2025, 10, 1), 1.5, W)
    with pytest.raises(TypeError):
        cal.add_days(datetime(2025, 10, 1, 8, 0, tzinfo=timezone.utc), 1, W)


# --- due_at ----------------------------------------------------------------------


def test_due_at_is_end_of_local_day_in_utc(cal):
    start = datetime(2025, 9, 26, 9, 30, tzinfo=TIMEZONE)
    due = cal.due_at(start, 4, W)
    assert due == datetime(2025, 10, 9, 15, 59, 59, tzinfo=timezone.utc)
    assert due.tzinfo is timezone.utc
    assert due.astimezone(TIMEZONE).replace(tzinfo=None) == datetime(2025, 10, 9, 23, 59, 59)


def test_due_at_naive_is_utc(cal):
    # 2025-09-29 20:00 UTC is already Tue Sep 30 04:00 in Shanghai
    due = cal.due_at(datetime(2025, 9, 29, 20, 0), 1, W)
    assert due == datetime(2025, 10, 9, 15, 59, 59, tzinfo=timezone.utc)
    # same instant, aware
    assert cal.due_at(datetime(2025, 9, 29, 20, 0, tzinfo=timezone.utc), 1, W) == due
    # 2025-09-29 15:00 UTC is still Mon Sep 29 23:00 local -> next working day Sep 30
    assert cal.due_at(datetime(2025, 9, 29, 15, 0), 1, W) == datetime(
        2025, 9, 30, 15, 59, 59, tzinfo=timezone.utc
    )


def test_due_at_accepts_date(cal):
    # 3 natural days after 09-30 is 10-03, inside the National Day holiday (10-01..10-08):
    # the limit ends on the first working day after it (Civil Code art. 203).
    assert cal.due_at(date(2025, 9, 30), 3, N) == datetime(
        2025, 10, 9, 15, 59, 59, tzinfo=timezone.utc
    )
    assert cal.due_at(date(2025, 9, 30), 0, W) == datetime(
        2025, 9, 30, 15, 59, 59, tzinfo=timezone.utc
    )


def test_due_at_does_not_read_clock(cal):
    start = datetime(2025, 9, 26, 9, 30, tzinfo=TIMEZONE)
    expected = cal.due_at(start, 4, W)
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=timezone.utc), tick=False):
        assert cal.due_at(start, 4, W) == expected
        assert cal.days_left(start, expected, W) == 4


# --- days_left ---------------------------------------------------------------------


def test_days_left_natural(cal):
    due = cal.due_at(date(2025, 9, 30), 10, N)  # Oct 10 23:59:59 local
    assert cal.days_left(datetime(2025, 9, 30, 8, 0, tzinfo=TIMEZONE), due, N) == 10
    assert cal.days_left(datetime(2025, 10, 10, 0, 0, tzinfo=TIMEZONE), due, N) == 0
    assert cal.days_left(datetime(2025, 10, 10, 23, 59, tzinfo=TIMEZONE), due, N) == 0
    assert cal.days_left(datetime(2025, 10, 11, 0, 1, tzinfo=TIMEZONE), due, N) == -1
    assert cal.days_left(datetime(2025, 10, 15, 9, 0, tzinfo=TIMEZONE), due, "natural") == -5


def test_days_left_working_positive_and_zero(cal):
    start = datetime(2025, 9, 30, 10, 0, tzinfo=TIMEZONE)
    due = cal.due_at(start, 3, W)  # Sat Oct 11 (调休)
    assert cal.days_left(start, due, W) == 3
    assert cal.days_left(datetime(2025, 10, 5, 12, 0, tzinfo=TIMEZONE), due, W) == 3
    assert cal.days_left(datetime(2025, 10, 9, 12, 0, tzinfo=TIMEZONE), due, W) == 2
    assert cal.days_left(datetime(2025, 10, 11, 9, 0, tzinfo=TIMEZONE), due, W) == 0
    # the same due day, naive UTC 'now' (2025-10-11 15:00Z = 23:00 local)
    assert cal.days_left(datetime(2025, 10, 11, 15, 0), due, W) == 0


def test_days_left_working_overdue(cal):
    due = cal.due_at(date(2025, 9, 26), 4, W)  # Thu Oct 9
    assert cal.days_left(date(2025, 10, 10), due, W) == -1
    assert cal.days_left(date(2025, 10, 11), due, W) == -2  # 调休 Saturday counts
    assert cal.days_left(date(2025, 10, 12), due, W) == -2  # Sunday adds nothing
    assert cal.days_left(date(2025, 10, 13), due, W) == -3


def test_days_left_overdue_on_non_working_day_is_negative(cal):
    due = cal.due_at(date(2025, 9, 30), 0, W)  # Tue Sep 30, last day before holiday
    # Oct 1 is a holiday, but the case is already overdue
    assert cal.days_left(date(2025, 10, 1), due, W) == -1
    assert cal.days_left(date(2025, 10, 8), due, W) == -1
    assert cal.days_left(date(2025, 10, 9), due, W) == -1
    assert cal.days_left(date(2025, 10, 10), due, W) == -2


def test_days_left_roundtrip_with_due_at(cal):
    start = date(2026, 2, 10)
    for n in range(0, 15):
        due = cal.due_at(start, n, W)
        assert cal.days_left(start, due, W) == n
        natural = cal.due_at(start, n, N)
        assert cal.days_left(start, natural, N) >= n      # a rest day moves the last day on
        assert cal.is_workday(natural.astimezone(TIMEZONE).date()) or n == 0


@pytest.mark.parametrize("found, last", [
    (date(2026, 11, 20), date(2026, 12, 7)),   # 12-05 is a Saturday: Monday 12-07
    (date(2026, 11, 16), date(2026, 12, 1)),   # 12-01 is a Tuesday: unchanged
    (date(2026, 9, 20), date(2026, 10, 8)),    # 10-05 falls in National Day: after it
])
def test_natural_limit_ending_on_a_rest_day_ends_on_the_next_working_day(cal, found, last):
    """Civil Code arts. 201/203: the start day does not count; a last day that is a rest
    day moves to the first working day after it (wrong before: 15 days always ended on
    day 15, holiday or not)."""
    due = cal.due_at(found, 15, N)
    assert due.astimezone(TIMEZONE).date() == last
    assert due.astimezone(TIMEZONE).time() == time(23, 59, 59)
