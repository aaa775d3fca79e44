"""The work every request does around its view, made cheaper without changing what it checks:
cookie sessions, security headers, the locale and the strict JSON parser."""
import json
import re

import pytest
from flask.sessions import SecureCookieSessionInterface

from engine import demo
from webapp import i18n, security
from webapp.sanitize import BadInput, StrictJSON


@pytest.fixture
def built(monkeypatch):
    """How many signing serializers Flask's session interface built."""
    made = []
    original = SecureCookieSessionInterface.get_signing_serializer

    def counting(self, app):
        made.append(1)
        return original(self, app)

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", counting)
    return made


def test_a_token_request_sets_no_cookie_and_builds_no_serializer(client, bearer, built):
    for _ in range(3):
        response = client.get("/api/v1/me", headers=bearer("village11"))
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    assert built == []


def test_a_session_still_signs_checks_and_ends(client, auth, built, app):
    assert auth.login().status_code == 302
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None and "." in cookie.value  # signed
    for _ in range(3):
        assert client.get("/inbox").status_code == 200
    assert len(built) == 1  # one serializer for the secret key, reused
    client.set_cookie(cookie.key, cookie.value[:-2] + "xx")  # a forged signature
    assert client.get("/inbox").status_code == 302  # to the login page
    app.secret_key = "another"  # a new key: a new serializer, the old cookie invalid
    client.set_cookie(cookie.key, cookie.value)
    assert client.get("/inbox").status_code == 302
    assert len(built) == 2


def test_security_headers_come_once_and_a_views_own_are_kept(client, app):
    @app.route("/own-policy")
    def own_policy():
        return "x", 200, {"Content-Security-Policy": "default-src 'none'"}

    response = client.get("/login")
    for name, value in security.HEADERS:
        assert response.headers.getlist(name) == [value]
    response = client.get("/own-policy")
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_locale_is_parsed_once_per_name():
    assert i18n.as_locale("zh_CN") is i18n.as_locale("zh_CN")
    assert str(i18n.as_locale("zh_CN")) == "zh_CN" and str(i18n.as_locale("en")) == "en"


@pytest.mark.parametrize("body, problem", [
    (b'{"a": NaN}', "not_finite"), (b'{"a": 1' + b"0" * 30 + b"}", "too_big")])
def test_the_shared_strict_parser_refuses_as_before(body, problem):
    with pytest.raises(BadInput) as refused:
        StrictJSON.loads(body)
    assert refused.value.problem == problem


def test_the_shared_strict_parser_reads_what_json_reads():
    for body in (b'{"data": {"step": 2}, "case_version": 5}', '{"a": "\\u4e2d"}'.encode(),
                 '{"a": [1, 2.5, null, true]}', b"\xef\xbb\xbf{}",
                 json.dumps({"x": "中"}).encode("utf-16")):
        assert StrictJSON.loads(body) == json.loads(body)
    with pytest.raises(json.JSONDecodeError):
        StrictJSON.loads("\ufeff{}")



@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_every_claim_button_of_the_inbox_carries_the_token_that_claims(client, token_of, start,
                                                                     eng, user):
    """The inbox renders its CSRF field once for all its buttons (not once per row)."""
    for _ in range(3):
        start()
    login = client.get("/login").data.decode()
    assert client.post("/login", data={"username": "village11", "password": demo.PASSWORD,
                                       "csrf_token": token_of(login)}).status_code == 302
    page = client.get("/inbox?view=all").data.decode()
    forms = re.findall(r'<form method="post" action="([^"]+/claim[^"]*)"[^>]*>(.*?)</form>',
                       page)
    assert len(forms) >= 3
    tokens = {re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
              for _, body in forms}
    assert len(tokens) == 1
    assert client.post(forms[0][0].replace("&amp;", "&"),
                       data={"csrf_token": tokens.pop()}).status_code == 302
    assert len(eng.inbox(user("village11"), "mine").items) == 1


def test_the_pages_name_the_users_area_from_its_row_alone(client, auth, eng, monkeypatch):
    """The inbox names the officer's area from that one row (a county's name was found by
    reading all its townships and villages, 0.9 ms of every county officer's page)."""
    from engine import Engine

    monkeypatch.setattr(Engine, "areas", lambda self, under="": pytest.fail("read the subtree"))
    auth.login("county1")
    page = client.get("/inbox").data.decode()
    county = eng.find_user("county1").area_code
    assert eng.area_names([county])[county] in page
    assert eng.area_names(["no-such-code"]) == {}
