"""BPMN models in many styles deploy and run to completion through the dixian command.

Each model in tests/engine/fixtures/styles is deployed with ``dixian deploy``, started, and
driven by completing whatever work item is open (as the user of its level) and firing
timers a day later when none is, until the case ends with the expected outcome.
"""
import json
from datetime import datetime, timedelta

import pytest

from support import ROOT

STYLES = ROOT / "tests" / "engine" / "fixtures" / "styles"
ACTING = {"village": "village11", "township": "township1", "county": "county1"}

# model → (process key, extra files, deploy options, start data, data by task, outcome,
#          steps that must have had a work item)
MODELS = {
    "parallel_gateway": ("style_parallel", [], [], {}, {}, "completed",
                         {"village_check", "township_check", "county_approve"}),
    "inclusive_gateway": ("style_inclusive", [], [], {"risk_types": ["01", "0201"]}, {},
                          "completed", {"check_illness", "check_disaster", "review"}),
    "event_based_gateway": ("style_event_gateway", [], [], {}, {}, "completed",
                            {"submit_material", "review_material"}),
    "subprocess": ("subprocess_tasks", [], [], {}, {}, "completed",
                   {"inner_check", "inner_sign", "county_note"}),
    "event_subprocess": ("style_event_subprocess", [], [], {}, {}, "completed",
                         {"post_notice", "lodge_objection", "investigate", "township_review"}),
    "call_activity": ("style_call_activity", ["call_activity_signing.bpmn"], [], {}, {},
                      "completed", {"village_propose", "recheck", "county_sign"}),
    "multi_instance": ("style_multi_instance", [], [], {"households": ["王建国", "李秀英"]},
                       {"check_household": {"result": "已核实"}}, "completed",
                       {"check_household", "countersign"}),
    "message_tasks": ("style_messages", [], [], {}, {}, "completed", {"verify", "use_result"}),
    "signal_events": ("style_signal", [], [], {}, {}, "withdrawn",
                      {"household_withdraws", "archive"}),
    "error_events": ("style_error", [], [], {}, {"inspect": {"decision": "return"}},
                     "completed", {"inspect", "supplement", "county_file"}),
    "escalation_events": ("style_escalation", [], [], {"serious": True}, {}, "completed",
                          {"record_visit", "follow_up", "county_supervise"}),
    "timer_events": ("style_timers", [], [], {}, {"township_decide": None}, "completed",
                     {"revisit", "county_takes_over"}),
    "data_objects": ("style_data_objects", [], [], {}, {"enter_income": {
        "income_per_head": 6000}}, "completed", {"enter_income", "township_review"}),
    "no_lanes_process_level": ("style_no_lanes", [], [], {}, {}, "completed",
                               {"record", "sign_paper", "township_note"}),
    "no_level_anywhere": ("style_no_level", [], ["--level", "township"], {}, {}, "completed",
                          {"prepare", "sign_off"}),
    "exclusive_loop": ("style_return_loop", [], [], {}, {"review": [
        {"decision": "return", "reason": "材料不全"}, {"decision": "approve"}]}, "approved",
        {"draft", "review"}),
    "business_rule": ("style_business_rule", ["amount_route.dmn"], [], {"amount": 20000}, {},
                      "completed", {"enter", "county_handles"}),
}


def _path(name: str) -> str:
    folder = ROOT / "tests" / "engine" / "fixtures" if name == "subprocess" else STYLES
    return str(folder / ("subprocess_tasks.bpmn" if name == "subprocess" else f"{name}.bpmn"))


def run_to_the_end(cli, case_id: int, data_by_task: dict, start: datetime) -> tuple:
    """Complete open items (or fire timers a day later) until the case ends."""
    now, seen, answers = start, set(), {k: v for k, v in data_by_task.items()}
    for _ in range(60):
        view = cli.json("case", str(case_id), now=now.isoformat())
        if view["case"]["status"] != "running":
            return view, seen
        open_items = [i for i in view["items"] if i["status"] == "open"]
        waiting = [i for i in open_items if answers.get(i["task_name"], {}) is not None]
        if not waiting:
            now += timedelta(days=1)
            code, out = cli("timers", "fire", now=now.isoformat())
            assert code == 0, out
            continue
        item = waiting[0]
        seen.add(item["task_name"])
        answer = answers.get(item["task_name"], {})
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        code, out = cli("complete", str(item["id"]), "--as", ACTING[item["level"]], "--data",
                        json.dumps(answer), now=now.isoformat())
        assert code == 0, out
    raise AssertionError(f"case {case_id} did not end")


def test_there_are_at_least_fifteen_styles():
    assert len(MODELS) >= 15 and len({m[0] for m in MODELS.values()}) == len(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_deploys_and_runs_to_completion_through_the_cli(cli, users, name):
    key, extra, options, start_data, answers, outcome, steps = MODELS[name]
    files = [_path(name), *(str(STYLES / f) for f in extra)]
    code, out = cli("deploy", *files, "--forms", str(STYLES / "forms"), *options)
    assert code == 0 and out.strip() == f"{key} v1 deployed", out
    started = cli.json("start", key, "--as", "village11", "--data", json.dumps(start_data))
    view, seen = run_to_the_end(cli, started["case"]["id"], answers,
                                datetime(2026, 11, 20, 10, 0))
    assert view["case"]["outcome"] == outcome
    assert steps <= seen | {i["task_name"] for i in view["items"]}
    code, out = cli("trail", "verify", str(started["case"]["id"]))
    assert code == 0 and "trail intact" in out


def test_a_model_without_levels_is_refused_without_a_level_and_named(cli, users, row_counts):
    before = row_counts()
    code, out = cli("deploy", _path("no_level_anywhere"))
    assert code == 1
    assert out.startswith("error: no_level_anywhere.bpmn: element prepare: UserTask has no "
                          "acting level")
    assert row_counts() == before
