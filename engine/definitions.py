"""Process definitions: parse BPMN/DMN/forms safely, deploy them as versions, cache the specs.

A definition version is the set of source files (BPMN, DMN, JSON forms) deployed under the
id of its executable process. The same files again (same sha256) give no new version. Parsed
specs are cached per version, since parsing is the cost to avoid on every step.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import audit, forms
from .errors import InvalidDefinition, NotFound
from .models import DefinitionVersion, Level, User
from .scripts import check_source

MAX_FILE_BYTES = 2 * 1024 * 1024
LEVEL_NAMES = {"village": Level.VILLAGE, "村": Level.VILLAGE, "township": Level.TOWNSHIP,
               "乡镇": Level.TOWNSHIP, "乡": Level.TOWNSHIP, "镇": Level.TOWNSHIP,
               "county": Level.COUNTY, "县": Level.COUNTY}
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=False)


@dataclass(frozen=True)
class UserTaskInfo:
    """What the engine needs to know of one user task, read from its lane and properties."""

    name: str
    title: str
    level: Level
    form: str
    due_days: int | None
    day_kind: str
    documentation: str


@dataclass
class ParsedDefinition:
    """A parsed, ready-to-run definition: the SpiffWorkflow specs plus Dixian's reading."""

    key: str
    name: str
    spec: object
    subprocess_specs: dict
    user_tasks: dict[str, UserTaskInfo]
    start_form: str
    start_properties: dict
    outcomes: dict[str, str]
    forms: dict[str, dict] = field(default_factory=dict)
    has_timers: bool = False


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


def _level_of(task_spec, filename: str) -> Level:
    props = task_spec.extensions.get("properties", {}) if hasattr(task_spec, "extensions") else {}
    raw = props.get("level") or task_spec.lane or ""
    level = LEVEL_NAMES.get(raw.strip().lower()) or LEVEL_NAMES.get(raw.strip())
    if level is None:
        raise InvalidDefinition(
            f"{filename}: element {task_spec.bpmn_id}: user task has no acting level "
            f"(put it in a lane named village/township/county or set property 'level'; "
            f"got {raw!r})")
    return level


def _check_scripts(spec, filename: str) -> None:
    for task_spec in spec.task_specs.values():
        where = f"{filename}: element {getattr(task_spec, 'bpmn_id', task_spec.name)}"
        try:
            if getattr(task_spec, "script", None):
                check_source(task_spec.script, "exec")
            for cond, _ in getattr(task_spec, "cond_task_specs", []) or []:
                expression = getattr(cond, "args", [cond])[0] if cond is not None else None
                if isinstance(expression, str):
                    check_source(expression, "eval")
        except Exception as err:  # ScriptError, worded for the user
            raise InvalidDefinition(f"{where}: {err}") from None


def _read(key: str, name: str, spec, subprocess_specs, filename: str,
          form_sources: dict[str, str]) -> ParsedDefinition:
    user_tasks, outcomes, start_form, start_props, has_timers = {}, {}, "", {}, False
    specs = [spec, *subprocess_specs.values()]
    for process in specs:
        _check_scripts(process, filename)
        for task_spec in process.task_specs.values():
            has_timers |= isinstance(getattr(task_spec, "event_definition", None),
                                     TimerEventDefinition)
            props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            kind = type(task_spec).__name__
            if kind == "UserTask":
                due = props.get("due_days")
                user_tasks[task_spec.bpmn_id] = UserTaskInfo(
                    name=task_spec.bpmn_id, title=task_spec.bpmn_name or task_spec.bpmn_id,
                    level=_level_of(task_spec, filename), form=props.get("form", ""),
                    due_days=int(due) if due not in (None, "") else None,
                    day_kind=props.get("day_kind", "natural"),
                    documentation=task_spec.documentation or "")
            elif kind == "StartEvent" and process is spec:
                if props:
                    start_props = dict(props)
                    start_form = props.get("form", start_form)
            elif kind == "EndEvent" and props.get("outcome"):
                outcomes[task_spec.name] = props["outcome"]
    refs = {info.form for info in user_tasks.values() if info.form}
    if start_form:
        refs.add(start_form)
    parsed_forms = {}
    for ref in sorted(refs):
        if ref not in form_sources:
            raise InvalidDefinition(f"{filename}: form '{ref}' is referenced but no such file "
                                    f"was found under forms/")
        parsed_forms[ref] = forms.load(ref, form_sources[ref])
    return ParsedDefinition(key, name, spec, subprocess_specs, user_tasks, start_form,
                            start_props, outcomes, parsed_forms, has_timers)


