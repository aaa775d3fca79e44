"""Department warnings (部门筛查预警): the checked preview, the import of good rows as risk
clues de-duplicated by ID number, re-imports, progress, the village's check (declare or
close) and two imports of the same file at once."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.clue_models import RiskClue, WarningImport
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import AuditEvent, Case, Household
from clue_support import IDENTIFICATION, csv_file, id_number, mixed_rows, xlsx_file
from support import NOW, count, rows, run_together, workers

DECLARE = {"discovery_date": "2026-11-10", "risk_types": ["01"], "commitment_signed": True,
           "green_channel": False, "description": "入户核实医疗费用",
           # ten days after discovery the shortest path no longer fits the limit
           "late_reason": "民政部门预警数据晚于排查周期送达"}


@pytest.fixture
def county(users):
    return users["county1"]


def preview(eng, actor, content=None, name="民政预警.csv", department="民政"):
    return eng.preview_warnings(actor, name, content or csv_file(mixed_rows()), department,
                                NOW)


def test_preview_names_row_column_and_problem(eng, county):
    view = preview(eng, county)
    by_row = {r.number: r for r in view.rows}
    assert (view.total_rows, view.good_rows, view.error_rows, view.duplicate_rows) == (7, 3, 3, 1)
    assert [r.number for r in view.rows] == [2, 3, 4, 5, 6, 7, 8]
    assert [(p["label"], p["zh_CN"]) for p in by_row[5].problems] == [
        ("身份证号", "“360799197001011230”校验位不正确")]
    assert [(p["label"], p["zh_CN"]) for p in by_row[6].problems] == [("预警事由", "不能为空")]
    assert [(p["label"], p["zh_CN"]) for p in by_row[7].problems] == [
        ("所在村", "本县没有名为“不存在村”的村")]
    assert by_row[8].status == "duplicate"
    assert by_row[8].duplicate_of["zh_CN"] == "与本文件第 2 行身份证号相同"
    # Cleaned values: the village resolved from its name, the register, or its code.
    assert (by_row[2].village, by_row[3].village, by_row[4].village) == (
        "360799100001", "360799100001", "360799200001")
    assert by_row[3].risk_types == ["0299"] and by_row[3].found_on == "2026-11-12"
    assert by_row[4].risk_types == ["09", "99"] and by_row[4].found_on == "2026-11-20"
    assert by_row[2].masked_id == "360799********1013"
    assert count(eng, RiskClue) == 0, "a preview adds no clue"


def test_import_adds_good_rows_once_and_reimport_adds_nothing(eng, county, users):
    view = preview(eng, county)
    done = eng.import_warnings(county, view.id, now=NOW)
    assert (done.status, done.imported, done.duplicates, done.refused) == ("done", 3, 1, 3)
    outcome = {r.number: r.outcome for r in eng.warning_import(county, view.id).rows}
    assert outcome == {2: "imported", 3: "imported", 4: "imported", 5: "refused",
                       6: "refused", 7: "refused", 8: "skipped"}
    clues = rows(eng, RiskClue, order=RiskClue.row_number)
    assert [(c.row_number, c.name, c.village_code, c.department, c.status) for c in clues] == [
        (2, "赵大山", "360799100001", "civil_affairs", "open"),
        (3, "王建国", "360799100001", "civil_affairs", "open"),
        (4, "钱小梅", "360799200001", "civil_affairs", "open")]
    assert clues[1].household_id is not None and clues[0].household_id is None
    assert clues[0].found_on == date(2026, 11, 10)

    again = preview(eng, county)
    assert (again.good_rows, again.duplicate_rows) == (0, 4)
    assert {r.duplicate_of["zh_CN"] for r in again.rows if r.status == "duplicate"} >= {
        f"已有待核实的风险线索 #{clues[0].id}"}
    assert eng.import_warnings(county, again.id, now=NOW).imported == 0
    assert count(eng, RiskClue) == 3

    # After a clue was closed the same file still adds nothing; a new file adds it again.
    eng.close_clue(users["village11"], clues[0].id, "核实为误报：已参保报销", NOW)
    assert preview(eng, county).good_rows == 0
    newer = preview(eng, county, csv_file([mixed_rows()[0]]), "民政预警-第四季度.csv")
    assert newer.good_rows == 1


def test_xlsx_and_gb18030_files_are_read(eng, county):
    book = [[1, "赵大山", id_number(101), "东山村", "医疗自付高", "因病", date(2026, 11, 3)]]
    view = preview(eng, county, xlsx_file(book), "医保.xlsx", "医保")
    assert view.good_rows == 1 and view.rows[0].found_on == "2026-11-03"
    assert view.department == "medical_insurance"
    gbk = preview(eng, county, csv_file(book[:1], encoding="gb18030"), "医保.csv", "医保")
    assert gbk.rows[0].name == "赵大山" and gbk.rows[0].reason == "医疗自付高"


@pytest.mark.parametrize("name, content, message", [
    ("f.csv", b"", "the file is empty"),
    ("f.csv", csv_file([], header=["姓名", "所在村"]), "lacks the column(s) 身份证号、预警事由"),
    ("f.xlsx", b"PK\x03\x04broken", "the XLSX workbook cannot be read"),
    ("f.xlsx", b"\xd0\xcf\x11\xe0old", "not an XLSX workbook"),
])
def test_unreadable_files_are_refused_whole(eng, county, name, content, message):
    with pytest.raises(InvalidData, match=re.escape(message)):
        eng.preview_warnings(county, name, content, "民政", NOW)
    assert count(eng, WarningImport) == 0


def test_future_date_and_unknown_department_are_row_errors(eng, county):
    header = ["姓名", "身份证号", "所在村", "预警事由", "预警日期", "部门"]
    view = preview(eng, county, csv_file([
        ["甲", id_number(1), "东山村", "x", "2026-12-01", "民政"],
        ["乙", id_number(2), "东山村", "x", "2026-11-01", "公安"]], header))
    assert [[(p["column"], p["en"]) for p in r.problems] for r in view.rows] == [
        [("found_on", "is in the future")],
        [("department", "'公安' is not a known department")]]


def test_only_county_staff_import(eng, users):
    with pytest.raises(Forbidden):
        preview(eng, users["village11"])
    with pytest.raises(InvalidData, match="choose the department"):
        preview(eng, users["county1"], department="")
    view = preview(eng, users["county1"])
    with pytest.raises(Forbidden):
        eng.import_warnings(users["township1"], view.id, now=NOW)


def test_progress_is_committed_chunk_by_chunk(eng, county, users):
    view = preview(eng, county)
    seen = []

    def progress(step):
        # A separate connection sees what each chunk committed.
        with eng.database.connect() as conn:
            seen.append(conn.execute(select(WarningImport.processed)).scalar())

    done = eng.import_warnings(county, view.id, chunk=3, now=NOW, progress=progress)
    assert seen == [3, 6, 7] and done.percent == 100
    events = rows(eng, AuditEvent, AuditEvent.event == "warnings_imported")
    assert len(events) == 1 and events[0].data["imported"] == 3


def test_village_sees_and_checks_its_clues(eng, county, users, deploy):
    deploy(IDENTIFICATION)
    eng.import_warnings(county, preview(eng, county).id, now=NOW)
    mine = eng.clues(users["village11"])
    assert [c.name for c in mine.clues] == ["赵大山", "王建国"]
    assert mine.counts == {"open": 2, "declared": 0, "closed": 0}
    assert [c.name for c in eng.clues(users["township2"]).clues] == ["钱小梅"]
    first, second = mine.clues
    with pytest.raises(Forbidden):
        eng.close_clue(users["village12"], first.id, "不是本村", NOW)
    with pytest.raises(Forbidden):
        eng.close_clue(users["township1"], first.id, "乡镇不核实", NOW)
    with pytest.raises(InvalidData, match="reason is required"):
        eng.close_clue(users["village11"], first.id, "  ", NOW)

    defaults = eng.clue_defaults(first.id, users["village11"])
    assert defaults["channel"] == "department_warning"
    assert defaults["discovery_date"] == "2026-11-10"
    started = eng.declare_clue(users["village11"], first.id, DECLARE, NOW)
    case = rows(eng, Case, Case.id == started.case.id)[0]
    household = rows(eng, Household, Household.id == case.subject_id)[0]
    assert (household.head_name, household.id_number) == ("赵大山", id_number(101))
    first_event = rows(eng, AuditEvent, AuditEvent.case_id == case.id, order=AuditEvent.seq)[0]
    assert first_event.data["data"]["channel"] == "department_warning"
    assert first_event.comment.startswith("部门筛查预警（民政），风险线索")
    declared = eng.clue(first.id, users["county1"])
    assert (declared.status, declared.case_id) == ("declared", case.id)
    with pytest.raises(Conflict, match="already declared"):
        eng.close_clue(users["village11"], first.id, "重复", NOW)

    closed = eng.close_clue(users["village11"], second.id, "核实收入稳定，无返贫风险", NOW)
    assert (closed.status, closed.close_reason) == ("closed", "核实收入稳定，无返贫风险")
    assert eng.clues(users["village11"], status="open").clues == []


def test_refused_declaration_writes_nothing(eng, county, users, deploy):
    deploy(IDENTIFICATION)
    eng.import_warnings(county, preview(eng, county).id, now=NOW)
    clue = eng.clues(users["village11"]).clues[0]
    households = count(eng, Household)
    with pytest.raises(InvalidData):
        eng.declare_clue(users["village11"], clue.id, {**DECLARE, "risk_types": []}, NOW)
    assert count(eng, Household) == households and count(eng, Case) == 0
    assert eng.clue(clue.id, users["village11"]).status == "open"


def test_two_imports_of_the_same_file_at_once_add_each_clue_once(eng, county):
    content = csv_file(mixed_rows() + [[9, f"户{i}", id_number(200 + i), "李家村", "预警", "01",
                                        "2026-11-01"] for i in range(30)])
    first, second = workers(eng, 2)
    previews = [preview(engine, county, content) for engine in (first, second)]
    results = {}

    def run(engine, view):
        results[view.id] = engine.import_warnings(county, view.id, chunk=7, now=NOW)

    errors = run_together([lambda: run(first, previews[0]), lambda: run(second, previews[1])])
    assert errors == []
    assert count(eng, RiskClue) == 33
    assert sum(r.imported for r in results.values()) == 33
    assert sum(r.duplicates for r in results.values()) == 33 + 2
    ids = [c.id_number for c in rows(eng, RiskClue)]
    assert len(ids) == len(set(ids))
