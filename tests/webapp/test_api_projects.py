"""The project library's JSON API: proposing through POST /cases, the library and its
export, funds with the payment rule's 422, the overview, campaigns, and malformed bodies."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from engine.project_models import FundAllocation, FundPayment, Project
from projects_support import admit, proposal
from support import ROOT, count

from .conftest import START


@pytest.fixture
def intake(eng):
    eng.deploy_files([ROOT / "workflows" / "project_intake.bpmn"], None, START)
    return eng


def test_propose_through_cases_and_read_the_library(client, bearer, intake):
    village = bearer("village11")
    response = client.post("/api/v1/cases", headers=village, json={
        "key": "project_intake", "data": proposal(year=2026)})
    assert response.status_code == 201
    assert response.json["case"]["subject_kind"] == "project"
    assert [i["task"] for i in response.json["items"]] == ["village_decision"]
    listing = client.get("/api/v1/projects", headers=bearer("county1")).json
    [project] = listing["projects"]
    assert project["status"] == "proposed" and project["budget_total"] == 1000000.0
    assert project["current_steps"] == ["村级民主决策"]
    detail = client.get(f"/api/v1/projects/{project['id']}", headers=village).json
    assert detail["project"]["performance_targets"][0] == "带动 60 户户均增收 2000 元"
    assert client.get(f"/api/v1/projects/{project['id']}",
                      headers=bearer("village21")).status_code == 403
    bad = client.post("/api/v1/cases", headers=village, json={
        "key": "project_intake", "data": proposal(name="x" * 101, beneficiary_households=-1)})
    assert bad.status_code == 422
    assert set(bad.json["fields"]) == {"name", "beneficiary_households"}
    assert count(intake, Project) == 1


def test_filters_and_export(client, bearer, intake, user):
    admit(intake, user, START)
    intake.start("project_intake", user("village21"),
                 proposal(name="西河村就业车间", project_type="employment"), START)
    county = bearer("county1")
    names = [p["name"] for p in client.get("/api/v1/projects?type=employment",
                                           headers=county).json["projects"]]
    assert names == ["西河村就业车间"]
    assert client.get("/api/v1/projects?status=bogus", headers=county).status_code == 422
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/projects/export.xlsx?status=admitted",
                                                headers=county).data)).active
    assert [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["东山村茶叶加工车间"]


def test_funds_over_the_api(client, bearer, intake, user):
    project_id = admit(intake, user, START)
    county = bearer("county1")
    release = client.post("/api/v1/funds/releases", headers=county, json={
        "document": "示财农〔2025〕3号", "source": "central", "amount": 1000000,
        "released_on": "2025-03-01"})
    assert release.status_code == 201
    release_id = release.json["release"]["id"]
    allocated = client.post(f"/api/v1/projects/{project_id}/allocations", headers=county,
                            json={"release_id": release_id, "amount": 600000})
    assert allocated.status_code == 201 and allocated.json["allocation"]["amount"] == 600000.0
    over = client.post(f"/api/v1/projects/{project_id}/payments", headers=county,
                       json={"kind": "advance", "amount": 300000.01})
    assert over.status_code == 422 and "at most 50%" in over.json["error"]
    assert "amount" in over.json["fields"]
    paid = client.post(f"/api/v1/projects/{project_id}/payments", headers=county,
                       json={"kind": "advance", "amount": 300000, "note": "开工预付"})
    assert paid.status_code == 201
    overview = client.get("/api/v1/funds?year=2025", headers=county).json
    assert overview["industry_share"] == 100.0 and overview["meets_target"] is True
    assert client.post(f"/api/v1/projects/{project_id}/payments", headers=bearer("township1"),
                       json={"kind": "progress", "amount": 1, "progress": 90}
                       ).status_code == 403
    assert (count(intake, FundAllocation), count(intake, FundPayment)) == (1, 1)


@pytest.mark.parametrize("body, field", [
    ({"kind": "advance"}, "amount"),
    ({"kind": "advance", "amount": "300000"}, "amount"),
    ({"kind": "advance", "amount": True}, "amount"),
    ({"kind": 5, "amount": 1}, "kind"),
    ({"kind": "progress", "amount": 1, "progress": "50"}, "progress"),
    ({"kind": "advance", "amount": 1, "paid_on": "yesterday"}, "paid_on"),
    ({"kind": "advance", "amount": 1e300}, "amount"),
])
def test_malformed_payments_are_refused(client, bearer, intake, user, body, field):
    project_id = admit(intake, user, START)
    response = client.post(f"/api/v1/projects/{project_id}/payments",
                           headers=bearer("county1"), json=body)
    assert response.status_code == 422 and field in response.json["fields"]
    assert count(intake, FundPayment) == 0


def test_campaigns(client, bearer, intake):
    county = bearer("county1")
    saved = client.post("/api/v1/campaigns", headers=county, json={
        "name": "2026—2028年项目库", "first_year": 2026, "last_year": 2028,
        "guide_due": "2025-07-15", "intake_due": "2025-10-31", "entry_due": "2025-11-30"})
    assert saved.status_code == 201
    assert client.get("/api/v1/campaigns", headers=county).json["campaigns"][0][
        "intake_due"] == "2025-10-31"
    backwards = client.post("/api/v1/campaigns", headers=county, json={
        "name": "x", "first_year": 2026, "last_year": 2028, "guide_due": "2025-11-15",
        "intake_due": "2025-10-31", "entry_due": "2025-11-30"})
    assert backwards.status_code == 422 and "dates" in backwards.json["fields"]
