"""The OpenAPI description of the supervision routes (``api/supervision.py``)."""
from __future__ import annotations

from .openapi_projects import _body, _errors, _json

TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS = {
    "Notification": {"type": "object", "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["supervision", "urge", "returned", "assigned", "taken_over",
                          "due_tomorrow", "visit_due"]},
        "case_id": {"type": ["integer", "null"]}, "work_item_id": {"type": ["integer", "null"]},
        "supervision_id": {"type": ["integer", "null"]},
        "data": {"type": "object", "description": "What the message says (case title, step, "
                                                  "who, note, days overdue …)"},
        "created_at": TIME, "read_at": NULLABLE_TIME}},
    "Supervision": {"type": "object", "description": "A 督办 item", "properties": {
        "id": {"type": "integer"}, "level": {"type": "string"}, "area_code": {"type": "string"},
        "tier": {"type": "integer"}, "opened_at": TIME, "due_at": NULLABLE_TIME,
        "closed_at": NULLABLE_TIME, "outcome": {"enum": ["", "done", "cancelled"]},
        "case_id": {"type": "integer"}, "case_title": {"type": "string"},
        "work_item_id": {"type": "integer"}, "step": {"type": "string"},
        "step_level": {"type": "string"}, "step_area": {"type": "string"},
        "step_due_at": TIME, "days_overdue": {"type": "integer"},
        "holder": {"type": "string"}, "last_urged_at": NULLABLE_TIME,
        "overdue": {"type": "boolean"}}},
}

PATHS = {
    "/notifications": {"get": {
        "operationId": "listNotifications", "summary": "The user's notifications",
        "parameters": [{"name": "unread", "in": "query", "required": False,
                        "schema": {"enum": ["1"]}},
                       {"name": "page", "in": "query", "required": False,
                        "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": _json({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Notification"}},
            "unread": {"type": "integer"}, "page": {"type": "integer"},
            "has_next": {"type": "boolean"}}}, "Notifications"), **_errors(401)}}},
    "/notifications/read": {"post": {
        "operationId": "markNotificationsRead", "summary": "Mark notifications read",
        "requestBody": _body({"type": "object", "properties": {
            "ids": {"type": "array", "items": {"type": "integer"}}}},
            "The notifications (none: all)"),
        "responses": {"200": _json({"type": "object", "properties": {
            "marked": {"type": "integer"}}}, "How many were marked"),
            **_errors(400, 401, 422)}}},
    "/supervisions": {"get": {
        "operationId": "listSupervisions",
        "summary": "督办 items of the user's level and area",
        "parameters": [{"name": "all", "in": "query", "required": False,
                        "schema": {"enum": ["1"]}}],
        "responses": {"200": _json({"type": "object", "properties": {
            "supervisions": {"type": "array",
                             "items": {"$ref": "#/components/schemas/Supervision"}}}},
            "督办 items"), **_errors(401)}}},
    "/tasks/{item_id}/urge": {"post": {
        "operationId": "urgeTask", "summary": "Urge (催办) the holder of a work item",
        "parameters": [{"name": "item_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "requestBody": _body({"type": "object", "properties": {
            "note": {"type": "string", "maxLength": 500}}}, "A note to the holder"),
        "responses": {"201": _json({"type": "object"}, "Urged"),
                      **_errors(400, 401, 403, 404, 409, 422)}}},
    "/overdue": {"get": {
        "operationId": "overdueBoard", "summary": "The overdue board (township, county)",
        "parameters": [{"name": "area", "in": "query", "required": False,
                        "schema": {"type": "string"}}],
        "responses": {"200": _json({"type": "object"}, "Rows by area, overdue steps, cases "
                                                       "at risk"), **_errors(401, 403)}}},
}
