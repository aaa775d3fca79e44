"""Process definitions: the list of versions, file downloads, the editor page, new processes,
the diff of two versions, case migration and the live preview of a form. The engine checks
that the user is an administrator and audits every save, deploy and migration."""
from __future__ import annotations

import io
import zipfile

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from engine import Conflict, InvalidData, InvalidDefinition, NotFound, load_form

from .. import schema_forms
from ..auth import rule_required
from ..handlers import me, write
from ..i18n import locale_name
from ..inbox.forms import ActionForm
from ..sanitize import MIB, limits
from ..transaction import engine
from . import bp

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="{key}_defs" targetNamespace="http://dixian.example/bpmn">
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="level" value="village"/>
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:outgoing>flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="first_step" name="{step}">
      <bpmn:incoming>flow_1</bpmn:incoming><bpmn:outgoing>flow_2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="first_step"/>
    <bpmn:sequenceFlow id="flow_2" sourceRef="first_step" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{key}">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="first_step_di" bpmnElement="first_step"><dc:Bounds x="240" y="80" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="392" y="102" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="flow_1_di" bpmnElement="flow_1"><di:waypoint x="188" y="120"/><di:waypoint x="240" y="120"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="flow_2_di" bpmnElement="flow_2"><di:waypoint x="340" y="120"/><di:waypoint x="392" y="120"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


class NewProcessForm(FlaskForm):
    """A new process: its id and name."""

    key = StringField(_l("Process id"), validators=[Length(max=100)])
    name = StringField(_l("Name"), validators=[Length(max=100)])


@bp.route("/definitions")
@rule_required("edit_definitions")
def definitions():
    """Every process with its versions, case counts and draft."""
    return render_template("admin/definitions.html", processes=engine().process_versions(me()))


