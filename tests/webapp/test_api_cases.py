"""The JSON API's cases and households."""
from __future__ import annotations


def test_case_detail(client, bearer, start, declaration, home_check):
    started = start("monitoring_identification", "village11", declaration)
    case, item = started.case, started.items[0]
    headers = bearer("village11")
    client.post(f"/api/v1/tasks/{item.id}/complete",
                json={"data": home_check, "case_version": 1}, headers=headers)
    response = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "running" and body["outcome"] == ""
    assert body["title"] == "王建国" and body["subject_kind"] == "household"
    assert body["subject_id"] == 1 and body["deadline_from"] == "2025-03-08"
    assert body["deadline"] and body["overdue"] is False and body["version"] == 2
    assert body["definition"]["key"] == "monitoring_identification"
    assert body["definition"]["version"] == 1 and body["process_name"] == "监测对象识别纳入"
    assert [i["task"] for i in body["items"]] == ["home_check", "village_review"]
    assert [e["event"] for e in body["events"]][:2] == ["case_started", "task_completed"]
    assert body["trail"]["ok"] is True and body["attachments"] == []
    assert body["can_cancel"] is False and body["can_attach"] is True
    facts = {f["key"]: f["value"] for f in body["facts"]}
    assert facts["id_number"] == "360799********4515" and "recommendation" in facts
    assert "360799196503124515" not in response.data.decode()
    assert client.get("/api/v1/cases/999", headers=headers).status_code == 404


def test_case_outcome_label(client, bearer, start, eng, user):
    case = start().case
    eng.cancel(case.id, user("county1"), "重复")
    body = client.get(f"/api/v1/cases/{case.id}", headers=bearer("county1")).json
    assert body["status"] == "cancelled" and body["outcome_label"] == "已撤销"
    assert body["outcome_reason"] == "重复"


def test_start_case(client, bearer, declaration, eng, user):
    headers = bearer("village11")
    response = client.post("/api/v1/cases", json={"key": "monitoring_identification",
                                                  "data": declaration, "comment": "申报"},
                           headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["case"]["status"] == "running"
    assert response.json["case"]["title"] == "王建国"
    assert [i["task"] for i in response.json["items"]] == ["home_check"]
    [case] = eng.cases_of("household", 1, user("village11"))
    assert case.id == response.json["case"]["id"]
    # The household now has an open case.
    again = client.post("/api/v1/cases", json={"key": "monitoring_identification",
                                               "data": declaration}, headers=headers)
    assert again.status_code == 409
    invalid = client.post("/api/v1/cases", json={"key": "monitoring_identification",
                                                 "data": dict(declaration, channel=None,
                                                              household_id=2)},
                          headers=headers)
    assert invalid.status_code == 422 and "channel" in invalid.json["fields"]
    unknown = client.post("/api/v1/cases", json={"key": "nope", "data": {}}, headers=headers)
    assert unknown.status_code == 404
    missing = client.post("/api/v1/cases", json={"data": {}}, headers=headers)
    assert missing.status_code == 422 and "key" in missing.json["fields"]
    # A household of another village is out of reach.
    other = client.post("/api/v1/cases", json={"key": "monitoring_identification",
                                               "data": dict(declaration, household_id=4)},
                        headers=headers)
    assert other.status_code == 403
    assert len(eng.cases_of("household", 2, user("village11"))) == 0


def test_households_search_and_detail(client, bearer, start, declaration):
    start("monitoring_identification", "village11", declaration)
    headers = bearer("township1")
    found = client.get("/api/v1/households?q=王", headers=headers).json["households"]
    assert [h["head_name"] for h in found] == ["王建国"]
    assert found[0]["id_number"] == "360799********4515"
    village = client.get("/api/v1/households?village=360799100002", headers=headers).json
    assert [h["head_name"] for h in village["households"]] == ["张福生"]
    everyone = client.get("/api/v1/households", headers=headers).json["households"]
    assert len(everyone) == 3  # township 1 only
    assert client.get("/api/v1/households?village=x", headers=headers).status_code == 400
    detail = client.get("/api/v1/households/1", headers=headers)
    assert detail.status_code == 200
    assert detail.json["household"]["id_number"] == "360799********4515"
    assert [c["process_key"] for c in detail.json["cases"]] == ["monitoring_identification"]
    assert client.get("/api/v1/households/4", headers=headers).status_code == 403
    assert client.get("/api/v1/households/99", headers=headers).status_code == 404


def test_register_household(client, bearer, eng, user):
    headers = bearer("village11")
    body = {"head_name": "赵大", "id_number": "11010519491231002X",
            "village_code": "360799100001", "members": 3, "income_per_head": 5000}
    response = client.post("/api/v1/households", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["household"]["id_number"] == "110105********002X"
    assert client.post("/api/v1/households", json=body, headers=headers).status_code == 409
    bad = client.post("/api/v1/households", json=dict(body, id_number="123", members=0),
                      headers=headers)
    assert bad.status_code == 422 and {"id_number", "members"} <= set(bad.json["fields"])
    outside = client.post("/api/v1/households",
                          json=dict(body, id_number="110105194912310046",
                                    village_code="360799100002"), headers=headers)
    assert outside.status_code == 403
    nowhere = client.post("/api/v1/households",
                          json=dict(body, id_number="110105194912310046",
                                    village_code="360799100009"), headers=headers)
    assert nowhere.status_code == 422 and "village_code" in nowhere.json["fields"]
    assert len(eng.households(user("county1"), size=100)[0]) == 6
