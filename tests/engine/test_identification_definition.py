"""Drive workflows/monitoring_identification.bpmn through every path with plain SpiffWorkflow.

No Dixian engine code is used: the definition must work in SpiffWorkflow 3.2 itself.
Time is controlled with time_machine so the publicity timer (timeDate = publicity_end) can fire.
"""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "workflows" / "monitoring_identification.bpmn"
DMN = [str(ROOT / "workflows" / "monitoring_lines.dmn"), str(ROOT / "workflows" / "eligibility.dmn")]
FORMS = ROOT / "forms"
CST = timezone(timedelta(hours=8))
AID_TASKS = ("immediate_aid", "confirm_aid_village", "confirm_aid_township")

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


@pytest.fixture(scope="module")
def spec():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(BPMN))
    parser.add_dmn_files(DMN)
    return parser.get_spec("monitoring_identification")


DECLARATION = dict(household_id=42, channel="self_declaration", discovery_date="2024-05-01",
                   risk_types=["01"], commitment_signed=True, green_channel=False, description="户主突发重病",
                   province="53", medical_warning_line_setting=None)
HOME_CHECK = dict(checkers=["张三", "李四"], check_date="2024-05-02", income_per_head=5000,
                  annual_household_income=20000, out_of_pocket_medical=30000, major_illness=True,
                  disability_grade=0, sudden_shock=False, rigid_spending=35000, formerly_poor=False,
                  acute_difficulties="住院费用无力支付")
APPROVE = dict(decision="approve", reason="")
VILLAGE_APPROVE = dict(APPROVE, meeting_date="2024-05-03", attendees=25, votes_for=24, votes_against=1)
PUBLICITY = dict(publicity_start="2024-05-04", publicity_place="村务公开栏", publicity_days=5)
PUBLICITY_END = datetime(2024, 5, 9, 0, 0, tzinfo=CST)   # 5 full days: 4th..8th of May


class Case:
    """A running case with a controllable clock."""

    def __init__(self, spec, traveller, **declaration):
        self.clock = traveller
        self.wf = BpmnWorkflow(spec)
        self.wf.get_tasks(state=TaskState.READY)[0].data.update(dict(DECLARATION, **declaration))
        self.wf.do_engine_steps()
        self.done = []

    def ready(self):
        return sorted(t.task_spec.name for t in self.wf.get_tasks(state=TaskState.READY, manual=True))

    def paper(self):
        """Ready work items of the identification paperwork (without the green-channel aid branch)."""
        return [n for n in self.ready() if n not in AID_TASKS]

    def complete(self, name, **data):
        tasks = [t for t in self.wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == name]
        assert len(tasks) == 1, f"{name} not ready; ready: {self.ready()}"
        tasks[0].data.update(data)
        tasks[0].run()
        self.wf.do_engine_steps()
        self.done.append(name)
        return tasks[0]

    def move_to(self, when):
        self.clock.move_to(when)
        self.wf.refresh_timers()
        self.wf.do_engine_steps()

    def ended_at(self):
        assert self.wf.is_completed(), f"still running; ready: {self.ready()}"
        # the aid branch of a green-channel case ends at its own end event
        ends = [t for t in self.wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.name.startswith("end_") and t.task_spec.name != "end_aid_given"]
        assert len(ends) == 1, [t.task_spec.name for t in ends]
        spec = ends[0].task_spec
        return spec.name, spec.extensions["properties"]["outcome"]

    # common stretches of the procedure
    def to_village_review(self):
        self.complete("home_check", **HOME_CHECK)
        assert self.paper() == ["village_review"]

    def through_publicity(self):
        self.complete("village_review", **VILLAGE_APPROVE)
        self.complete("post_publicity", **PUBLICITY)
        assert self.paper() == ["publicity_objections"]
        self.move_to(PUBLICITY_END + timedelta(minutes=1))
        assert self.paper() == ["township_review"]

    def after_approval(self):
        assert self.paper() == ["aid_plan", "assign_helper", "result_announcement"]
        self.complete("result_announcement", announcement_date="2024-05-13", place="村务公开栏")
        self.complete("assign_helper", helper_name="王五", helper_unit="县农业农村局", helper_position="科员")
        self.complete("aid_plan", measures=["health", "comprehensive_protection"], plan="落实大病救助和临时救助")


