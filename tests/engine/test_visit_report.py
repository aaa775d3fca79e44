"""走访慰问情况统计表: households visited by type from the visit records, the hand-entered
figures (checked, versioned, audited, safe against two savers at once) and the workbook in
the notice's layout with its merged headings."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from engine import Conflict, Forbidden, InvalidData
from engine.models import AuditEvent, Household
from support import run_together, workers
from reports_support import BPMN, cst, monitored

JAN = dict(date_from="2027-01-01", date_to="2027-01-16")
NOW = cst(2027, 1, 16, 15)
VISIT = dict(visitors="李明 王芳", income_change="stable", spending_change="stable",
             food_clothing=True, education=True, medical=True, housing=True, safe_water=True)
ENTERED = {"models": 1, "martyrs": 2, "province_party_who": "张某某",
           "province_party_households": 2, "province_party_persons": 7,
           "county_who": 3, "county_households": 12, "county_persons": 40,
           "county_bureau_households": 30, "county_bureau_persons": 95,
           "money": "12.5", "goods": "米、面、油", "goods_value": "3.2", "meetings": 4,
           "deployment": "县委召开专题会议部署春节走访慰问\n各乡镇成立走访工作组",
           "cases": "东山村王建国户因病返贫风险得到及时帮扶"}


def table(view, name):
    return next(t for t in view.tables if t.name == name)


def visit(eng, users, user, household, day):
    eng.record_visit(users[user], household, dict(VISIT, visited_on=day.isoformat()),
                     now=cst(day.year, day.month, day.day, 18))


@pytest.fixture
def visited(eng, users, deploy):
    """东山村: 王建国 (脱贫不稳定户, 4 people, also formerly poor) visited twice, 李秀英
    (边缘易致贫户, 3) once; 李家村: 张福生 (突发严重困难户, flood, 2); 西河村: 刘桂兰 (not a
    monitoring object, 5); 桃源村: 陈永强 visited in December only."""
    deploy(BPMN)
    with eng.database.begin() as conn:
        conn.execute(update(Household.__table__).where(Household.__table__.c.id == 1).values(
            household_type="formerly_poor"))
    monitored(eng, 1, "360799100001", "脱贫不稳定户")
    monitored(eng, 2, "360799100001", "边缘易致贫户")
    monitored(eng, 3, "360799100002", "突发严重困难户", risks="0201,01")
    visit(eng, users, "village11", 1, date(2027, 1, 3))
    visit(eng, users, "village11", 1, date(2027, 1, 10))
    visit(eng, users, "village11", 2, date(2027, 1, 5))
    visit(eng, users, "village12", 3, date(2027, 1, 16))
    visit(eng, users, "village21", 4, date(2027, 1, 8))
    visit(eng, users, "village22", 5, date(2026, 12, 28))
    return users


def test_households_visited_by_type(eng, visited):
    view = eng.report("visits", visited["county1"], now=NOW, **JAN)
    rows = {r[0]: r[1:] for r in table(view, "visited").rows}
    # unstable, marginal, sudden, disaster, formerly poor (households, persons each);
    # households, persons, visits
    assert rows["东山镇"] == (1, 4, 1, 3, 1, 2, 1, 2, 1, 4, 3, 9, 4)
    assert rows["西河乡"] == (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 5, 1)
    assert table(view, "visited").total[1:] == (1, 4, 1, 3, 1, 2, 1, 2, 1, 4, 4, 14, 5)
    assert view.headlines[0].value == 4 and view.headlines[1].value == 3
    assert view.headlines[2].ok is False                          # nothing entered yet
    township = eng.report("visits", visited["township1"], now=NOW, **JAN)
    assert [r[0] for r in table(township, "visited").rows] == ["东山村", "李家村"]
    assert table(township, "visited").total[-3:] == (3, 9, 4)


def test_hand_entered_figures_are_kept_per_area_and_period(eng, visited):
    county = visited["county1"]
    assert eng.report_entry("visits", county, now=NOW, **JAN).version == 0
    saved = eng.save_report_entry("visits", county, ENTERED, 0, now=NOW, **JAN)
    assert (saved.version, saved.data["money"], saved.updated_by) == (1, "12.5", "县乡村振兴局 王科长")
    view = eng.report("visits", county, now=NOW, **JAN)
    leaders = {r[0]["zh_CN"]: r[1:] for r in table(view, "leaders").rows}
    assert leaders["省委主要领导"] == ("张某某", 2, 7, "张某某同志走访慰问2户7人")
    assert leaders["县领导"][-1] == "3位县领导走访慰问12户40人"
    assert leaders["县乡村振兴局"][-1] == "走访慰问30户95人"
    assert leaders["市领导"][-1] == "无"
    assert table(view, "measures").rows == [("12.5", "米、面、油", "3.2", 4, None)]
    assert view.headlines[2].ok is True
    # Another period, or a township, has its own figures.
    assert eng.report_entry("visits", county, now=NOW, date_from="2027-01-01",
                            date_to="2027-01-31").version == 0
    assert eng.report_entry("visits", visited["township1"], now=NOW, **JAN).version == 0
    again = eng.save_report_entry("visits", county, dict(ENTERED, meetings=5), 1, now=NOW,
                                  **JAN)
    assert again.version == 2 and again.data["meetings"] == 5
    with eng.database.connect() as conn:
        events = conn.execute(select(AuditEvent.data).where(
            AuditEvent.event == "report_entries_saved")).scalars().all()
    assert [(e["area"], e["version"]) for e in events] == [("360799", 1), ("360799", 2)]


def test_bad_entries_are_refused_naming_the_fields(eng, visited):
    county = visited["county1"]
    with pytest.raises(InvalidData) as bad:
        eng.save_report_entry("visits", county, {"money": "lots", "meetings": -1,
                                                 "cases": "案" * 101, "salary": 1}, 0,
                              now=NOW, **JAN)
    assert set(bad.value.errors) == {"money", "meetings", "cases", "salary"}
    assert "item 1 has 101" in bad.value.errors["cases"]
    assert eng.report_entry("visits", county, now=NOW, **JAN).version == 0
    with pytest.raises(Forbidden):      # a township enters its own figures, not the county's
        eng.save_report_entry("visits", visited["township1"], ENTERED, 0, area="360799",
                              now=NOW, **JAN)
    with pytest.raises(Forbidden):
        eng.save_report_entry("visits", visited["auditor"], ENTERED, 0, now=NOW, **JAN)
    with pytest.raises(Conflict):       # over a version that is not the latest
        eng.save_report_entry("visits", county, ENTERED, 3, now=NOW, **JAN)


@pytest.mark.parametrize("version", [0, 1])
def test_two_people_saving_at_once_one_is_refused(eng, visited, version):
    county = visited["county1"]
    colleague = eng.add_user("county2", "county", "360799", "long-enough-pw", now=NOW)
    if version:
        eng.save_report_entry("visits", county, ENTERED, 0, now=NOW, **JAN)
    outcome = {}

    def saver(engine, user, meetings):
        def save():
            try:
                engine.save_report_entry("visits", user, dict(ENTERED, meetings=meetings),
                                         version, now=NOW, **JAN)
                outcome[meetings] = "saved"
            except Conflict:
                outcome[meetings] = "refused"
        return save

    errors = run_together([saver(e, u, m) for e, u, m in zip(
        workers(eng, 2), (county, colleague), (7, 8))])
    assert errors == []
    assert sorted(outcome.values()) == ["refused", "saved"]
    kept = eng.report_entry("visits", county, now=NOW, **JAN)
    winner = next(m for m, o in outcome.items() if o == "saved")
    assert (kept.version, kept.data["meetings"]) == (version + 1, winner)


def test_the_workbook_in_the_notice_layout(eng, visited):
    county = visited["county1"]
    eng.save_report_entry("visits", county, ENTERED, 0, now=NOW, **JAN)
    book = load_workbook(io.BytesIO(eng.report_workbook("visits", county, now=NOW, **JAN)))
    sheet = book["走访慰问情况统计表"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    cells = {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value}
    assert cells["A1"] == "示范县乡村振兴局走访慰问情况统计表" and "A1:J1" in merged
    assert cells["A3"] == "走访慰问人数" and "A3:J3" in merged
    # Honours over two rows; 监测户 over its three types; 受灾户 over three columns, two rows.
    assert cells["A4"] == "全国脱贫攻坚楷模或其家属（人、户）" and "A4:A5" in merged
    assert cells["E4"] == "监测户（3户9人）" and "E4:G4" in merged
    assert (cells["E5"], cells["F5"], cells["G5"]) == ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
    assert cells["H4"] == "受灾户（1户2人）" and "H4:J5" in merged
    assert [sheet.cell(6, c).value for c in range(1, 9)] == [
        1, "无", 2, "无", "1户4人", "1户3人", "1户2人", "1户2人"]
    assert cells["A7"] == "开展走访慰问领导、部门及人数（走访慰问脱贫户、监测户情况）"
    assert [sheet.cell(8, c).value for c in (1, 5, 8)] == ["省委主要领导", "县领导", "县乡村振兴局"]
    assert [sheet.cell(9, c).value for c in (1, 2, 5, 8)] == [
        "张某某同志走访慰问2户7人", "无", "3位县领导走访慰问12户40人", "走访慰问30户95人"]
    assert cells["A10"] == "走访慰问措施"
    assert [sheet.cell(11, c).value for c in (1, 2, 4, 5)] == [
        "慰问金（万元）", "慰问品（简述慰问品及折合金额）（万元）", "召开座谈会或茶话会等（个）", "其他"]
    assert "B11:C11" in merged and "E11:J11" in merged
    assert [sheet.cell(12, c).value for c in (1, 2, 4, 5)] == [
        12.5, "米、面、油；折合3.2万元", 4, "无"]
    assert cells["A13"] == "主要做法和案例"
    assert (cells["A14"], cells["C14"]) == (
        "亮点措施（含部署安排情况）", "1. 县委召开专题会议部署春节走访慰问\n2. 各乡镇成立走访工作组")
    assert "A14:B14" in merged and "C14:J14" in merged
    assert (cells["A15"], cells["C15"]) == ("亮点做法", "无")
    assert cells["C16"] == "1. 东山村王建国户因病返贫风险得到及时帮扶"
    assert book["按区域"]["A1"].value == "区域" and book["按区域"]["A2"].value == "东山镇"
