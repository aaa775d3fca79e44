"""One input-sanitising layer for every page, form and API call.

Registered on the app (not on a blueprint), so that every route gets it without doing
anything: before the view runs, the request body size, the query string, the URL's parts,
the form fields and the JSON body are checked against the limits below; a request outside
them is refused with 400 (413 for a body too large) naming the field and what is wrong,
before any permission, state or schema check reads it. Ids in URLs (``<int:…>``) stop at the
largest database integer: a larger one is simply not found (404).

A route that must take more (the definition editor's BPMN files) says so with
``@limits(body=…, text=…)``. The same limits are stated in the OpenAPI document
(``LIMITS``), so that clients and fuzzers know them.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

KIB = 1024
MIB = 1024 * KIB
LIMITS = {
    "body_bytes": 256 * KIB,      # a request body that is not a file upload
    "text_chars": 10_000,         # one string in JSON or a form field
    "query_chars": 500,           # one query-string argument or URL part
    "key_chars": 200,             # one JSON object key
    "json_depth": 20,             # nesting of JSON arrays and objects
    "array_items": 1_000,         # one JSON array
    "integer": 2 ** 53 - 1,       # largest JSON integer (exact in every JSON parser)
    "id": 2 ** 31 - 1,            # largest id in a URL (the database's integer)
}
# Control characters (other than tab, line feed and carriage return in text), and lone
# surrogates (JSON's "\ud800" escapes; no database stores them).
_BAD_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BAD_IN_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


class BadInput(Exception):
    """A request outside the limits: the field, what is wrong, and the HTTP status."""

    def __init__(self, field: str, problem: str, limit: int | None = None, status: int = 400):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem, self.limit, self.status = field, problem, limit, status

    def message(self, translate: bool = True) -> str:
        """What is wrong, in the user's language (in English for the API)."""
        text = PROBLEMS.get(self.problem, self.problem)
        return _(text, limit=self.limit) if translate else text % {"limit": self.limit}


def N_(text: str) -> str:  # noqa: N802 (Babel's marker for text translated later)
    return text


# The problems, marked for translation (the pages show them in the user's language).
PROBLEMS = {
    "control": N_("contains a control character (such as NUL)"),
    "surrogate": N_("contains an invalid character (a lone surrogate)"),
    "too_long": N_("is longer than %(limit)s characters"),
    "too_deep": N_("is nested deeper than %(limit)s levels"),
    "too_many": N_("has more than %(limit)s items"),
    "too_big": N_("is a number beyond ±%(limit)s"),
    "not_finite": N_("is not a finite number (NaN and Infinity are not allowed)"),
    "not_json": N_("is not valid JSON"),
    "body_too_large": N_("is larger than %(limit)s bytes"),
}


def limits(body: int | None = None, text: int | None = None):
    """Let one view take a larger body or longer strings than ``LIMITS`` allow."""
    def decorator(view):
        view.input_limits = {"body_bytes": body, "text_chars": text}
        return view
    return decorator


def _limit(name: str) -> int:
    view = current_app.view_functions.get(request.endpoint or "")
    custom = getattr(view, "input_limits", {}).get(name)
    return custom or current_app.config.get("INPUT_LIMITS", LIMITS)[name]


def check_text(field: str, value: str, limit: int, lines: bool = True) -> None:
    """Refuse control characters (but tab and line breaks where ``lines``), lone surrogates
    and strings past ``limit``."""
    if len(value) > limit:
        raise BadInput(field, "too_long", limit)
    found = (_BAD_IN_TEXT if lines else _BAD_IN_LINE).search(value)
    if found:
        raise BadInput(field, "surrogate" if found.group() >= "\ud800" else "control")


