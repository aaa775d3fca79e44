"""The restricted environment that BPMN scripts, conditions and DMN expressions run in.

Scripts are compiled with RestrictedPython: no imports, no file or network access, no
attributes starting with an underscore, no class definitions. A script that tries is stopped
with a ScriptError naming what it tried.

Every evaluation also runs under ``ScriptLimits``:

* time: each loop iteration, comprehension step and function or lambda call of the script
  first calls ``_check_time_()``, which raises a ScriptError once the evaluation's wall-time
  budget is spent; an evaluation that swallowed that error is refused when it returns. The
  deadline belongs to the evaluation (not to a signal or a global tracer), so the limit works
  in any thread and leaves coverage and debuggers alone. Code with no loop, comprehension,
  lambda or function (most gateway conditions) cannot repeat anything and runs without
  looking at the clock.
* size: operations that can build a huge object in one step (``*``, ``**``, ``<<``, ``+``,
  ``%`` formatting, f-string widths, ``range``, ``sum`` of lists, ``pow``, ``str.join``,
  ``str.replace``, padding methods, ``list.extend``, ``int.to_bytes``) are checked before they
  run, so a refused one allocates nothing.

Neither limit can interrupt a single builtin call running in C (``sorted`` of a long list,
``max`` of a list holding one long list many times): it runs to its end, and an evaluation
with loops is refused afterwards if it went over its time.
"""
from __future__ import annotations

import ast
import operator
import re
import traceback
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache, partial
from math import log2
from time import monotonic
from typing import NamedTuple

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (full_write_guard, guarded_iter_unpack_sequence,
                                     guarded_unpack_sequence, safer_getattr)
from RestrictedPython.transformer import (IOPERATOR_TO_STR, RestrictingNodeTransformer,
                                          copy_locations)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import ScriptError

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


@dataclass(frozen=True)
class ScriptLimits:
    """Limits applied to every script run and expression evaluation."""
    time_seconds: float = 2.0        # wall time per evaluation
    max_items: int = 10_000_000      # items/characters/bytes of a sequence built in one step
    max_int_bits: int = 100_000      # bits of an integer built by *, ** or <<


def add_days(value: str, days: int) -> str:
    """The ISO date ``days`` natural days after the ISO date ``value``."""
    return (date.fromisoformat(str(value)[:10]) + timedelta(days=int(days))).isoformat()


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


# --- size guards -------------------------------------------------------------------------

# Exact types: scripts cannot define subclasses (no classes) and task data is JSON.
_SEQUENCES = frozenset({str, bytes, bytearray, list, tuple})
_TEXT = (str, bytes, bytearray)
_TEXT_TYPES = frozenset(_TEXT)
_KINDS = {str: ("a string", "characters"), bytes: ("a bytes value", "bytes"),
          bytearray: ("a bytes value", "bytes"), list: ("a list", "items"),
          tuple: ("a tuple", "items")}
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_PERCENT_BYTES = re.compile(_PERCENT.pattern.encode())
_DIGITS = re.compile(r"\d+")
_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul,
            "/=": operator.itruediv, "//=": operator.ifloordiv, "%=": operator.imod,
            "**=": operator.ipow, "<<=": operator.ilshift, ">>=": operator.irshift,
            "&=": operator.iand, "^=": operator.ixor, "|=": operator.ior,
            "@=": operator.imatmul}


def _number(digits) -> int:
    """The value of a run of digits, capped (int() refuses very long digit strings)."""
    return int(digits) if len(digits) <= 18 else 10 ** 18


def _count(size: int) -> str:
    """``size`` for a message (str() refuses ints of more than 4300 digits)."""
    return str(size) if size < 10 ** 18 else "more than 10**18"