@pytest.fixture
def case(spec):
    with time_machine.travel(datetime(2024, 5, 1, 9, 0, tzinfo=CST), tick=False) as traveller:
        yield lambda **declaration: Case(spec, traveller, **declaration)


def test_straight_approval(case):
    c = case()
    assert c.ready() == ["home_check"]
    c.to_village_review()
    data = c.wf.get_tasks(state=TaskState.READY, manual=True)[0].data
    assert data["year"] == 2024 and data["income_line"] == 8700
    assert data["recommended_type"] == "边缘易致贫户"
    assert data["recommended_categories"] == ["大病", "低收入高支出"]
    c.complete("village_review", **VILLAGE_APPROVE)
    c.complete("post_publicity", **PUBLICITY)
    assert c.wf.get_tasks(state=TaskState.READY, manual=True)[0].data["publicity_end"] == "2024-05-09T00:00:00+08:00"
    # one minute before the end of publicity nothing happens
    c.move_to(PUBLICITY_END - timedelta(minutes=1))
    assert c.ready() == ["publicity_objections"]
    c.move_to(PUBLICITY_END + timedelta(minutes=1))
    assert c.ready() == ["township_review"]
    c.complete("township_review", **APPROVE, onsite_check=True)
    c.complete("county_approval", **APPROVE, object_type="边缘易致贫户")
    c.after_approval()
    assert c.ended_at() == ("end_approved", "approved")


@pytest.mark.parametrize("start, days, end", [
    ("2024-05-04", 5, "2024-05-09"), ("2024-02-26", 5, "2024-03-02"), ("2023-02-26", 5, "2023-03-03"),
    ("2024-12-29", 7, "2025-01-05"), ("2024-01-31", 30, "2024-03-01"), ("2100-02-27", 5, "2100-03-04"),
])
def test_publicity_end_date_arithmetic(case, start, days, end):
    c = case()
    c.to_village_review()
    c.complete("village_review", **VILLAGE_APPROVE)
    c.complete("post_publicity", **dict(PUBLICITY, publicity_start=start, publicity_days=days))
    data = c.wf.get_tasks(state=TaskState.READY, manual=True)[0].data
    assert data["publicity_end"] == end + "T00:00:00+08:00"
    for scratch in ("y", "m", "d", "feb", "month_days"):
        assert scratch not in data


def test_rejected_by_village(case):
    c = case()
    c.to_village_review()
    c.complete("village_review", **dict(VILLAGE_APPROVE, decision="reject", reason="收入核实后明显高于监测线"))
    assert c.ended_at() == ("end_rejected_village", "rejected")


def test_rejected_by_township(case):
    c = case()
    c.to_village_review()
    c.through_publicity()
    c.complete("township_review", decision="reject", reason="实地核查情况不符")
    assert c.ended_at() == ("end_rejected_township", "rejected")


def test_rejected_by_county(case):
    c = case()
    c.to_village_review()
    c.through_publicity()
    c.complete("township_review", **APPROVE)
    c.complete("county_approval", decision="reject", reason="不符合纳入条件")
    assert c.ended_at() == ("end_rejected_county", "rejected")


def test_village_returns_to_home_check_and_decisions_rerun(case):
    c = case()
    c.to_village_review()
    c.complete("village_review", **dict(VILLAGE_APPROVE, decision="return", reason="收入数据有误"))
    assert c.ready() == ["home_check"]
    c.complete("home_check", **dict(HOME_CHECK, income_per_head=12000, annual_household_income=48000,
                                     out_of_pocket_medical=0, rigid_spending=0, major_illness=False))
    data = c.wf.get_tasks(state=TaskState.READY, manual=True)[0].data
    assert data["recommended_type"] == "不符合"
    assert data["recommended_categories"] == []
    assert c.ready() == ["village_review"]