def check_json(value: Any, text_limit: int, field: str = "body") -> None:
    """Walk a parsed JSON value (without recursion) and refuse what is outside the limits."""
    depth_limit, items, big = LIMITS["json_depth"], LIMITS["array_items"], LIMITS["integer"]
    stack = [(field, value, 0)]
    while stack:
        where, item, depth = stack.pop()
        if isinstance(item, str):
            check_text(where, item, text_limit)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > big:
                raise BadInput(where, "too_big", big)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise BadInput(where, "not_finite")
        elif isinstance(item, (list, dict)):
            if depth >= depth_limit:
                raise BadInput(where, "too_deep", depth_limit)
            if isinstance(item, list):
                if len(item) > items:
                    raise BadInput(where, "too_many", items)
                stack.extend((f"{where}[{i}]", v, depth + 1) for i, v in enumerate(item))
            else:
                for key, v in item.items():
                    check_text(f"{where}.{key[:40]}", key, LIMITS["key_chars"])
                    stack.append((f"{where}.{key}" if where != "body" else key, v, depth + 1))


def _no_constant(name: str):
    raise BadInput("body", "not_finite")


class StrictJSON:
    """The JSON parser of requests: no NaN or Infinity, no overlong numbers, no deep nesting.

    Its refusals are ``BadInput`` (not ValueError), so that even ``get_json(silent=True)``
    passes them on to the refusal handler."""

    @staticmethod
    def loads(data, **kwargs):
        """Parse a request body; ValueError for anything this layer refuses."""
        if isinstance(data, (bytes, bytearray)):  # as json.loads decodes it
            data = data.decode(json.detect_encoding(data), "surrogatepass")
        elif data.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
        try:
            return _DECODER.decode(data)
        except RecursionError:
            raise BadInput("body", "too_deep", LIMITS["json_depth"]) from None

    @staticmethod
    def dumps(value, **kwargs):
        """Serialise (used by Werkzeug only for tests' ``json=`` bodies)."""
        return json.dumps(value, **kwargs)


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 20:  # before int(): a 1 MB digit string costs quadratic time
        raise BadInput("body", "too_big", LIMITS["integer"])
    return int(text)


# One decoder for every request (``json.loads`` with hooks would build one per call).
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_int=_bounded_int)


class SafeRequest(Request):
    """Flask's request with the strict JSON parser and a message naming what is wrong."""

    @property
    def json_module(self):
        """The strict parser, whatever Flask assigns (it sets the app's JSON provider)."""
        return StrictJSON

    @json_module.setter
    def json_module(self, _value) -> None:
        pass

    def on_json_loading_failed(self, e: ValueError | None):
        """Refuse an unparsable body as bad input rather than a bare 400."""
        raise BadInput("body", "not_json") from e


class BoundedInt(IntegerConverter):
    """``<int:…>`` in URLs: ids beyond the database's integer do not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, LIMITS["id"] if max is None else max, signed)


def check_request() -> None:
    """The before-request hook: body size, URL parts, query, form fields and JSON."""
    if request.endpoint in ("static", "vendor.asset", "vendor.scoped"):
        return
    body_limit = _limit("body_bytes")
    if request.mimetype != "multipart/form-data":
        request.max_content_length = body_limit
        if (request.content_length or 0) > body_limit:
            raise BadInput("body", "body_too_large", body_limit, status=413)
    short, text = LIMITS["query_chars"], _limit("text_chars")
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            check_text(name, value, short, lines=False)
    for name, value in request.args.items(multi=True):
        check_text(name, name, short, lines=False)
        check_text(name, value, short, lines=False)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, value in request.form.items(multi=True):
            check_text(name, name, LIMITS["key_chars"], lines=False)
            check_text(name, value, text)
        for name, upload in request.files.items(multi=True):
            check_text(name, upload.filename or "", short, lines=False)
    elif request.is_json and request.content_length != 0:
        check_json(request.get_json(), text)


def refuse(err: BadInput):
    """The refusal: JSON under /api/, else the localised error page."""
    from .errors import page

    problem = err.message(translate=not request.path.startswith("/api/"))
    return page(err.status, _("Request refused") if err.status == 400 else
                _("Request too large"), f"{err.field}: {problem}", {err.field: problem})


def init_app(app: Flask) -> None:
    """Install the request class, the URL converter, the hook and the refusal handler."""
    app.request_class = SafeRequest
    app.url_map.converters["int"] = BoundedInt
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
    app.register_error_handler(BadInput, refuse)
