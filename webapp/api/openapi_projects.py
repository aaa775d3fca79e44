"""The OpenAPI description of the project library's routes (``api/projects.py``), merged into
the document by ``openapi.py``."""
from __future__ import annotations

MONEY = {"type": "number", "description": "Yuan, two decimals"}
DATE = {"type": "string", "format": "date"}
PROJECT_ID = {"name": "project_id", "in": "path", "required": True,
              "schema": {"type": "integer"}}
TYPES = ["industry", "employment", "three_guarantees", "rural_construction", "management_fee"]
SOURCES = ["central", "provincial", "municipal", "county", "other"]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict, description: str) -> dict:
    return {"required": True, "description": description,
            "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _one(name: str, schema: str, description: str) -> dict:
    return _json({"type": "object", "required": [name], "properties": {name: _ref(schema)}},
                 description)


FILTERS = [{"name": "year", "in": "query", "required": False, "schema": {"type": "integer"}},
           {"name": "type", "in": "query", "required": False, "schema": {"enum": TYPES}},
           {"name": "status", "in": "query", "required": False,
            "schema": {"enum": ["proposed", "admitted", "rejected", "withdrawn"]}},
           {"name": "area", "in": "query", "required": False, "schema": {"type": "string"},
            "description": "A township or village code inside the user's area"},
           {"name": "emergency", "in": "query", "required": False, "schema": {"enum": ["1"]},
            "description": "Only urgent (emergency-mode) projects"},
           {"name": "q", "in": "query", "required": False,
            "schema": {"type": "string", "maxLength": 50}}]

SCHEMAS = {
    "Campaign": {
        "type": "object", "required": ["id", "name", "first_year", "last_year", "guide_due",
                                       "intake_due", "entry_due"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                       "first_year": {"type": "integer"}, "last_year": {"type": "integer"},
                       "guide_due": DATE, "intake_due": DATE, "entry_due": DATE}},
    "Project": {
        "type": "object",
        "required": ["id", "name", "project_type", "area_code", "year", "status", "budget",
                     "budget_total", "performance_targets"],
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "project_type": {"enum": TYPES}, "area_code": {"type": "string"},
            "village": {"type": "string"}, "township": {"type": "string"},
            "cross_village": {"type": "boolean"}, "year": {"type": "integer"},
            "status": {"enum": ["proposed", "admitted", "rejected", "withdrawn"]},
            "emergency": {"type": "boolean"}, "emergency_cause": {"type": "string"},
            "priority": {"type": "boolean", "description": "Funded first (urgent projects)"},
            "engineering": {"type": "boolean"}, "department": {"type": "string"},
            "content": {"type": "string"},
            "budget": {"type": "object", "additionalProperties": MONEY,
                       "description": "Fund source → yuan"},
            "budget_total": MONEY, "beneficiary_households": {"type": "integer"},
            "beneficiary_people": {"type": "integer"},
            "monitoring_households": {"type": "integer"},
            "benefit_mechanism": {"type": "string"},
            "performance_targets": {"type": "array", "items": {"type": "string"}},
            "campaign": {"oneOf": [_ref("Campaign"), {"type": "null"}]},
            "proposed_at": {"type": "string", "format": "date-time"},
            "admitted_at": {"type": ["string", "null"], "format": "date-time"},
            "case_id": {"type": ["integer", "null"], "description": "The intake case"},
            "current_steps": {"type": "array", "items": {"type": "string"}},
            "allocated": MONEY, "paid": MONEY}},
    "Allocation": {
        "type": "object", "required": ["id", "release_id", "project_id", "amount"],
        "properties": {"id": {"type": "integer"}, "release_id": {"type": "integer"},
                       "document": {"type": "string"}, "project_id": {"type": "integer"},
                       "project_name": {"type": "string"}, "amount": MONEY,
                       "allocated_on": DATE}},
    "Payment": {
        "type": "object", "required": ["id", "project_id", "kind", "amount", "paid_on"],
        "properties": {"id": {"type": "integer"}, "project_id": {"type": "integer"},
                       "kind": {"enum": ["advance", "progress", "payment"]}, "amount": MONEY,
                       "progress": {"type": ["integer", "null"]}, "paid_on": DATE,
                       "note": {"type": "string"}}},
    "Release": {
        "type": "object", "required": ["id", "document", "source", "amount", "remaining",
                                       "idle"],
        "properties": {"id": {"type": "integer"}, "document": {"type": "string"},
                       "source": {"enum": SOURCES}, "year": {"type": "integer"},
                       "amount": MONEY, "allocated": MONEY, "remaining": MONEY,
                       "released_on": DATE, "idle_days": {"type": "integer"},
                       "idle": {"type": "boolean",
                                "description": "Not all assigned 30 days after release"}}},
}

