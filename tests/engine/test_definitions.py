"""Deploying definitions: versions, the sha256 rule, the spec cache and refusals."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import definitions
from engine.errors import InvalidDefinition
from engine.models import AuditEvent, DefinitionVersion

from support import NOW

HERE = Path(__file__).parent
REVIEW = HERE / "fixtures" / "review.bpmn"
FORMS = HERE / "fixtures" / "forms"


def sources():
    return definitions.collect_files([REVIEW])


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_deploy_creates_version_one_with_hash_and_audit(db):
    bpmn, dmn, forms = sources()
    row, created = definitions.deploy(db, bpmn, dmn, forms, None, NOW)
    assert created and (row.key, row.version) == ("review", 1)
    assert len(row.sha256) == 64 and set(row.forms) == {"review/declare.json",
                                                          "review/decide.json"}
    event = db.scalars(select(AuditEvent)).one()
    assert event.event == "definition_deployed" and event.data["sha256"] == row.sha256


def test_same_files_make_no_new_version_and_changed_files_do(db):
    bpmn, dmn, forms = sources()
    first, _ = definitions.deploy(db, bpmn, dmn, forms, None, NOW)
    again, created = definitions.deploy(db, dict(bpmn), dict(dmn), dict(forms), None, NOW)
    assert not created and again.id == first.id
    changed = {"review.bpmn": bpmn["review.bpmn"].replace("申报", "农户申报")}
    second, created = definitions.deploy(db, changed, dmn, forms, None, NOW)
    assert created and second.version == 2 and second.sha256 != first.sha256
    assert definitions.find(db, "review").version == 2
    assert definitions.find(db, "review", 1).id == first.id


def test_parsed_specs_are_cached_per_version(db, monkeypatch):
    bpmn, dmn, forms = sources()
    row, _ = definitions.deploy(db, bpmn, dmn, forms, None, NOW)
    definitions._cache.clear()
    calls = []
    real = definitions.parse
    monkeypatch.setattr(definitions, "parse", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = definitions.load(db, row.id)
    assert definitions.load(db, row.id) is first
    assert len(calls) == 1


def test_task_levels_come_from_lanes_in_chinese_and_the_level_property(db):
    parsed = definitions.parse(*sources())
    levels = {name: info.level.value for name, info in parsed.user_tasks.items()}
    # lanes 村 and 乡镇; county_approval sits in the 乡镇 lane but says level=county
    assert levels == {"declare": "village", "township_review": "township",
                      "county_approval": "county"}
    assert parsed.user_tasks["township_review"].due_days == 3
    assert parsed.outcomes == {"approved": "approved", "rejected": "rejected"}


def refused(bpmn_text, forms=None, name="bad.bpmn"):
    with pytest.raises(InvalidDefinition) as err:
        definitions.parse({name: bpmn_text}, {}, forms if forms is not None else {})
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
    assert "larger than" in refused("<a>" + " " * (definitions.MAX_FILE_BYTES + 1) + "</a>")


def test_refused_deploy_writes_nothing(db):
    bpmn, dmn, forms = sources()
    forms.pop("review/declare.json")
    with pytest.raises(InvalidDefinition):
        definitions.deploy(db, bpmn, dmn, forms, None, NOW)
    assert count(db, DefinitionVersion) == 0 and count(db, AuditEvent) == 0


def test_workflows_folder_deploys(deploy):
    row = deploy("workflows/monitoring_identification.bpmn")
    assert row.key == "monitoring_identification"
    assert {"eligibility.dmn", "monitoring_lines.dmn"} <= set(row.dmn)
    assert "identification/declaration.json" in row.forms