def test_township_returns_to_village(case):
    c = case()
    c.to_village_review()
    c.through_publicity()
    c.complete("township_review", decision="return", reason="评议记录不全")
    assert c.ready() == ["village_review"]
    c.complete("village_review", **VILLAGE_APPROVE)
    c.complete("post_publicity", **dict(PUBLICITY, publicity_start="2024-05-10"))
    c.move_to(datetime(2024, 5, 15, 0, 1, tzinfo=CST))
    assert c.ready() == ["township_review"]
    c.complete("township_review", **APPROVE)
    c.complete("county_approval", **APPROVE, object_type="边缘易致贫户")
    c.after_approval()
    assert c.ended_at() == ("end_approved", "approved")


def test_county_returns_to_township(case):
    c = case()
    c.to_village_review()
    c.through_publicity()
    c.complete("township_review", **APPROVE)
    c.complete("county_approval", decision="return", reason="请补充实地核查")
    assert c.ready() == ["township_review"]
    c.complete("township_review", **APPROVE, onsite_check=True)
    c.complete("county_approval", **APPROVE, object_type="边缘易致贫户")
    c.after_approval()
    assert c.ended_at() == ("end_approved", "approved")


def test_objection_upheld(case):
    c = case()
    c.to_village_review()
    c.complete("village_review", **VILLAGE_APPROVE)
    c.complete("post_publicity", **PUBLICITY)
    c.move_to(datetime(2024, 5, 6, 10, 0, tzinfo=CST))
    c.complete("publicity_objections", objector="赵六", objection_content="该户有商品房", lodged_date="2024-05-06")
    assert c.ready() == ["investigate_objection"]
    # the publicity timer is gone once an objection is lodged: time passing does not skip the investigation
    c.move_to(PUBLICITY_END + timedelta(days=1))
    assert c.ready() == ["investigate_objection"]
    c.complete("investigate_objection", findings="查实该户在县城有商品房", objection_result="upheld", reason="隐瞒资产")
    assert c.ended_at() == ("end_objection_upheld", "objection_upheld")


def test_objection_dismissed_waits_out_remaining_publicity(case):
    c = case()
    c.to_village_review()
    c.complete("village_review", **VILLAGE_APPROVE)
    c.complete("post_publicity", **PUBLICITY)
    c.move_to(datetime(2024, 5, 5, 10, 0, tzinfo=CST))
    c.complete("publicity_objections", objector="赵六", objection_content="该户收入高", lodged_date="2024-05-05")
    c.complete("investigate_objection", findings="经核实收入情况属实", objection_result="dismissed", reason="异议不成立")
    # back to the open objection item, with the SAME end of publicity (not a fresh 5 days)
    assert c.ready() == ["publicity_objections"]
    c.move_to(PUBLICITY_END - timedelta(minutes=1))
    assert c.ready() == ["publicity_objections"]
    c.move_to(PUBLICITY_END + timedelta(minutes=1))
    assert c.ready() == ["township_review"]
    c.complete("township_review", **APPROVE)
    c.complete("county_approval", **APPROVE, object_type="边缘易致贫户")
    c.after_approval()
    assert c.ended_at() == ("end_approved", "approved")


def test_objection_dismissed_after_publicity_ended_goes_straight_on(case):
    c = case()
    c.to_village_review()
    c.complete("village_review", **VILLAGE_APPROVE)
    c.complete("post_publicity", **PUBLICITY)
    c.move_to(datetime(2024, 5, 8, 20, 0, tzinfo=CST))
    c.complete("publicity_objections", objector="赵六", objection_content="该户收入高", lodged_date="2024-05-08")
    c.move_to(datetime(2024, 5, 10, 10, 0, tzinfo=CST))
    c.complete("investigate_objection", findings="经核实不属实", objection_result="dismissed", reason="异议不成立")
    c.wf.refresh_timers()
    c.wf.do_engine_steps()
    assert c.ready() == ["township_review"]


GREEN = dict(green_channel=True, sudden_risk_kind="disaster", risk_types=["0201"])


