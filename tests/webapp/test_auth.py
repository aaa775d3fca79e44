"""Login, logout, password change, rate limit, CSRF, language switch, security headers."""
import pytest

from engine import demo


def _global_events(rows) -> list[str]:
    return [r.event for r in rows("SELECT event FROM audit_events WHERE case_id IS NULL "
                                  "ORDER BY seq")]


def test_login_required(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_logout_audited_in_the_global_chain(client, auth, rows):
    assert auth.login("village11", "wrong-password").status_code == 401
    assert auth.login().status_code == 302
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/inbox").status_code == 302
    assert _global_events(rows)[-3:] == ["login_failed", "login", "logout"]


def test_login_redirects_only_to_this_site(client):
    response = client.post("/login", data={"username": "village11",
                                           "password": demo.PASSWORD,
                                           "next": "https://evil.example/"})
    assert response.headers["Location"] == "/inbox"


def test_password_change_ends_old_sessions(client, auth, app, eng):
    auth.login()
    other = app.test_client()
    other.post("/login", data={"username": "village11", "password": demo.PASSWORD})
    assert other.get("/inbox").status_code == 200
    response = client.post("/password", data={"old": demo.PASSWORD, "new": "new-pass-123",
                                               "confirm": "new-pass-123"})
    assert response.status_code == 302
    assert client.get("/inbox").status_code == 200  # this session goes on
    assert other.get("/inbox").status_code == 302  # the other session is over
    assert eng.authenticate("village11", "new-pass-123") is not None
    wrong = client.post("/password", data={"old": "wrong", "new": "x" * 9,
                                           "confirm": "x" * 9})
    assert wrong.status_code == 400 and "当前密码错误" in wrong.data.decode()
    short = client.post("/password", data={"old": "new-pass-123", "new": "short",
                                           "confirm": "short"})
    assert short.status_code == 400  # the engine refuses it: 8 characters at least
    assert eng.authenticate("village11", "new-pass-123") is not None


def test_deactivated_user_loses_the_session(client, auth, eng, user):
    auth.login()
    assert client.get("/inbox").status_code == 200
    eng.set_active(user("village11").id, False, user("admin"))
    assert client.get("/inbox").status_code == 302


@pytest.mark.parametrize("config_overrides", [{"LOGIN_RATE_LIMIT": "3/minute"}])
def test_login_rate_limit(client, clock):
    for _ in range(3):
        client.post("/login", data={"username": "village11", "password": "bad"})
    response = client.post("/login", data={"username": "village11",
                                           "password": demo.PASSWORD})
    assert response.status_code == 429
    assert client.get("/login").status_code == 200  # only POST is limited
    clock.shift(61)
    response = client.post("/login", data={"username": "village11",
                                           "password": demo.PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_refused(client, token_of, start, open_items):
    page = client.get("/login").data.decode()
    assert client.post("/login", data={"username": "village11",
                                       "password": demo.PASSWORD}).status_code == 400
    response = client.post("/login", data={"username": "village11",
                                           "password": demo.PASSWORD,
                                           "csrf_token": token_of(page)})
    assert response.status_code == 302
    started = start()
    item = started.items[0]
    assert client.post(f"/tasks/{item.id}", data={"case_version": "1"}).status_code == 400
    assert client.post(f"/tasks/{item.id}/claim").status_code == 400
    assert client.post("/logout").status_code == 400
    assert [i.id for i in open_items(started.case.id)] == [item.id]
    token = token_of(client.get(f"/tasks/{item.id}").data.decode())
    assert client.post(f"/tasks/{item.id}", data={"case_version": "1",
                                                  "csrf_token": token}).status_code == 302
    assert [i.task_name for i in open_items(started.case.id)] == ["village_review"]


def test_language_switch(client, auth, user):
    page = client.get("/login").data.decode()
    assert "登录" in page
    client.post("/language", data={"locale": "en"})
    assert "Log in" in client.get("/login").data.decode()
    auth.login()
    client.post("/language", data={"locale": "zh_CN"})
    assert user("village11").locale == "zh_CN"
    assert "待办" in client.get("/").data.decode()
    client.post("/language", data={"locale": "en"})
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
