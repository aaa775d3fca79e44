"""The OpenAPI description of the definition editor's routes (``api/definitions.py``)."""
from __future__ import annotations

from .openapi import _body, _errors, _json, _ref

KEY = {"name": "key", "in": "path", "required": True, "description": "Process id",
       "schema": {"type": "string", "maxLength": 100}}
FILES = {"type": "object", "required": ["bpmn"], "description": (
    "File name → text. BPMN and DMN names are plain file names; form names are relative "
    ".json paths inside the forms folder. At most 2 MiB a file and 8 MiB together."),
    "properties": {group: {"type": "object", "additionalProperties": {"type": "string"}}
                   for group in ("bpmn", "dmn", "forms")}}
LEVEL = {"enum": ["village", "township", "county", None],
         "description": "Acting level of tasks whose lane and properties name none"}
CHANGE = {"type": "object", "properties": {"what": {"type": "string"},
                                           "old": {"type": "string"},
                                           "new": {"type": "string"}}}

SCHEMAS = {
    "DefinitionVersion": {
        "type": "object", "required": ["id", "key", "version", "sha256", "deployed_at"],
        "properties": {"id": {"type": "integer"}, "key": {"type": "string"},
                       "version": {"type": "integer"}, "name": {"type": "string"},
                       "sha256": {"type": "string"},
                       "deployed_by": {"type": ["integer", "null"]},
                       "deployed_at": {"type": "string", "format": "date-time"},
                       "deployed_by_name": {"type": "string"},
                       "running": {"type": "integer"}, "finished": {"type": "integer"}}},
    "DefinitionFiles": FILES,
    "Draft": {
        "type": "object", "required": ["key", "revision", "files"],
        "properties": {"key": {"type": "string"}, "revision": {"type": "integer"},
                       "base_version": {"type": ["integer", "null"]},
                       "saved_by": {"type": "string"},
                       "saved_at": {"type": "string", "format": "date-time"},
                       "files": _ref("DefinitionFiles")}},
    "DefinitionError": {
        "type": "object", "required": ["error", "fields"],
        "properties": {"error": {"type": "string"}, "fields": {"type": "object"},
                       "file": {"type": "string", "description": "The file named"},
                       "element": {"type": "string", "description": "The element id named"}}},
}


def _invalid() -> dict:
    return {"422": _json(_ref("DefinitionError"), "Not deployable: the parser's message, "
                                                  "with the file and element it names")}


