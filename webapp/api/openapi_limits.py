"""The limits of the input layer (``webapp.sanitize``) written into the OpenAPI document:
every parameter and request body states its ``maxLength``, ``maximum`` and ``maxItems``,
and every operation its 400 (and 413 where it takes a body)."""
from __future__ import annotations

from ..helpers import MAX_PAGE
from ..sanitize import LIMITS


def _bound(schema, components: dict, text: int, seen: set) -> None:
    """Fill in the input layer's limits where a request schema states none."""
    if isinstance(schema, list):
        for item in schema:
            _bound(item, components, text, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/") and ref not in seen:
        seen.add(ref)
        _bound(components[ref.rsplit("/", 1)[1]], components, text, seen)
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if "string" in kinds:
        schema.setdefault("maxLength", text)
    if kinds & {"integer", "number"}:
        schema.setdefault("maximum", LIMITS["integer"])
        schema.setdefault("minimum", -LIMITS["integer"])
    if "array" in kinds:
        schema.setdefault("maxItems", LIMITS["array_items"])
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            for sub in value.values():
                _bound(sub, components, text, seen)
        elif key in ("items", "allOf", "anyOf", "oneOf", "additionalProperties"):
            _bound(value, components, text, seen)


def limited(document: dict) -> dict:
    """The document with the limits of ``webapp.sanitize`` on every parameter and body."""
    components, seen = document["components"]["schemas"], set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if schema.get("type") == "integer":
                    path = parameter["in"] == "path"
                    schema.setdefault("minimum", 1 if path else schema.get("minimum", 1))
                    schema.setdefault("maximum", LIMITS["id"] if path else MAX_PAGE)
                _bound(schema, components, LIMITS["query_chars"], seen)
            body = operation.get("requestBody")
            if body:
                _bound(body["content"]["application/json"]["schema"], components,
                       LIMITS["text_chars"], seen)
            responses = operation["responses"]
            responses.setdefault("400", {"$ref": "#/components/responses/E400"})
            responses.setdefault("414", {"$ref": "#/components/responses/E414"})
            if body:
                responses.setdefault("413", {"$ref": "#/components/responses/E413"})
    document["info"]["description"] += (
        " Every request is checked before anything else: a body that is not a file upload "
        f"is at most {LIMITS['body_bytes']} bytes; a JSON string at most "
        f"{LIMITS['text_chars']} characters (query arguments {LIMITS['query_chars']}), "
        "without control characters other than tab and line breaks (none in query "
        "arguments) and without lone surrogates; JSON nests at most "
        f"{LIMITS['json_depth']} levels, an array holds at most {LIMITS['array_items']} "
        f"items, numbers are finite and integers within ±{LIMITS['integer']}; ids in URLs "
        f"go up to {LIMITS['id']}. A request outside these limits is refused with 400 "
        "(413 for the body size) naming the field.")
    return document
