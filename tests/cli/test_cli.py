"""The dixian command: set-up, a whole case, and one-line refusals that write nothing."""
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WAITING = str(FIXTURES / "waiting.bpmn")
FOUR = str(ROOT / "bench" / "four_tasks.bpmn")


def test_init_demo_deploys_workflows_and_prints_users(cli):
    code, out = cli("init", "--demo")
    assert code == 0, out
    assert "definition monitoring_identification v1 deployed" in out
    assert "village11" in out and "dixian-demo" in out
    code, out = cli("init", "--demo")
    assert code == 0
    assert "monitoring_identification v1 unchanged" in out and "already has users" in out


def test_a_whole_case_through_the_cli(cli, users):
    assert cli("deploy", FOUR)[1].strip() == "four_tasks v1 deployed"
    assert "unchanged" in cli("deploy", FOUR)[1]
    started = cli.json("start", "four_tasks", "--as", "village11", "--data", "{}")
    case_id, item = started["case"]["id"], started["items"][0]["id"]
    for who in ("village11", "village11", "township1", "county1"):
        assert [i["id"] for i in cli.json("tasks", "--as", who)["items"]] == [item]
        done = cli.json("complete", str(item), "--as", who, "--data", '{"ok": true}',
                        "--comment", "同意")
        item = done["items"][0]["id"] if done["items"] else None
    assert item is None
    view = cli.json("case", str(case_id))
    assert (view["case"]["status"], view["case"]["outcome"]) == ("completed", "completed")
    code, out = cli("trail", "verify", str(case_id))
    assert code == 0 and out.strip() == f"case {case_id}: trail intact, 6 events"


def test_claim_unclaim_reassign_and_cancel(cli, users, eng):
    cli("deploy", FOUR)
    item = cli.json("start", "four_tasks", "--as", "village11")["items"][0]["id"]
    eng.add_user("village11b", "village", "360799100001", "a-long-password")
    claimed = cli.json("claim", str(item), "--as", "village11")
    assert claimed["assignee_id"] == users["village11"].id
    code, out = cli("complete", str(item), "--as", "village11b")
    assert code == 1 and out == f"error: work item {item} is claimed by another user\n"
    assert cli("unclaim", str(item), "--as", "village11")[1].strip() == \
        f"item {item} returned to the group"
    code, out = cli("reassign", str(item), "--as", "village11", "--to", "village11b")
    assert code == 0 and out.strip() == f"item {item} handed to village11b"
    code, out = cli("reassign", str(item), "--as", "village11b", "--to", "village12")
    assert code == 1 and "does not work at the village level of area 360799100001" in out
    eng.add_user("village11lead", "village", "360799100001", "a-long-password", "staff,lead",
                  "东山村 支书")
    code, out = cli("take-over", str(item), "--as", "village11", "--reason", "x")
    assert code == 1 and "neither an administrator nor the lead" in out
    code, out = cli("take-over", str(item), "--as", "village11lead", "--reason", "文书请假")
    assert code == 0 and out.strip() == f"item {item} taken over; now with 东山村 支书"
    code, out = cli("cancel", "1", "--as", "township1", "--reason", "重复申报")
    assert code == 1 and out.strip() == "error: only county staff may cancel a case"
    cancelled = cli.json("cancel", "1", "--as", "county1", "--reason", "重复申报")
    assert (cancelled["status"], cancelled["outcome_reason"]) == ("cancelled", "重复申报")
    events = [e["event"] for e in cli.json("case", "1")["trail"]]
    assert events == ["case_started", "claimed", "unclaimed", "reassigned", "taken_over",
                      "cancelled"]


def test_case_as_a_user_outside_its_area_is_refused(cli, users):
    cli("deploy", FOUR)
    cli("start", "four_tasks", "--as", "village11")
    code, out = cli("case", "1", "--as", "village21")
    assert code == 1
    assert out == "error: case 1 in area 360799100001 is outside village21's area 360799200001\n"
    assert cli.json("case", "1", "--as", "township1")["case"]["id"] == 1


