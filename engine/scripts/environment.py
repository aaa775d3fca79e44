"""The environment SpiffWorkflow evaluates and runs scripts in, under their limits."""
from __future__ import annotations

import traceback
from time import monotonic

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from ..errors import ScriptError
from .compiling import FILENAME, _compile_eval, _compile_exec
from .guards import HELPERS, restricted_globals
from .limits import ScriptLimits

class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts against task data, restricted and limited."""

    def __init__(self, limits: ScriptLimits | None = None):
        self.limits = limits or ScriptLimits()
        super().__init__(restricted_globals(self.limits))
        seconds = float(self.limits.time_seconds)
        self._late = {what: f"{what} exceeded its time limit of {seconds} s"
                      for what in ("script", "expression")}

    def _run_looping(self, code, scope: dict, what: str):
        """Evaluate ``code`` with a deadline that its ``_check_time_()`` calls compare with."""
        message = self._late[what]
        deadline = monotonic() + self.limits.time_seconds

        def check_time():
            if monotonic() > deadline:
                raise ScriptError(message)
            return True

        scope["_check_time_"] = check_time
        try:
            result = eval(code, scope)  # noqa: S307 - restricted code
        finally:
            late = monotonic() > deadline
            deadline = 0.0                            # leftover generators stop at once
            message = "script code ran outside its evaluation"
        if late:              # the script caught the time-limit error, or a builtin ran long
            raise ScriptError(self._late[what])
        return result

    def evaluate(self, expression, context, external_context=None):
        """Evaluate ``expression`` with the task data as variables."""
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        code, looping = _compile_eval(expression)
        if looping:
            return self._run_looping(code, scope, "expression")
        return eval(code, scope)  # noqa: S307 - restricted code, cannot loop

    def execute(self, script, context, external_context=None):
        """Run ``script``; new and changed variables go back into the task data."""
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        code, looping = _compile_exec(script)
        if looping:
            self._run_looping(code, scope, "script")
        else:
            exec(code, scope)  # noqa: S102 - restricted code, cannot loop
        for key, value in scope.items():
            if key in self.globals or key in HELPERS or callable(value) or key.startswith("_"):
                continue
            if external_context and key in external_context:
                continue
            context[key] = value
        return True


class RestrictedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine that finds the failing line in code compiled as FILENAME, and whose
    task errors have a ScriptError that caused them as their ``__cause__``."""

    def evaluate(self, task, expression, external_context=None):
        try:
            return super().evaluate(task, expression, external_context)
        except SpiffWorkflowException as err:
            _link_script_error(err)
            raise

    def execute(self, task, script, external_context=None):
        try:
            return super().execute(task, script, external_context)
        except SpiffWorkflowException as err:
            _link_script_error(err)
            raise

    def get_error_line_number_and_content(self, script, err):
        if isinstance(err, SyntaxError):
            return super().get_error_line_number_and_content(script, err)
        line_number, error_line = 0, ""
        for frame_summary in traceback.extract_tb(err.__traceback__):
            if frame_summary.filename == FILENAME:
                line_number = frame_summary.lineno
        lines = script.splitlines()
        if 0 < line_number <= len(lines):
            error_line = lines[line_number - 1]
        return line_number, error_line


def _link_script_error(err: BaseException) -> None:
    if err.__cause__ is None and isinstance(err.__context__, ScriptError):
        err.__cause__ = err.__context__


def script_engine(limits: ScriptLimits | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow script engine using the restricted environment under ``limits``."""
    return RestrictedScriptEngine(environment=RestrictedEnvironment(limits))

