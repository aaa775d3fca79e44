"""The OpenAPI 3.1 description of /api/v1, written by hand next to the routes it describes.

``tests/webapp/test_api.py`` validates it and checks that it lists every route of the
blueprint with the same methods.
"""
from __future__ import annotations

import copy

from . import openapi_elimination, openapi_projects, openapi_supervision
from .openapi_limits import limited

NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": ["string", "null"], "format": "date-time"}
DATE = {"type": ["string", "null"], "format": "date"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _body(schema: dict, description: str) -> dict:
    return {"required": True, "description": description,
            "content": {"application/json": {"schema": schema}}}


ITEM_ID = {"name": "item_id", "in": "path", "required": True,
           "description": "Work item id", "schema": {"type": "integer"}}
PAGE = {"name": "page", "in": "query", "required": False, "description": "Page, from 1",
        "schema": {"type": "integer", "minimum": 1, "default": 1}}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "fields"],
        "properties": {
            "error": {"type": "string", "description": "One-line message"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Field path → message (form errors)"}}},
    "User": {
        "type": "object", "required": ["id", "username", "level", "area_code", "roles"],
        "properties": {
            "id": {"type": "integer"}, "username": {"type": "string"},
            "display_name": {"type": "string"},
            "level": {"enum": ["village", "township", "county"]},
            "area_code": {"type": "string"},
            "roles": {"type": "array",
                      "items": {"enum": ["staff", "admin", "auditor", "lead"]}}}},
    "WorkItem": {
        "type": "object",
        "required": ["id", "case_id", "task", "title", "level", "area_code", "status",
                     "due_at", "overdue", "assignee_id", "case_title"],
        "properties": {
            "id": {"type": "integer"}, "case_id": {"type": "integer"},
            "task": {"type": "string", "description": "BPMN task id"},
            "title": {"type": "string"},
            "level": {"enum": ["village", "township", "county"]},
            "area_code": {"type": "string"},
            "status": {"enum": ["open", "completed", "cancelled"]},
            "form": NULLABLE_STRING,
            "assignee_id": {"type": ["integer", "null"]},
            "assignee": NULLABLE_STRING,
            "case_title": {"type": "string",
                           "description": "What the case is about, e.g. the head of household"},
            "process_key": {"type": "string"},
            "created_at": DATETIME, "due_at": DATETIME,
            "overdue": {"type": "boolean"},
            "completed_at": DATETIME, "completed_by": {"type": ["integer", "null"]},
            "completed_by_name": NULLABLE_STRING}},
    "Household": {
        "type": "object", "required": ["id", "head_name", "id_number", "village_code"],
        "properties": {
            "id": {"type": "integer"}, "head_name": {"type": "string"},
            "id_number": {"type": "string", "description": "Masked: 360799********4515"},
            "members": {"type": "integer"}, "village_code": {"type": "string"},
            "household_type": {"type": "string"},
            "income_per_head": {"type": ["number", "null"]},
            "phone": {"type": "string", "description": "Detail only"}}},
    "NewHousehold": {
        "type": "object", "required": ["head_name", "id_number", "village_code"],
        "properties": {
            "head_name": {"type": "string", "minLength": 1, "maxLength": 50},
            "id_number": {"type": "string", "description": "18-character resident ID",
                          "minLength": 18, "maxLength": 18},
            "village_code": {"type": "string", "description": "12-digit village code",
                             "maxLength": 12},
            "members": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1},
            "household_type": {"type": "string", "maxLength": 20},
            "income_per_head": {"type": ["number", "null"], "minimum": -9999999999.99,
                                "maximum": 9999999999.99},
            "phone": {"type": "string", "maxLength": 20}}},
    "CaseBrief": {
        "type": "object",
        "required": ["id", "process_key", "title", "status", "deadline", "overdue", "version"],
        "properties": {
            "id": {"type": "integer"}, "process_key": {"type": "string"},
            "title": {"type": "string", "description": "What the case is about"},
            "subject_kind": {"type": ["string", "null"], "examples": ["household"]},
            "subject_id": {"type": ["integer", "null"]},
            "area_code": {"type": "string"},
            "status": {"enum": ["running", "completed", "rejected", "cancelled"]},
            "outcome": {"type": "string"}, "outcome_reason": {"type": "string"},
            "deadline_from": DATE, "deadline": DATETIME, "deadline_met_at": DATETIME,
            "overdue": {"type": "boolean"},
            "started_at": DATETIME, "ended_at": DATETIME,
            "version": {"type": "integer", "description": "For optimistic locking"}}},
    "Fact": {
        "type": "object", "required": ["key", "label", "value", "text"],
        "description": "One line of the case summary, as the case's procedure gives it",
        "properties": {
            "key": {"type": "string"}, "label": {"type": "string"},
            "value": {"description": "The stored value (dates as YYYY-MM-DD)"},
            "text": {"type": "string", "description": "The value in words"}}},
    "Event": {
        "type": "object", "required": ["seq", "at", "event"],
        "properties": {
            "seq": {"type": "integer"}, "at": DATETIME, "event": {"type": "string"},
            "task": NULLABLE_STRING, "work_item_id": {"type": ["integer", "null"]},
            "actor_id": {"type": ["integer", "null"]}, "actor": NULLABLE_STRING,
            "data": {"type": "object"}, "comment": {"type": "string"},
            "hash": {"type": "string"}}},
    "Attachment": {
        "type": "object", "required": ["id", "filename", "content_type", "size", "url"],
        "properties": {
            "id": {"type": "integer"}, "kind": {"type": "string"},
            "filename": {"type": "string"}, "content_type": {"type": "string"},
            "size": {"type": "integer"}, "sha256": {"type": "string"},
            "work_item_id": {"type": ["integer", "null"]},
            "uploaded_by": {"type": "integer"}, "uploaded_at": DATETIME,
            "url": {"type": "string", "description": "Download (session or token)"}}},
    "Form": {
        "type": "object", "required": ["ref", "schema", "ui"],
        "properties": {
            "ref": {"type": "string"}, "title": {"type": "string"},
            "instructions": {"type": "string"},
            "schema": {"type": "object", "description": "JSON Schema of the data"},
            "ui": {"type": "object", "description": "UI hints: order, widgets, labels"},
            "order": {"type": "array", "items": {"type": "string"}},
            "decisions": {"type": "array", "items": {"enum": ["approve", "reject",
                                                              "return"]}}}},
}

