"""The export to the national monitoring system (workbook, layout, scope, date range) and
the monthly-visit reminder (once per village and month, also with two workers at once)."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime, timezone

import openpyxl
import pytest
import time_machine
from sqlalchemy import update

from engine import InvalidData
from engine.models import AuditEvent
from engine.register_models import MonitoringObject, VisitReminder
from engine.supervision_models import Notification
from support import NOW, count, run_together, workers
from elimination_support import cst, take_in, visit

OBJECTS = MonitoringObject.__table__


@pytest.fixture
def objects(eng, users):
    """Households 1 (东山村) and 3 (南坡村) of township1, 4 (西河村) of township2 monitored;
    household 1's risk eliminated on 2026-11-10."""
    eng.set_members(1, users["village11"], [
        {"name": "王建国", "id_number": "360799196503124515", "relation": "head",
         "sex": "male", "labour_capacity": "ordinary"},
        {"name": "王小明", "relation": "child", "sex": "male", "labour_capacity": "none",
         "schooling": "primary"}], now=NOW)
    take_in(eng, 1, since=cst(2026, 3, 10))
    take_in(eng, 3, since=cst(2026, 10, 5))
    take_in(eng, 4, since=cst(2026, 11, 2))
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).where(OBJECTS.c.household_id == 1).values(
            status="eliminated", elimination_mode="natural", eliminated_at=cst(2026, 11, 10)))
    return users


def sheets(content: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_county_export_has_new_and_eliminated_objects_and_members(eng, objects):
    content, households_n, members_n = eng.export_national(objects["county1"], now=NOW)
    found = sheets(content)
    assert list(found) == ["监测对象", "家庭成员"]
    head = found["监测对象"][0]
    assert head[:8] == ("记录类型", "户编号", "县", "乡镇", "村", "行政区划代码", "户主姓名",
                        "户主身份证号")
    rows = [dict(zip(head, r)) for r in found["监测对象"][1:]]
    assert [(r["记录类型"], r["户编号"]) for r in rows] == [
        ("新识别监测对象", 3), ("新识别监测对象", 4), ("风险消除", 1)]
    gone = rows[-1]
    assert (gone["监测状态"], gone["风险消除方式"], gone["风险消除日期"]) == (
        "风险已消除", "自然消除", datetime(2026, 11, 10))
    assert gone["户主身份证号"] == "360799196503124515"
    members = found["家庭成员"]
    assert members[0][:4] == ("户编号", "户主姓名", "成员姓名", "身份证号")
    assert [(m[0], m[2], m[4], m[9]) for m in members[1:]] == [
        (1, "王建国", "户主", "普通劳动力"), (1, "王小明", "子女", "无劳动力")]
    assert (households_n, members_n) == (3, 2)
    assert count(eng, AuditEvent, AuditEvent.event == "national_exported") == 1


def test_a_township_exports_only_its_villages_and_a_range_limits_the_rows(eng, objects):
    content, _, _ = eng.export_national(objects["township1"], now=NOW)
    assert [r[1] for r in sheets(content)["监测对象"][1:]] == [3, 1]
    content, _, _ = eng.export_national(objects["township2"], now=NOW)
    assert [r[1] for r in sheets(content)["监测对象"][1:]] == [4]
    content, n, _ = eng.export_national(objects["county1"], "2026-11-01", "2026-11-30",
                                        now=NOW)
    assert [(r[0], r[1]) for r in sheets(content)["监测对象"][1:]] == [
        ("新识别监测对象", 4), ("风险消除", 1)]
    with pytest.raises(InvalidData, match="after its end"):
        eng.export_national(objects["county1"], "2026-12-01", "2026-11-01", now=NOW)
    with pytest.raises(InvalidData, match="not a date"):
        eng.export_national(objects["county1"], "2026-13-01", now=NOW)


def test_the_layout_is_a_mapping_file(eng, objects, tmp_path):
    mapping = tmp_path / "mine.json"
    mapping.write_text(json.dumps({
        "households": {"title": "户", "columns": [{"header": "姓名", "field": "head_name"},
                                                   {"header": "证件", "field": "masked_id"}]},
        "members": {"title": "人", "columns": [{"header": "成员", "field": "name"}]}}),
        encoding="utf-8")
    eng.settings = replace(eng.settings, national_columns=str(mapping))
    found = sheets(eng.export_national(objects["county1"], now=NOW)[0])
    assert found["户"][0] == ("姓名", "证件")
    assert found["户"][-1] == ("王建国", "360799********4515")
    mapping.write_text(json.dumps({"households": {"columns": [{"field": "bank_account"}]},
                                   "members": {"columns": []}}), encoding="utf-8")
    with pytest.raises(InvalidData, match="unknown field 'bank_account'"):
        eng.export_national(objects["county1"], now=NOW)


# Monthly visit reminders ------------------------------------------------------------------

def notes(eng, kind="visit_due") -> list:
    from support import rows
    return rows(eng, Notification, Notification.kind == kind)


def test_visit_reminder_goes_once_per_village_and_month(eng, objects):
    visit(eng, objects, "2026-11-05", household=1)   # 东山村's only household under watch
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).values(status="monitoring"))
    with time_machine.travel(datetime(2026, 11, 19, 4, tzinfo=timezone.utc), tick=False):
        assert eng.remind_visits() == []
    with time_machine.travel(datetime(2026, 11, 20, 1, tzinfo=timezone.utc), tick=False):
        assert eng.remind_visits() == ["360799100002", "360799200001"]
        assert eng.remind_visits() == []
    sent = notes(eng)
    by_user = {eng.user(n.user_id).username: n.data for n in sent}
    assert set(by_user) == {"village12", "village21"}
    assert by_user["village12"]["due"] == 1 and by_user["village12"]["month"] == "2026-11"
    page = eng.notifications(objects["village12"])
    assert page.unread == 1
    with time_machine.travel(datetime(2026, 12, 21, 1, tzinfo=timezone.utc), tick=False):
        assert eng.remind_visits() == ["360799100001", "360799100002", "360799200001"]
    assert count(eng, VisitReminder) == 5


def test_two_workers_remind_at_once_and_each_village_hears_once(eng, objects):
    with eng.transaction() as tx:
        tx.conn.execute(update(OBJECTS).values(status="monitoring"))
    first, second = workers(eng, 2)
    moment = datetime(2026, 11, 25, 1, tzinfo=timezone.utc)
    sent: list = []
    errors = run_together([lambda: sent.append(first.remind_visits(moment)),
                           lambda: sent.append(second.remind_visits(moment))])
    assert errors == []
    assert sorted(len(s) for s in sent) == [0, 3]
    assert len(notes(eng)) == 3
    assert count(eng, VisitReminder) == 3
