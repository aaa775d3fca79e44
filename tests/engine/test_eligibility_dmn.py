"""Tests for workflows/monitoring_lines.dmn and workflows/eligibility.dmn.

The decisions are run through SpiffWorkflow's own DMN engine, inside a small BPMN harness
(tests/engine/fixtures/eligibility_harness.bpmn) whose script tasks are the same as the ones
in workflows/monitoring_identification.bpmn.  Income lines used below are the example values
in monitoring_lines.dmn (2021: 6000, 2024: 8700; medical warning line 10000).
"""

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
HARNESS = Path(__file__).resolve().parent / "fixtures" / "eligibility_harness.bpmn"
DMN_FILES = [str(WORKFLOWS / "monitoring_lines.dmn"), str(WORKFLOWS / "eligibility.dmn")]

TYPE_FORMERLY_POOR = "脱贫不稳定户"
TYPE_EDGE = "边缘易致贫户"
TYPE_SUDDEN = "突发严重困难户"
TYPE_NONE = "不符合"


def _parser(bpmn):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(bpmn))
    parser.add_dmn_files(DMN_FILES)
    return parser


@pytest.fixture(scope="module")
def harness_spec():
    return _parser(HARNESS).get_spec("eligibility_harness")


# A household that qualifies for nothing: income above the 2024 line (8700), no shock,
# no illness, no disability, spending below income.
BASE = dict(
    discovery_date="2024-06-10",
    province="53",                       # Yunnan: 8700 in 2024 and 2025
    medical_warning_line_setting=None,
    income_per_head=12000,
    annual_household_income=48000,
    out_of_pocket_medical=0,
    major_illness=False,
    disability_grade=0,
    sudden_shock=False,
    rigid_spending=1000,
    formerly_poor=False,
)


def decide(spec, **overrides):
    data = dict(BASE, **overrides)
    wf = BpmnWorkflow(spec)
    wf.get_tasks(state=TaskState.READY)[0].data.update(data)
    wf.do_engine_steps()
    assert wf.is_completed()
    return wf.data


def test_harness_scripts_match_the_process(harness_spec):
    process = _parser(WORKFLOWS / "monitoring_identification.bpmn").get_spec("monitoring_identification")
    for name in ("prepare_eligibility", "pick_monitoring_lines", "summarize_eligibility"):
        assert harness_spec.task_specs[name].script.strip() == process.task_specs[name].script.strip(), name
    for name in ("lookup_monitoring_lines", "decide_eligibility"):
        assert process.task_specs[name].dmnEngine.decision_table.id == harness_spec.task_specs[name].dmnEngine.decision_table.id


# --- monitoring_lines -------------------------------------------------------------

NATIONAL = "2021 年全国统一防返贫监测范围 6000 元（本省当年标准未录入）"


@pytest.mark.parametrize("province, date, line, source", [
    ("41", "2023-05-01", 7500, "河南省 2023 年防返贫监测范围 7500 元"),
    ("53", "2024-05-01", 8700, "云南省 2024–2025 年防返贫监测范围 8700 元"),
    ("53", "2025-12-31", 8700, "云南省 2024–2025 年防返贫监测范围 8700 元"),
    # a province's line never applies to another province, nor to another year
    ("41", "2024-05-01", 6000, NATIONAL), ("53", "2023-05-01", 6000, NATIONAL),
    ("36", "2026-01-01", 6000, NATIONAL), ("53", "2021-05-01", 6000, NATIONAL),
])
def test_monitoring_lines_by_province_and_year(harness_spec, province, date, line, source):
    data = decide(harness_spec, province=province, discovery_date=date)
    assert data["year"] == int(date[:4])
    assert (data["income_line"], data["line_source"]) == (line, source)
    assert data["medical_warning_line"] == 10000


def test_medical_warning_line_set_by_the_deployment(harness_spec):
    data = decide(harness_spec, medical_warning_line_setting=25000,
                  major_illness=True, out_of_pocket_medical=20000, income_per_head=5000)
    assert data["medical_warning_line"] == 25000
    assert data["recommended_categories"] == []      # 20000 is below the county's 25000


