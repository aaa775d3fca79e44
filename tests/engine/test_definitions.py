"""Deploying definitions: versions, the sha256 rule, the spec cache and refusals."""
from datetime import timedelta
from pathlib import Path

import pytest
from engine import InvalidDefinition, parsing
from engine.models import AuditEvent, DefinitionVersion

from support import NOW, count, rows

HERE = Path(__file__).parent
REVIEW = HERE / "fixtures" / "review.bpmn"
FORMS = HERE / "fixtures" / "forms"


def sources():
    return parsing.collect_files([REVIEW])


def test_deploy_creates_version_one_with_hash_and_audit(eng):
    bpmn, dmn, forms = sources()
    row, created = eng.deploy(bpmn, dmn, forms, None, NOW)
    assert created and (row.key, row.version) == ("review", 1)
    with eng.database.connect() as conn:
        files = eng.registry.sources(conn, row.id)
    assert len(row.sha256) == 64 and set(files["forms"]) == {"review/declare.json",
                                                             "review/decide.json"}
    event, = rows(eng, AuditEvent)
    assert event.event == "definition_deployed" and event.data["sha256"] == row.sha256


def test_same_files_make_no_new_version_and_changed_files_do(eng):
    bpmn, dmn, forms = sources()
    first, _ = eng.deploy(bpmn, dmn, forms, None, NOW)
    again, created = eng.deploy(dict(bpmn), dict(dmn), dict(forms), None, NOW)
    assert not created and again.id == first.id
    changed = {"review.bpmn": bpmn["review.bpmn"].replace("申报", "农户申报")}
    second, created = eng.deploy(changed, dmn, forms, None, NOW)
    assert created and second.version == 2 and second.sha256 != first.sha256
    assert eng.definition("review")[0].version == 2
    assert eng.definition("review", 1)[0].id == first.id


def test_parsed_specs_are_cached_per_version_and_the_cache_is_bounded(eng, monkeypatch):
    bpmn, dmn, forms = sources()
    row, _ = eng.deploy(bpmn, dmn, forms, None, NOW)
    eng.registry._cache.clear()
    calls = []
    real = parsing.parse
    monkeypatch.setattr(parsing, "parse", lambda *a, **k: calls.append(1) or real(*a, **k))
    with eng.database.connect() as conn:
        first = eng.registry.load(conn, row.id)
        assert eng.registry.load(conn, row.id) is first
    assert len(calls) == 1
    eng.registry.cache_size = 2
    for n in range(3):
        eng.deploy({"review.bpmn": bpmn["review.bpmn"].replace("申报", f"申报{n}")}, dmn,
                   forms, None, NOW)
    assert len(eng.registry._cache) == 2


def test_task_levels_come_from_lanes_in_chinese_and_the_level_property():
    parsed = parsing.parse(*sources())
    levels = {name: info.level.value for name, info in parsed.steps.items()}
    # lanes 村 and 乡镇; county_approval sits in the 乡镇 lane but says level=county
    assert levels == {"declare": "village", "township_review": "township",
                      "county_approval": "county"}
    assert parsed.steps["township_review"].due_days == 3
    assert parsed.outcomes == {"approved": "approved", "rejected": "rejected"}


def refused(bpmn_text, forms=None, name="bad.bpmn"):
    with pytest.raises(InvalidDefinition) as err:
        parsing.parse({name: bpmn_text}, {}, forms if forms is not None else {})
    return str(err.value)


def test_malformed_xml_is_refused_with_file_and_line():
    message = refused("<bpmn:definitions xmlns:bpmn='x'><bpmn:process></bpmn:definitions>")
    assert message.startswith("bad.bpmn: malformed XML") and "line 1" in message


def test_bpmn_without_executable_process_is_refused():
    text = REVIEW.read_text(encoding="utf-8").replace('isExecutable="true"',
                                                      'isExecutable="false"')
    assert "no executable process" in refused(text)


def test_missing_form_file_is_refused_naming_it():
    bpmn, _, forms = sources()
    forms.pop("review/decide.json")
    message = refused(bpmn["review.bpmn"], forms)
    assert "review/decide.json" in message and "bad.bpmn" in message


def test_invalid_form_schema_is_refused():
    bpmn, _, forms = sources()
    forms["review/decide.json"] = '{"schema": {"type": "no-such-type"}}'
    assert "forms/review/decide.json: not a valid JSON Schema" in refused(
        bpmn["review.bpmn"], forms)


def test_flow_to_missing_element_names_the_element():
    bpmn, _, forms = sources()
    text = bpmn["review.bpmn"].replace('targetRef="county_approval"', 'targetRef="nowhere"')
    message = refused(text, forms)
    assert "bad.bpmn" in message and ("nowhere" in message or "f_ok" in message)


