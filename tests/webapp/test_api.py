"""The JSON API: every endpoint, authorization, tokens, CSRF, validation, stale versions and
the OpenAPI document."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from engine import demo, directory
from engine.models import AuditEvent, Case, Household

HOME_CHECK = {"checkers": ["张三", "李四"], "check_date": "2025-03-09",
              "annual_household_income": 20000, "income_per_head": 5000,
              "out_of_pocket_medical": 0, "major_illness": True, "disability_grade": 0,
              "rigid_spending": 0, "formerly_poor": False, "sudden_shock": False}


@pytest.fixture
def bearer(session):
    """Issue a token for a demo user and return the Authorization header for it."""
    def _bearer(username: str) -> dict:
        token = directory.issue_token(directory.find_user(session, username))
        session.commit()
        return {"Authorization": f"Bearer {token}"}
    return _bearer


def _identification(start, declaration):
    case, items = start("monitoring_identification", "village11", declaration)
    return case, items[0]


def _case_version(session, case_id) -> int:
    session.rollback()  # ends the read snapshot, too
    return session.get(Case, case_id).version


# --- authentication -------------------------------------------------------------------------

def test_unauthenticated_requests_get_401_json(client):
    for method, url in [("get", "/api/v1/inbox"), ("get", "/api/v1/cases/1"),
                        ("post", "/api/v1/tasks/1/complete"), ("get", "/api/v1/me")]:
        response = getattr(client, method)(url, json={})
        assert response.status_code == 401, url
        assert response.is_json and set(response.json) == {"error", "fields"}


def test_bad_token_is_401(client, bearer):
    bearer("village11")
    response = client.get("/api/v1/inbox", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401 and response.json["error"] == "invalid API token"
    response = client.get("/api/v1/inbox", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401


def test_token_request_and_use(client, session):
    response = client.post("/api/v1/tokens", json={"username": "village11",
                                                   "password": demo.PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["user"]["username"] == "village11"
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["auth"] == "token"
    assert "csrf_token" not in me.json and "Set-Cookie" not in me.headers
    # A new token replaces the old one.
    client.post("/api/v1/tokens", json={"username": "village11", "password": demo.PASSWORD})
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_request_refuses_wrong_password_and_is_audited(client, session):
    response = client.post("/api/v1/tokens", json={"username": "village11",
                                                   "password": "wrong-password"})
    assert response.status_code == 401
    assert session.scalar(select(func.count()).where(
        AuditEvent.event == "login_failed")) == 1
    response = client.post("/api/v1/tokens", json={"username": "village11"})
    assert response.status_code == 422 and "password" in response.json["fields"]
    assert client.post("/api/v1/tokens", data="x").status_code == 400


@pytest.mark.parametrize("config_overrides", [{"LOGIN_RATE_LIMIT": "2/minute"}])
def test_token_request_is_rate_limited(client):
    codes = [client.post("/api/v1/tokens", json={"username": "village11",
                                                 "password": "wrong"}).status_code
             for _ in range(3)]
    assert codes == [401, 401, 429]


def test_revoke_token(client, bearer):
    headers = bearer("village11")
    assert client.delete("/api/v1/tokens", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_session_auth_reads(client, auth):
    auth.login("village11")
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and response.json["auth"] == "session"
    assert client.get("/api/v1/inbox").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_session_post_needs_csrf_header(client, start, token_of, open_items):
    case, items = start()
    login_page = client.get("/login").data.decode()
    client.post("/login", data={"username": "village11", "password": demo.PASSWORD,
                                "csrf_token": token_of(login_page)})
    body = {"data": {}, "case_version": 1}
    refused = client.post(f"/api/v1/tasks/{items[0].id}/complete", json=body)
    assert refused.status_code == 400 and "CSRF" in refused.json["error"]
    assert open_items(case.id)[0].id == items[0].id
    wrong = client.post(f"/api/v1/tasks/{items[0].id}/complete", json=body,
                        headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    csrf = client.get("/api/v1/me").json["csrf_token"]
    accepted = client.post(f"/api/v1/tasks/{items[0].id}/complete", json=body,
                           headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200, accepted.json
    assert open_items(case.id)[0].task_name == "village_review"


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_bearer_post_needs_no_csrf(client, start, bearer):
    case, items = start()
    response = client.post(f"/api/v1/tasks/{items[0].id}/complete",
                           json={"data": {}, "case_version": 1}, headers=bearer("village11"))
    assert response.status_code == 200


def test_unknown_api_url_and_method_are_json(client, bearer):
    headers = bearer("village11")
    response = client.get("/api/v1/nothing", headers=headers)
    assert response.status_code == 404 and response.is_json
    response = client.put("/api/v1/inbox", headers=headers)
    assert response.status_code == 405 and response.is_json


# --- inbox and tasks ------------------------------------------------------------------------

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
    assert listed["due_at"] and listed["assignee"] is None and listed["household"] == "王建国"
    # Other villages and other levels see nothing.
    assert client.get("/api/v1/inbox", headers=bearer("village12")).json["items"] == []
    assert client.get("/api/v1/inbox", headers=bearer("township1")).json["items"] == []
    assert client.get("/api/v1/inbox?view=bogus",
                      headers=bearer("village11")).status_code == 400
    assert client.get("/api/v1/inbox", headers=bearer("auditor")).json["items"] == []


def test_overdue_flag(client, bearer, start, declaration, clock):
    _identification(start, declaration)
    clock.shift(10 * 86400)
    listed = client.get("/api/v1/inbox?view=overdue", headers=bearer("village11")).json
    assert listed["items"][0]["overdue"] is True and listed["counts"]["overdue"] == 1


def test_task_shows_item_case_and_form(client, bearer, start, declaration):
    case, item = _identification(start, declaration)
    response = client.get(f"/api/v1/tasks/{item.id}", headers=bearer("village11"))
    assert response.status_code == 200
    body = response.json
    assert body["item"]["id"] == item.id and body["can_act"] is True
    assert body["case_version"] == 1 and body["case"]["id"] == case.id
    household = body["case"]["summary"]["household"]
    assert household["id_number"] == "360799********4515"
    assert "360799196503124515" not in response.data.decode()
    form = body["form"]
    assert form["ref"] and "checkers" in form["schema"]["properties"]
    assert "order" in form["ui"] and form["title"]


def test_task_not_found(client, bearer):
    response = client.get("/api/v1/tasks/999", headers=bearer("village11"))
    assert response.status_code == 404 and "999" in response.json["error"]
    response = client.post("/api/v1/tasks/999/complete", json={"data": {}, "case_version": 1},
                           headers=bearer("village11"))
    assert response.status_code == 404


def test_complete_returns_new_items(client, bearer, start, declaration, open_items, session):
    case, item = _identification(start, declaration)
    response = client.post(f"/api/v1/tasks/{item.id}/complete",
                           json={"data": HOME_CHECK, "comment": "已入户", "case_version": 1},
                           headers=bearer("village11"))
    assert response.status_code == 200, response.json
    assert response.json["completed"] == item.id and response.json["case_version"] == 2
    new = response.json["items"]
    assert [i["task"] for i in new] == ["village_review"]
    assert [i.id for i in open_items(case.id)] == [new[0]["id"]]
    assert _case_version(session, case.id) == 2


def test_validation_error_is_422_with_fields(client, bearer, start, declaration, session):
    case, item = _identification(start, declaration)
    data = dict(HOME_CHECK, income_per_head="abc")
    del data["checkers"]
    response = client.post(f"/api/v1/tasks/{item.id}/complete",
                           json={"data": data, "case_version": 1}, headers=bearer("village11"))
    assert response.status_code == 422
    assert {"income_per_head", "checkers"} <= set(response.json["fields"])
    assert _case_version(session, case.id) == 1
    response = client.post(f"/api/v1/tasks/{item.id}/complete", json={"data": HOME_CHECK},
                           headers=bearer("village11"))
    assert response.status_code == 422 and "case_version" in response.json["fields"]
    response = client.post(f"/api/v1/tasks/{item.id}/complete", json=[1],
                           headers=bearer("village11"))
    assert response.status_code == 400


def test_stale_version_is_409_and_changes_nothing(client, bearer, start, declaration,
                                                  session, open_items):
    case, item = _identification(start, declaration)
    response = client.post(f"/api/v1/tasks/{item.id}/complete",
                           json={"data": HOME_CHECK, "case_version": 0},
                           headers=bearer("village11"))
    assert response.status_code == 409 and response.json["error"]
    assert _case_version(session, case.id) == 1
    assert [i.id for i in open_items(case.id)] == [item.id]
    assert session.scalar(select(AuditEvent.id).where(
        AuditEvent.event == "task_completed")) is None
    # Completing twice: the second is a conflict, too.
    headers = bearer("village11")
    ok = client.post(f"/api/v1/tasks/{item.id}/complete",
                     json={"data": HOME_CHECK, "case_version": 1}, headers=headers)
    assert ok.status_code == 200
    again = client.post(f"/api/v1/tasks/{item.id}/complete",
                        json={"data": HOME_CHECK, "case_version": 2}, headers=headers)
    assert again.status_code == 409


def test_other_village_and_level_cannot_read_or_act(client, bearer, start, declaration,
                                                     session):
    case, item = _identification(start, declaration)
    body = {"data": HOME_CHECK, "case_version": 1}
    for name in ("village12", "village21", "township2"):
        headers = bearer(name)
        assert client.get(f"/api/v1/tasks/{item.id}", headers=headers).status_code == 403
        for action in ("complete", "claim", "unclaim"):
            response = client.post(f"/api/v1/tasks/{item.id}/{action}", json=body,
                                   headers=headers)
            assert response.status_code == 403, (name, action)
    for name in ("village12", "village21", "township2"):
        assert client.get(f"/api/v1/cases/{case.id}",
                          headers=bearer(name)).status_code == 403
    # township1 (same township, other level) reads the case but cannot act on the item.
    headers = bearer("township1")
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/tasks/{item.id}", headers=headers).status_code == 403
    assert client.post(f"/api/v1/tasks/{item.id}/complete", json=body,
                       headers=headers).status_code == 403
    assert _case_version(session, case.id) == 1


def test_auditor_reads_but_cannot_act(client, bearer, start, declaration, session):
    case, item = _identification(start, declaration)
    headers = bearer("auditor")
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    task = client.get(f"/api/v1/tasks/{item.id}", headers=headers)
    assert task.status_code == 200 and task.json["can_act"] is False
    for action in ("complete", "claim", "unclaim"):
        response = client.post(f"/api/v1/tasks/{item.id}/{action}",
                               json={"data": HOME_CHECK, "case_version": 1}, headers=headers)
        assert response.status_code == 403, action
    assert client.post("/api/v1/cases", json={"key": "four_tasks", "data": {}},
                       headers=headers).status_code == 403
    assert client.post("/api/v1/households", json={}, headers=headers).status_code == 403
    assert _case_version(session, case.id) == 1


def test_claim_and_unclaim(client, bearer, start, session, user):
    case, items = start()
    headers = bearer("village11")
    claimed = client.post(f"/api/v1/tasks/{items[0].id}/claim", headers=headers)
    assert claimed.status_code == 200
    assert claimed.json["item"]["assignee_id"] == user("village11").id
    assert claimed.json["item"]["assignee"]
    mine = client.get("/api/v1/inbox?view=mine", headers=headers).json
    assert [i["id"] for i in mine["items"]] == [items[0].id]
    returned = client.post(f"/api/v1/tasks/{items[0].id}/unclaim", headers=headers)
    assert returned.status_code == 200 and returned.json["item"]["assignee_id"] is None


# --- cases and households -------------------------------------------------------------------

def test_case_detail(client, bearer, start, declaration):
    case, item = _identification(start, declaration)
    headers = bearer("village11")
    client.post(f"/api/v1/tasks/{item.id}/complete",
                json={"data": HOME_CHECK, "case_version": 1}, headers=headers)
    response = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "running" and body["outcome"] == ""
    assert body["deadline"] and body["overdue"] is False and body["version"] == 2
    assert [i["task"] for i in body["items"]] == ["home_check", "village_review"]
    assert [e["event"] for e in body["events"]][:2] == ["case_started", "task_completed"]
    assert body["trail"]["ok"] is True and body["attachments"] == []
    assert body["summary"]["household"]["id_number"] == "360799********4515"
    assert "360799196503124515" not in response.data.decode()
    assert client.get("/api/v1/cases/999", headers=headers).status_code == 404


def test_start_case(client, bearer, declaration, session):
    headers = bearer("village11")
    response = client.post("/api/v1/cases", json={"key": "monitoring_identification",
                                                  "data": declaration, "comment": "申报"},
                           headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["case"]["status"] == "running"
    assert [i["task"] for i in response.json["items"]] == ["home_check"]
    # The household now has an open case.
    again = client.post("/api/v1/cases", json={"key": "monitoring_identification",
                                               "data": declaration}, headers=headers)
    assert again.status_code == 409
    invalid = client.post("/api/v1/cases", json={"key": "monitoring_identification",
                                                 "data": dict(declaration, channel=None)},
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


def test_households_search_and_detail(client, bearer, start, declaration):
    _identification(start, declaration)
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


def test_register_household(client, bearer, session):
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
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Household)) == 6


# --- the OpenAPI document -------------------------------------------------------------------

def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_openapi_document_validates_and_lists_every_route(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            routes.setdefault(_openapi_path(rule.rule), set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    described = {path: set(ops) - {"parameters"} for path, ops in document["paths"].items()}
    assert described == routes


def test_password_page_issues_a_token(client, auth):
    auth.login("village11")
    page = client.get("/password").data.decode()
    assert 'action="/password/token"' in page
    response = client.post("/password/token")
    assert response.status_code == 200
    token = re.search(r'<code class="api-token">([^<]+)</code>', response.data.decode())
    assert token
    auth.logout()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert me.status_code == 200 and me.json["user"]["username"] == "village11"
