"""The JSON API's inbox, tasks, cases and households: the engine's view objects as JSON, its
access rules as 403, its validation as 422 with fields, stale versions as 409."""
from __future__ import annotations

import pytest


def _identification(start, declaration):
    started = start("monitoring_identification", "village11", declaration)
    return started.case, started.items[0]


def test_inbox_lists_items_and_counts(client, bearer, start, declaration):
    case, item = _identification(start, declaration)
    response = client.get("/api/v1/inbox?view=all&page=1", headers=bearer("village11"))
    assert response.status_code == 200
    body = response.json
    assert body["counts"]["all"] == 1 and body["counts"]["unclaimed"] == 1
    listed = body["items"][0]
    assert listed["id"] == item.id and listed["case_id"] == case.id
    assert listed["task"] == "home_check" and listed["level"] == "village"
    assert listed["area_code"] == "360799100001" and listed["overdue"] is False
    assert listed["due_at"] and listed["assignee"] is None
    assert listed["case_title"] == "王建国"
    # Other villages and other levels see nothing.
    assert client.get("/api/v1/inbox", headers=bearer("village12")).json["items"] == []
    assert client.get("/api/v1/inbox", headers=bearer("township1")).json["items"] == []
    assert client.get("/api/v1/inbox?view=bogus",
                      headers=bearer("village11")).status_code == 400
    auditor = client.get("/api/v1/inbox", headers=bearer("auditor")).json
    assert auditor["items"] == [] and auditor["counts"] == {}


def test_overdue_flag(client, bearer, start, declaration, clock):
    _identification(start, declaration)
    clock.shift(10 * 86400)
    listed = client.get("/api/v1/inbox?view=overdue", headers=bearer("village11")).json
    assert listed["items"][0]["overdue"] is True and listed["counts"]["overdue"] == 1


def test_task_shows_item_case_facts_and_form(client, bearer, start, declaration):
    case, item = _identification(start, declaration)
    response = client.get(f"/api/v1/tasks/{item.id}", headers=bearer("village11"))
    assert response.status_code == 200
    body = response.json
    assert body["item"]["id"] == item.id and body["can_act"] is True
    assert body["can_claim"] is True and body["can_unclaim"] is False
    assert body["case_version"] == 1 and body["case"]["id"] == case.id
    assert body["case"]["title"] == "王建国" and body["process_name"] == "监测对象识别纳入"
    facts = {f["key"]: f for f in body["case"]["facts"]}
    assert facts["id_number"]["value"] == "360799********4515"
    assert facts["risk_types"] == {"key": "risk_types", "label": "风险类型", "value": ["01"],
                                   "text": "因病"}
    assert facts["discovery_date"]["value"] == "2025-03-08"
    assert "360799196503124515" not in response.data.decode()
    form = body["form"]
    assert form["ref"] and "checkers" in form["schema"]["properties"]
    assert "order" in form["ui"] and form["title"] == "入户核实"


def test_task_not_found(client, bearer):
    response = client.get("/api/v1/tasks/999", headers=bearer("village11"))
    assert response.status_code == 404 and "999" in response.json["error"]
    response = client.post("/api/v1/tasks/999/complete", json={"data": {}, "case_version": 1},
                           headers=bearer("village11"))
    assert response.status_code == 404


@pytest.fixture
def complete(client, bearer):
    """POST a completion as a demo user (village11 unless named); returns the response."""
    def _complete(item_id: int, body, username: str = "village11"):
        return client.post(f"/api/v1/tasks/{item_id}/complete", json=body,
                           headers=bearer(username))
    return _complete


def test_complete_returns_the_stored_version_and_new_items(complete, start, declaration,
                                                           open_items, case_of, home_check):
    case, item = _identification(start, declaration)
    response = complete(item.id, {"data": home_check, "comment": "已入户", "case_version": 1})
    assert response.status_code == 200, response.json
    stored = case_of(case.id).case.version
    assert response.json["completed"] == item.id and response.json["case_version"] == stored
    new = response.json["items"]
    assert [i["task"] for i in new] == ["village_review"]
    assert [i.id for i in open_items(case.id)] == [new[0]["id"]]
    assert case_of(case.id).trail[-1].comment == "已入户"


def test_claim_does_not_move_the_version_a_completion_reports(client, complete, bearer, start,
                                                              case_of):
    started = start()
    client.post(f"/api/v1/tasks/{started.items[0].id}/claim", headers=bearer("village11"))
    done = complete(started.items[0].id, {"data": {}, "case_version": 1}).json
    assert done["case_version"] == case_of(started.case.id).case.version == 2
    again = complete(done["items"][0]["id"], {"data": {}, "case_version": 2})
    assert again.status_code == 200 and again.json["case_version"] == 3


