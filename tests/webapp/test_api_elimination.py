"""The API of risk elimination: conditions, a proposal through POST /cases, the rollback
(reason required, county only, once), the history, the national entry (once) and the
export workbook; every refusal with its status."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import openpyxl
import pytest

from elimination_support import PROPOSAL, eliminated, ready_household

NOW = datetime(2026, 11, 20, 2, tzinfo=timezone.utc)


@pytest.fixture
def ready(eng, clock, deploy):
    clock.move_to(NOW)
    users = {u.username: u for u in eng.users()}
    ready_household(eng, users, deploy)
    return users


def test_conditions_and_proposal(client, bearer, ready):
    village = bearer("village11")
    found = client.get("/api/v1/households/1/elimination-conditions", headers=village).json
    assert found["met"] is True and len(found["conditions"]) == 6
    assert client.get("/api/v1/households/4/elimination-conditions",
                      headers=village).status_code == 403
    started = client.post("/api/v1/cases", headers=village,
                          json={"key": "risk_elimination", "data": PROPOSAL})
    assert started.status_code == 201, started.json
    again = client.post("/api/v1/cases", headers=village,
                        json={"key": "risk_elimination", "data": PROPOSAL})
    assert again.status_code == 409
    other = client.post("/api/v1/cases", headers=village,
                        json={"key": "risk_elimination", "data": dict(PROPOSAL, household_id=2)})
    assert other.status_code == 422 and "conditions.monitored" in other.json["fields"]


def test_rollback_history_entry_and_export(client, bearer, eng, ready):
    case_id = eliminated(eng, ready)
    county = bearer("county1")
    url = "/api/v1/households/1/elimination-rollback"
    assert client.post(url, headers=county, json={}).status_code == 422
    assert client.post(url, headers=county, data="x").status_code == 400
    assert client.post(url, headers=bearer("township1"),
                       json={"reason": "x"}).status_code == 403
    entry = client.post(f"/api/v1/cases/{case_id}/national-entry", headers=county,
                        json={"note": "编号 9"})
    assert entry.status_code == 201 and entry.json["entry"]["note"] == "编号 9"
    assert client.post(f"/api/v1/cases/{case_id}/national-entry", headers=county,
                       json={}).status_code == 409
    listed = client.get("/api/v1/national/cases", headers=county).json["cases"]
    assert [(c["id"], c["entry"]["note"]) for c in listed] == [(case_id, "编号 9")]
    assert client.get("/api/v1/national/cases?start=2026-99-01",
                      headers=county).status_code == 422
    workbook = client.post("/api/v1/national/export", headers=county, json={})
    assert workbook.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(workbook.data)).worksheets[0]
                .iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["风险消除"] and rows[1][-1] == "是"
    done = client.post(url, headers=county, json={"reason": "返贫风险"})
    assert done.status_code == 200 and done.json["rollback"]["case_id"] == case_id
    assert client.post(url, headers=county, json={"reason": "again"}).status_code == 409
    history = client.get("/api/v1/households/1/monitoring-history",
                         headers=bearer("village11")).json["history"]
    assert [h["event"] for h in history] == ["taken_in", "eliminated", "rolled_back"]
    assert client.post("/api/v1/national/export", headers=county,
                       json={"start": "2026-12-01", "end": "2026-11-01"}).status_code == 422


def test_openapi_documents_the_routes(client):
    doc = client.get("/api/v1/openapi.json").json
    for path, method in (("/households/{household_id}/elimination-rollback", "post"),
                         ("/cases/{case_id}/national-entry", "post"),
                         ("/national/export", "post"),
                         ("/households/{household_id}/elimination-conditions", "get")):
        codes = set(doc["paths"][path][method]["responses"])
        assert {"400", "401", "414"} <= codes, path
        if method == "post":
            assert "413" in codes