def _aid_branch(c):
    c.complete("immediate_aid", aid_kind="temporary_relief", amount=2000, aid_date="2024-05-01")
    assert "confirm_aid_village" in c.ready()
    c.complete("confirm_aid_village", received=True, confirm_date="2024-05-02")
    c.complete("confirm_aid_township", confirmed=True)


def test_green_channel_runs_both_branches(case):
    c = case(**GREEN)
    assert c.ready() == ["home_check", "immediate_aid"]
    _aid_branch(c)
    # aid is done, the paperwork is still open: the case must not end
    assert not c.wf.is_completed()
    assert c.ready() == ["home_check"]
    c.to_village_review()
    c.through_publicity()
    c.complete("township_review", **APPROVE)
    c.complete("county_approval", **APPROVE, object_type="突发严重困难户")
    c.after_approval()
    assert c.ended_at() == ("end_approved", "approved")
    assert c.done.count("immediate_aid") == 1


def test_green_channel_paperwork_first_waits_for_aid_confirmation(case):
    c = case(**GREEN)
    c.complete("immediate_aid", aid_kind="food", amount=500, aid_date="2024-05-01")
    c.to_village_review()
    c.through_publicity()
    c.complete("township_review", **APPROVE)
    c.complete("county_approval", **APPROVE, object_type="突发严重困难户")
    c.after_approval()
    assert not c.wf.is_completed()
    assert c.ready() == ["confirm_aid_village"]
    c.complete("confirm_aid_village", received=True, confirm_date="2024-05-14")
    c.complete("confirm_aid_township", confirmed=True, confirm_notes="已复核")
    assert c.ended_at() == ("end_approved", "approved")


@pytest.mark.parametrize("stop_at", ["village_review", "publicity_objections", "investigate_objection",
                                     "township_review", "county_approval", "aid_plan"])
def test_green_channel_aid_done_while_paperwork_at_any_step(case, stop_at):
    """The inclusive join must keep waiting for the paperwork whichever step it is at,
    including after returns (loops)."""
    c = case(**GREEN)
    c.to_village_review()
    if stop_at != "village_review":
        c.complete("village_review", **VILLAGE_APPROVE)
        c.complete("post_publicity", **PUBLICITY)
    if stop_at == "investigate_objection":
        c.complete("publicity_objections", objector="赵六", objection_content="有异议", lodged_date="2024-05-05")
    if stop_at in ("township_review", "county_approval", "aid_plan"):
        c.move_to(PUBLICITY_END + timedelta(minutes=1))
    if stop_at in ("county_approval", "aid_plan"):
        c.complete("township_review", **APPROVE)
        c.complete("county_approval", decision="return", reason="补充材料")
        c.complete("township_review", **APPROVE)
    if stop_at == "aid_plan":
        c.complete("county_approval", **APPROVE, object_type="突发严重困难户")
        c.complete("result_announcement", announcement_date="2024-05-13", place="村务公开栏")
        c.complete("assign_helper", helper_name="王五", helper_unit="县农业农村局", helper_position="科员")
    assert stop_at in c.ready()
    _aid_branch(c)
    assert not c.wf.is_completed()
    assert c.ready() == [stop_at]


def test_rejection_keeps_the_aid_branch_of_a_green_channel_case(case):
    c = case(**GREEN)
    c.complete("immediate_aid", aid_kind="cash", amount=1000, aid_date="2024-05-01")
    c.to_village_review()
    c.complete("village_review", **dict(VILLAGE_APPROVE, decision="reject", reason="不符合"))
    assert c.ready() == ["confirm_aid_village"]          # aid first, paperwork after
    c.complete("confirm_aid_village", received=True, confirm_date="2024-05-02")
    c.complete("confirm_aid_township", confirmed=True)
    assert c.ended_at() == ("end_rejected_village", "rejected")
    assert [t.task_spec.name for t in c.wf.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.name == "end_aid_given"] == ["end_aid_given"]


# --- static checks of the definition ------------------------------------------------

def _tree():
    return etree.parse(str(BPMN))


