"""Workflow state as stored: SpiffWorkflow's own serialization format, written fast.

``encode`` produces exactly the dictionary SpiffWorkflow's serializer produces for a workflow
with its spec left out — the same keys and values, the serializer version included — so
SpiffWorkflow itself restores it (and migrates it when its format changes). It is built
straight from the task objects instead of through the serializer's registry, and the entry
of a task that has finished (completed or cancelled, under a finished parent) is reused from
the previous step: such an entry never changes. A test compares both encodings on every
workflow of the repository at every step.
"""
from __future__ import annotations

from types import ModuleType

import orjson
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.task import Task, TaskState

VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY
FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
# A task in one of these states under a finished parent keeps its entry until its state
# changes: its data and its parent's data no longer change (predicted tasks hold no data of
# their own yet; SpiffWorkflow copies the parent's data in when they become ready).
STABLE = FINISHED | TaskState.PREDICTED_MASK | TaskState.FUTURE


def _clean(data: dict) -> dict:
    """Task or workflow data without callables and modules (what SpiffWorkflow drops)."""
    return {k: v for k, v in data.items()
            if not callable(v) and not isinstance(v, ModuleType)}


class StateCodec:
    """Encodes workflows in SpiffWorkflow's format; remembers finished tasks' entries."""

    def __init__(self, serializer: BpmnWorkflowSerializer):
        self.registry = serializer.registry
        self.task_typename = self.registry.typenames[Task]

    def _convert(self, value):
        # The registry walks every value; most internal data is empty or plain JSON.
        return {} if not value else self.registry.convert(value)

    def _task(self, task, parent, sid) -> dict:
        if parent is None:
            data, delta = task.data, {}
        else:
            parent_data, own = parent.data, task.data
            data = {}
            delta = {"updates": {k: v for k, v in own.items()
                                 if k not in parent_data or v != parent_data[k]},
                     "deletions": [k for k in parent_data if k not in own]}
        entry = {"id": sid(task.id), "parent": sid(task._parent) if parent is not None else None,
                 "children": [sid(c) for c in task._children],
                 "last_state_change": task.last_state_change, "state": task.state,
                 "task_spec": task.task_spec.name, "triggered": task.triggered,
                 "internal_data": self._convert(task.internal_data), "data": data,
                 "delta": delta, "typename": self.task_typename}
        return entry

    def _tasks(self, workflow, memo: dict, sid) -> dict:
        tasks, out = workflow.tasks, {}
        for key, task in tasks.items():
            parent = tasks.get(task._parent) if task._parent is not None else None
            cached = memo.get(key)
            mark = (task._state, task.last_state_change, tuple(task._children),
                    id(task.data), len(task.data), parent._state if parent else 0)
            if cached is not None and cached[0] == mark:
                out[sid(key)] = cached[1]
                continue
            entry = self._task(task, parent, sid)
            if task._state & STABLE and (parent is None or parent._state & FINISHED):
                memo[key] = (mark, entry)
            out[sid(key)] = entry
        return out

    def _workflow(self, workflow, memo: dict, sid) -> dict:
        return {"data": self.registry.convert(_clean(workflow.data)),
                "correlations": workflow.correlations,
                "last_task": str(workflow.last_task.id) if workflow.last_task is not None
                else None,
                "success": workflow.success, "completed": workflow.completed,
                "tasks": self._tasks(workflow, memo, sid), "root": sid(workflow.task_tree.id)}

    def to_dict(self, workflow) -> dict:
        """The dictionary SpiffWorkflow's serializer gives for the workflow without its spec."""
        # Kept on the workflow object, so it lives and dies with it in the workflow cache.
        memo = workflow.__dict__.setdefault("_dixian_entries", {})
        names = workflow.__dict__.setdefault("_dixian_ids", {})

        def sid(uuid) -> str:
            text = names.get(uuid)
            if text is None:
                text = names[uuid] = str(uuid)
            return text
        dct = self._workflow(workflow, memo, sid)
        subprocesses = {}
        for key, sub in workflow.subprocesses.items():
            entry = self._workflow(sub, memo, sid)
            entry.update(parent_task_id=str(sub.parent_task_id), spec=sub.spec.name,
                         typename=self.registry.typenames[sub.__class__])
            subprocesses[str(key)] = entry
        dct.update(subprocesses=subprocesses,
                   bpmn_events=self.registry.convert(workflow.bpmn_events),
                   typename=self.registry.typenames[workflow.__class__])
        dct[VERSION_KEY] = VERSION
        return dct

    def encode(self, workflow) -> str:
        """The workflow's state as JSON text."""
        return orjson.dumps(self.to_dict(workflow)).decode("utf-8")