RESPONSES = {
    f"E{code}": _json(_ref("Error"), text) for code, text in [
        (400, "Bad request (not JSON, unknown view, CSRF check failed)"),
        (401, "No valid token or session"),
        (403, "Not allowed for this user (level, area, role or claim)"),
        (404, "No such item, case, household or process"),
        (409, "Stale case version, item already handled, or duplicate"),
        (413, "Request body larger than the limit"),
        (422, "Invalid data: `fields` maps each field to its message"),
        (429, "Too many attempts")]}
# A request line longer than the HTTP server takes (gunicorn: 4094 bytes) never reaches the
# app: the server answers it with a short HTML page.
RESPONSES["E414"] = {"description": "Request line (path and query) too long for the server",
                     "content": {"text/html": {"schema": {"type": "string"}}}}

PATHS = {
    "/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This OpenAPI document", "security": [],
        "responses": {"200": _json({"type": "object"}, "The document")}}},
    "/tokens": {
        "post": {
            "operationId": "issueToken", "security": [],
            "summary": "Exchange user name and password for an API token (rate-limited)",
            "description": "Issuing a token replaces the user's previous token.",
            "requestBody": _body({"type": "object", "required": ["username", "password"],
                                  "properties": {
                                      "username": {"type": "string", "maxLength": 64},
                                      "password": {"type": "string", "maxLength": 1000}}},
                                 "Credentials"),
            "responses": {"201": _json({"type": "object", "required": ["token", "user"],
                                        "properties": {"token": {"type": "string"},
                                                       "user": _ref("User")}},
                                       "The new token; keep it secret"),
                          **_errors(400, 401, 422, 429)}},
        "delete": {
            "operationId": "revokeToken", "summary": "Revoke the current user's API token",
            "responses": {"204": {"description": "Revoked"}, **_errors(400, 401)}}},
    "/me": {"get": {
        "operationId": "me", "summary": "The current user (and CSRF token for sessions)",
        "responses": {"200": _json({"type": "object", "required": ["user", "auth"],
                                    "properties": {
                                        "user": _ref("User"),
                                        "auth": {"enum": ["token", "session"]},
                                        "csrf_token": {"type": "string"}}}, "The user"),
                      **_errors(401)}}},
    "/inbox": {"get": {
        "operationId": "inbox", "summary": "One page of an inbox view, with all counts",
        "parameters": [{"name": "view", "in": "query", "required": False,
                        "schema": {"enum": ["mine", "unclaimed", "overdue", "today", "done",
                                            "all"], "default": "all"}}, PAGE],
        "responses": {"200": _json({
            "type": "object", "required": ["view", "page", "has_next", "items", "counts"],
            "properties": {"view": {"type": "string"}, "page": {"type": "integer"},
                           "page_size": {"type": "integer"},
                           "has_next": {"type": "boolean"},
                           "items": {"type": "array", "items": _ref("WorkItem")},
                           "counts": {"type": "object",
                                      "description": "Items per view; done is counted up to "
                                                     "1001, which means more than 1000",
                                      "additionalProperties": {"type": "integer"}}}},
            "Items, overdue first, then by due time"), **_errors(400, 401)}}},
    "/tasks/{item_id}": {"get": {
        "operationId": "getTask", "summary": "A work item with its case and form",
        "parameters": [ITEM_ID],
        "responses": {"200": _json({
            "type": "object", "required": ["item", "case", "form", "case_version", "can_act"],
            "properties": {
                "item": _ref("WorkItem"), "process_name": {"type": "string"},
                "documentation": {"type": "string"},
                "form": {"oneOf": [_ref("Form"), {"type": "null"}]},
                "case": {"allOf": [_ref("CaseBrief"), {
                    "type": "object",
                    "properties": {"facts": {"type": "array", "items": _ref("Fact")}}}]},
                "case_version": {"type": "integer",
                                 "description": "Send back when completing"},
                "attachments": {"type": "array", "items": _ref("Attachment")},
                "can_act": {"type": "boolean"}, "can_claim": {"type": "boolean"},
                "can_unclaim": {"type": "boolean"}, "can_attach": {"type": "boolean"},
                "can_take_over": {"type": "boolean"}}},
            "The task"), **_errors(401, 403, 404)}}},
    "/tasks/{item_id}/complete": {"post": {
        "operationId": "completeTask", "summary": "Complete a work item with form data",
        "parameters": [ITEM_ID],
        "requestBody": _body({
            "type": "object", "required": ["data", "case_version"],
            "properties": {"data": {"type": "object",
                                    "description": "Valid against the task's form schema"},
                           "comment": {"type": "string"},
                           "case_version": {"type": "integer"}}}, "Form data"),
        "responses": {"200": _json({
            "type": "object", "required": ["completed", "case_id", "case_version", "items"],
            "properties": {"completed": {"type": "integer"}, "case_id": {"type": "integer"},
                           "case_version": {"type": "integer",
                                            "description": "The case version now stored"},
                           "items": {"type": "array", "items": _ref("WorkItem"),
                                     "description": "Work items that became ready"}}},
            "Completed"), **_errors(400, 401, 403, 404, 409, 422)}}},
    "/tasks/{item_id}/claim": {"post": {
        "operationId": "claimTask", "summary": "Take an unclaimed work item",
        "parameters": [ITEM_ID],
        "responses": {"200": _json({"type": "object", "required": ["item"],
                                    "properties": {"item": _ref("WorkItem")}}, "Claimed"),
                      **_errors(400, 401, 403, 404, 409)}}},
    "/tasks/{item_id}/unclaim": {"post": {
        "operationId": "unclaimTask", "summary": "Give a claimed work item back",
        "parameters": [ITEM_ID],
        "responses": {"200": _json({"type": "object", "required": ["item"],
                                    "properties": {"item": _ref("WorkItem")}}, "Returned"),
                      **_errors(400, 401, 403, 404, 409)}}},
    "/tasks/{item_id}/reassign": {"post": {
        "operationId": "reassignTask",
        "summary": "Hand a work item to a colleague of its level and area (转办)",
        "parameters": [ITEM_ID],
        "requestBody": _body({
            "type": "object", "required": ["to_user"],
            "properties": {"to_user": {"type": "integer", "description": "The colleague's id"},
                           "comment": {"type": "string"}}}, "The colleague"),
        "responses": {"200": _json({"type": "object", "required": ["item"],
                                    "properties": {"item": _ref("WorkItem")}}, "Handed over"),
                      **_errors(400, 401, 403, 404, 409, 422)}}},
    "/tasks/{item_id}/take-over": {"post": {
        "operationId": "takeOverTask",
        "summary": "Take over (接管) an item a colleague claimed: an administrator, or the lead "
                   "of its level and area; audited with the reason",
        "parameters": [ITEM_ID],
        "requestBody": _body({
            "type": "object", "required": ["reason"],
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500},
                           "to_user": {"type": ["integer", "null"], "description":
                                       "A colleague to hand it to; default: the caller if "
                                       "they may act on it, else back to the group"},
                           "holder": {"type": ["integer", "null"], "description":
                                      "Who the caller saw holding it: 409 if it moved"}}},
            "Why, and to whom"),
        "responses": {"200": _json({"type": "object", "required": ["item"],
                                    "properties": {"item": _ref("WorkItem")}}, "Taken over"),
                      **_errors(400, 401, 403, 404, 409, 422)}}},
    "/cases": {"post": {
        "operationId": "startCase", "summary": "Start a case from its start form's data",
        "requestBody": _body({
            "type": "object", "required": ["key", "data"],
            "properties": {"key": {"type": "string",
                                   "examples": ["monitoring_identification"]},
                           "data": {"type": "object"}, "comment": {"type": "string"}}},
            "Process key and start data"),
        "responses": {"201": _json({
            "type": "object", "required": ["case", "items"],
            "properties": {"case": _ref("CaseBrief"),
                           "items": {"type": "array", "items": _ref("WorkItem")}}},
            "Started"), **_errors(400, 401, 403, 404, 409, 422)}}},
    "/cases/{case_id}": {"get": {
        "operationId": "getCase", "summary": "A case with its items, trail and attachments",
        "parameters": [{"name": "case_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": _json({"allOf": [_ref("CaseBrief"), {
            "type": "object",
            "required": ["items", "events", "attachments", "trail"],
            "properties": {
                "definition": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "key": {"type": "string"},
                    "version": {"type": "integer"}, "name": {"type": "string"}}},
                "process_name": {"type": "string"},
                "outcome_label": {"type": "string", "description": "The outcome in words"},
                "facts": {"type": "array", "items": _ref("Fact")},
                "can_cancel": {"type": "boolean"}, "can_attach": {"type": "boolean"},
                "items": {"type": "array", "items": _ref("WorkItem")},
                "events": {"type": "array", "items": _ref("Event")},
                "trail": {"type": "object", "properties": {
                    "ok": {"type": "boolean"}, "events": {"type": "integer"},
                    "problem": {"type": "string"}}},
                "attachments": {"type": "array", "items": _ref("Attachment")}}}]},
            "The case"), **_errors(401, 403, 404)}}},
    "/households": {
        "get": {
            "operationId": "listHouseholds",
            "summary": "Search households by name or ID-number ending, and village",
            "parameters": [{"name": "q", "in": "query", "required": False,
                            "schema": {"type": "string", "maxLength": 50}},
                           {"name": "village", "in": "query", "required": False,
                            "schema": {"type": "string"}}, PAGE],
            "responses": {"200": _json({
                "type": "object", "required": ["households", "page", "has_next"],
                "properties": {"page": {"type": "integer"}, "page_size": {"type": "integer"},
                               "has_next": {"type": "boolean"},
                               "households": {"type": "array",
                                              "items": _ref("Household")}}}, "Households"),
                **_errors(400, 401)}},
        "post": {
            "operationId": "addHousehold", "summary": "Register a household",
            "requestBody": _body(_ref("NewHousehold"), "The household"),
            "responses": {"201": _json({"type": "object", "required": ["household"],
                                        "properties": {"household": _ref("Household")}},
                                       "Registered"),
                          **_errors(400, 401, 403, 409, 422)}}},
    "/households/{household_id}": {"get": {
        "operationId": "getHousehold", "summary": "A household and its cases",
        "parameters": [{"name": "household_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": _json({
            "type": "object", "required": ["household", "cases"],
            "properties": {"household": _ref("Household"),
                           "cases": {"type": "array", "items": _ref("CaseBrief")}}},
            "The household"), **_errors(401, 403, 404)}}},
}

