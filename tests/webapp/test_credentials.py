"""Credentials that end when they should, and the log-in limits as users meet them: a
session cookie copied before log-out, API tokens after a password reset, the shared rate
limit of both doors, the account lock and the administrator's unlock."""
from __future__ import annotations

import pytest

from engine import demo


def test_a_session_cookie_copied_before_logout_is_dead_after_it(client, app, auth):
    auth.login()
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/inbox").status_code == 200
    auth.logout()
    response = thief.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_cookie_dies_with_logout_too(client, app):
    client.post("/login", data={"username": "village11", "password": demo.PASSWORD,
                                "remember": "y"})
    remember = client.get_cookie("remember_token").value
    other = app.test_client()
    other.set_cookie("remember_token", remember)
    assert other.get("/inbox").status_code == 200
    client.post("/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/inbox").status_code == 302


def test_an_admin_reset_ends_the_api_token(client, auth, bearer, user):
    headers = bearer("village11")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    auth.login("admin")
    client.post(f"/admin/users/{user('village11').id}/password",
                data={"password": "fresh-password-1"})
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.json["error"] == "invalid API token"


@pytest.mark.parametrize("config_overrides", [{"LOGIN_RATE_LIMIT": "4/minute"}])
def test_both_doors_count_together(client, clock):
    for _ in range(2):
        client.post("/login", data={"username": "village11", "password": "bad"})
        client.post("/api/v1/tokens", json={"username": "village11", "password": "bad"})
    response = client.post("/api/v1/tokens", json={"username": "village11",
                                                   "password": demo.PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    page = client.post("/login", data={"username": "village11", "password": demo.PASSWORD})
    assert page.status_code == 429 and "尝试次数过多" in page.data.decode()
    clock.shift(61)
    assert client.post("/login", data={"username": "village11",
                                       "password": demo.PASSWORD}).status_code == 302


def test_locked_account_and_admin_unlock(client, app, eng, user, rows):
    for _ in range(eng.settings.lockout_failures):
        client.post("/api/v1/tokens", json={"username": "village12", "password": "bad"})
    page = client.post("/login", data={"username": "village12", "password": demo.PASSWORD})
    assert page.status_code == 429 and "此账号暂时被锁定" in page.data.decode()
    admin = app.test_client()
    admin.post("/login", data={"username": "admin", "password": demo.PASSWORD})
    listing = admin.get("/admin/users").data.decode()
    assert listing.count("已锁定") == 1 and "解锁" in listing
    response = admin.post(f"/admin/users/{user('village12').id}/unlock")
    assert response.status_code == 302
    [unlocked] = rows("SELECT actor_id, data FROM audit_events WHERE event = 'account_unlocked'")
    assert unlocked.actor_id == user("admin").id
    assert client.post("/login", data={"username": "village12",
                                       "password": demo.PASSWORD}).status_code == 302
    village = app.test_client()
    village.post("/login", data={"username": "village11", "password": demo.PASSWORD})
    assert village.post(f"/admin/users/{user('village12').id}/unlock").status_code == 403
