"""What Dixian reads from the BPMN XML itself, beside SpiffWorkflow's specs.

SpiffWorkflow's parser keeps no process-level extension properties, and silently drops some
event definitions it does not run (a signal on an end event becomes a plain end event).
This module reads the process properties (the default acting level), sets that level when
an administrator chooses it at deploy, and finds the elements the parser would have changed
without a word, so that deploy refuses them instead.
"""
from __future__ import annotations

from lxml import etree

from .errors import InvalidDefinition

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
_BPMN = "{%s}" % BPMN_NS
_SPIFF = "{%s}" % SPIFF_NS
EVENT_KINDS = ("message", "signal", "timer", "error", "escalation", "conditional",
               "compensate", "cancel", "terminate", "link")


def local_name(element) -> str:
    """The tag without its namespace (``userTask``)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def properties(element) -> dict[str, str]:
    """The element's own ``spiffworkflow:property`` values (not those of its children)."""
    found = {}
    for prop in element.findall("bpmn:extensionElements/spiffworkflow:properties/"
                                "spiffworkflow:property", NS):
        if prop.get("name"):
            found[prop.get("name")] = prop.get("value", "")
    return found


def processes(root) -> dict[str, object]:
    """The ``bpmn:process`` elements of a document by id."""
    return {p.get("id"): p for p in root.findall("bpmn:process", NS) if p.get("id")}


def process_of_elements(roots: dict) -> dict[str, str]:
    """Every element id inside a process, mapped to that process's id."""
    owner = {}
    for root in roots.values():
        for pid, process in processes(root).items():
            for element in process.iter():
                if isinstance(element.tag, str) and element.get("id"):
                    owner.setdefault(element.get("id"), pid)
    return owner


def process_levels(roots: dict) -> dict[str, str]:
    """The ``level`` property of each process that sets one."""
    levels = {}
    for root in roots.values():
        for pid, process in processes(root).items():
            level = properties(process).get("level")
            if level:
                levels[pid] = level
    return levels


def set_process_level(source: str, process_id: str, level: str) -> str:
    """The BPMN text with ``level`` set as a property of the process ``process_id``.

    An administrator who deploys a model whose tasks name no level chooses one; it is
    written into the file, so the deployed version says what it runs with and its files
    deploy the same way anywhere.
    """
    from .parsing import parse_xml  # the one safe XML parser

    root = parse_xml("bpmn", source)
    process = processes(root).get(process_id)
    if process is None:
        raise InvalidDefinition(f"no process with id '{process_id}' to set a level on")
    extensions = process.find("bpmn:extensionElements", NS)
    if extensions is None:
        extensions = etree.Element(_BPMN + "extensionElements")
        # extensionElements follows documentation and precedes everything else.
        docs = process.findall("bpmn:documentation", NS)
        process.insert(process.index(docs[-1]) + 1 if docs else 0, extensions)
        extensions.tail = process.text
    props = extensions.find("spiffworkflow:properties", NS)
    if props is None:
        props = etree.SubElement(extensions, _SPIFF + "properties",
                                 nsmap={"spiffworkflow": SPIFF_NS})
    prop = next((p for p in props.findall("spiffworkflow:property", NS)
                 if p.get("name") == "level"), None)
    if prop is None:
        prop = etree.SubElement(props, _SPIFF + "property")
        prop.set("name", "level")
    prop.set("value", level)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def event_kinds(element) -> list[str]:
    """The kinds of the event definitions an element declares (``signal``, ``timer`` …)."""
    return [local_name(child)[:-len("EventDefinition")] for child in element
            if local_name(child).endswith("EventDefinition")]


def check_events(roots: dict, specs: list) -> None:
    """Refuse events whose definition the parser dropped (they would silently do nothing)."""
    parsed = {}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            event = getattr(task_spec, "event_definition", None)
            if event is not None and getattr(task_spec, "bpmn_id", None):
                parsed[task_spec.bpmn_id] = type(event).__name__
    for filename, root in roots.items():
        # The events after an event-based gateway are parsed into the gateway itself.
        gateways = {g.get("id") for g in root.iter(_BPMN + "eventBasedGateway")}
        after_gateway = {f.get("targetRef") for f in root.iter(_BPMN + "sequenceFlow")
                         if f.get("sourceRef") in gateways}
        for element in root.iter():
            kinds = event_kinds(element) if isinstance(element.tag, str) else []
            got = parsed.get(element.get("id") or "")
            if kinds and got == "NoneEventDefinition" and element.get("id") not in \
                    after_gateway:
                raise InvalidDefinition(
                    f"{filename}: element {element.get('id')}: a {kinds[0]} "
                    f"{_words(local_name(element))} is not supported by the workflow engine "
                    f"(it would do nothing); throw the {kinds[0]} from an intermediate throw "
                    f"event before a plain end event")


def check_calls(roots: dict) -> None:
    """Every call activity calls a process present in the deployed files."""
    known = {pid for root in roots.values() for pid in processes(root)}
    for filename, root in roots.items():
        for call in root.iter(_BPMN + "callActivity"):
            called = call.get("calledElement") or ""
            if called not in known:
                raise InvalidDefinition(
                    f"{filename}: element {call.get('id')}: calls process '{called}', which "
                    f"is in none of the files deployed with it (deploy its file too)")


def _words(tag: str) -> str:
    return "".join(f" {c.lower()}" if c.isupper() else c for c in tag).strip()
