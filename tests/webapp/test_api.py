"""The JSON API's authentication (tokens, sessions, CSRF), error shapes and the OpenAPI
document."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from engine import demo


def test_unauthenticated_requests_get_401_json(client):
    for method, url in [("get", "/api/v1/inbox"), ("get", "/api/v1/cases/1"),
                        ("post", "/api/v1/tasks/1/complete"), ("get", "/api/v1/me"),
                        ("post", "/api/v1/tasks/1/reassign")]:
        response = getattr(client, method)(url, json={})
        assert response.status_code == 401, url
        assert response.is_json and set(response.json) == {"error", "fields"}


def test_bad_token_is_401(client, bearer):
    bearer("village11")
    response = client.get("/api/v1/inbox", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401 and response.json["error"] == "invalid API token"
    response = client.get("/api/v1/inbox", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401


def test_token_request_and_use(client):
    response = client.post("/api/v1/tokens", json={"username": "village11",
                                                   "password": demo.PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["user"]["username"] == "village11"
    assert response.json["user"]["roles"] == ["staff"]
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["auth"] == "token"
    assert "csrf_token" not in me.json and "Set-Cookie" not in me.headers
    # A new token replaces the old one.
    client.post("/api/v1/tokens", json={"username": "village11", "password": demo.PASSWORD})
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_request_refuses_wrong_password_and_is_audited(client, rows):
    response = client.post("/api/v1/tokens", json={"username": "village11",
                                                   "password": "wrong-password"})
    assert response.status_code == 401
    [failed] = rows("SELECT data FROM audit_events WHERE event = 'login_failed'")
    assert "api" in str(failed.data)
    response = client.post("/api/v1/tokens", json={"username": "village11"})
    assert response.status_code == 422 and "password" in response.json["fields"]
    assert client.post("/api/v1/tokens", data="x").status_code == 400


@pytest.mark.parametrize("config_overrides", [{"LOGIN_RATE_LIMIT": "2/minute"}])
def test_token_request_is_rate_limited(client):
    codes = [client.post("/api/v1/tokens", json={"username": "village11",
                                                 "password": "wrong"}).status_code
             for _ in range(3)]
    assert codes == [401, 401, 429]


def test_revoke_token(client, bearer, rows):
    headers = bearer("village11")
    assert client.delete("/api/v1/tokens", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert rows("SELECT event FROM audit_events WHERE case_id IS NULL ORDER BY seq DESC"
                )[0].event == "api_token_revoked"


def test_session_auth_reads(client, auth):
    auth.login("village11")
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and response.json["auth"] == "session"
    assert client.get("/api/v1/inbox").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_session_post_needs_csrf_header(client, start, token_of, open_items):
    started = start()
    item = started.items[0]
    login_page = client.get("/login").data.decode()
    client.post("/login", data={"username": "village11", "password": demo.PASSWORD,
                                "csrf_token": token_of(login_page)})
    body = {"data": {}, "case_version": 1}
    refused = client.post(f"/api/v1/tasks/{item.id}/complete", json=body)
    assert refused.status_code == 400 and "CSRF" in refused.json["error"]
    assert open_items(started.case.id)[0].id == item.id
    wrong = client.post(f"/api/v1/tasks/{item.id}/complete", json=body,
                        headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    csrf = client.get("/api/v1/me").json["csrf_token"]
    accepted = client.post(f"/api/v1/tasks/{item.id}/complete", json=body,
                           headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200, accepted.json
    assert open_items(started.case.id)[0].task_name == "village_review"


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_bearer_post_needs_no_csrf(client, start, bearer):
    started = start()
    response = client.post(f"/api/v1/tasks/{started.items[0].id}/complete",
                           json={"data": {}, "case_version": 1}, headers=bearer("village11"))
    assert response.status_code == 200


def test_unknown_api_url_and_method_are_json(client, bearer):
    headers = bearer("village11")
    response = client.get("/api/v1/nothing", headers=headers)
    assert response.status_code == 404 and response.is_json
    response = client.put("/api/v1/inbox", headers=headers)
    assert response.status_code == 405 and response.is_json


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
    assert "/tasks/{item_id}/reassign" in described


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