def test_validation_error_is_422_with_fields(complete, start, declaration, case_of,
                                             home_check):
    case, item = _identification(start, declaration)
    data = dict(home_check, income_per_head="abc")
    del data["checkers"]
    response = complete(item.id, {"data": data, "case_version": 1})
    assert response.status_code == 422
    assert {"income_per_head", "checkers"} <= set(response.json["fields"])
    assert response.json["fields"]["checkers"] == "必填"  # the engine's message, in Chinese
    assert case_of(case.id).case.version == 1
    response = complete(item.id, {"data": home_check})
    assert response.status_code == 422 and "case_version" in response.json["fields"]
    response = complete(item.id, {"data": [1], "case_version": 1})
    assert response.status_code == 422 and "data" in response.json["fields"]
    assert complete(item.id, [1]).status_code == 400


def test_stale_version_is_409_and_changes_nothing(complete, start, declaration, case_of,
                                                  open_items, home_check):
    case, item = _identification(start, declaration)
    response = complete(item.id, {"data": home_check, "case_version": 0})
    assert response.status_code == 409 and response.json["error"]
    view = case_of(case.id)
    assert view.case.version == 1 and [e.event for e in view.trail] == ["case_started"]
    assert [i.id for i in open_items(case.id)] == [item.id]
    # Completing twice: the second is a conflict, too.
    assert complete(item.id, {"data": home_check, "case_version": 1}).status_code == 200
    assert complete(item.id, {"data": home_check, "case_version": 2}).status_code == 409


def test_other_village_and_level_cannot_read_or_act(client, bearer, start, declaration,
                                                     case_of, home_check):
    case, item = _identification(start, declaration)
    body = {"data": home_check, "case_version": 1}
    for name in ("village12", "village21", "township2"):
        headers = bearer(name)
        assert client.get(f"/api/v1/tasks/{item.id}", headers=headers).status_code == 403
        for action in ("complete", "claim", "unclaim"):
            response = client.post(f"/api/v1/tasks/{item.id}/{action}", json=body,
                                   headers=headers)
            assert response.status_code == 403, (name, action)
        assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 403
    # township1 (same township, other level) reads the case but cannot act on the item.
    headers = bearer("township1")
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/tasks/{item.id}", headers=headers).status_code == 403
    assert client.post(f"/api/v1/tasks/{item.id}/complete", json=body,
                       headers=headers).status_code == 403
    assert case_of(case.id).case.version == 1


def test_auditor_reads_but_cannot_act(client, bearer, start, declaration, case_of,
                                      home_check):
    case, item = _identification(start, declaration)
    headers = bearer("auditor")
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    task = client.get(f"/api/v1/tasks/{item.id}", headers=headers)
    assert task.status_code == 200 and task.json["can_act"] is False
    assert task.json["can_claim"] is False and task.json["can_attach"] is False
    for action in ("complete", "claim", "unclaim"):
        response = client.post(f"/api/v1/tasks/{item.id}/{action}",
                               json={"data": home_check, "case_version": 1}, headers=headers)
        assert response.status_code == 403, action
    assert client.post("/api/v1/cases", json={"key": "four_tasks", "data": {}},
                       headers=headers).status_code == 403
    household = {"head_name": "赵大", "id_number": "110105194912310046",
                 "village_code": "360799100001"}
    assert client.post("/api/v1/households", json=household,
                       headers=headers).status_code == 403
    assert case_of(case.id).case.version == 1


def test_claim_and_unclaim(client, bearer, start, user):
    started = start()
    item = started.items[0]
    headers = bearer("village11")
    claimed = client.post(f"/api/v1/tasks/{item.id}/claim", headers=headers)
    assert claimed.status_code == 200
    assert claimed.json["item"]["assignee_id"] == user("village11").id
    assert claimed.json["item"]["assignee"] == "东山村 村委会"
    mine = client.get("/api/v1/inbox?view=mine", headers=headers).json
    assert [i["id"] for i in mine["items"]] == [item.id]
    returned = client.post(f"/api/v1/tasks/{item.id}/unclaim", headers=headers)
    assert returned.status_code == 200 and returned.json["item"]["assignee_id"] is None


def test_reassign(client, bearer, start, eng, user, open_items, case_of):
    started = start()
    item = started.items[0]
    colleague = eng.add_user("village11b", "village", "360799100001", "password-1",
                             actor=user("admin"))
    headers = bearer("village11")
    refused = client.post(f"/api/v1/tasks/{item.id}/reassign",
                          json={"to_user": user("village12").id}, headers=headers)
    assert refused.status_code == 403 and "village12" in refused.json["error"]
    bad = client.post(f"/api/v1/tasks/{item.id}/reassign", json={"to_user": "x"},
                      headers=headers)
    assert bad.status_code == 422 and "to_user" in bad.json["fields"]
    assert open_items(started.case.id)[0].assignee_id is None
    done = client.post(f"/api/v1/tasks/{item.id}/reassign",
                       json={"to_user": colleague.id, "comment": "转文书"}, headers=headers)
    assert done.status_code == 200
    assert done.json["item"]["assignee_id"] == colleague.id
    assert open_items(started.case.id)[0].assignee_id == colleague.id
    assert case_of(started.case.id).trail[-1].event == "reassigned"
    # Only the new holder may act now.
    again = client.post(f"/api/v1/tasks/{item.id}/complete",
                        json={"data": {}, "case_version": 1}, headers=headers)
    assert again.status_code == 403
