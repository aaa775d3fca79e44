"""Running SpiffWorkflow workflows against cached specs, and storing their state without them.

The stored state is SpiffWorkflow's serialization of the task tree and data with the spec
left out (the spec belongs to the definition version and is cached by the registry). It
carries the serializer version and is migrated on load by SpiffWorkflow's own migrations.

Restored workflows are kept in a bounded per-process cache keyed by case id and the hash of
the stored state text: a hit is only ever the exact state in the database, so another
worker's change or a rolled-back transaction simply misses.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState

from . import clock
from .errors import DixianError, ScriptError
from .parsing import ParsedDefinition
from .scripts import ScriptLimits, script_engine
from .state import StateCodec

VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY


class StateConverter(BpmnWorkflowConverter):
    """Converts a top-level workflow without its spec; the spec is passed in on restore."""

    def to_dict(self, workflow):
        """The workflow's tasks, data, subprocesses and pending events: no specs."""
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        """Rebuild the workflow around the cached ``spec`` and ``subprocess_specs``."""
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


@dataclass(frozen=True)
class Snapshot:
    """What a workflow waits for at one moment: ready manual tasks and waiting timers."""

    ready: dict  # task id -> task
    timers: dict  # task id (str) -> when it fires


class WorkflowCache:
    """Restored workflows by case id, valid only for the exact stored state text."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, state: str) -> BpmnWorkflow | None:
        """Remove and return the workflow if it was cached for exactly this state."""
        with self._lock:
            entry = self._items.pop(case_id, None)
        if entry is not None and entry[0] == hash(state):
            return entry[1]
        return None

    def put(self, case_id: int, state: str, workflow: BpmnWorkflow) -> None:
        """Remember the workflow for this stored state."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[case_id] = (hash(state), workflow)
            self._items.move_to_end(case_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class Runner:
    """Creates, restores, runs and serialises workflows with the restricted script engine."""

    def __init__(self, limits: ScriptLimits | None = None, cache_size: int = 256):
        self.serializer = _serializer()
        self.codec = StateCodec(self.serializer)
        self.script_engine = script_engine(limits)
        self.cache = WorkflowCache(cache_size)

    def new(self, parsed: ParsedDefinition) -> BpmnWorkflow:
        """A fresh workflow of the definition."""
        return BpmnWorkflow(parsed.spec, parsed.subprocess_specs,
                            script_engine=self.script_engine)

    def dump(self, workflow: BpmnWorkflow) -> str:
        """The workflow's state as JSON text, spec excluded, with the serializer version."""
        return self.codec.encode(workflow)

    def load(self, parsed: ParsedDefinition, text: str) -> BpmnWorkflow:
        """Restore a workflow from stored state around the definition's cached spec."""
        dct = orjson.loads(text)
        self.serializer.migrate(dct)
        workflow = self.serializer.registry.restore(dct, spec=parsed.spec,
                                                    subprocess_specs=parsed.subprocess_specs)
        workflow.script_engine = self.script_engine
        reconnect_triggered(workflow)
        return workflow

    def restore(self, parsed: ParsedDefinition, case_id: int, state: str) -> BpmnWorkflow:
        """The case's workflow: from the cache when it holds this exact state, else loaded."""
        workflow = self.cache.take(case_id, state)
        return workflow if workflow is not None else self.load(parsed, state)

    def remember(self, case_id: int, state: str, workflow: BpmnWorkflow) -> None:
        """Keep the workflow for the next step of the case (valid while ``state`` is stored)."""
        self.cache.put(case_id, state, workflow)

    def run(self, workflow: BpmnWorkflow, parsed: ParsedDefinition, where: str,
            now: datetime, task=None) -> None:
        """Run ``task`` if given, then engine steps and due timers until input is needed.

        Errors name the step; SpiffWorkflow's timers see ``now``.
        """
        try:
            with clock.frozen(now):
                if task is not None:
                    task.run()
                workflow.do_engine_steps()
                if parsed.has_timers:
                    workflow.refresh_timers()
                    workflow.do_engine_steps()
        except WorkflowException as err:
            cause = getattr(err, "exception", None) or err.__cause__
            failed = getattr(getattr(err, "task_spec", None), "bpmn_id", None) or where
            if isinstance(cause, ScriptError):
                raise ScriptError(f"step '{failed}': {cause}") from None
            raise DixianError(f"step '{failed}' failed: {str(err).splitlines()[0]}") from None
        except ScriptError as err:
            raise ScriptError(f"{where}: {err}") from None

    def snapshot(self, workflow: BpmnWorkflow, parsed: ParsedDefinition) -> Snapshot:
        """Ready manual tasks and waiting timers, by task id."""
        return Snapshot(ready_tasks(workflow),
                        waiting_timers(workflow) if parsed.has_timers else {})


def reconnect_triggered(workflow: BpmnWorkflow) -> None:
    """Connect the event subprocesses and conditional paths this workflow triggered.

    SpiffWorkflow connects such a spec to its process's start only when the event comes
    (``BpmnStartTask.trigger_wf``); a spec parsed afresh (another worker, a restart, the
    cache's eviction) lacks that link, and the triggered task fails with "No input task
    connected". The link is made again as the trigger made it.
    """
    for flow in [workflow, *workflow.subprocesses.values()]:
        start = flow.task_tree
        for child in start.children if start is not None else ():
            spec = child.task_spec
            if child.triggered and start.task_spec not in spec.inputs:
                start.task_spec.connect(spec)
                if spec.name in getattr(start.task_spec, "trigger_specs", ()):
                    spec.connect(flow.spec.end)


def all_tasks(workflow: BpmnWorkflow):
    """Every task of the workflow and its subprocesses, in no particular order.

    A scan of the task dictionaries: several times cheaper than walking the task tree,
    and run twice on every step.
    """
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def ready_tasks(workflow: BpmnWorkflow) -> dict[UUID, object]:
    """READY manual tasks (user, manual and plain tasks) by id."""
    return {t.id: t for t in all_tasks(workflow)
            if t.state == TaskState.READY and t.task_spec.manual}


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, datetime]:
    """Waiting BPMN timer tasks by id, with the time each fires."""
    found = {}
    for task in all_tasks(workflow):
        if task.state != TaskState.WAITING:
            continue
        event = getattr(task.task_spec, "event_definition", None)
        if isinstance(event, TimerEventDefinition):
            value = task._get_internal_data("event_value")
            if isinstance(value, str):
                found[str(task.id)] = TimerEventDefinition.get_datetime(value)
    return found


def find_task(workflow: BpmnWorkflow, task_id: str):
    """The task with this id in the workflow or its subprocesses, or None."""
    try:
        key = UUID(task_id)
    except ValueError:
        return None
    task = workflow.tasks.get(key)
    if task is None:
        for subprocess in workflow.subprocesses.values():
            task = subprocess.tasks.get(key)
            if task is not None:
                break
    return task