def parse(bpmn: dict[str, str], dmn: dict[str, str], form_sources: dict[str, str],
          key: str | None = None) -> ParsedDefinition:
    """Parse a definition's sources; raises InvalidDefinition naming file and element."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    keys, current = [], ""
    try:
        for filename, source in bpmn.items():
            current = filename
            root = parse_xml(filename, source)
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
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as err:
        where = err.file_name or current
        element = f" element {err.id}:" if getattr(err, "id", "") else ""
        line = f" (line {err.line_number})" if getattr(err, "line_number", "") else ""
        raise InvalidDefinition(f"{where}:{element} {err}{line}".replace("\n", " ")) from None
    except SpiffWorkflowException as err:
        raise InvalidDefinition(f"{current}: {err}".replace("\n", " ")) from None
    return _read(key, spec.description or key, spec, subprocess_specs, current, form_sources)


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
    form_sources = {}
    for ref in _form_refs(bpmn):
        file = forms_root / ref
        if file.is_file():
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


def deploy(session: Session, bpmn: dict[str, str], dmn: dict[str, str],
           form_sources: dict[str, str], actor: User | None, now: datetime,
           key: str | None = None) -> tuple[DefinitionVersion, bool]:
    """Deploy sources as the next version of their process; ``(version, created)``.

    Identical sources to an existing version of the same key create nothing.
    """
    parsed = parse(bpmn, dmn, form_sources, key)
    digest = sources_hash(bpmn, dmn, form_sources)
    existing = session.scalars(select(DefinitionVersion).where(
        DefinitionVersion.key == parsed.key, DefinitionVersion.sha256 == digest)).first()
    if existing is not None:
        return existing, False
    latest = session.scalar(select(func.max(DefinitionVersion.version)).where(
        DefinitionVersion.key == parsed.key)) or 0
    row = DefinitionVersion(key=parsed.key, version=latest + 1, name=parsed.name, sha256=digest,
                            bpmn=bpmn, dmn=dmn, forms=form_sources,
                            deployed_by=actor.id if actor else None, deployed_at=now)
    session.add(row)
    session.flush()
    _cache_put(row.id, parsed)
    audit.record(session, None, "definition_deployed", actor, now,
                 data={"key": row.key, "version": row.version, "sha256": digest,
                       "files": sorted([*bpmn, *dmn, *form_sources])})
    return row, True


def deploy_folder(session: Session, folder: str | Path, actor: User | None,
                  now: datetime) -> list[tuple[DefinitionVersion, bool]]:
    """Deploy every BPMN file of ``folder`` with its DMN files and forms."""
    deployed = []
    for path in sorted(Path(folder).glob("*.bpmn")):
        deployed.append(deploy(session, *collect_files([path]), actor, now))
    return deployed


_cache: dict[int, ParsedDefinition] = {}
_cache_lock = threading.Lock()


def _cache_put(version_id: int, parsed: ParsedDefinition) -> None:
    with _cache_lock:
        _cache[version_id] = parsed


def load(session: Session, version_id: int) -> ParsedDefinition:
    """The parsed definition of a version, from the cache or parsed once from its sources."""
    parsed = _cache.get(version_id)
    if parsed is None:
        row = session.get(DefinitionVersion, version_id)
        if row is None:
            raise NotFound(f"definition version {version_id} does not exist")
        parsed = parse(row.bpmn, row.dmn, row.forms, row.key)
        _cache_put(version_id, parsed)
    return parsed


_VERSIONS = select(DefinitionVersion.id, DefinitionVersion.key,
                   DefinitionVersion.version).where(DefinitionVersion.key == bindparam("key"))
_LATEST = _VERSIONS.order_by(DefinitionVersion.version.desc()).limit(1)
_NAMED = _VERSIONS.where(DefinitionVersion.version == bindparam("version"))


def find(session: Session, key: str, version: int | None = None):
    """``(id, key, version)`` of the named version of a process, or of its latest."""
    query, params = (_LATEST, {"key": key}) if version is None else (
        _NAMED, {"key": key, "version": version})
    row = session.connection().execute(query, params).first()
    if row is None:
        what = f"version {version} of '{key}'" if version else f"'{key}'"
        raise NotFound(f"no process definition {what} is deployed")
    return row


def listing(session: Session) -> list[DefinitionVersion]:
    """All deployed versions, newest first per key."""
    return list(session.scalars(select(DefinitionVersion).order_by(
        DefinitionVersion.key, DefinitionVersion.version.desc())))
