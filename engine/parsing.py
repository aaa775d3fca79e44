"""Reading process definitions: BPMN/DMN parsed safely, forms checked, Dixian's properties read.

``parse`` turns a definition's sources into a ``ParsedDefinition``: SpiffWorkflow's specs plus
what Dixian reads from them (acting level, form, due days of every manual task; the start
event's properties; end event outcomes). Anything Dixian could not run is refused here with
one line naming the file and element, never later at start.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import bpmn_xml, forms, supervision
from .errors import InvalidDefinition, NotFound
from .models import Level
from .scripts import check_source

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEFINITION_BYTES = 8 * 1024 * 1024  # all files of one version together
LEVEL_NAMES = {"village": Level.VILLAGE, "村": Level.VILLAGE, "township": Level.TOWNSHIP,
               "乡镇": Level.TOWNSHIP, "乡": Level.TOWNSHIP, "镇": Level.TOWNSHIP,
               "county": Level.COUNTY, "县": Level.COUNTY}
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=False)


MANUAL_KINDS = ("UserTask", "ManualTask", "NoneTask")
FORM_REF = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\.json$")


@dataclass(frozen=True)
class StepInfo:
    """What the engine needs to know of one manual task: who acts, with which form, by when."""

    name: str
    title: str
    level: Level
    form: str
    due_days: int | None
    day_kind: str
    documentation: str
    properties: dict = field(default_factory=dict, compare=False)


@dataclass
class ParsedDefinition:
    """A parsed, ready-to-run definition: the SpiffWorkflow specs plus Dixian's reading."""

    key: str
    name: str
    spec: object
    subprocess_specs: dict
    steps: dict[str, StepInfo]
    start_form: str
    start_properties: dict
    outcomes: dict[str, str]
    forms: dict[str, dict] = field(default_factory=dict)
    has_timers: bool = False

    @property
    def procedure(self) -> str:
        """The procedure module that knows this process (start property ``procedure``)."""
        return self.start_properties.get("procedure", "")

    def deadline_rule(self) -> tuple[int | None, str, str, str] | None:
        """``(days, day kind, data field it counts from, task that meets it)`` or None;
        days are None when the start property ``deadline_date`` names the start-data field
        that holds the last day."""
        days = self.start_properties.get("deadline_days")
        if not days and not self.start_properties.get("deadline_date"):
            return None
        return (int(days) if days else None,
                self.start_properties.get("deadline_day_kind", "natural"),
                self.start_properties.get("deadline_from", ""),
                self.start_properties.get("deadline_stop", ""))


