"""The restricted environment that BPMN scripts, conditions and DMN expressions run in.

Scripts are compiled with RestrictedPython: no imports, no file or network access, no
attributes starting with an underscore. A script that tries is stopped with a ScriptError
naming what it tried.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (full_write_guard, guarded_iter_unpack_sequence,
                                     guarded_unpack_sequence, safer_getattr)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import ScriptError

FORBIDDEN_NAMES = {
    "open": "file access", "__import__": "imports", "eval": "dynamic code", "exec": "dynamic code",
    "compile": "dynamic code", "globals": "introspection", "locals": "introspection",
    "vars": "introspection", "input": "console input", "breakpoint": "debugging",
    "getattr": "introspection", "setattr": "introspection", "delattr": "introspection",
}


def add_days(value: str, days: int) -> str:
    """The ISO date ``days`` natural days after the ISO date ``value``."""
    return (date.fromisoformat(str(value)[:10]) + timedelta(days=int(days))).isoformat()


def _builtins() -> dict:
    allowed = dict(safe_builtins)
    for name in ("sum", "min", "max", "any", "all", "enumerate", "sorted", "reversed", "list",
                 "dict", "set", "map", "filter", "zip", "range", "round", "abs", "len"):
        allowed[name] = __builtins__[name] if isinstance(__builtins__, dict) else getattr(
            __builtins__, name)
    return allowed


GLOBALS = {
    "__builtins__": _builtins(),
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_print_": None,
    "add_days": add_days,
}
HELPERS = {"add_days"}


def _check(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise ScriptError("imports are not allowed in BPMN scripts")
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            raise ScriptError(f"'{node.id}' is not allowed in BPMN scripts "
                              f"({FORBIDDEN_NAMES[node.id]} is forbidden)")


@lru_cache(maxsize=2048)
def compile_expression(expression: str):
    """Compile an expression once; raises ScriptError when it is not allowed."""
    try:
        _check(ast.parse(expression, mode="eval"))
    except SyntaxError as err:
        raise ScriptError(f"invalid expression {expression!r}: {err.msg}") from None
    result = compile_restricted_eval(expression)
    if result.errors:
        raise ScriptError(f"expression {expression!r} not allowed: {'; '.join(result.errors)}")
    return result.code


@lru_cache(maxsize=512)
def compile_script(script: str):
    """Compile a script once; raises ScriptError when it is not allowed."""
    try:
        _check(ast.parse(script, mode="exec"))
    except SyntaxError as err:
        raise ScriptError(f"invalid script (line {err.lineno}): {err.msg}") from None
    result = compile_restricted_exec(script)
    if result.errors:
        raise ScriptError(f"script not allowed: {'; '.join(result.errors)}")
    return result.code


def check_source(source: str, mode: str) -> None:
    """Refuse at deploy time what would be refused at run time."""
    (compile_expression if mode == "eval" else compile_script)(source)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts against task data, restricted."""

    def evaluate(self, expression, context, external_context=None):
        """Evaluate ``expression`` with the task data as variables."""
        scope = dict(GLOBALS)
        scope.update(external_context or {})
        scope.update(context)
        return eval(compile_expression(expression), scope)  # noqa: S307 - restricted code

    def execute(self, script, context, external_context=None):
        """Run ``script``; new and changed variables go back into the task data."""
        scope = dict(GLOBALS)
        scope.update(external_context or {})
        scope.update(context)
        exec(compile_script(script), scope)  # noqa: S102 - restricted code
        for key, value in scope.items():
            if key in GLOBALS or key in HELPERS or callable(value) or key.startswith("_"):
                continue
            if external_context and key in external_context:
                continue
            context[key] = value
        return True


@dataclass(frozen=True)
class ScriptLimits:
    """What one script or expression may spend."""

    time_seconds: float = 2.0
    max_items: int = 10_000_000
    max_int_bits: int = 100_000


def script_engine(limits: ScriptLimits | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow script engine using the restricted environment."""
    return PythonScriptEngine(environment=RestrictedEnvironment())
