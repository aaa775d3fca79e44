"""Login, logout, password change, rate limit, CSRF, language switch, security headers."""
import pytest
from sqlalchemy import select

from engine.models import AuditEvent


def _events(session):
    session.rollback()
    return [e.event for e in session.scalars(select(AuditEvent).where(
        AuditEvent.case_id.is_(None)).order_by(AuditEvent.seq))]


def test_login_required(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_logout_audited(client, auth, session):
    assert auth.login("village11", "wrong-password").status_code == 401
    assert auth.login().status_code == 302
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/inbox").status_code == 302
    assert _events(session)[-3:] == ["login_failed", "login", "logout"]


def test_login_redirects_only_to_this_site(client):
    response = client.post("/login", data={"username": "village11",
                                           "password": "dixian-demo",
                                           "next": "https://evil.example/"})
    assert response.headers["Location"] == "/inbox"


def test_password_change_ends_old_sessions(client, auth, app):
    auth.login()
    other = app.test_client()
    other.post("/login", data={"username": "village11", "password": "dixian-demo"})
    response = client.post("/password", data={"old": "dixian-demo", "new": "new-pass-123",
                                               "confirm": "new-pass-123"})
    assert response.status_code == 302
    assert client.get("/inbox").status_code == 200
    assert other.get("/inbox").status_code == 302  # the other session is over
    assert client.post("/password", data={"old": "wrong", "new": "x" * 9,
                                          "confirm": "x" * 9}).status_code == 400


@pytest.mark.parametrize("config_overrides", [{"LOGIN_RATE_LIMIT": "3/minute"}])
def test_login_rate_limit(client, clock):
    for _ in range(3):
        client.post("/login", data={"username": "village11", "password": "bad"})
    response = client.post("/login", data={"username": "village11", "password": "dixian-demo"})
    assert response.status_code == 429
    assert client.get("/login").status_code == 200  # only POST is limited
    clock.shift(61)
    response = client.post("/login", data={"username": "village11", "password": "dixian-demo"})
    assert response.status_code == 302


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_refused(client, token_of, start, open_items):
    page = client.get("/login").data.decode()
    assert client.post("/login", data={"username": "village11",
                                       "password": "dixian-demo"}).status_code == 400
    response = client.post("/login", data={"username": "village11", "password": "dixian-demo",
                                           "csrf_token": token_of(page)})
    assert response.status_code == 302
    case, items = start()
    assert client.post(f"/tasks/{items[0].id}", data={"case_version": "1"}).status_code == 400
    assert client.post(f"/tasks/{items[0].id}/claim").status_code == 400
    assert client.post("/logout").status_code == 400
    assert open_items(case.id)[0].id == items[0].id
    token = token_of(client.get(f"/tasks/{items[0].id}").data.decode())
    assert client.post(f"/tasks/{items[0].id}", data={"case_version": "1",
                                                      "csrf_token": token}).status_code == 302


def test_language_switch(client, auth, session, user):
    page = client.get("/login").data.decode()
    assert "登录" in page
    client.post("/language", data={"locale": "en"})
    assert "Log in" in client.get("/login").data.decode()
    auth.login()
    client.post("/language", data={"locale": "zh_CN"})
    session.rollback()
    assert user("village11").locale == "zh_CN"
    assert "待办" in client.get("/").data.decode()
    client.post("/language", data={"locale": "en"})
    session.rollback()
    assert user("village11").locale == "en"
    assert "Inbox" in client.get("/").data.decode()


def test_security_headers(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert b"<script>" not in response.data


def test_session_cookie_flags(client, auth):
    response = auth.login()
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
