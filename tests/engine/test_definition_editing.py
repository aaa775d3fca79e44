"""Editing definitions: levels chosen at deploy, refusals that name the element, drafts,
deploying from the editor, the overview of versions and the diff of two versions."""
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from engine import Conflict, Forbidden, InvalidData, InvalidDefinition, parsing
from engine.models import AuditEvent, DefinitionDraft, DefinitionVersion

from support import NOW, ROOT, count, rows, run_together, snapshot, workers

STYLES = Path(__file__).parent / "fixtures" / "styles"


def files_of(*names, forms_dir=STYLES / "forms") -> dict:
    bpmn, dmn, forms = parsing.collect_files([STYLES / n for n in names], forms_dir)
    return {"bpmn": bpmn, "dmn": dmn, "forms": forms}


def identification() -> dict:
    bpmn, dmn, forms = parsing.collect_files([ROOT / "workflows" /
                                              "monitoring_identification.bpmn"])
    return {"bpmn": bpmn, "dmn": dmn, "forms": forms}


# Levels -------------------------------------------------------------------------------------

def test_a_level_chosen_at_deploy_is_written_into_the_process(eng, users):
    files = files_of("no_level_anywhere.bpmn")
    with pytest.raises(InvalidDefinition) as err:
        eng.deploy(files["bpmn"], {}, {}, users["admin"], NOW)
    assert (err.value.filename, err.value.element) == ("no_level_anywhere.bpmn", "prepare")
    row, created = eng.deploy(files["bpmn"], {}, {}, users["admin"], NOW, level="township")
    assert created
    _, parsed = eng.definition("style_no_level")
    assert {s.level.value for s in parsed.steps.values()} == {"township"}
    _, stored = eng.version_files("style_no_level", 1, users["admin"])
    assert '<spiffworkflow:property name="level" value="township"/>' in \
        stored["bpmn"]["no_level_anywhere.bpmn"]
    again, created = eng.deploy(files["bpmn"], {}, {}, users["admin"], NOW, level="township")
    assert not created and again.id == row.id
    started = eng.start("style_no_level", users["village11"], {}, NOW)
    assert [(i.task_name, i.level, i.area_code) for i in started.items] == [
        ("prepare", "township", "360799100")]


def test_an_unknown_level_at_deploy_is_refused():
    with pytest.raises(InvalidDefinition, match="'town' is not village, township or county"):
        parsing.with_level(files_of("no_level_anywhere.bpmn")["bpmn"], "town")


def test_a_process_level_property_gives_tasks_without_lanes_their_level():
    parsed = parsing.parse(*files_of("no_lanes_process_level.bpmn").values())
    assert {n: s.level.value for n, s in parsed.steps.items()} == {
        "record": "village", "sign_paper": "village", "township_note": "township"}


def test_tasks_in_call_activities_and_multi_instance_tasks_get_work_items(eng, users):
    files = files_of("call_activity.bpmn", "call_activity_signing.bpmn")
    eng.deploy(files["bpmn"], {}, {}, None, NOW)
    started = eng.start("style_call_activity", users["village11"], {}, NOW)
    done = eng.complete(started.items[0].id, users["village11"], {}, NOW)
    assert [(i.task_name, i.level) for i in done.items] == [("recheck", "township")]
    done = eng.complete(done.items[0].id, users["township1"], {}, NOW)
    assert [(i.task_name, i.level) for i in done.items] == [("county_sign", "county")]
    eng.deploy(*files_of("multi_instance.bpmn").values(), None, NOW)
    started = eng.start("style_multi_instance", users["village11"],
                        {"households": ["王建国", "李秀英", "张伟"]}, NOW)
    assert [i.task_name for i in started.items] == ["check_household"] * 3


# Refusals -----------------------------------------------------------------------------------

def refused(bpmn: dict, forms=None, dmn=None) -> InvalidDefinition:
    with pytest.raises(InvalidDefinition) as err:
        parsing.parse(bpmn, dmn or {}, forms or {})
    return err.value


def test_a_signal_end_event_the_engine_would_ignore_is_refused_naming_it():
    text = (STYLES / "signal_events.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:endEvent id="end_signalled"><bpmn:incoming>f8</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:endEvent id="end_signalled"><bpmn:incoming>f8</bpmn:incoming>'
        '<bpmn:signalEventDefinition id="x" signalRef="sig_withdraw"/></bpmn:endEvent>')
    err = refused({"signal.bpmn": text})
    assert (err.filename, err.element) == ("signal.bpmn", "end_signalled")
    assert "a signal end event is not supported" in str(err)


def test_a_call_to_a_process_not_deployed_with_it_is_refused_naming_the_call():
    err = refused(files_of("call_activity.bpmn")["bpmn"])
    assert str(err) == ("call_activity.bpmn: element call_sign: calls process 'style_sign', "
                        "which is in none of the files deployed with it (deploy its file too)")