def parse_xml(filename: str, source: bytes | str):
    """Parse XML without entities, DTDs or network access; refuse oversize files."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    if len(data) > MAX_FILE_BYTES:
        raise InvalidDefinition(f"{filename}: file is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        root = etree.fromstring(data, parser=_XML_PARSER)
    except etree.XMLSyntaxError as err:
        raise InvalidDefinition(f"{filename}: malformed XML: {err}") from None
    if root.getroottree().docinfo.doctype:
        raise InvalidDefinition(f"{filename}: a DOCTYPE is not allowed in BPMN/DMN files")
    return root


def executable_process_ids(filename: str, root) -> list[str]:
    """Ids of the executable processes of one BPMN document."""
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    return [p.get("id") for p in root.findall("bpmn:process", ns)
            if p.get("isExecutable", "false").lower() == "true"]


def level_named(raw: str) -> Level | None:
    """The level a lane or property names (``village``/``村`` …), or None."""
    raw = (raw or "").strip()
    return LEVEL_NAMES.get(raw.lower()) or LEVEL_NAMES.get(raw)


def _level_of(task_spec, props: dict, filename: str, default: str = "") -> Level:
    """The task's ``level`` property, else its lane, else its process's ``level``."""
    raw = props.get("level") or task_spec.lane or ""
    level = level_named(props.get("level", "")) if props.get("level") else (
        level_named(task_spec.lane or "") or level_named(default))
    if level is None:
        raise InvalidDefinition(
            f"{filename}: element {task_spec.bpmn_id}: {type(task_spec).__name__} has no "
            f"acting level (put it in a lane named village/township/county, set property "
            f"'level' on it or on its process, or choose a level at deploy; got {raw!r})")
    return level


def _expressions(task_spec):
    """``(source, mode)`` of every script and expression the task spec will run."""
    for attr in ("script", "prescript", "postscript"):
        if isinstance(getattr(task_spec, attr, None), str):
            yield getattr(task_spec, attr), "exec"
    for cond, _ in getattr(task_spec, "cond_task_specs", None) or []:
        expression = getattr(cond, "args", [cond])[0] if cond is not None else None
        if isinstance(expression, str):
            yield expression, "eval"
    for attr in ("condition", "cardinality", "completion_condition"):
        if isinstance(getattr(task_spec, attr, None), str):
            yield getattr(task_spec, attr), "eval"
    event = getattr(task_spec, "event_definition", None)
    if isinstance(getattr(event, "expression", None), str):
        yield event.expression, "eval"


def _check_scripts(spec, filename: str) -> None:
    for task_spec in spec.task_specs.values():
        where = f"{filename}: element {getattr(task_spec, 'bpmn_id', task_spec.name)}"
        for source, mode in _expressions(task_spec):
            try:
                check_source(source, mode)
            except Exception as err:  # ScriptError, worded for the user
                raise InvalidDefinition(f"{where}: {err}") from None


def _step(task_spec, props: dict, filename: str, default: str = "") -> StepInfo:
    due = props.get("due_days")
    try:
        due_days = int(due) if due not in (None, "") else None
    except ValueError:
        raise InvalidDefinition(f"{filename}: element {task_spec.bpmn_id}: due_days must be a "
                                f"whole number, got {due!r}") from None
    form = props.get("form", "")
    if form and not FORM_REF.match(form):
        raise InvalidDefinition(f"{filename}: element {task_spec.bpmn_id}: form {form!r} must "
                                f"be a relative path of a .json file inside the forms folder")
    return StepInfo(name=task_spec.bpmn_id, title=task_spec.bpmn_name or task_spec.bpmn_id,
                    level=_level_of(task_spec, props, filename, default), form=form,
                    due_days=due_days, day_kind=props.get("day_kind", "natural"),
                    documentation=task_spec.documentation or "", properties=dict(props))


def _connect_loops(specs) -> None:
    """Connect each loop's or multi-instance task's inner task to the loop up front.

    SpiffWorkflow makes this link when it creates the first instance; a spec parsed again
    later (another worker, a restart) would lack it and the loop would never finish.
    """
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, LoopTask):
                inner = spec.task_specs[task_spec.task_spec]
                if not inner.completed_event.is_connected(task_spec.merge_child):
                    inner.completed_event.connect(task_spec.merge_child)


def _read(key: str, name: str, spec, subprocess_specs, filename: str,
          form_sources: dict[str, str], roots: dict) -> ParsedDefinition:
    steps, outcomes, start_form, start_props, has_timers = {}, {}, "", {}, False
    owners, levels = bpmn_xml.process_of_elements(roots), bpmn_xml.process_levels(roots)
    _connect_loops([spec, *subprocess_specs.values()])
    bpmn_xml.check_events(roots, [spec, *subprocess_specs.values()])
    for process in [spec, *subprocess_specs.values()]:
        _check_scripts(process, filename)
        for task_spec in process.task_specs.values():
            has_timers |= isinstance(getattr(task_spec, "event_definition", None),
                                     TimerEventDefinition)
            props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            kind = type(task_spec).__name__
            if getattr(task_spec, "manual", False) and kind in MANUAL_KINDS:
                default = levels.get(owners.get(task_spec.bpmn_id, ""), levels.get(key, ""))
                info = _step(task_spec, props, filename, default)
                if steps.get(info.name, info) != info:
                    raise InvalidDefinition(f"{filename}: element id {info.name} names two "
                                            f"different tasks; give each task its own id")
                steps[info.name] = info
            elif getattr(task_spec, "manual", False):
                raise InvalidDefinition(f"{filename}: element {task_spec.bpmn_id}: "
                                        f"{kind} waits for a person, which Dixian cannot run")
            elif kind == "StartEvent" and process is spec and props:
                start_props = dict(props)
                start_form = props.get("form", start_form)
            elif kind == "EndEvent" and props.get("outcome"):
                outcomes[task_spec.name] = props["outcome"]
    for info in steps.values():  # the escalation rule (督办) must read, or deploy fails
        try:
            supervision.read_rule(info.properties, start_props,
                                  f"{filename}: element {info.name}")
        except ValueError as err:
            raise InvalidDefinition(str(err)) from None
    if start_form and not FORM_REF.match(start_form):
        raise InvalidDefinition(f"{filename}: start event form {start_form!r} must be a "
                                f"relative path of a .json file inside the forms folder")
    refs = {info.form for info in steps.values() if info.form} | (
        {start_form} if start_form else set())
    parsed_forms = {}
    for ref in sorted(refs):
        if ref not in form_sources:
            raise InvalidDefinition(f"{filename}: form '{ref}' is referenced but no such file "
                                    f"was found under forms/")
        parsed_forms[ref] = forms.load(ref, form_sources[ref])
    return ParsedDefinition(key, name, spec, subprocess_specs, steps, start_form,
                            start_props, outcomes, parsed_forms, has_timers)


def parse(bpmn: dict[str, str], dmn: dict[str, str], form_sources: dict[str, str],
          key: str | None = None) -> ParsedDefinition:
    """Parse a definition's sources; raises InvalidDefinition naming file and element."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    keys, current, roots = [], "", {}
    total = sum(len(text.encode("utf-8")) if isinstance(text, str) else len(text)
                for files in (bpmn, dmn, form_sources) for text in files.values())
    if total > MAX_DEFINITION_BYTES:
        raise InvalidDefinition(f"{', '.join(bpmn) or 'definition'}: the files together are "
                                f"larger than {MAX_DEFINITION_BYTES // 1024} KiB")
    try:
        for filename, source in bpmn.items():
            current = filename
            root = roots[filename] = parse_xml(filename, source)
            keys += executable_process_ids(filename, root)
            parser.add_bpmn_xml(root, filename)
        for filename, source in dmn.items():
            current = filename
            parser.add_dmn_xml(parse_xml(filename, source), filename)
        if not keys:
            raise InvalidDefinition(f"{', '.join(bpmn) or 'no BPMN file'}: no executable "
                                    f"process (set isExecutable=\"true\" on one bpmn:process)")
        key = key or keys[0]
        if key not in keys:
            raise InvalidDefinition(f"no executable process with id '{key}' in {', '.join(bpmn)}")
        current = next(iter(bpmn))
        bpmn_xml.check_calls(roots)
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as err:
        where = err.file_name or current
        element = f" element {err.id}:" if getattr(err, "id", "") else ""
        line = f" (line {err.line_number})" if getattr(err, "line_number", "") else ""
        raise InvalidDefinition(f"{where}:{element} {err}{line}".replace("\n", " ")) from None
    except SpiffWorkflowException as err:
        raise InvalidDefinition(f"{current}: {err}".replace("\n", " ")) from None
    return _read(key, spec.description or key, spec, subprocess_specs, current, form_sources,
                 roots)


