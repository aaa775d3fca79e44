"""The OpenAPI description of the risk elimination routes (``api/elimination.py``)."""
from __future__ import annotations

from .openapi_projects import _body, _errors, _json

TIME = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "maxLength": 10, "description": "YYYY-MM-DD"}
HOUSEHOLD = {"name": "household_id", "in": "path", "required": True,
             "schema": {"type": "integer"}}
CASE = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ENTRY = {"type": "object", "properties": {
    "case_id": {"type": "integer"}, "entered_by": {"type": "string"}, "entered_at": TIME,
    "note": {"type": "string"}}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SCHEMAS = {
    "EliminationCondition": {"type": "object", "properties": {
        "key": {"enum": ["monitored", "income_stable", "costs_resolved", "guarantees",
                         "monitored_long_enough", "aid_measure", "labour_capacity"]},
        "ok": {"type": "boolean"}, "label": {"type": "string"},
        "label_en": {"type": "string"}, "detail": {"type": "string"},
        "detail_en": {"type": "string"}}},
    "NationalEntry": ENTRY,
}

PATHS = {
    "/households/{household_id}/elimination-conditions": {"get": {
        "operationId": "eliminationConditions",
        "summary": "Whether each condition of risk elimination holds for the household",
        "parameters": [HOUSEHOLD],
        "responses": {"200": _json({"type": "object", "properties": {
            "household_id": {"type": "integer"}, "met": {"type": "boolean"},
            "conditions": {"type": "array",
                           "items": {"$ref": "#/components/schemas/EliminationCondition"}}}},
            "The conditions"), **_errors(401, 403, 404)}}},
    "/households/{household_id}/elimination-rollback": {"post": {
        "operationId": "rollBackElimination",
        "summary": "回退: county staff restore monitoring of an eliminated household",
        "parameters": [HOUSEHOLD],
        "requestBody": _body({"type": "object", "required": ["reason"], "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 500}}}, "Why"),
        "responses": {"200": _json({"type": "object", "properties": {"rollback": {
            "type": "object", "properties": {
                "household_id": {"type": "integer"}, "case_id": {"type": ["integer", "null"]},
                "mode": {"type": "string"}, "eliminated_at": {"type": ["string", "null"]},
                "reason": {"type": "string"}}}}}, "Monitored again"),
            **_errors(401, 403, 404, 409, 422)}}},
    "/households/{household_id}/monitoring-history": {"get": {
        "operationId": "monitoringHistory",
        "summary": "The household's monitoring status changes (taken in, eliminated, rolled "
                   "back)",
        "parameters": [HOUSEHOLD],
        "responses": {"200": _json({"type": "object", "properties": {"history": {
            "type": "array", "items": {"type": "object", "properties": {
                "event": {"enum": ["taken_in", "eliminated", "rolled_back"]}, "at": TIME,
                "case_id": {"type": ["integer", "null"]}, "mode": {"type": "string"},
                "reason": {"type": "string"}, "actor": {"type": "string"}}}}}},
            "The history"), **_errors(401, 403, 404)}}},
    "/cases/{case_id}/national-entry": {"post": {
        "operationId": "recordNationalEntry",
        "summary": "Record that an approved household case was entered into "
                   "全国防返贫监测信息系统 (county staff, once)",
        "parameters": [CASE],
        "requestBody": _body({"type": "object", "properties": {
            "note": {"type": "string", "maxLength": 200}}}, "A note (optional)"),
        "responses": {"201": _json({"type": "object", "properties": {
            "entry": {"$ref": "#/components/schemas/NationalEntry"}}}, "Recorded"),
            **_errors(401, 403, 404, 409, 422)}}},
    "/national/cases": {"get": {
        "operationId": "nationalCases",
        "summary": "Household cases of the user's area that ended approved, with their "
                   "national entry",
        "parameters": [{"name": "start", "in": "query", "required": False, "schema": DAY},
                       {"name": "end", "in": "query", "required": False, "schema": DAY}],
        "responses": {"200": _json({"type": "object", "properties": {"cases": {
            "type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "process_key": {"type": "string"}, "area_code": {"type": "string"},
                "household_id": {"type": ["integer", "null"]}, "ended_at": TIME,
                "entry": {"oneOf": [{"$ref": "#/components/schemas/NationalEntry"},
                                    {"type": "null"}]}}}}}}, "The cases"),
            **_errors(401, 403, 422)}}},
    "/national/export": {"post": {
        "operationId": "exportNational",
        "summary": "The workbook for the national system: new and eliminated monitoring "
                   "objects of the user's area and their members (audited)",
        "requestBody": _body({"type": "object", "properties": {"start": DAY, "end": DAY}},
                             "The date range (optional): taken-in or eliminated dates"),
        "responses": {"200": {"description": "The workbook", "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}}}},
            **_errors(401, 403, 422)}}},
}