def test_user_task_without_level_is_refused():
    bpmn, _, forms = sources()
    text = bpmn["review.bpmn"].replace('name="乡镇"', 'name="其他"')
    assert "element township_review" in refused(text, forms)


def test_entities_and_doctype_are_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
            '&lol;</bpmn:definitions>')
    assert "DOCTYPE is not allowed" in refused(bomb)


def test_oversize_file_is_refused():
    assert "larger than" in refused("<a>" + " " * (parsing.MAX_FILE_BYTES + 1) + "</a>")


def test_refused_deploy_writes_nothing(eng):
    bpmn, dmn, forms = sources()
    forms.pop("review/declare.json")
    with pytest.raises(InvalidDefinition):
        eng.deploy(bpmn, dmn, forms, None, NOW)
    assert count(eng, DefinitionVersion) == 0 and count(eng, AuditEvent) == 0


def test_workflows_folder_deploys(eng):
    deployed = {row.key: (row, created) for row, created in
                eng.deploy_folder("workflows", now=NOW)}
    assert set(deployed) == {"monitoring_identification", "project_intake",
                             "risk_elimination"}
    assert all(created for _row, created in deployed.values())
    with eng.database.connect() as conn:
        files = eng.registry.sources(conn, deployed["monitoring_identification"][0].id)
        projects = eng.registry.sources(conn, deployed["project_intake"][0].id)
    assert {"eligibility.dmn", "monitoring_lines.dmn"} <= set(files["dmn"])
    assert "identification/declaration.json" in files["forms"]
    assert projects["dmn"] == {} and "projects/proposal.json" in projects["forms"]


@pytest.mark.parametrize("ref", ["/etc/dixian/secret.json", "../../outside.json",
                                 "review/../../x.json", "C:\\x.json"])
def test_form_references_stay_inside_the_forms_folder(ref):
    """A form reference is a relative name inside the definition's forms: never a path out."""
    bpmn, _, forms = sources()
    text = bpmn["review.bpmn"].replace("review/declare.json", ref)
    assert "inside the forms folder" in refused(text, {**forms, ref: "{}"})
    assert ref not in parsing.collect_files([_write(text)])[2]


def _write(text: str) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / "forms").mkdir()
    (folder / "outside.json").write_text('{"schema": {}}', encoding="utf-8")
    path = folder / "review.bpmn"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("attribute", ["preScript", "postScript"])
def test_pre_and_post_scripts_are_checked_at_deploy(attribute):
    bpmn, _, forms = sources()
    text = bpmn["review.bpmn"].replace(
        '<spiffworkflow:property name="form" value="review/declare.json"/>\n'
        '      </spiffworkflow:properties>',
        '<spiffworkflow:property name="form" value="review/declare.json"/>\n'
        f'      </spiffworkflow:properties><spiffworkflow:{attribute}>import os'
        f'</spiffworkflow:{attribute}>')
    assert "imports are not allowed" in refused(text, forms)


def test_tasks_in_subprocesses_and_event_subprocesses_get_work_items(eng, deploy, users):
    """Defect: a user or manual task inside a subprocess crashed the start with a KeyError."""
    deploy("tests/engine/fixtures/subprocess_tasks.bpmn")
    started = eng.start("subprocess_tasks", users["village11"], {}, NOW)
    assert [(i.task_name, i.level) for i in started.items] == [("inner_check", "village")]
    done = eng.complete(started.items[0].id, users["village11"], {}, NOW)
    assert [(i.task_name, i.level) for i in done.items] == [("inner_sign", "township")]
    eng.fire_due(NOW + timedelta(days=2))  # the event subprocess's timer starts it
    open_items = {i.task_name for i in eng.case(started.case.id, users["county1"]).items
                  if i.status == "open"}
    assert open_items == {"inner_sign", "esc_follow_up"}
    done = eng.complete(done.items[0].id, users["township1"], {}, NOW + timedelta(days=2))
    assert [i.task_name for i in done.items] == ["county_note"]


def test_a_task_without_level_inside_a_subprocess_is_refused_at_deploy():
    text = (HERE / "fixtures" / "subprocess_tasks.bpmn").read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="level" value="township"/>\n        </spiffworkflow:'
        'properties></bpmn:extensionElements>\n        <bpmn:incoming>g2', '</spiffworkflow:'
        'properties></bpmn:extensionElements>\n        <bpmn:incoming>g2')
    message = refused(text, {}, name="subprocess_tasks.bpmn")
    assert message.startswith("subprocess_tasks.bpmn: element inner_sign: ManualTask has no "
                              "acting level")
