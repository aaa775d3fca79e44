"""The guards that compiled scripts call: sizes checked before anything is built, and the
builtins and globals every evaluation starts from."""
from __future__ import annotations

import operator
import re
from functools import partial
from math import log2

from RestrictedPython import safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (full_write_guard, guarded_iter_unpack_sequence,
                                     guarded_unpack_sequence, safer_getattr)

from ..errors import ScriptError
from .limits import ScriptLimits, add_days

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