@pytest.mark.parametrize("text, expected", [
    ("<bpmn:definitions", "malformed XML"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
     '<x>&xxe;</x>', "DOCTYPE is not allowed"),
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;'
     '&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><x>&lol2;</x>', "DOCTYPE is not allowed"),
    ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
     'targetNamespace="x"><bpmn:process id="p" isExecutable="false"/></bpmn:definitions>',
     "no executable process"),
])
def test_deploy_from_the_editor_refuses_bad_xml_and_writes_nothing(eng, users, text, expected):
    before, versions = snapshot(eng), count(eng, DefinitionVersion)
    with pytest.raises(InvalidDefinition, match=expected):
        eng.deploy_edited("p", {"bpmn": {"p.bpmn": text}, "dmn": {}, "forms": {}},
                          users["admin"])
    assert snapshot(eng) == before and count(eng, DefinitionVersion) == versions


def test_oversized_files_and_a_missing_form_are_refused(eng, users):
    huge = {"bpmn": {"p.bpmn": "<x>" + " " * parsing.MAX_FILE_BYTES + "</x>"}}
    with pytest.raises(InvalidData, match="larger than"):
        eng.deploy_edited("p", huge, users["admin"])
    files = files_of("exclusive_loop.bpmn")
    assert files["forms"] == {"styles/review.json": files["forms"]["styles/review.json"]}
    with pytest.raises(InvalidDefinition, match="form 'styles/review.json' is referenced"):
        eng.deploy_edited("style_return_loop", {**files, "forms": {}}, users["admin"])
    assert count(eng, DefinitionVersion) == 0


@pytest.mark.parametrize("files", [
    {"bpmn": {"../up.bpmn": "<x/>"}}, {"bpmn": {"a.bpmn": "<x/>"}, "forms": {"/etc/x.json": "{}"}},
    {"bpmn": {}}, {"bpmn": {"a.bpmn": 3}}, {"bpmn": "text"}, [],
])
def test_malformed_file_sets_are_refused_before_parsing(eng, users, files):
    with pytest.raises(InvalidData):
        eng.save_draft("p", files, users["admin"])
    assert count(eng, DefinitionDraft) == 0


# Drafts and deploy from the editor ----------------------------------------------------------

def test_only_administrators_edit_definitions(eng, users):
    for name in ("county1", "auditor"):
        with pytest.raises(Forbidden, match="not an administrator"):
            eng.save_draft("p", files_of("parallel_gateway.bpmn"), users[name])
        with pytest.raises(Forbidden):
            eng.process_versions(users[name])
    with pytest.raises(Forbidden):
        eng.deploy_edited("style_parallel", files_of("parallel_gateway.bpmn"), users["county1"])
    assert count(eng, DefinitionVersion) == 0 and count(eng, DefinitionDraft) == 0


def test_drafts_save_by_revision_and_refuse_a_stale_save(eng, users):
    admin, files = users["admin"], files_of("parallel_gateway.bpmn")
    first = eng.save_draft("style_parallel", files, admin, 0, now=NOW)
    assert (first.revision, first.saved_by_name, first.base_version) == (1, "系统管理员", None)
    changed = {**files, "bpmn": {"parallel_gateway.bpmn": files["bpmn"][
        "parallel_gateway.bpmn"].replace("县级审批", "县级审定")}}
    second = eng.save_draft("style_parallel", changed, admin, 1, now=NOW)
    assert second.revision == 2 and "县级审定" in second.files["bpmn"]["parallel_gateway.bpmn"]
    for stale in (0, 1):
        with pytest.raises(Conflict):
            eng.save_draft("style_parallel", files, admin, stale, now=NOW)
    assert eng.draft("style_parallel", admin).revision == 2
    events = [e.event for e in rows(eng, AuditEvent)][-2:]
    assert events == ["definition_draft_saved", "definition_draft_saved"]


def test_deploying_from_the_editor_drops_the_draft_and_is_audited(eng, users):
    admin, files = users["admin"], files_of("parallel_gateway.bpmn")
    eng.save_draft("style_parallel", files, admin, 0, now=NOW)
    with pytest.raises(Conflict, match="revision 1"):
        eng.deploy_edited("style_parallel", files, admin, revision=0, now=NOW)
    row, created = eng.deploy_edited("style_parallel", files, admin, revision=1, now=NOW)
    assert created and row.version == 1 and row.deployed_by == admin.id
    assert eng.draft("style_parallel", admin) is None
    assert rows(eng, AuditEvent)[-1].event == "definition_deployed"