# --- types ---------------------------------------------------------------------

def test_type_formerly_poor_within_range(harness_spec):
    data = decide(harness_spec, income_per_head=5000, formerly_poor=True)
    assert data["recommended_type"] == TYPE_FORMERLY_POOR
    assert data["recommended_categories"] == []


def test_type_edge_household_within_range(harness_spec):
    data = decide(harness_spec, income_per_head=5000, formerly_poor=False)
    assert data["recommended_type"] == TYPE_EDGE


@pytest.mark.parametrize("overrides", [
    dict(sudden_shock=True),
    dict(major_illness=True, out_of_pocket_medical=30000),
    dict(rigid_spending=60000),
], ids=["shock", "illness", "spending"])
def test_type_sudden_hardship_above_range(harness_spec, overrides):
    data = decide(harness_spec, **overrides)
    assert data["recommended_type"] == TYPE_SUDDEN


def test_type_none_when_nothing_applies(harness_spec):
    data = decide(harness_spec)
    assert data["recommended_type"] == TYPE_NONE
    assert data["recommended_categories"] == []


def test_formerly_poor_above_range_without_risk_is_not_eligible(harness_spec):
    data = decide(harness_spec, formerly_poor=True)
    assert data["recommended_type"] == TYPE_NONE


# --- boundary at the income line (2024 line: 8700) ------------------------------

@pytest.mark.parametrize("formerly_poor, expected", [(True, TYPE_FORMERLY_POOR), (False, TYPE_EDGE)])
def test_income_exactly_at_line_is_within_range(harness_spec, formerly_poor, expected):
    data = decide(harness_spec, income_per_head=8700, formerly_poor=formerly_poor)
    assert data["income_line"] == 8700
    assert data["recommended_type"] == expected


@pytest.mark.parametrize("formerly_poor", [True, False])
def test_income_one_yuan_above_line_is_outside_range(harness_spec, formerly_poor):
    data = decide(harness_spec, income_per_head=8701, formerly_poor=formerly_poor)
    assert data["recommended_type"] == TYPE_NONE


def test_line_depends_on_year(harness_spec):
    # 7000 is inside Henan's 2023 range (7500) but outside the 2021 range (6000).
    assert decide(harness_spec, province="41", discovery_date="2023-03-01", income_per_head=7000)["recommended_type"] == TYPE_EDGE
    assert decide(harness_spec, province="41", discovery_date="2021-03-01", income_per_head=7000)["recommended_type"] == TYPE_NONE


# --- the four "宽" categories --------------------------------------------------

def test_category_major_illness(harness_spec):
    data = decide(harness_spec, major_illness=True, out_of_pocket_medical=10001)
    assert data["recommended_categories"] == ["大病"]
    assert data["recommended_type"] == TYPE_SUDDEN


def test_category_major_illness_needs_cost_above_warning_line(harness_spec):
    assert decide(harness_spec, major_illness=True, out_of_pocket_medical=10000)["recommended_categories"] == []
    assert decide(harness_spec, major_illness=False, out_of_pocket_medical=50000)["recommended_categories"] == []


@pytest.mark.parametrize("grade", [1, 2])
def test_category_severe_disability(harness_spec, grade):
    data = decide(harness_spec, disability_grade=grade, income_per_head=8700)
    assert data["recommended_categories"] == ["重度残疾"]
    assert data["recommended_type"] == TYPE_EDGE


def test_severe_disability_needs_income_within_range(harness_spec):
    assert decide(harness_spec, disability_grade=1, income_per_head=8701)["recommended_categories"] == []


@pytest.mark.parametrize("grade", [0, 3, 4])
def test_mild_or_no_disability_is_not_a_category(harness_spec, grade):
    assert decide(harness_spec, disability_grade=grade, income_per_head=5000)["recommended_categories"] == []


