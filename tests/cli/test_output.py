"""One JSON serializer and one table printer: what they show and what they never show."""
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from cli.output import Report, jsonable, table, to_json, width

from engine import Actor, Level


@dataclass(frozen=True)
class Row:
    name: str
    at: datetime | None
    day: date
    level: Level
    id_number: str = "360799196503124515"
    internals: dict = field(default_factory=dict, repr=False)


AT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def test_dataclasses_dates_and_enums_become_json():
    value = {"rows": [Row("王建国", AT, date(2026, 11, 20), Level.VILLAGE)], 3: (1, 2)}
    assert jsonable(value) == {"rows": [{
        "name": "王建国", "at": "2026-11-20T02:00:00+00:00", "day": "2026-11-20",
        "level": "village", "id_number": "360799********4515"}], "3": [1, 2]}
    assert json.loads(to_json(Report(value, "").data))["3"] == [1, 2]
    assert "王建国" in to_json(value)  # characters, not \\u escapes


def test_secrets_never_printed():
    actor = Actor(1, "zhang", "张三", "village", "360799100001", ("staff",), True, "zh_CN",
                  "3a6e2e4563353f44")
    shown = jsonable([actor])[0]
    assert "password_stamp" not in shown and shown["roles"] == ["staff"]


def test_table_aligns_chinese_text_and_formats_cells():
    rows = [Row("王建国", AT, date(2026, 11, 20), Level.VILLAGE),
            Row("li", None, date(2026, 1, 2), Level.COUNTY)]
    lines = table(rows, [("name", "name"), ("at", "at"), ("level", "level"),
                         ("upper", lambda r: r.name.upper())]).splitlines()
    assert lines == ["name    at                level    upper",
                     "王建国  2026-11-20 10:00  village  王建国",
                     "li      -                 county   LI"]
    assert (width("王建国"), width("li")) == (6, 2)
    assert table([], [("name", "name")], empty="nothing here") == "nothing here"
