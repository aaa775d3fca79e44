"""``dixian projects``: a project proposed and admitted from the command line, its funds,
a refused payment, the overview, campaigns and the Excel export."""
import json

from openpyxl import load_workbook

from projects_support import (ANNOUNCE, APPRAISAL_APPROVE, COUNTY_APPROVE, INTAKE,
                              TOWNSHIP_APPROVE, VILLAGE_DECISION, proposal, publicity)


def test_a_project_from_proposal_to_payment(cli, users, tmp_path):
    assert cli("deploy", INTAKE)[0] == 0
    code, out = cli("projects", "campaign", "2027年度项目库", "--as", "county1", "--years",
                    "2027-2027", "--guide", "2026-07-15", "--intake", "2026-12-31",
                    "--entry", "2027-01-31")
    assert code == 0 and "intake by 2026-12-31" in out
    started = cli.json("start", "project_intake", "--as", "village11", "--data",
                       json.dumps(proposal(), ensure_ascii=False))
    case_id = started["case"]["id"]
    assert started["case"]["deadline"].startswith("2026-12-31T15:59:59")

    def complete(who, data, now=None):
        item = cli.json("case", str(case_id))["items"]
        open_item = [i for i in item if i["status"] == "open"][0]["id"]
        cli.json("complete", str(open_item), "--as", who, "--data",
                 json.dumps(data, ensure_ascii=False), now=now)

    complete("village11", VILLAGE_DECISION)
    complete("village11", publicity())
    assert cli("timers", "fire", now="2026-12-01T10:00")[0] == 0
    complete("township1", TOWNSHIP_APPROVE, now="2026-12-01T10:00")
    complete("township1", publicity(), now="2026-12-01T10:00")
    assert cli("timers", "fire", now="2026-12-01T11:00")[0] == 0
    for data in (APPRAISAL_APPROVE, COUNTY_APPROVE, ANNOUNCE):
        complete("county1", data, now="2026-12-01T11:00")
    listing = cli.json("projects", "list", "--as", "county1", "--status", "admitted")
    [project] = listing["projects"]
    project_id = project["id"]
    code, out = cli("projects", "release", "--as", "county1", "--document", "示财农〔2026〕12号",
                    "--source", "central", "--amount", "1000000", "--on", "2026-11-01")
    assert code == 0 and "release 1" in out
    assert cli("projects", "allocate", str(project_id), "--as", "county1", "--release", "1",
               "--amount", "600000")[0] == 0
    code, out = cli("projects", "pay", str(project_id), "--as", "county1", "--kind",
                    "advance", "--amount", "400000")
    assert code == 1 and "payment refused" in out and "at most 50%" in out
    assert cli("projects", "pay", str(project_id), "--as", "county1", "--kind", "advance",
               "--amount", "300000")[0] == 0
    shown = cli.json("projects", "show", str(project_id), "--as", "county1")
    assert shown["funds"]["paid"] == 300000.0 and shown["project"]["status"] == "admitted"
    code, out = cli("projects", "funds", "--as", "county1", "--year", "2026")
    assert code == 0 and "100.0% (target 55%: met)" in out
    path = tmp_path / "library.xlsx"
    assert cli("projects", "export", "--as", "county1", "--out", str(path))[0] == 0
    sheet = load_workbook(path).active
    assert [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["东山村茶叶加工车间"]
    code, out = cli("projects", "pay", str(project_id), "--as", "village11", "--kind",
                    "advance", "--amount", "1")
    assert code == 1 and "only county staff" in out
