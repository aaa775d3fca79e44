"""Restricted scripts: what BPMN scripts may do, and what they are stopped from doing."""
import pytest

from engine import definitions
from engine.errors import InvalidDefinition, ScriptError
from engine.scripts import RestrictedEnvironment, add_days

from support import ROOT

REVIEW = (ROOT / "tests/engine/fixtures/review.bpmn").read_text(encoding="utf-8")
SCRIPT = """score = len(note) * 2
summary = {"note": note, "score": score}"""


def with_script(script):
    return REVIEW.replace(SCRIPT, script)


def deploy_refusal(script) -> str:
    _, _, forms = definitions.collect_files([ROOT / "tests/engine/fixtures/review.bpmn"])
    with pytest.raises(InvalidDefinition) as err:
        definitions.parse({"review.bpmn": with_script(script)}, {}, forms)
    return str(err.value)


@pytest.mark.parametrize("script, words", [
    ("import os", "imports are not allowed"),
    ("from subprocess import run", "imports are not allowed"),
    ("data = open('/etc/passwd').read()", "'open' is not allowed"),
    ("x = __import__('os')", "'__import__' is not allowed"),
    ("x = eval('1+1')", "'eval' is not allowed"),
    ("x = ().__class__.__bases__", "invalid attribute name"),
    ("x = getattr(note, 'upper')", "'getattr' is not allowed"),
])
def test_forbidden_scripts_are_refused_at_deploy(script, words):
    message = deploy_refusal(script)
    assert "element score" in message and words in message


def test_forbidden_condition_is_refused_at_deploy():
    _, _, forms = definitions.collect_files([ROOT / "tests/engine/fixtures/review.bpmn"])
    text = REVIEW.replace('decision == "reject"', '__import__("os").system("id") == 0')
    with pytest.raises(InvalidDefinition, match="element decision"):
        definitions.parse({"review.bpmn": text}, {}, forms)


def test_allowed_script_runs_with_task_data():
    env = RestrictedEnvironment()
    data = {"note": "abc", "items": [3, 1, 2]}
    env.execute("total = sum(items)\nordered = sorted(items)\nend = add_days('2026-02-27', 3)",
                data)
    assert data["total"] == 6 and data["ordered"] == [1, 2, 3] and data["end"] == "2026-03-02"
    assert env.evaluate("total > 5 and note == 'abc'", data) is True


def test_runtime_escape_attempts_are_stopped():
    env = RestrictedEnvironment()
    with pytest.raises(ScriptError, match="imports are not allowed"):
        env.execute("import socket", {})
    with pytest.raises(ScriptError, match="starts with"):
        env.execute("x = __builtins__['open']", {})
    with pytest.raises(NameError):
        env.evaluate("help", {})


def test_add_days_crosses_months_and_leap_years():
    assert add_days("2028-02-27", 3) == "2028-03-01"
    assert add_days("2026-12-30T10:00:00", 5) == "2027-01-04"