def with_level(bpmn: dict[str, str], level: str, key: str | None = None) -> dict[str, str]:
    """The BPMN files with the executable process's default acting level set to ``level``
    (a level chosen at deploy for tasks that name none)."""
    chosen = level_named(level)
    if chosen is None:
        raise InvalidDefinition(f"level {level!r} is not village, township or county")
    for filename, source in bpmn.items():
        ids = executable_process_ids(filename, parse_xml(filename, source))
        if ids and (key is None or key in ids):
            return {**bpmn, filename: bpmn_xml.set_process_level(source, key or ids[0],
                                                                 chosen.value)}
    raise InvalidDefinition(f"{', '.join(bpmn) or 'no BPMN file'}: no executable process "
                            f"to set the level on")


def sources_hash(bpmn: dict, dmn: dict, form_sources: dict) -> str:
    """sha256 over the sorted sources, so the same files always give the same hash."""
    blob = json.dumps({"bpmn": bpmn, "dmn": dmn, "forms": form_sources}, sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def collect_files(paths: list[str | Path], forms_dir: str | Path | None = None):
    """Read BPMN and DMN files from disk, with the DMN files beside them and their forms.

    Forms are looked up in ``forms_dir``, else in a ``forms`` folder beside the first file or
    beside its folder (``workflows/../forms``).

    Returns ``(bpmn, dmn, forms)`` dictionaries of file name to text.
    """
    bpmn, dmn = {}, {}
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise NotFound(f"{path}: no such file")
        text = _read_text(path)
        if path.suffix == ".dmn":
            dmn[path.name] = text
        elif path.suffix == ".bpmn":
            bpmn[path.name] = text
        else:
            raise InvalidDefinition(f"{path}: not a .bpmn or .dmn file")
    first = Path(paths[0]) if paths else Path(".")
    needed = _decision_refs(bpmn)
    for candidate in sorted(first.parent.glob("*.dmn")):
        if candidate.name not in dmn and _defines_any(candidate, needed):
            dmn[candidate.name] = _read_text(candidate)
    here = first.resolve().parent
    forms_root = Path(forms_dir) if forms_dir else next(
        (d for d in (here / "forms", here.parent / "forms") if d.is_dir()), here / "forms")
    form_sources, root = {}, forms_root.resolve()
    for ref in _form_refs(bpmn):
        # Only plain relative names inside the forms folder: never ../ or absolute paths.
        file = (root / ref).resolve() if FORM_REF.match(ref) else None
        if file is not None and file.is_relative_to(root) and file.is_file():
            form_sources[ref] = _read_text(file)
    return bpmn, dmn, form_sources


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidDefinition(f"{path}: file is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidDefinition(f"{path}: not UTF-8 text") from None


def _form_refs(bpmn: dict[str, str]) -> set[str]:
    refs = set()
    for filename, source in bpmn.items():
        root = parse_xml(filename, source)
        for prop in root.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}property"):
            if prop.get("name") == "form" and prop.get("value"):
                refs.add(prop.get("value"))
    return refs


def _decision_refs(bpmn: dict[str, str]) -> set[str]:
    refs = set()
    for filename, source in bpmn.items():
        root = parse_xml(filename, source)
        for el in root.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}calledDecisionId"):
            refs.add((el.text or "").strip())
    return refs


def _defines_any(path: Path, decision_ids: set[str]) -> bool:
    root = parse_xml(path.name, _read_text(path))
    return any(el.get("id") in decision_ids for el in root.iter() if
               isinstance(el.tag, str) and el.tag.endswith("}decision"))


