"""One deadline rule: the compliance report, the case pages and the printed sheet classify a
case against its overall limit through ``engine.deadlines.deadline_outcome``."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from engine import deadline_outcome
from engine.print_words import deadline_words
from engine.views import deadline_standing

CST = ZoneInfo("Asia/Shanghai")
DEADLINE = datetime(2026, 12, 1, 23, 59, 59, tzinfo=CST)      # 15 days from 11-16
MIDNIGHT = datetime(2026, 12, 2, 0, 0, tzinfo=CST)            # "12-01 24:00"


def cst(m, d, h=10):
    return datetime(2026, m, d, h, tzinfo=CST)


#  name, deadline, met, ended, status, now → outcome, view state, days late, printed words
TABLE = [
    ("decided on time", DEADLINE, cst(11, 24), cst(11, 30), "completed", cst(12, 9),
     "on_time", "met", 0, "按期完成"),
    ("decided at the last second", DEADLINE, DEADLINE, None, "running", cst(12, 9),
     "on_time", "met", 0, "按期完成"),
    ("decided late", DEADLINE, cst(12, 4, 9), cst(12, 5), "completed", cst(12, 9),
     "late", "late", 3, "超期 3 天"),
    ("decided a second late", DEADLINE, DEADLINE + timedelta(seconds=1), None, "running",
     cst(12, 9), "late", "late", 1, "超期 1 天"),
    ("decided late, limit at 24:00", MIDNIGHT, cst(12, 2, 9), cst(12, 2, 9), "completed",
     cst(12, 9), "late", "late", 1, "超期 1 天"),
    ("rejected at the deciding step in time", DEADLINE, cst(11, 28), cst(11, 28), "rejected",
     cst(12, 9), "on_time", "met", 0, "按期完成"),
    ("rejected at the deciding step late", DEADLINE, cst(12, 3), cst(12, 3), "rejected",
     cst(12, 9), "late", "late", 2, "超期 2 天"),
    ("rejected before the deciding step", DEADLINE, None, cst(11, 20), "rejected",
     cst(12, 9), "closed", "closed", 0, "未到审批环节即办结"),
    ("cancelled before a decision, within the limit", DEADLINE, None, cst(11, 25),
     "cancelled", cst(12, 9), "closed", "closed", 0, "未到审批环节即办结"),
    ("cancelled before a decision, after the limit", DEADLINE, None, cst(12, 5), "cancelled",
     cst(12, 9), "late", "late", 4, "超期 4 天"),
    ("ended otherwise within the limit", DEADLINE, None, cst(11, 29), "completed",
     cst(12, 9), "closed", "closed", 0, "未到审批环节即办结"),
    ("ended otherwise after the limit", DEADLINE, None, cst(12, 3), "completed", cst(12, 9),
     "late", "late", 2, "超期 2 天"),
    ("running before the limit", DEADLINE, None, None, "running", cst(12, 1, 23),
     "open", "open", 0, "剩余 0 天"),
    ("running after the limit", DEADLINE, None, None, "running", cst(12, 3),
     "overdue", "overdue", 2, "已超期 2 天"),
    ("running, limit at 24:00, the next morning", MIDNIGHT, None, None, "running",
     cst(12, 2, 9), "overdue", "overdue", 1, "已超期 1 天"),
    ("no limit", None, None, None, "running", cst(12, 3), "none", "", 0, "无期限要求"),
]


@pytest.mark.parametrize("name, deadline, met, ended, status, now, state, shown, late, words",
                         TABLE, ids=[row[0] for row in TABLE])
def test_one_rule_for_reports_case_pages_and_prints(name, deadline, met, ended, status, now,
                                                      state, shown, late, words):
    outcome = deadline_outcome(deadline, met, ended, status, now, date(2026, 11, 16))
    assert (outcome.state, outcome.days_late) == (state, late)
    case = SimpleNamespace(deadline=deadline, deadline_met_at=met, ended_at=ended,
                           status=status)
    assert deadline_standing(case, now) == (shown, late)
    assert deadline_words(case, now) == words


def test_days_taken_count_from_the_day_after_the_start():
    outcome = deadline_outcome(DEADLINE, cst(11, 24), None, "running", cst(12, 9),
                               date(2026, 11, 16))
    assert outcome.days_taken == 8
    utc = deadline_outcome(DEADLINE.astimezone(timezone.utc), cst(11, 24, 1), None,
                           "completed", cst(12, 9), date(2026, 11, 16))
    assert utc.days_taken == 8          # China dates, whatever zone the instants are in


# -- the same rule in SQL -----------------------------------------------------------------
UTC = timezone.utc
START = date(2026, 11, 16)
LAST_INSTANT = datetime(2026, 12, 1, 15, 59, 59, 999999, tzinfo=UTC)   # 12-01 23:59:59.999999
#  deadline, met, ended, status, counted from: decisions and ends either side of the limit
#  and of China midnight (16:00 UTC), as instants in UTC.
SQL_TABLE = [row[1:5] + (START,) for row in TABLE] + [
    (LAST_INSTANT, LAST_INSTANT, LAST_INSTANT, "completed", START),       # at the last instant
    (LAST_INSTANT, LAST_INSTANT + timedelta(microseconds=1), None, "completed", START),
    (MIDNIGHT, MIDNIGHT, MIDNIGHT, "completed", START),                   # limit at 24:00
    (MIDNIGHT, MIDNIGHT + timedelta(microseconds=1), None, "rejected", START),
    (DEADLINE, datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC), None, "completed", START),
    (DEADLINE, datetime(2026, 11, 23, 16, 0, 0, tzinfo=UTC), None, "completed", START),
    (DEADLINE, None, datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC), "cancelled", START),
    (DEADLINE, None, datetime(2026, 12, 1, 16, 0, 0, tzinfo=UTC), "cancelled", START),
    (LAST_INSTANT, None, LAST_INSTANT, "cancelled", START),
    (LAST_INSTANT, None, LAST_INSTANT + timedelta(microseconds=1), "rejected", START),
    (DEADLINE, None, None, "cancelled", START),                           # no end recorded
    (DEADLINE, None, datetime(2026, 11, 20, tzinfo=UTC), "running", START),
    (DEADLINE, datetime(2026, 11, 25, tzinfo=UTC), None, "running", None),  # no start day
    (DEADLINE, None, None, "running", date(2026, 11, 30)),
]
NOWS = [cst(11, 30), LAST_INSTANT, LAST_INSTANT + timedelta(microseconds=1),
        datetime(2026, 12, 1, 16, 0, 1, tzinfo=UTC), cst(12, 9)]


@pytest.mark.parametrize("now", NOWS, ids=[n.isoformat() for n in NOWS])
def test_sql_rendering_agrees_with_the_rule(db_engine, now):
    from sqlalchemy import Column, Date, Integer, MetaData, String, Table, insert, select

    from engine.deadlines import outcome_sql
    from engine.models import UTCDateTime

    probe = Table("deadline_probe", MetaData(), Column("id", Integer, primary_key=True),
                  Column("deadline", UTCDateTime()), Column("met_at", UTCDateTime()),
                  Column("ended_at", UTCDateTime()), Column("status", String(12)),
                  Column("counted_from", Date), prefixes=["TEMPORARY"])
    with db_engine.connect() as conn:
        probe.create(conn)
        try:
            conn.execute(insert(probe), [dict(zip(
                ("id", "deadline", "met_at", "ended_at", "status", "counted_from"),
                (i,) + row)) for i, row in enumerate(SQL_TABLE)])
            state, taken = outcome_sql(probe.c.deadline, probe.c.met_at, probe.c.ended_at,
                                       probe.c.status, now, probe.c.counted_from)
            found = conn.execute(select(probe.c.id, state, taken).order_by(probe.c.id)).all()
        finally:
            conn.rollback()
    assert len(found) == len(SQL_TABLE)
    for (i, sql_state, sql_taken), row in zip(found, SQL_TABLE):
        outcome = deadline_outcome(*row[:4], now, row[4])
        assert (sql_state, sql_taken) == (outcome.state, outcome.days_taken), (i, row)
    assert {s for _, s, _ in found} >= {"on_time", "late", "closed"}