def test_areas_users_and_households(cli):
    assert cli("area", "add", "440101", "测试县")[0] == 0
    assert cli("area", "add", "440101001", "测试镇", "--parent", "440101")[0] == 0
    assert cli("area", "add", "440101001001", "测试村", "--parent", "440101001")[0] == 0
    code, out = cli("user", "add", "zhang", "--level", "village", "--area", "440101001001",
                    "--password-stdin", stdin="a-long-password\n")
    assert code == 0 and out.strip() == "user zhang added"
    assert "440101001" in cli("areas")[1] and "zhang" in cli("users")[1]
    code, out = cli("user", "add", "li", "--level", "village", "--area", "440101001",
                    "--password-stdin", stdin="a-long-password\n")
    assert code == 1 and out.strip() == "error: area 440101001 is a township, not a village"
    code, out = cli("household", "add", "--as", "zhang", "--head", "赵大山", "--id-number",
                    "440101196503124517", "--village", "440101001001", "--members", "3")
    assert code == 0, out
    code, out = cli("households", "--as", "zhang")
    assert "赵大山" in out and "440101********4517" in out and "196503" not in out


def test_json_output_shapes(cli, users):
    deployed = cli.json("deploy", FOUR)
    assert deployed["created"] is True
    assert set(deployed["definition"]) == {"id", "key", "version", "name", "sha256",
                                           "deployed_by", "deployed_at"}
    started = cli.json("start", "four_tasks", "--as", "village11", "--comment", "首次")
    assert set(started) == {"case", "items"}
    assert started["case"]["started_at"] == "2026-11-20T02:00:00+00:00"
    item = started["items"][0]
    assert (item["task_name"], item["level"], item["status"], item["overdue"]) == (
        "declare", "village", "open", False)
    inbox = cli.json("tasks", "--as", "village11", "--view", "unclaimed")
    assert (inbox["view"], inbox["has_next"], inbox["counts"]["all"]) == ("unclaimed", False, 1)
    done = cli.json("complete", str(item["id"]), "--as", "village11", "--case-version", "1")
    assert set(done) == {"case_id", "case_version", "items"} and done["case_version"] == 2
    view = cli.json("case", "1")
    assert view["verification"]["ok"] is True and view["verification"]["events"] == 2
    assert "steps" not in view and "forms" not in view
    assert view["trail"][0]["comment"] == "首次" and view["trail"][0]["actor"] == "东山村 村委会"
    listed = cli.json("users")
    assert listed[0]["username"] and all("password_stamp" not in u for u in listed)
    households = cli.json("households", "--as", "county1", "--search", "王建国")["households"]
    assert [h["id_number"] for h in households] == ["360799********4515"]


def test_stale_case_version_is_refused(cli, users):
    cli("deploy", FOUR)
    item = cli.json("start", "four_tasks", "--as", "village11")["items"][0]["id"]
    code, out = cli("complete", str(item), "--as", "village11", "--case-version", "7")
    assert code == 1 and "changed since this form was opened" in out


BAD_BPMN = {
    "malformed.bpmn": "<bpmn:definitions",
    "noexec.bpmn": (ROOT / "bench/four_tasks.bpmn").read_text(encoding="utf-8").replace(
        'isExecutable="true"', 'isExecutable="false"'),
    "noform.bpmn": (FIXTURES / "waiting.bpmn").read_text(encoding="utf-8").replace(
        "waiting/note.json", "waiting/missing.json"),
}


@pytest.mark.parametrize("name, words", [("malformed.bpmn", "malformed XML"),
                                         ("noexec.bpmn", "no executable process"),
                                         ("noform.bpmn", "waiting/missing.json")])
def test_bad_definitions_one_line_error_nothing_written(cli, row_counts, tmp_path, name,
                                                        words):
    (tmp_path / "forms").symlink_to(FIXTURES / "forms")
    path = tmp_path / name
    path.write_text(BAD_BPMN[name], encoding="utf-8")
    before = row_counts()
    code, out = cli("deploy", str(path))
    assert code == 1 and len(out.strip().splitlines()) == 1
    assert out.startswith(f"error: {name}") and words in out
    assert row_counts() == before


def test_deploy_by_a_non_administrator_is_refused(cli, users, row_counts):
    before = row_counts()
    code, out = cli("deploy", WAITING, "--forms", str(FIXTURES / "forms"), "--as", "county1")
    assert (code, out) == (1, "error: user county1 is not an administrator\n")
    assert row_counts() == before
    assert cli("deploy", WAITING, "--forms", str(FIXTURES / "forms"), "--as", "admin")[0] == 0