PATHS = {
    "/definitions": {"get": {
        "operationId": "listDefinitions",
        "summary": "Every process with its versions and case counts (administrators)",
        "responses": {"200": _json({"type": "object", "required": ["processes"], "properties": {
            "processes": {"type": "array", "items": {"type": "object", "properties": {
                "key": {"type": "string"}, "name": {"type": "string"},
                "draft_revision": {"type": ["integer", "null"]},
                "versions": {"type": "array", "items": _ref("DefinitionVersion")}}}}}},
            "Processes"), **_errors(401, 403)}}},
    "/definitions/{key}/versions/{number}": {"get": {
        "operationId": "getDefinitionVersion", "summary": "One version with its files",
        "parameters": [KEY, {"name": "number", "in": "path", "required": True,
                             "schema": {"type": "integer"}}],
        "responses": {"200": _json({"type": "object", "required": ["definition", "files"],
                                    "properties": {"definition": _ref("DefinitionVersion"),
                                                   "files": _ref("DefinitionFiles")}},
                                   "The version"), **_errors(401, 403, 404)}}},
    "/definitions/{key}/versions": {"post": {
        "operationId": "deployDefinition",
        "summary": "Deploy files as the next version (validated first; the draft goes)",
        "parameters": [KEY],
        "requestBody": _body({"type": "object", "required": ["files"], "properties": {
            "files": _ref("DefinitionFiles"), "level": LEVEL,
            "revision": {"type": "integer", "minimum": 0,
                         "description": "Draft revision the editor holds (0: none)"}}},
            "The files"),
        "responses": {"201": _json({"type": "object", "properties": {
            "definition": _ref("DefinitionVersion"), "created": {"type": "boolean"}}},
            "Deployed"), "200": _json({"type": "object"}, "Same files: no new version"),
            **_errors(400, 401, 403, 409), **_invalid()}}},
    "/definitions/{key}/draft": {
        "get": {"operationId": "getDraft", "summary": "The saved draft of a process",
                "parameters": [KEY],
                "responses": {"200": _json({"type": "object", "properties": {
                    "draft": _ref("Draft")}}, "The draft"), **_errors(401, 403, 404)}},
        "put": {"operationId": "saveDraft", "summary": "Save the editor's files as the draft",
                "parameters": [KEY],
                "requestBody": _body({"type": "object", "required": ["files"], "properties": {
                    "files": _ref("DefinitionFiles"),
                    "revision": {"type": "integer", "minimum": 0},
                    "base_version": {"type": ["integer", "null"]}}}, "The files"),
                "responses": {"200": _json({"type": "object", "properties": {
                    "draft": _ref("Draft")}}, "Saved"),
                    **_errors(400, 401, 403, 404, 409, 422)}},
        "delete": {"operationId": "discardDraft", "summary": "Throw the draft away",
                   "parameters": [KEY, {"name": "revision", "in": "query", "required": True,
                                        "schema": {"type": "integer"}}],
                   "responses": {"204": {"description": "Discarded"},
                                 **_errors(400, 401, 403, 409, 422)}}},
    "/definitions/{key}/validate": {"post": {
        "operationId": "validateDefinition",
        "summary": "Check files as deploy would, writing nothing", "parameters": [KEY],
        "requestBody": _body({"type": "object", "required": ["files"], "properties": {
            "files": _ref("DefinitionFiles"), "level": LEVEL}}, "The files"),
        "responses": {"200": _json({"type": "object", "properties": {
            "ok": {"type": "boolean"}, "key": {"type": "string"}, "name": {"type": "string"},
            "steps": {"type": "array", "items": {"type": "object"}}}}, "Deployable"),
            **_errors(400, 401, 403), **_invalid()}}},
    "/definitions/{key}/diff": {"get": {
        "operationId": "diffDefinitions",
        "summary": "Elements and files added, removed and changed between two versions",
        "parameters": [KEY, *({"name": name, "in": "query", "required": True,
                               "schema": {"type": "integer"}} for name in ("from", "to"))],
        "responses": {"200": _json({"type": "object", "properties": {
            "key": {"type": "string"}, "from_version": {"type": "integer"},
            "to_version": {"type": "integer"},
            **{name: {"type": "array", "items": {"type": "string"}}
               for name in ("added", "removed", "changed")},
            "elements": {"type": "array", "items": {"type": "object", "properties": {
                "file": {"type": "string"}, "element": {"type": "string"},
                "kind": {"type": "string"}, "name": {"type": "string"},
                "status": {"enum": ["added", "removed", "changed"]},
                "changes": {"type": "array", "items": CHANGE}}}},
            "files": {"type": "array", "items": {"type": "object", "properties": {
                "file": {"type": "string"}, "kind": {"enum": ["bpmn", "dmn", "form"]},
                "status": {"enum": ["added", "removed", "changed"]},
                "changes": {"type": "array", "items": CHANGE}}}}}}, "The diff"),
            **_errors(401, 403, 404, 422)}}},
    "/definitions/{key}/migrations": {"post": {
        "operationId": "migrateCases",
        "summary": "Move running cases to a newer version (dry run: report only)",
        "parameters": [KEY],
        "requestBody": _body({"type": "object", "required": ["to_version"], "properties": {
            "to_version": {"type": "integer"},
            "case_ids": {"type": ["array", "null"], "items": {"type": "integer"},
                         "maxItems": 1000},
            "dry_run": {"type": "boolean", "default": False}}}, "What to move"),
        "responses": {"200": _json({"type": "object", "properties": {
            "key": {"type": "string"}, "to_version": {"type": "integer"},
            "dry_run": {"type": "boolean"}, "moved": {"type": "integer"},
            "cases": {"type": "array", "items": {"type": "object", "properties": {
                "case_id": {"type": "integer"}, "title": {"type": "string"},
                "from_version": {"type": ["integer", "null"]},
                "to_version": {"type": "integer"}, "moved": {"type": "boolean"},
                "reason": {"type": "string"},
                "steps": {"type": "array", "items": {"type": "string"}}}}}}},
            "Case by case"), **_errors(400, 401, 403, 404, 422)}}},
}
