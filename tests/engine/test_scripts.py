"""Restricted scripts: what BPMN scripts may do, and what they are stopped from doing."""
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import parsing
from engine.errors import InvalidDefinition, ScriptError
from engine.scripts import RestrictedEnvironment, add_days, check_source, script_engine

from support import ROOT

REVIEW = (ROOT / "tests/engine/fixtures/review.bpmn").read_text(encoding="utf-8")
SCRIPT = """score = len(note) * 2
summary = {"note": note, "score": score}"""


def with_script(script):
    return REVIEW.replace(SCRIPT, script)


def deploy_refusal(script) -> str:
    _, _, forms = parsing.collect_files([ROOT / "tests/engine/fixtures/review.bpmn"])
    with pytest.raises(InvalidDefinition) as err:
        parsing.parse({"review.bpmn": with_script(script)}, {}, forms)
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
    _, _, forms = parsing.collect_files([ROOT / "tests/engine/fixtures/review.bpmn"])
    text = REVIEW.replace('decision == "reject"', '__import__("os").system("id") == 0')
    with pytest.raises(InvalidDefinition, match="element decision"):
        parsing.parse({"review.bpmn": text}, {}, forms)


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


# --- augmented assignment ------------------------------------------------------------------

@pytest.mark.parametrize("op, start, operand, expected", [
    ("+=", 7, 2, 9), ("-=", 7, 2, 5), ("*=", 7, 2, 14), ("/=", 7, 2, 3.5), ("//=", 7, 2, 3),
    ("%=", 7, 2, 1), ("**=", 7, 2, 49), ("<<=", 7, 2, 28), (">>=", 7, 2, 1), ("&=", 7, 3, 3),
    ("^=", 7, 2, 5), ("|=", 7, 8, 15),
])
def test_augmented_assignment_of_names_dict_items_and_list_elements(op, start, operand, expected):
    data = {}
    RestrictedEnvironment().execute(f"""x = {start}
x {op} {operand}
d = {{"a": {start}}}
d["a"] {op} {operand}
lst = [0, {start}]
lst[1] {op} {operand}
grid = {{"row": [{start}]}}
grid["row"][0] {op} {operand}""", data)
    assert data["x"] == data["d"]["a"] == data["lst"][1] == data["grid"]["row"][0] == expected
    assert type(data["x"]) is type(expected)


def test_matrix_multiplication_assignment_reaches_the_operator():
    with pytest.raises(TypeError, match="@="):
        RestrictedEnvironment().execute("x = 2\nx @= 3", {})


def test_augmented_assignment_keeps_python_semantics_for_sequences():
    data = {"note": "ab"}
    RestrictedEnvironment().execute("""note += "c"
note *= 2
items = [1]
alias = items
items += [2]
pair = (1,)
pair += (2,)
counts = {"a": 1}
key = "a"
counts[key] += 10
counts[key] -= 1""", data)
    assert data["note"] == "abcabc"
    assert data["items"] == [1, 2] and data["alias"] is data["items"]   # in place, as in Python
    assert data["pair"] == (1, 2) and data["counts"] == {"a": 10}


def test_augmented_assignment_errors_are_python_errors():
    env = RestrictedEnvironment()
    with pytest.raises(KeyError):
        env.execute('d = {}\nd["missing"] += 1', {})
    with pytest.raises(TypeError, match="does not support item"):
        env.execute("t = (1, 2)\nt[0] += 1", {})


@pytest.mark.parametrize("script", ["x = 1\nx += 1", 'd = {"a": 1}\nd["a"] += 1',
                                    "lst = [1]\nlst[0] *= 2"])
def test_augmented_assignment_is_accepted_at_deploy(script):
    check_source(script, "exec")


@pytest.mark.parametrize("source, mode, words", [
    ("import os", "exec", "imports are not allowed"),
    ("__import__('os')", "eval", "'__import__' is not allowed"),
    ("x = open('/etc/passwd')", "exec", "'open' is not allowed"),
    ("x = ().__class__", "exec", "invalid attribute name"),
    ("class Box:\n    pass", "exec", "class definitions are not allowed"),
    ("lst = [1, 2]\nlst[0:1] += [3]", "exec", "Augmented assignment of slices"),
    ("x = 1\nx.real += 1", "exec", "Augmented assignment of attributes"),
])
def test_check_source_refuses(source, mode, words):
    with pytest.raises(ScriptError, match=words):
        check_source(source, mode)


# --- through a workflow --------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
                  targetNamespace="http://dixian.example/tests">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gate" default="f_other"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_match</bpmn:outgoing><bpmn:outgoing>f_other</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="matched"><bpmn:incoming>f_match</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="other"><bpmn:incoming>f_other</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="gate"/>
    <bpmn:sequenceFlow id="f_match" sourceRef="gate" targetRef="matched">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_other" sourceRef="gate" targetRef="other"/>
  </bpmn:process>
</bpmn:definitions>"""


def run_workflow(script, condition, **data):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.format(script=escape(script), condition=escape(condition)).encode())
    workflow = BpmnWorkflow(parser.get_spec("p"), script_engine=script_engine())
    workflow.get_next_task(state=TaskState.READY).set_data(**data)
    workflow.do_engine_steps()
    return workflow


def ended_at(workflow):
    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.COMPLETED)
            if task.task_spec.bpmn_id in ("matched", "other")}


def test_workflow_script_task_with_augmented_assignment():
    workflow = run_workflow('x += 1\nscores = {"a": 1}\nscores["a"] *= 5', "x == 2", x=1)
    assert workflow.is_completed() and ended_at(workflow) == {"matched"}
    assert workflow.data == {"x": 2, "scores": {"a": 5}}


def test_workflow_error_names_the_script_line():
    with pytest.raises(WorkflowTaskException) as err:
        run_workflow("y = x + 1\nz = y / 0", "True", x=1)
    assert err.value.line_number == 2 and err.value.error_line == "z = y / 0"