def test_category_sudden_hardship(harness_spec):
    data = decide(harness_spec, sudden_shock=True)
    assert data["recommended_categories"] == ["突发严重困难"]
    assert data["recommended_type"] == TYPE_SUDDEN


def test_category_low_income_high_spending(harness_spec):
    data = decide(harness_spec, income_per_head=8700, annual_household_income=30000, rigid_spending=30001)
    assert data["recommended_categories"] == ["低收入高支出"]
    assert data["recommended_type"] == TYPE_EDGE


def test_low_income_high_spending_boundaries(harness_spec):
    # spending equal to income is not "above"; income one yuan above the line is out of range
    assert decide(harness_spec, income_per_head=5000, annual_household_income=30000, rigid_spending=30000)["recommended_categories"] == []
    data = decide(harness_spec, income_per_head=8701, annual_household_income=30000, rigid_spending=30001)
    assert data["recommended_categories"] == []
    assert data["recommended_type"] == TYPE_SUDDEN  # spending above income still makes it sudden hardship


def test_all_four_categories_in_table_order(harness_spec):
    data = decide(harness_spec, income_per_head=4000, formerly_poor=True, major_illness=True,
                  out_of_pocket_medical=20000, disability_grade=2, sudden_shock=True,
                  annual_household_income=16000, rigid_spending=25000)
    assert data["recommended_type"] == TYPE_FORMERLY_POOR
    assert data["recommended_categories"] == ["大病", "重度残疾", "突发严重困难", "低收入高支出"]


def test_raw_collect_output_shape(harness_spec):
    # COLLECT gives one list entry per matched rule for every output column; empty cells are "".
    data = decide(harness_spec, income_per_head=5000, sudden_shock=True)
    assert data["eligibility_types"] == [TYPE_EDGE, ""]
    assert data["eligibility_categories"] == ["", "突发严重困难"]


def test_exactly_one_type_row_matches_everywhere(harness_spec):
    """The table contract behind recommended_type = eligibility_types[0]."""
    for income in (4000, 8700, 8701):
        for formerly_poor in (True, False):
            for shock in (True, False):
                for illness, cost in ((True, 20000), (True, 10000), (False, 20000)):
                    for grade in (0, 1, 3):
                        for spending in (100, 40000):
                            data = decide(harness_spec, income_per_head=income, formerly_poor=formerly_poor,
                                          sudden_shock=shock, major_illness=illness, out_of_pocket_medical=cost,
                                          disability_grade=grade, annual_household_income=30000,
                                          rigid_spending=spending)
                            types = [t for t in data["eligibility_types"] if t]
                            assert len(types) == 1, data
                            assert "" not in data["recommended_categories"], data
                            # every category implies a monitoring-object type
                            if data["recommended_categories"]:
                                assert data["recommended_type"] != TYPE_NONE, data


def test_rerun_replaces_previous_result(harness_spec):
    """A return to the home check runs the decisions again on the same task data; stale
    list entries must not survive (SpiffWorkflow deep-merges lists into existing data)."""
    wf = BpmnWorkflow(harness_spec)
    first = dict(BASE, income_per_head=4000, formerly_poor=True, major_illness=True,
                 out_of_pocket_medical=20000, disability_grade=1, sudden_shock=True)
    wf.get_tasks(state=TaskState.READY)[0].data.update(first)
    wf.do_engine_steps()
    # feed the finished data (with old results) into a fresh run with new facts
    again = dict(wf.data, income_per_head=8000, formerly_poor=False, major_illness=False,
                 out_of_pocket_medical=0, disability_grade=0, sudden_shock=False,
                 annual_household_income=20000, rigid_spending=25000)
    wf2 = BpmnWorkflow(harness_spec)
    wf2.get_tasks(state=TaskState.READY)[0].data.update(again)
    wf2.do_engine_steps()
    assert wf2.data["recommended_type"] == TYPE_EDGE
    assert wf2.data["recommended_categories"] == ["低收入高支出"]