def _guards(limits: ScriptLimits) -> dict:
    """The guard functions of the restricted builtins, closed over ``limits``.

    Each binary guard takes an optional ``op`` so that augmented assignment can apply the
    in-place operator after the same check.
    """
    max_items, max_bits = limits.max_items, limits.max_int_bits

    def too_big(value, size):
        noun, unit = _KINDS.get(type(value), ("a sequence", "items"))
        raise ScriptError(f"script would build {noun} of {_count(size)} {unit}; "
                          f"the limit is {max_items}")

    def int_too_big(bits):
        about = "about " if bits < 10 ** 18 else ""
        raise ScriptError(f"script would build an integer of {about}{_count(bits)} bits; "
                          f"the limit is {max_bits}")

    def repeat(sequence, times):
        if isinstance(times, int) and len(sequence) * times > max_items:
            too_big(sequence, len(sequence) * times)

    def add(a, b, op=None):
        if type(a) in _SEQUENCES and type(b) in _SEQUENCES and len(a) + len(b) > max_items:
            too_big(a, len(a) + len(b))
        return a + b if op is None else op(a, b)

    def mul(a, b, op=None):
        if type(a) is int:
            if type(b) is int:
                bits = a.bit_length() + b.bit_length()
                if bits > max_bits:
                    int_too_big(bits)
            elif type(b) in _SEQUENCES:
                repeat(b, a)
        elif type(a) in _SEQUENCES:
            repeat(a, b)
        elif type(b) in _SEQUENCES:         # True * "ab"
            repeat(b, a)
        return a * b if op is None else op(a, b)

    def power(a, b, op=None):
        if type(a) is int and type(b) is int and b > 1 and a.bit_length() > 1:
            try:
                bits = int(b * log2(abs(a))) + 1
            except OverflowError:            # b beyond floats; |a| >= 2: at least b bits
                bits = b
            if bits > max_bits:
                int_too_big(bits)
        return a ** b if op is None else op(a, b)

    def lshift(a, b, op=None):
        if type(a) is int and type(b) is int and a and b > 0 and a.bit_length() + b > max_bits:
            int_too_big(a.bit_length() + b)
        return a << b if op is None else op(a, b)

    def check_widths(template, numbers, star="*"):
        for digits in numbers:
            if digits and digits != star and _number(digits) > max_items:
                too_big(template, _number(digits))

    def mod(a, b, op=None):
        if type(a) in _TEXT_TYPES:                  # printf-style formatting
            pattern, star = (_PERCENT, "*") if type(a) is str else (_PERCENT_BYTES, b"*")
            starred = False
            for width, precision in pattern.findall(a):
                check_widths(a, (width, precision), star)
                starred = starred or star in (width, precision)
            if starred:
                for value in (b if type(b) is tuple else (b,)):
                    if type(value) is int and abs(value) > max_items:
                        too_big(a, abs(value))
        return a % b if op is None else op(a, b)

    def format_spec(spec):
        check_widths("", _DIGITS.findall(spec))
        return spec

    in_place_guards = {"+=": add, "*=": mul, "**=": power, "<<=": lshift, "%=": mod}

    def inplacevar(op, x, y):
        guard = in_place_guards.get(op)
        return _INPLACE[op](x, y) if guard is None else guard(x, y, _INPLACE[op])

    def inplaceitem(op, container, key, value):
        target = full_write_guard(container)       # dict and list; anything else refuses
        target[key] = inplacevar(op, container[key], value)

    def guarded_pow(base, exp, mod=None):
        return power(base, exp) if mod is None else pow(base, exp, mod)

    def guarded_range(*args):
        span = range(*args)
        start, stop, step = span.start, span.stop, span.step
        size = max(0, -((start - stop) // step) if step > 0 else -((stop - start) // -step))
        if size > max_items:
            raise ScriptError(f"script would build a range of {size} items; "
                              f"the limit is {max_items}")
        return span

    def guarded_sum(iterable, /, start=0):
        if type(start) not in (list, tuple):
            return sum(iterable, start)
        kind, parts = type(start), list(start)     # linear, not one copy per item
        for item in iterable:
            if type(item) is not kind:
                raise TypeError(f'can only concatenate {kind.__name__} '
                                f'(not "{type(item).__name__}") to {kind.__name__}')
            if len(parts) + len(item) > max_items:
                too_big(start, len(parts) + len(item))
            parts.extend(item)
        return parts if kind is list else tuple(parts)

    def join(separator, items):
        items = items if type(items) in (list, tuple) else list(items)
        try:
            size = sum(map(len, items)) + len(separator) * max(len(items) - 1, 0)
        except TypeError:
            size = 0                                # join itself says what is wrong
        if size > max_items:
            too_big(separator, size)
        return separator.join(items)

    def replace(text, old, new, count=-1):
        if isinstance(old, _TEXT) and isinstance(new, _TEXT) and len(new) > len(old):
            hits = text.count(old) if old else len(text) + 1
            if isinstance(count, int) and count >= 0:
                hits = min(hits, count)
            size = len(text) + hits * (len(new) - len(old))
            if size > max_items:
                too_big(text, size)
        return text.replace(old, new, count)

    def padding(name):
        def pad(text, width, *args):
            if isinstance(width, int) and width > max_items:
                too_big(text, width)
            return getattr(text, name)(width, *args)
        return pad

    def expandtabs(text, tabsize=8):
        if isinstance(tabsize, int) and tabsize > 0:
            size = len(text) + text.count("\t" if isinstance(text, str) else b"\t") * tabsize
            if size > max_items:
                too_big(text, size)
        return text.expandtabs(tabsize)

    def extend(items, more):
        if hasattr(more, "__len__") and len(items) + len(more) > max_items:
            too_big(items, len(items) + len(more))
        return items.extend(more)

    def to_bytes(number, length=1, *args, **kwargs):
        if isinstance(length, int) and length > max_items:
            too_big(b"", length)
        return number.to_bytes(length, *args, **kwargs)

    methods = {"join": (_TEXT, join), "replace": (_TEXT, replace),
               "expandtabs": (_TEXT, expandtabs), "extend": (list, extend),
               "to_bytes": (int, to_bytes)}
    for name in ("ljust", "rjust", "center", "zfill"):
        methods[name] = (_TEXT, padding(name))

    def guarded_getattr(obj, name, *default):
        value = safer_getattr(obj, name, *default)
        entry = methods.get(name)
        if entry is not None:
            types, guard = entry
            if isinstance(obj, types):
                return partial(guard, obj)
            if isinstance(obj, type) and issubclass(obj, types):
                return guard                        # unbound: str.join(separator, items)
        return value

    return {"_add_": add, "_mul_": mul, "_pow_": power, "_lshift_": lshift, "_mod_": mod,
            "_format_spec_": format_spec, "_inplacevar_": inplacevar,
            "_inplaceitem_": inplaceitem, "_getattr_": guarded_getattr,
            "pow": guarded_pow, "range": guarded_range, "sum": guarded_sum}


def _outside_evaluation() -> bool:
    """``_check_time_`` of code running when no evaluation is (a generator's finally)."""
    raise ScriptError("script code ran outside its evaluation")


def _builtins() -> dict:
    allowed = dict(safe_builtins)
    for name in ("sum", "min", "max", "any", "all", "enumerate", "sorted", "reversed", "list",
                 "dict", "set", "map", "filter", "zip", "range", "round", "abs", "len"):
        allowed[name] = __builtins__[name] if isinstance(__builtins__, dict) else getattr(
            __builtins__, name)
    allowed.update({
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_print_": None,
        "_check_time_": _outside_evaluation,
    })
    return allowed


# The guards live in __builtins__, so each evaluation copies only these globals.
GLOBALS = {"__builtins__": _builtins(), "add_days": add_days}
HELPERS = {"add_days"}


def restricted_globals(limits: ScriptLimits) -> dict:
    """GLOBALS whose builtins carry the size guards for ``limits``."""
    return {**GLOBALS, "__builtins__": {**GLOBALS["__builtins__"], **_guards(limits)}}


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