def test_validation_writes_nothing_and_names_the_element(eng, users):
    files = files_of("parallel_gateway.bpmn")
    text = files["bpmn"]["parallel_gateway.bpmn"].replace('name="乡镇"', 'name="经办"')
    before, events = snapshot(eng), count(eng, AuditEvent)
    with pytest.raises(InvalidDefinition) as err:
        eng.validate_definition("style_parallel", {**files, "bpmn": {"parallel_gateway.bpmn":
                                                                    text}}, users["admin"])
    assert err.value.element == "township_check"
    parsed = eng.validate_definition("style_parallel", files, users["admin"])
    assert parsed.key == "style_parallel" and snapshot(eng) == before
    assert count(eng, AuditEvent) == events


def test_concurrent_draft_saves_have_one_winner(eng, users):
    admin, files = users["admin"], files_of("parallel_gateway.bpmn")
    eng.save_draft("style_parallel", files, admin, 0, now=NOW)
    results = []

    def saver(engine, n):
        def save():
            text = files["bpmn"]["parallel_gateway.bpmn"].replace("县级审批", f"审批{n}")
            results.append(engine.save_draft("style_parallel", {**files, "bpmn": {
                "parallel_gateway.bpmn": text}}, admin, 1, now=NOW).revision)
        return save
    errors = run_together([saver(e, n) for n, e in enumerate(workers(eng, 3))])
    assert results == [2] and len(errors) == 2 and all(isinstance(e, Conflict) for e in errors)
    assert eng.draft("style_parallel", admin).revision == 2


# Overview and diff --------------------------------------------------------------------------

def test_the_overview_counts_running_and_finished_cases_per_version(eng, users):
    admin, files = users["admin"], files_of("parallel_gateway.bpmn")
    eng.deploy(files["bpmn"], {}, {}, admin, NOW)
    first = eng.start("style_parallel", users["village11"], {}, NOW)
    eng.cancel(first.case.id, users["county1"], "重复申报", NOW)
    eng.start("style_parallel", users["village11"], {}, NOW)
    changed = files["bpmn"]["parallel_gateway.bpmn"].replace("县级审批", "县级审定")
    eng.deploy({"parallel_gateway.bpmn": changed}, {}, {}, None, NOW + timedelta(hours=1))
    eng.save_draft("style_parallel", files, admin, 0, now=NOW)
    process, = eng.process_versions(admin)
    assert process.key == "style_parallel" and process.draft.revision == 1
    assert [(v.version.version, v.deployed_by_name, v.running, v.finished)
            for v in process.versions] == [(2, "system", 0, 0), (1, "系统管理员", 1, 1)]


def test_the_diff_shows_elements_and_form_fields_that_changed(eng, users):
    files = identification()
    eng.deploy(files["bpmn"], files["dmn"], files["forms"], None, NOW)
    name = "monitoring_identification.bpmn"
    bpmn = files["bpmn"][name].replace("公示期不少于 5 天", "公示期不少于 7 天").replace(
        '<bpmn:endEvent id="end_rejected_village" name="村级评议不予通过">',
        '<bpmn:endEvent id="end_rejected_village" name="村级评议未通过">')
    form = files["forms"]["identification/post_publicity.json"].replace(
        '"minimum": 5', '"minimum": 7').replace('"default": 5', '"default": 7')
    eng.deploy({name: bpmn}, files["dmn"], {**files["forms"],
                                            "identification/post_publicity.json": form},
               None, NOW)
    result = eng.diff_versions("monitoring_identification", 1, 2, users["admin"])
    changed = {e.element: e for e in result.elements}
    assert set(changed) == {"post_publicity", "end_rejected_village"}
    assert {c.what for c in changed["post_publicity"].changes} == {"documentation",
                                                                   "form_content"}
    assert [(c.what, c.old, c.new) for c in changed["end_rejected_village"].changes] == [
        ("@name", "村级评议不予通过", "村级评议未通过")]
    form_diff, = [f for f in result.files if f.kind == "form"]
    assert {(c.what, c.old, c.new) for c in form_diff.changes} == {
        ("schema.properties.publicity_days.minimum", "5", "7"),
        ("schema.properties.publicity_days.default", "5", "7")}
    assert result.ids("changed") == ["end_rejected_village", "post_publicity"]


def test_the_diff_lists_added_and_removed_elements(eng, users):
    files = files_of("parallel_gateway.bpmn")
    eng.deploy(files["bpmn"], {}, {}, None, NOW)
    text = files["bpmn"]["parallel_gateway.bpmn"]
    for old, new in (("village_check", "village_visit"), ('id="f7"', 'id="f8"')):
        text = text.replace(old, new)
    eng.deploy({"parallel_gateway.bpmn": text}, {}, {}, None, NOW)
    result = eng.diff_versions("style_parallel", 1, 2, users["admin"])
    assert result.ids("added") == ["f8", "village_visit"]
    assert result.ids("removed") == ["f7", "village_check"]
    assert "lane_village" in result.ids("changed")  # its flowNodeRef changed

