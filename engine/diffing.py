"""Comparing two versions of a definition: elements added, removed and changed.

Elements are matched by id across the BPMN and DMN files of the two versions. An element's
content is what Dixian and the workflow engine read from it — type, name, attributes,
documentation, properties, scripts, conditions, timer expressions, loop settings — and not
its place on the drawing. A form file is compared field by field, and a task whose form
file changed counts as changed too.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .bpmn_xml import SPIFF_NS, local_name
from .parsing import parse_xml

# Elements of a model in their own right; what lies inside one of them (event definitions,
# scripts, properties, loop settings) belongs to it.
BPMN_ELEMENTS = frozenset({
    "process", "participant", "lane", "messageFlow", "message", "signal", "error",
    "escalation", "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask",
    "receiveTask", "businessRuleTask", "callActivity", "subProcess", "transaction",
    "adHocSubProcess", "startEvent", "endEvent", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "complexGateway", "sequenceFlow", "dataObject",
    "dataObjectReference", "dataStoreReference", "textAnnotation", "association"})
DMN_ELEMENTS = frozenset({"decision", "input", "output", "rule", "inputData",
                          "businessKnowledgeModel", "knowledgeSource"})
_SKIP = frozenset({"incoming", "outgoing"})  # the flows themselves are compared
# Attributes at their BPMN default value say nothing: editors write or drop them at will.
_DEFAULTS = {"cancelActivity": "true", "isInterrupting": "true", "triggeredByEvent": "false",
             "isForCompensation": "false", "startQuantity": "1", "completionQuantity": "1",
             "parallelMultiple": "false", "isSequential": "false", "isImmediate": "true",
             "gatewayDirection": "Unspecified", "instantiate": "false",
             "isClosed": "false", "isCollection": "false"}


@dataclass(frozen=True)
class Change:
    """One difference: ``what`` changed (``name``, ``property:due_days``, ``script`` …)."""

    what: str
    old: str
    new: str


@dataclass(frozen=True)
class ElementDiff:
    """An element added, removed or changed between two versions."""

    file: str
    element: str
    kind: str
    name: str
    status: str  # added | removed | changed
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class FileDiff:
    """A file added, removed or changed; for forms, the fields that changed."""

    file: str
    kind: str  # bpmn | dmn | form
    status: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class DefinitionDiff:
    """What changed from one version of a process to another."""

    key: str
    from_version: int
    to_version: int
    elements: list[ElementDiff]
    files: list[FileDiff]

    def ids(self, status: str) -> list[str]:
        """Ids of the elements with this status, for colouring a diagram."""
        return [e.element for e in self.elements if e.status == status]

    @property
    def empty(self) -> bool:
        """Whether the versions are the same in everything compared."""
        return not self.elements and not self.files


def _aspects(element, elements: frozenset) -> dict[str, str]:
    """What an element says, as ``{aspect: text}``, without the elements nested in it."""
    found = {"type": local_name(element)}
    for name, value in element.attrib.items():
        short = local_name_of(name)
        if name != "id" and _DEFAULTS.get(short) != value:
            found["@" + short] = value

    def walk(node, path: str) -> None:
        seen: dict[str, int] = {}
        for child in node:
            tag = local_name(child)
            if not tag or tag in _SKIP or (child.get("id") and tag in elements):
                continue
            if child.tag == f"{{{SPIFF_NS}}}property" and child.get("name"):
                found["property:" + child.get("name")] = child.get("value", "")
                continue
            seen[tag] = seen.get(tag, 0) + 1
            step = tag if seen[tag] == 1 else f"{tag}[{seen[tag]}]"
            here = path if tag in ("extensionElements", "properties") else (
                f"{path}/{step}" if path else step)
            text = (child.text or "").strip()
            if text:
                found[here] = text
            for name, value in child.attrib.items():
                if name != "id":
                    found[f"{here}@{local_name_of(name)}"] = value
            walk(child, here)

    walk(element, "")
    return found


def local_name_of(qualified: str) -> str:
    """An attribute's name without its namespace."""
    return qualified.rsplit("}", 1)[-1]


def _elements(files: dict[str, str], elements: frozenset) -> dict[str, tuple]:
    found = {}
    for filename, source in files.items():
        for node in parse_xml(filename, source).iter():
            tag = local_name(node)
            if tag in elements and node.get("id"):
                found[node.get("id")] = (filename, tag, node.get("name") or node.get(
                    "label") or "", _aspects(node, elements))
    return found


def _compare(old: dict[str, str], new: dict[str, str]) -> tuple[Change, ...]:
    return tuple(Change(what, old.get(what, ""), new.get(what, ""))
                 for what in sorted(set(old) | set(new)) if old.get(what) != new.get(what))


def _element_diffs(old_files: dict, new_files: dict, elements: frozenset,
                   forms_changed: dict[str, tuple]) -> list[ElementDiff]:
    before, after = _elements(old_files, elements), _elements(new_files, elements)
    result = []
    for element in sorted(set(before) | set(after)):
        if element not in after:
            file, kind, name, _ = before[element]
            result.append(ElementDiff(file, element, kind, name, "removed"))
        elif element not in before:
            file, kind, name, _ = after[element]
            result.append(ElementDiff(file, element, kind, name, "added"))
        else:
            file, kind, name, new = after[element]
            changes = _compare(before[element][3], new)
            form = new.get("property:form", "")
            if form in forms_changed and before[element][3].get("property:form") == form:
                changes += (Change("form_content", form, form),)
            if changes:
                result.append(ElementDiff(file, element, kind, name, "changed", changes))
    return result


def _flatten(value, path: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        flat = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{path}.{key}" if path else str(key)))
        return flat
    return {path: json.dumps(value, ensure_ascii=False)}


def _form_changes(old: str, new: str) -> tuple[Change, ...]:
    try:
        return _compare(_flatten(json.loads(old)), _flatten(json.loads(new)))
    except ValueError:
        return (Change("text", old, new),)


def _file_diffs(old: dict, new: dict) -> list[FileDiff]:
    result = []
    for kind, group in (("bpmn", "bpmn"), ("dmn", "dmn"), ("form", "forms")):
        before, after = old.get(group, {}), new.get(group, {})
        for name in sorted(set(before) | set(after)):
            if name not in after:
                result.append(FileDiff(name, kind, "removed"))
            elif name not in before:
                result.append(FileDiff(name, kind, "added"))
            elif before[name] != after[name]:
                changes = _form_changes(before[name], after[name]) if kind == "form" else ()
                result.append(FileDiff(name, kind, "changed", changes))
    return result


def diff(key: str, from_version: int, old: dict, to_version: int, new: dict
         ) -> DefinitionDiff:
    """The differences between two versions' sources (``{"bpmn", "dmn", "forms"}``)."""
    files = _file_diffs(old, new)
    forms_changed = {f.file: f.changes for f in files if f.kind == "form"
                     and f.status == "changed"}
    elements = (_element_diffs(old.get("bpmn", {}), new.get("bpmn", {}), BPMN_ELEMENTS,
                               forms_changed)
                + _element_diffs(old.get("dmn", {}), new.get("dmn", {}), DMN_ELEMENTS, {}))
    return DefinitionDiff(key, from_version, to_version, elements, files)
