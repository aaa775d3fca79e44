"""``dixian report``: the list, a report as text and JSON for a user's area, its workbook,
and the refusals (no user, an area outside the user's, an unknown report)."""
from openpyxl import load_workbook

from reports_support import BPMN, cst, identification, monitored


def test_report_list(cli):
    code, out = cli("report", "--list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()[1:]]
    assert names == ["stages", "trend", "overdue", "compliance", "funds", "monitoring",
                     "measures", "visits", "daily"]
    assert "时限办结情况（15天）" in out
    assert "Time-limit compliance" in cli("report", "--list", "--lang", "en")[1]


def test_compliance_as_text_json_and_workbook(cli, eng, users, deploy, tmp_path):
    deploy(BPMN)
    identification(eng, users, 1, decided_at=cst(2026, 11, 24))
    identification(eng, users, 3, decided_at=cst(2026, 12, 3))
    out_file = tmp_path / "compliance.xlsx"
    code, out = cli("report", "compliance", "--as", "township1", "--from", "2026-11-01",
                    "--to", "2026-11-30", "--xlsx", str(out_file), now="2026-12-05T10:00")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[:3] == ["时限办结情况（15天）", "东山镇 (360799100)  2026-11-01 — 2026-11-30",
                         "按时办结率: 50.0%"]
    assert [line.split()[:4] for line in lines if line.strip().startswith(("东山村", "李家村"))
            ] == [["东山村", "1", "1", "0"], ["李家村", "1", "0", "1"]]
    assert f"wrote {out_file}" in out
    rows = [list(r) for r in load_workbook(out_file).active.iter_rows(values_only=True)]
    assert ["李家村", 1, 0, 1, 0.0, 17.0, 17, 0, 0, 0] in rows
    data = cli.json("report", "compliance", "--as", "county1", "--from", "2026-11-01",
                    now="2026-12-05T10:00")
    assert data["tables"][0]["total"][1:4] == [2, 1, 1]


def test_refusals(cli, users):
    code, out = cli("report", "compliance")
    assert code == 1 and "--as USER is required" in out
    code, out = cli("report", "compliance", "--as", "village11", "--area", "360799200")
    assert code == 1 and "outside village11's area" in out
    code, out = cli("report", "nothing", "--as", "county1")
    assert code == 1 and "there is no report 'nothing'" in out
    code, out = cli("report", "daily", "--as", "county1", "--to", "2026-02-30")
    assert code == 1 and "not a date" in out


def test_the_visits_table_in_the_notice_layout(cli, eng, users, deploy, tmp_path):
    deploy(BPMN)
    monitored(eng, 1, "360799100001", "脱贫不稳定户")
    eng.record_visit(users["village11"], 1, dict(
        visited_on="2027-01-05", visitors="李明", income_change="stable",
        spending_change="stable", food_clothing=True, education=True, medical=True,
        housing=True, safe_water=True), now=cst(2027, 1, 5, 18))
    eng.save_report_entry("visits", users["county1"], {"money": "2", "meetings": 1}, 0,
                          date_from="2027-01-01", date_to="2027-01-16", now=cst(2027, 1, 6))
    out_file = tmp_path / "visits.xlsx"
    code, out = cli("report", "visits", "--as", "county1", "--from", "2027-01-01", "--to",
                    "2027-01-16", "--xlsx", str(out_file), now="2027-01-16T10:00")
    assert code == 0, out
    assert out.splitlines()[0] == "走访慰问情况统计表"
    assert "走访户数: 1" in out and "手工填报: 第 1 版，县乡村振兴局 王科长 填报" in out
    sheet = load_workbook(out_file)["走访慰问情况统计表"]
    assert sheet["E4"].value == "监测户（1户4人）" and "E4:G4" in {
        str(r) for r in sheet.merged_cells.ranges}
    assert sheet["E6"].value == "1户4人" and sheet["A12"].value == 2