@pytest.mark.parametrize("args, words", [
    (["tasks", "--as", "nobody"], "user nobody does not exist"),
    (["complete", "4242", "--as", "village11", "--data", "{}"], "work item 4242 does not exist"),
    (["complete", "1", "--as", "village11", "--data", "[1, 2]"], "must be a JSON object"),
    (["complete", "1", "--as", "village11", "--data", "{oops"], "not valid JSON"),
    (["complete", "1", "--as", "township1", "--data", "{}"], "is for the village level"),
    (["start", "four_tasks", "--as", "village11", "--data", '"text"'], "must be a JSON object"),
    (["start", "four_tasks", "--as", "auditor"], "has no staff role"),
    (["start", "nope", "--as", "village11"], "no process definition 'nope'"),
    (["trail", "verify", "999"], "case 999 does not exist"),
    (["calendar", "set", "2031-10-01", "--holiday", "--as", "village11"],
     "user village11 is not an administrator"),
])
def test_bad_input_one_line_error_nothing_written(cli, users, row_counts, args, words):
    cli("deploy", FOUR)
    cli("start", "four_tasks", "--as", "village11")
    before = row_counts()
    code, out = cli(*args)
    assert code == 1 and len(out.strip().splitlines()) == 1, out
    assert out.startswith("error: ") and words in out
    assert row_counts() == before


def test_python_dash_m_cli_runs():
    result = subprocess.run([sys.executable, "-m", "cli", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert "trail" in result.stdout and "complete" in result.stdout


def test_calendar_overrides(cli, users):
    code, out = cli("calendar", "show", "2031")
    assert code == 0 and "does NOT cover this year" in out
    assert cli("calendar", "set", "2031-10-01", "--holiday", "--note", "国庆节", "--as",
               "admin")[0] == 0
    assert cli("calendar", "set", "2031-10-11", "--workday")[0] == 0
    shown = cli.json("calendar", "show", "2031")
    assert [(d["day"], d["is_workday"]) for d in shown["overrides"]] == [
        ("2031-10-01", False), ("2031-10-11", True)]
    assert cli("calendar", "unset", "2031-10-11")[0] == 0
    code, out = cli("calendar", "unset", "2031-10-11")
    assert code == 1 and "no calendar override for 2031-10-11" in out
    code, out = cli("calendar", "set", "2031-02-30", "--holiday")
    assert code == 1 and "is not a date" in out


def test_timers_fire_creates_supervision_items_shown_in_tasks(cli, eng, users, deploy):
    deploy("workflows/monitoring_identification.bpmn")
    data = ('{"household_id": 1, "channel": "self_declaration", "discovery_date": '
            '"2026-11-20", "risk_types": ["01"], "commitment_signed": true, '
            '"green_channel": false}')
    code, out = cli("start", "monitoring_identification", "--as", "village11", "--data", data,
                    now="2026-11-20T09:00")
    assert code == 0, out
    code, out = cli("timers", "fire", now="2026-11-24T09:00")
    assert (code, out.strip()) == (0, "1 timer(s) fired")
    listed = cli.json("tasks", "--as", "township1", now="2026-11-24T09:00")
    assert [(s["step"], s["days_overdue"], s["level"]) for s in listed["supervisions"]] == [
        ("入户核实", 1, "township")]
    code, out = cli("tasks", "--as", "township1", now="2026-11-24T09:00")
    assert "督办 items" in out and "入户核实" in out
    code, out = cli("urge", "1", "--as", "township1", "--note", "请今天完成",
                    now="2026-11-24T09:05")
    assert (code, out.strip()) == (0, "item 1 urged; 1 user(s) notified")
    code, out = cli("urge", "1", "--as", "township1", now="2026-11-24T10:00")
    assert code == 1 and "may be urged again after" in out
    code, out = cli("notifications", "--as", "village11", "--read-all", now="2026-11-24T10:00")
    assert "1 unread" in out and "请今天完成" in out and "1 marked read" in out
    assert cli.json("notifications", "--as", "village11")["unread"] == 0
    code, out = cli("board", "--as", "county1", now="2026-11-24T10:00")
    assert code == 0 and "360799100  东山镇  1" in out