PATHS.update(openapi_projects.PATHS)
SCHEMAS.update(openapi_projects.SCHEMAS)
PATHS.update(openapi_supervision.PATHS)
SCHEMAS.update(openapi_supervision.SCHEMAS)
PATHS.update(openapi_elimination.PATHS)
SCHEMAS.update(openapi_elimination.SCHEMAS)

# The definition editor's routes are described beside them (they need the helpers above).
from .openapi_definitions import PATHS as _EDITOR_PATHS  # noqa: E402
from .openapi_definitions import SCHEMAS as _EDITOR_SCHEMAS  # noqa: E402

PATHS.update(_EDITOR_PATHS)
SCHEMAS.update(_EDITOR_SCHEMAS)

_DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Dixian (底线) API", "version": "1.0.0",
        "description": (
            "The JSON API of Dixian. Authenticate with `Authorization: Bearer <token>` "
            "(POST /tokens) or a browser session; session writes need the `X-CSRFToken` "
            "header (GET /me gives the token). A user of level L and area A sees and acts "
            "on level-L work items in A or below; auditors only read. Errors are "
            "`{\"error\": \"...\", \"fields\": {...}}`.")},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}, {"session": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS, "responses": RESPONSES,
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
}


_DOCUMENT = limited(_DOCUMENT)


def document() -> dict:
    """A copy of the document, safe to change."""
    return copy.deepcopy(_DOCUMENT)
