"""Compiling BPMN scripts and expressions: restricted, and rewritten so that every repetition
checks the time and every growing operation checks the size."""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import NamedTuple

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import (IOPERATOR_TO_STR, RestrictingNodeTransformer,
                                          copy_locations)

from ..errors import ScriptError

FILENAME = "<bpmn-script>"   # file name of code compiled from BPMN sources, in tracebacks

FORBIDDEN_NAMES = {
    "open": "file access", "__import__": "imports", "eval": "dynamic code", "exec": "dynamic code",
    "compile": "dynamic code", "globals": "introspection", "locals": "introspection",
    "vars": "introspection", "input": "console input", "breakpoint": "debugging",
    "getattr": "introspection", "setattr": "introspection", "delattr": "introspection",
}

# Constructs that can run script code over and over; each repetition calls _check_time_().
LOOPING = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp,
           ast.GeneratorExp, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)



# --- compilation -------------------------------------------------------------------------

def _guard_call(name: str, args: list, where: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    copy_locations(call, where)
    return call


def _time_check(where: ast.AST) -> ast.Expr:
    statement = ast.Expr(_guard_call("_check_time_", [], where))
    copy_locations(statement, where)
    return statement


_BINOP_GUARDS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_",
                 ast.Mod: "_mod_"}
_LONG_NUMBER = re.compile(r"[0-9]{4}")


def _constant(node: ast.AST, *types) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in types


def _cannot_grow(node: ast.BinOp) -> bool:
    """True when a guarded operator cannot build anything big with these operands:
    ``m + 1`` (no concatenation with a number), ``x * 0.5`` and ``x ** 0.5`` (no repetition,
    float results), ``'%s-%d' % args`` (a constant format without ``*`` or long widths)."""
    left, right = node.left, node.right
    if isinstance(node.op, ast.Add):
        return _constant(left, int, float, complex) or _constant(right, int, float, complex)
    if isinstance(node.op, (ast.Mult, ast.Pow)):
        return _constant(left, float, complex) or _constant(right, float, complex)
    if isinstance(node.op, ast.Mod):
        return _constant(left, int, float, complex) or (
            _constant(left, str) and "*" not in left.value
            and not _LONG_NUMBER.search(left.value))
    return False


def _small_constant_spec(spec: ast.JoinedStr) -> bool:
    """A constant format spec whose numbers have at most 3 digits (``.2f``, ``>10``)."""
    return all(isinstance(value, ast.Constant) and isinstance(value.value, str)
               and not _LONG_NUMBER.search(value.value) for value in spec.values)


class LimitingTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus size guards, item augmented assignment and time checks.

    * ``a * b``, ``a ** b``, ``a << b``, ``a + b``, ``a % b`` become ``_mul_(a, b)`` etc.,
      unless the operands show they cannot grow (``m + 1``);
    * ``d[k] += v`` becomes ``_inplaceitem_('+=', d, k, v)`` (RestrictedPython refuses it);
    * f-string format specs other than small constants pass through ``_format_spec_``;
    * loop and function bodies start with ``_check_time_()``, a lambda's body becomes
      ``_check_time_() and body``, and each ``for`` of a comprehension gets
      ``if _check_time_()`` as its first condition.
    """

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None or _cannot_grow(node):
            return node
        return _guard_call(guard, [node.left, node.right], node)

    def visit_AugAssign(self, node):
        target = node.target
        if not isinstance(target, ast.Subscript):
            return super().visit_AugAssign(node)    # names: _inplacevar_; attributes: refused
        if isinstance(target.slice, ast.Slice):
            self.error(node, "Augmented assignment of slices is not allowed.")
            return node
        args = [ast.Constant(IOPERATOR_TO_STR[type(node.op)]), self.visit(target.value),
                self.visit(target.slice), self.visit(node.value)]
        statement = ast.Expr(_guard_call("_inplaceitem_", args, node))
        copy_locations(statement, node)
        return statement

    def visit_FormattedValue(self, node):
        node = super().visit_FormattedValue(node)
        spec = node.format_spec
        if spec is not None and not _small_constant_spec(spec):
            checked = ast.FormattedValue(value=_guard_call("_format_spec_", [spec], spec),
                                         conversion=-1, format_spec=None)
            node.format_spec = ast.JoinedStr(values=[checked])
            copy_locations(checked, spec)
            copy_locations(node.format_spec, spec)
        return node

    def visit_While(self, node):
        node = super().visit_While(node)
        node.body.insert(0, _time_check(node))
        return node

    def visit_For(self, node):
        node = super().visit_For(node)
        node.body.insert(0, _time_check(node))
        return node

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _time_check(node))
        return node

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        node.body = ast.BoolOp(op=ast.And(),
                               values=[_guard_call("_check_time_", [], node), node.body])
        copy_locations(node.body, node)
        return node

    def visit_comprehension(self, node):
        node = super().visit_comprehension(node)
        node.ifs.insert(0, _guard_call("_check_time_", [], node.iter))
        return node


class Compiled(NamedTuple):
    code: object
    looping: bool   # can repeat work, so it runs with a deadline


def _check(tree: ast.AST) -> bool:
    """Refuse imports, forbidden names and classes; True when the code can loop."""
    looping = False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise ScriptError("imports are not allowed in BPMN scripts")
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            raise ScriptError(f"'{node.id}' is not allowed in BPMN scripts "
                              f"({FORBIDDEN_NAMES[node.id]} is forbidden)")
        if isinstance(node, ast.ClassDef):
            # methods of objects left in task data could later run outside any time limit
            raise ScriptError("class definitions are not allowed in BPMN scripts")
        looping = looping or isinstance(node, LOOPING)
    return looping


@lru_cache(maxsize=2048)
def _compile_eval(expression: str) -> Compiled:
    try:
        tree = ast.parse(expression, FILENAME, mode="eval")
    except SyntaxError as err:
        raise ScriptError(f"invalid expression {expression!r}: {err.msg}") from None
    looping = _check(tree)
    result = compile_restricted_eval(tree, FILENAME, policy=LimitingTransformer)
    if result.errors:
        raise ScriptError(f"expression {expression!r} not allowed: {'; '.join(result.errors)}")
    return Compiled(result.code, looping)


@lru_cache(maxsize=512)
def _compile_exec(script: str) -> Compiled:
    try:
        tree = ast.parse(script, FILENAME, mode="exec")
    except SyntaxError as err:
        raise ScriptError(f"invalid script (line {err.lineno}): {err.msg}") from None
    looping = _check(tree)
    result = compile_restricted_exec(tree, FILENAME, policy=LimitingTransformer)
    if result.errors:
        raise ScriptError(f"script not allowed: {'; '.join(result.errors)}")
    return Compiled(result.code, looping)


def compile_expression(expression: str):
    """Compile an expression once (cached); raises ScriptError when it is not allowed."""
    return _compile_eval(expression).code


def compile_script(script: str):
    """Compile a script once (cached); raises ScriptError when it is not allowed."""
    return _compile_exec(script).code


def check_source(source: str, mode: str) -> None:
    """Refuse at deploy time what would be refused at run time."""
    (compile_expression if mode == "eval" else compile_script)(source)

