"""The dixian command: set-up, a whole case, and one-line refusals that write nothing."""
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.cli import main
from engine.db import make_engine, session_factory
from engine.models import AuditEvent, Case, DefinitionVersion, WorkItem

from support import ROOT

FOUR = str(ROOT / "bench" / "four_tasks.bpmn")


@pytest.fixture
def cli(make_session, db_url, monkeypatch):
    """Run dixian against the test database, returning (exit code, output)."""
    monkeypatch.chdir(ROOT)

    def run(*args, stdin=None, as_json=False):
        result = CliRunner().invoke(main, ["--db", db_url, *(["--json"] if as_json else []),
                                           "--now", "2026-11-20T10:00", *args], input=stdin)
        return result.exit_code, result.output
    return run


def counts(db_url):
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        found = tuple(s.scalar(select(func.count()).select_from(m)) for m in
                      (DefinitionVersion, Case, WorkItem, AuditEvent))
    engine.dispose()
    return found


def test_init_demo_deploys_workflows_and_prints_users(cli):
    code, out = cli("init", "--demo")
    assert code == 0
    assert "definition monitoring_identification v1 deployed" in out
    assert "village11" in out and "dixian-demo" in out
    code, out = cli("init", "--demo")
    assert "unchanged" in out and "already has users" in out


def test_a_whole_case_through_the_cli(cli, db_url):
    cli("init", "--demo")
    assert cli("deploy", FOUR)[1].strip() == "four_tasks v1 deployed"
    assert "unchanged" in cli("deploy", FOUR)[1]
    code, out = cli("start", "four_tasks", "--as", "village11", "--data", "{}", as_json=True)
    started = json.loads(out)
    item = started["items"][0]["id"]
    for who in ("village11", "village11", "township1", "county1"):
        code, out = cli("tasks", "--as", who, as_json=True)
        assert [i["id"] for i in json.loads(out)] == [item]
        code, out = cli("complete", str(item), "--as", who, "--data", '{"ok": true}',
                        "--comment", "同意", as_json=True)
        assert code == 0, out
        following = json.loads(out)["items"]
        item = following[0]["id"] if following else None
    code, out = cli("case", str(started["case"]), as_json=True)
    assert json.loads(out)["status"] == "completed"
    code, out = cli("trail", "verify", str(started["case"]))
    assert code == 0 and "trail intact, 6 events" in out


def test_areas_and_users(cli):
    assert cli("area", "add", "440101", "测试县")[0] == 0
    assert cli("area", "add", "440101001", "测试镇")[0] == 0
    code, out = cli("user", "add", "zhang", "--level", "township", "--area", "440101001",
                    "--password-stdin", stdin="a-long-password\n")
    assert code == 0 and "user zhang added" in out
    assert "440101001" in cli("areas")[1] and "zhang" in cli("users")[1]
    code, out = cli("user", "add", "li", "--level", "village", "--area", "440101001",
                    "--password-stdin", stdin="a-long-password\n")
    assert code == 1 and out.strip() == "error: area 440101001 is a township, not a village"


BAD_BPMN = {
    "malformed.bpmn": "<bpmn:definitions",
    "noexec.bpmn": (ROOT / "bench/four_tasks.bpmn").read_text(encoding="utf-8").replace(
        'isExecutable="true"', 'isExecutable="false"'),
    "noform.bpmn": (ROOT / "tests/engine/fixtures/review.bpmn").read_text(
        encoding="utf-8").replace("review/decide.json", "review/missing.json"),
}


@pytest.mark.parametrize("name, words", [("malformed.bpmn", "malformed XML"),
                                         ("noexec.bpmn", "no executable process"),
                                         ("noform.bpmn", "review/missing.json")])
def test_bad_definitions_one_line_error_nothing_written(cli, db_url, tmp_path, name, words):
    cli("init")
    (tmp_path / "forms").symlink_to(ROOT / "tests/engine/fixtures/forms")
    path = tmp_path / name
    path.write_text(BAD_BPMN[name], encoding="utf-8")
    before = counts(db_url)
    code, out = cli("deploy", str(path))
    assert code == 1 and len(out.strip().splitlines()) == 1
    assert out.startswith(f"error: {name}") and words in out
    assert counts(db_url) == before


@pytest.mark.parametrize("args, words", [
    (["tasks", "--as", "nobody"], "user nobody does not exist"),
    (["complete", "4242", "--as", "village11", "--data", "{}"], "work item 4242 does not exist"),
    (["complete", "1", "--as", "village11", "--data", "[1, 2]"], "must be a JSON object"),
    (["complete", "1", "--as", "village11", "--data", "{oops"], "not valid JSON"),
    (["start", "four_tasks", "--as", "village11", "--data", '"text"'], "must be a JSON object"),
    (["start", "nope", "--as", "village11"], "no process definition 'nope'"),
    (["trail", "verify", "999"], "case 999 does not exist"),
])
def test_bad_input_one_line_error_nothing_written(cli, db_url, args, words):
    cli("init", "--demo")
    cli("deploy", FOUR)
    before = counts(db_url)
    code, out = cli(*args)
    assert code == 1 and len(out.strip().splitlines()) == 1
    assert out.startswith("error: ") and words in out
    assert counts(db_url) == before


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "engine.cli", "--help"],
                            capture_output=True, text=True, check=True)
    assert "trail" in result.stdout and "complete" in result.stdout


def test_calendar_overrides(cli):
    cli("init", "--demo")
    code, out = cli("calendar", "show", "2031")
    assert code == 0 and "does NOT cover this year" in out
    assert cli("calendar", "set", "2031-10-01", "--holiday", "--note", "国庆节", "--as",
               "admin")[0] == 0
    assert cli("calendar", "set", "2031-10-11", "--workday")[0] == 0
    code, out = cli("calendar", "show", "2031", as_json=True)
    assert [(d["day"], d["is_workday"]) for d in json.loads(out)["overrides"]] == [
        ("2031-10-01", False), ("2031-10-11", True)]
    assert cli("calendar", "unset", "2031-10-11")[0] == 0
    code, out = cli("calendar", "unset", "2031-10-11")
    assert code == 1 and "no calendar override for 2031-10-11" in out
    code, out = cli("calendar", "set", "2031-02-30", "--holiday")
    assert code == 1 and "is not a date" in out