def _properties(element):
    return {p.get("name"): p.get("value") for p in element.iterfind(".//spiffworkflow:property", NS)}


def test_every_form_property_names_an_existing_form():
    tree = _tree()
    forms = [(el.get("id"), _properties(el).get("form")) for el in tree.iterfind(".//bpmn:userTask", NS)]
    forms.append(("start", _properties(tree.find(".//bpmn:startEvent", NS)).get("form")))
    for task_id, form in forms:
        assert form, f"{task_id} has no form property"
        assert (FORMS / form).is_file(), f"{task_id}: forms/{form} missing"
    used = {f for _, f in forms}
    on_disk = {str(p.relative_to(FORMS)) for p in (FORMS / "identification").glob("*.json")}
    assert on_disk == used, on_disk ^ used


@pytest.mark.parametrize("path", sorted((FORMS / "identification").glob("*.json")), ids=lambda p: p.name)
def test_form_file_is_valid(path):
    form = json.loads(path.read_text(encoding="utf-8"))
    assert {"title", "title_en", "instructions", "instructions_en", "schema", "ui"} <= set(form)
    schema = form["schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    props = schema["properties"]
    assert set(schema["required"]) <= set(props)
    assert set(form["ui"]["order"]) == set(props)
    for name, prop in props.items():
        assert prop.get("title"), f"{path.name}: {name} has no title"
    for name in form["ui"]["enum_labels"]:
        assert name in props


def test_user_task_properties_and_start_deadline():
    tree = _tree()
    lanes = {}
    for lane in tree.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lanes[ref.text] = lane.get("name")
    expected = {"home_check": ("village", "3"), "village_review": ("village", "1"), "post_publicity": ("village", "1"),
                "publicity_objections": ("village", None), "investigate_objection": ("village", "3"),
                "township_review": ("township", "2"), "county_approval": ("county", "2"),
                "result_announcement": ("village", "3"), "assign_helper": ("county", "5"), "aid_plan": ("village", "10"),
                "immediate_aid": ("township", "1"), "confirm_aid_village": ("village", "2"),
                "confirm_aid_township": ("township", "2")}
    found = {}
    for el in tree.iterfind(".//bpmn:userTask", NS):
        props = _properties(el)
        found[el.get("id")] = (props["level"], props.get("due_days"))
        assert lanes[el.get("id")] == props["level"]
        assert el.find("bpmn:documentation", NS).text.strip()
    assert found == expected
    start = _properties(tree.find(".//bpmn:startEvent", NS))
    assert start == {"procedure": "identification", "form": "identification/declaration.json",
                     "deadline_days": "15", "deadline_day_kind": "natural",
                     "deadline_from": "discovery_date", "deadline_stop": "county_approval",
                     "escalation": "township,county", "escalation_days": "2"}
    outcomes = {el.get("id"): _properties(el).get("outcome") for el in tree.iterfind(".//bpmn:endEvent", NS)}
    assert outcomes == {"end_rejected_village": "rejected", "end_rejected_township": "rejected",
                        "end_rejected_county": "rejected", "end_objection_upheld": "objection_upheld",
                        "end_approved": "approved", "end_aid_given": "aid_given"}
    # no end event terminates: a rejection must never cancel aid given first
    assert tree.find(".//bpmn:terminateEventDefinition", NS) is None


def test_no_imports_in_scripts_or_conditions():
    tree = _tree()
    texts = [el.text for el in tree.iterfind(".//bpmn:script", NS)]
    texts += [el.text for el in tree.iterfind(".//bpmn:conditionExpression", NS)]
    for text in texts:
        assert "import" not in text and "__" not in text, text


def test_every_flow_element_has_a_diagram_shape():
    tree = _tree()
    di_refs = {el.get("bpmnElement") for el in tree.iter() if el.get("bpmnElement")}
    process = tree.find(".//bpmn:process", NS)
    for el in process:
        if el.get("id") and etree.QName(el).localname not in ("laneSet", "documentation"):
            assert el.get("id") in di_refs, el.get("id")