@bp.route("/definitions/<key>/<int:version>/files.zip")
@rule_required("edit_definitions")
def download(key: str, version: int):
    """A version's files as a zip archive (BPMN and DMN at the top, forms under forms/)."""
    row, files = engine().version_files(key, version, me())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for group, prefix in (("bpmn", ""), ("dmn", ""), ("forms", "forms/")):
            for name, text in sorted(files[group].items()):
                archive.writestr(prefix + name, text)
    return Response(buffer.getvalue(), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{row.key}-v{row.version}.zip"'})


@bp.route("/definitions/<key>/<int:version>/file/<group>/<path:name>")
@rule_required("edit_definitions")
def download_file(key: str, version: int, group: str, name: str):
    """One file of a version, as stored."""
    _, files = engine().version_files(key, version, me())
    text = files.get(group, {}).get(name) if group in ("bpmn", "dmn", "forms") else None
    if text is None:
        abort(404)
    mime = "application/json" if group == "forms" else "application/xml"
    return Response(text, mimetype=mime, headers={
        "Content-Disposition": f'attachment; filename="{name.rsplit("/", 1)[-1]}"'})


@bp.route("/definitions/<key>/edit")
@rule_required("edit_definitions")
def edit(key: str):
    """The editor: BPMN modeler, DMN tables and forms of the draft or of a version."""
    version = request.args.get("version", type=int)
    processes = {p.key: p for p in engine().process_versions(me())}
    process = processes.get(key)
    if process is None:
        raise NotFound(f"no process definition '{key}' and no draft of it")
    source = "draft" if process.draft is not None and version is None else "version"
    if source == "version" and not process.versions:
        abort(404)
    number = version or (process.versions[0].version.version if process.versions else None)
    return render_template("admin/editor.html", process=process, key=key, source=source,
                           version=number, levels=("village", "township", "county"))


@bp.route("/definitions/new", methods=["GET", "POST"])
@rule_required("edit_definitions")
def new_definition():
    """Start a new process from a one-step template, saved as its draft."""
    form = NewProcessForm()
    if form.validate_on_submit():
        key, name = (form.key.data or "").strip(), (form.name.data or "").strip() or _(
            "New process")
        text = TEMPLATE.format(key=key, name=_xml(name), step=_xml(_("First step")))
        try:
            write(engine().save_draft, key, {"bpmn": {f"{key}.bpmn": text}, "dmn": {},
                                             "forms": {}}, me(), 0)
        except (InvalidData, Conflict) as err:
            form.key.errors = [*form.key.errors, str(err)]
            return render_template("admin/definition_new.html", form=form), 400
        return redirect(url_for("admin.edit", key=key))
    return render_template("admin/definition_new.html", form=form), 400 if form.errors else 200


def _xml(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


@bp.route("/definitions/<key>/diff")
@rule_required("edit_definitions")
def diff(key: str):
    """What changed between two versions: on both diagrams (coloured) and as a list."""
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        abort(404)
    result = engine().diff_versions(key, old, new, me())
    diagrams = [(number, _main_file(key, number)) for number in (old, new)]
    return render_template("admin/definition_diff.html", key=key, diff=result,
                           diagrams=diagrams)


def _main_file(key: str, version: int) -> str:
    """The BPMN file of a version that holds the process ``key``."""
    _, files = engine().version_files(key, version, me())
    return next((name for name, text in files["bpmn"].items() if f'id="{key}"' in text),
                next(iter(files["bpmn"])))


@bp.route("/definitions/<key>/migrate", methods=["GET", "POST"])
@rule_required("edit_definitions")
def migrate(key: str):
    """Running cases of older versions with whether each can move; move the chosen ones."""
    process = {p.key: p for p in engine().process_versions(me())}.get(key)
    if process is None or not process.versions:
        raise NotFound(f"no process definition '{key}' is deployed")
    target = request.values.get("to", type=int) or process.versions[0].version.version
    form, done = ActionForm(), None
    if request.method == "POST" and form.validate_on_submit():
        chosen = [int(i) for i in request.form.getlist("case") if i.isdigit()]
        if not chosen:
            flash(_("Choose at least one case."), "error")
        else:
            done = write(engine().migrate_cases, key, target, me(), chosen,
                         request.form.get("dry_run") == "1")
            flash(_("%(moved)d of %(total)d cases moved to version %(version)d.",
                    moved=done.moved, total=len(done.cases), version=target) if not
                  done.dry_run else _("Dry run: %(moved)d of %(total)d cases would move.",
                                      moved=done.moved, total=len(done.cases)),
                  "success" if done.moved else "error")
    check = engine().migrate_cases(key, target, me(), dry_run=True)
    return render_template("admin/definition_migrate.html", key=key, process=process,
                           target=target, check=check, done=done, form=form)


@bp.route("/forms/preview", methods=["POST"])
@limits(body=2 * MIB)  # one form file
@rule_required("edit_definitions")
def form_preview():
    """The form as a task page renders it, from the editor's JSON text (an HTML fragment)."""
    try:
        form = load_form("preview.json", request.get_data(as_text=True))
        fields = schema_forms.fields(form, locale_name())
    except InvalidDefinition as err:
        return render_template("admin/_form_preview.html", problem=str(err)), 422
    return render_template("admin/_form_preview.html", fields=fields, problem="",
                           title=schema_forms.title(form, locale_name()),
                           instructions=schema_forms.instructions(form, locale_name()))


CHANGE_LABELS = {
    "@name": _l("name"), "type": _l("element type"), "documentation": _l("instructions"),
    "property:level": _l("acting level"), "property:form": _l("form file"),
    "property:due_days": _l("due days"), "property:day_kind": _l("day kind"),
    "property:outcome": _l("outcome"), "script": _l("script"),
    "conditionExpression": _l("condition"), "form_content": _l("form content"),
    "calledDecisionId": _l("decision table"), "@calledElement": _l("called process"),
}


@bp.app_template_filter("change_label")
def change_label(what: str) -> str:
    """A diff aspect in words (``property:due_days`` → due days); timers by their part."""
    if what in CHANGE_LABELS:
        return str(CHANGE_LABELS[what])
    if "timerEventDefinition" in what:
        return str(_l("timer")) + " " + what.rsplit("/", 1)[-1]
    return what