PATHS = {
    "/projects": {"get": {
        "operationId": "listProjects", "summary": "The project library, filtered",
        "description": "Propose a project with POST /cases, key `project_intake`.",
        "parameters": [*FILTERS, {"name": "page", "in": "query", "required": False,
                                  "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": _json({
            "type": "object", "required": ["projects", "page", "has_next"],
            "properties": {"page": {"type": "integer"}, "page_size": {"type": "integer"},
                           "has_next": {"type": "boolean"}, "filters": {"type": "object"},
                           "projects": {"type": "array", "items": _ref("Project")}}},
            "Projects"), **_errors(401, 403, 422)}}},
    "/projects/export.xlsx": {"get": {
        "operationId": "exportProjects", "summary": "The filtered library as an Excel file",
        "parameters": FILTERS,
        "responses": {"200": {"description": "The workbook", "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}}}},
            **_errors(401, 403, 422)}}},
    "/projects/{project_id}": {"get": {
        "operationId": "getProject", "summary": "A project with its allocations and payments",
        "parameters": [PROJECT_ID],
        "responses": {"200": _json({
            "type": "object", "required": ["project", "funds"],
            "properties": {"project": _ref("Project"), "funds": {
                "type": "object", "properties": {
                    "allocations": {"type": "array", "items": _ref("Allocation")},
                    "payments": {"type": "array", "items": _ref("Payment")},
                    "allocated": MONEY, "paid": MONEY, "advanced": MONEY,
                    "advance_range": {"type": ["array", "null"], "items": MONEY}}}}},
            "The project"), **_errors(401, 403, 404)}}},
    "/projects/{project_id}/allocations": {"post": {
        "operationId": "allocateFunds", "summary": "Assign part of a release to the project",
        "parameters": [PROJECT_ID],
        "requestBody": _body({"type": "object", "required": ["release_id", "amount"],
                              "properties": {"release_id": {"type": "integer"},
                                             "amount": MONEY, "allocated_on": DATE}},
                             "The release and amount"),
        "responses": {"201": _one("allocation", "Allocation", "Allocated"),
                      **_errors(400, 401, 403, 404, 409, 422)}}},
    "/projects/{project_id}/payments": {"post": {
        "operationId": "recordPayment",
        "summary": "Record a payment (advance 30–50% at the start of works, then by progress)",
        "parameters": [PROJECT_ID],
        "requestBody": _body({"type": "object", "required": ["kind", "amount"],
                              "properties": {"kind": {"enum": ["advance", "progress",
                                                               "payment"]},
                                             "amount": MONEY,
                                             "progress": {"type": "integer", "minimum": 1,
                                                          "maximum": 100},
                                             "paid_on": DATE,
                                             "note": {"type": "string", "maxLength": 200}}},
                             "The payment"),
        "responses": {"201": _one("payment", "Payment", "Recorded"),
                      **_errors(400, 401, 403, 404, 409, 422)}}},
    "/funds": {"get": {
        "operationId": "fundsOverview",
        "summary": "Releases of a year, idle funds and the industry share against 55%",
        "parameters": [{"name": "year", "in": "query", "required": False,
                        "schema": {"type": "integer"}}],
        "responses": {"200": _json({
            "type": "object", "required": ["year", "releases", "industry_share", "idle"],
            "properties": {"year": {"type": "integer"},
                           "releases": {"type": "array", "items": _ref("Release")},
                           "released": MONEY, "allocated": MONEY, "industry": MONEY,
                           "industry_share": {"type": ["number", "null"],
                                              "description": "Per cent"},
                           "industry_target": {"type": "integer"},
                           "meets_target": {"type": "boolean"},
                           "by_type": {"type": "object", "additionalProperties": MONEY},
                           "idle": {"type": "array", "items": _ref("Release")}}},
            "The overview"), **_errors(401, 403)}}},
    "/funds/releases": {"post": {
        "operationId": "releaseFunds", "summary": "Record funds released to the county",
        "requestBody": _body({"type": "object",
                              "required": ["document", "source", "amount", "released_on"],
                              "properties": {"document": {"type": "string", "maxLength": 100},
                                             "source": {"enum": SOURCES}, "amount": MONEY,
                                             "released_on": DATE}}, "The release"),
        "responses": {"201": _one("release", "Release", "Recorded"),
                      **_errors(400, 401, 403, 422)}}},
    "/campaigns": {
        "get": {"operationId": "listCampaigns", "summary": "The library's campaigns",
                "responses": {"200": _json({"type": "object", "properties": {
                    "campaigns": {"type": "array", "items": _ref("Campaign")}}},
                    "Campaigns"), **_errors(401)}},
        "post": {"operationId": "setCampaign",
                 "summary": "Create or change a campaign's years and dates (county staff)",
                 "requestBody": _body({"type": "object", "required": [
                     "name", "first_year", "last_year", "guide_due", "intake_due",
                     "entry_due"], "properties": {
                     "name": {"type": "string", "maxLength": 100},
                     "first_year": {"type": "integer"}, "last_year": {"type": "integer"},
                     "guide_due": DATE, "intake_due": DATE, "entry_due": DATE}},
                     "The campaign"),
                 "responses": {"201": _one("campaign", "Campaign", "Saved"),
                               **_errors(400, 401, 403, 422)}}},
}
