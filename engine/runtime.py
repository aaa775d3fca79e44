"""Running SpiffWorkflow workflows against cached specs, and storing their state without them.

The stored state is SpiffWorkflow's serialization of the task tree and data with the spec
left out (the spec belongs to the definition version and is cached per version). It carries
the serializer version and is migrated on load by SpiffWorkflow's own migrations.

Restored workflows are also kept in a small per-process cache keyed by case id and the hash
of the stored state text: a hit is only ever the exact state in the database, so another
worker's change or a rolled-back transaction simply misses.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from uuid import UUID

import orjson

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState

from .definitions import ParsedDefinition
from .scripts import script_engine

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


SERIALIZER = _serializer()
_SCRIPT_ENGINE = script_engine()


def dump_state(workflow: BpmnWorkflow) -> str:
    """The workflow's state as JSON text, spec excluded, with the serializer version."""
    dct = SERIALIZER.to_dict(workflow)
    dct[VERSION_KEY] = VERSION
    return orjson.dumps(dct).decode("utf-8")


def load_state(parsed: ParsedDefinition, text: str) -> BpmnWorkflow:
    """Restore a workflow from stored state around the definition's cached spec."""
    dct = orjson.loads(text)
    SERIALIZER.migrate(dct)
    workflow = SERIALIZER.registry.restore(dct, spec=parsed.spec,
                                           subprocess_specs=parsed.subprocess_specs)
    workflow.script_engine = _SCRIPT_ENGINE
    return workflow


def new_workflow(parsed: ParsedDefinition) -> BpmnWorkflow:
    """A fresh workflow of the definition, using the restricted script engine."""
    return BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=_SCRIPT_ENGINE)


def all_tasks(workflow: BpmnWorkflow):
    """Every task of the workflow and its subprocesses, in no particular order.

    A scan of the task dictionaries: several times cheaper than walking the task tree,
    and run twice on every step.
    """
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def ready_user_tasks(workflow: BpmnWorkflow) -> dict[UUID, object]:
    """READY user tasks by id."""
    return {t.id: t for t in all_tasks(workflow)
            if t.state == TaskState.READY and t.task_spec.manual}


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
        with self._lock:
            self._items[case_id] = (hash(state), workflow)
            self._items.move_to_end(case_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests use this to force restoring from the database)."""
        with self._lock:
            self._items.clear()


CACHE = WorkflowCache()


def restore(parsed: ParsedDefinition, case_id: int, state: str) -> BpmnWorkflow:
    """The case's workflow: from the cache when it holds this exact state, else loaded."""
    workflow = CACHE.take(case_id, state)
    return workflow if workflow is not None else load_state(parsed, state)
