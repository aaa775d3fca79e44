"""Hostile requests: each is refused with a 4xx and a message naming what is wrong, and
nothing is written (the tables a request could touch keep their row counts)."""
from __future__ import annotations

import json

import pytest

from engine import demo

TABLES = ("cases", "work_items", "households", "users", "attachments")
# Audit events but those of the test's own log-ins and tokens.
EVENTS = "SELECT count(*) FROM audit_events WHERE event NOT IN ('api_token_issued', 'login')"


@pytest.fixture
def unchanged(rows):
    """Assert at the end of the test that no table a request could write changed since the
    test's first request (``unchanged.mark()`` moves the mark after the test's own set-up)."""
    class Mark:
        def counts(self):
            found = {t: rows(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
            return {**found, "audit_events": rows(EVENTS)[0][0]}

        def mark(self):
            self.before = self.counts()

    mark = Mark()
    mark.mark()
    yield mark
    assert mark.counts() == mark.before


@pytest.fixture
def api(client, bearer):
    """Send a raw request to the API as a demo user; returns the response."""
    def _api(method: str, url: str, body=None, username: str = "village11", raw=None,
             **kwargs):
        headers = bearer(username)
        if raw is not None:
            kwargs.update(data=raw, content_type="application/json")
        elif body is not None:
            kwargs["json"] = body
        return client.open(url, method=method, headers=headers, **kwargs)
    return _api


def refused(response, status: int = 400, field: str | None = None, says: str = "") -> dict:
    """The response is a JSON refusal with that status, naming ``field``."""
    assert response.status_code == status, response.data[:300]
    body = response.json
    assert body["error"]
    if field is not None:
        assert field in body["fields"], body
    assert says in body["error"]
    return body


def _item(start, declaration, unchanged=None):
    item = start("monitoring_identification", "village11", declaration).items[0]
    if unchanged is not None:
        unchanged.mark()
    return item


def test_deep_json_is_refused(api, start, declaration, unchanged):
    item = _item(start, declaration, unchanged)
    for depth in (25, 1000, 100_000):
        raw = '{"data": ' + "[" * depth + "]" * depth + ', "case_version": 1}'
        refused(api("POST", f"/api/v1/tasks/{item.id}/complete", raw=raw), says="nested")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_refused(api, start, declaration, home_check, unchanged,
                                      constant):
    item = _item(start, declaration, unchanged)
    raw = json.dumps({"data": home_check, "case_version": 1}).replace(
        '"income_per_head": 5000', f'"income_per_head": {constant}')
    refused(api("POST", f"/api/v1/tasks/{item.id}/complete", raw=raw), says="finite")


def test_lone_surrogate_is_refused(api, start, declaration, home_check, unchanged):
    item = _item(start, declaration, unchanged)
    raw = json.dumps({"data": home_check, "comment": "x", "case_version": 1}).replace(
        '"comment": "x"', '"comment": "ok \\ud800"')
    refused(api("POST", f"/api/v1/tasks/{item.id}/complete", raw=raw), field="comment",
            says="surrogate")


@pytest.mark.parametrize("where", ["comment", "head_name", "search", "username"])
def test_nul_is_refused(api, client, start, declaration, home_check, unchanged, where):
    if where == "comment":
        item = _item(start, declaration, unchanged)
        response = api("POST", f"/api/v1/tasks/{item.id}/complete",
                       {"data": home_check, "comment": "a\x00b", "case_version": 1})
    elif where == "head_name":
        response = api("POST", "/api/v1/households",
                       {"head_name": "王\x00", "id_number": "110101199003074514",
                        "village_code": "360799100001"})
    elif where == "search":
        response = api("GET", "/api/v1/households?q=%00王")
    else:
        response = client.post("/api/v1/tokens", json={"username": "village11\x00",
                                                       "password": "x"})
    body = refused(response, says="control character")
    assert len(body["fields"]) == 1


def test_nul_in_forms_gets_a_localised_page(client, auth, unchanged):
    auth.login()
    response = client.get("/households?q=%00")
    assert response.status_code == 400
    page = response.data.decode()
    assert "请求被拒绝" in page and "控制字符" in page
    client.post("/language", data={"locale": "en"})
    page = client.get("/households?q=%00").data.decode()
    assert "Request refused" in page and "control character" in page


@pytest.mark.parametrize("url", ["/api/v1/tasks/2147483648", "/api/v1/cases/9223372036854775808",
                                 "/api/v1/households/99999999999999999999999",
                                 "/tasks/2147483648", "/cases/99999999999999999999"])
def test_ids_past_the_database_integer_are_not_found(api, client, auth, url):
    if url.startswith("/api/"):
        assert api("GET", url).status_code == 404
    else:
        auth.login()
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["2147483648", "9223372036854775808", "1" * 30])
def test_page_past_the_database_integer(api, page):
    response = api("GET", f"/api/v1/inbox?page={page}")
    assert response.status_code == 200 and response.json["items"] == []


def test_household_fields_longer_than_their_columns(api, unchanged):
    base = {"head_name": "王五", "id_number": "110101199003074514",
            "village_code": "360799100001"}
    for field, value in [("head_name", "王" * 51), ("household_type", "x" * 21),
                         ("phone", "1" * 21), ("id_number", "1" * 19)]:
        refused(api("POST", "/api/v1/households", {**base, field: value}), 422, field)
    refused(api("POST", "/api/v1/households", {**base, "members": 2 ** 40}), 422, "members")
    refused(api("POST", "/api/v1/households", {**base, "income_per_head": 1e13}), 422,
            "income_per_head")


def test_huge_numbers_are_refused(api, start, declaration, home_check, unchanged):
    item = _item(start, declaration, unchanged)
    raw = json.dumps({"data": home_check, "case_version": 1}).replace(
        '"income_per_head": 5000', '"income_per_head": ' + "9" * 30)
    refused(api("POST", f"/api/v1/tasks/{item.id}/complete", raw=raw), says="beyond")
    refused(api("POST", f"/api/v1/tasks/{item.id}/complete",
                {"data": {**home_check, "income_per_head": 2 ** 60}, "case_version": 1}),
            field="data.income_per_head")
    refused(api("POST", f"/api/v1/tasks/{item.id}/reassign", {"to_user": 2 ** 40}), 404)


def test_huge_numbers_in_form_fields(client, auth, start, declaration, home_check, eng,
                                     user, unchanged):
    item = _item(start, declaration, unchanged)
    auth.login()
    form = {k: str(v).lower() if isinstance(v, bool) else v for k, v in home_check.items()
            if k != "checkers"}
    form.update(checkers="张三\n李四", case_version=1, income_per_head="1" + "0" * 25)
    response = client.post(f"/tasks/{item.id}", data=form)
    assert response.status_code == 400
    assert eng.task(item.id, user("village11")).item.status == "open"


def test_nine_mib_string_is_refused_early(api, start, declaration, home_check, unchanged):
    item = _item(start, declaration, unchanged)
    body = {"data": home_check, "comment": "x" * (9 * 1024 * 1024), "case_version": 1}
    refused(api("POST", f"/api/v1/tasks/{item.id}/complete", body), 413)
    body["comment"] = "x" * 20_000
    refused(api("POST", f"/api/v1/tasks/{item.id}/complete", body), field="comment",
            says="longer than 10000")


def test_many_checkers_are_refused_before_validation(api, start, declaration, home_check,
                                                     unchanged):
    item = _item(start, declaration, unchanged)
    checkers = [{"name": str(i)} for i in range(900)]
    body = {"data": {**home_check, "checkers": checkers}, "case_version": 1}
    # Not the user's item: refused before the form is looked at.
    refused(api("POST", f"/api/v1/tasks/{item.id}/complete", body, "village12"), 403)
    body = refused(api("POST", f"/api/v1/tasks/{item.id}/complete", body), 422, "checkers")
    assert body["fields"] == {"checkers": "最多填写 10 项"}  # names are typed, not chosen


def test_login_next_with_cr_lf(client, unchanged):
    response = client.get("/login?next=/%0d%0aSet-Cookie:%20x=1")
    assert response.status_code == 400
    response = client.post("/login", data={"username": "village11", "password": demo.PASSWORD,
                                           "next": "/\r\nLocation: http://evil"})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"


def test_405_carries_allow(client, api):
    response = api("DELETE", "/api/v1/inbox")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.json["error"]
    response = client.put("/login")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_household_form_numbers_past_their_columns(client, auth, unchanged):
    auth.login()
    response = client.post("/households/new", data={
        "head_name": "王五", "id_number": "110101199003074514", "village_code": "360799100001",
        "members": "1" + "0" * 25, "household_type": "", "income_per_head": "1e13"})
    assert response.status_code == 400
    page = response.data.decode()
    assert page.count("has-error") == 2  # members and income, each next to its field


def test_a_handled_item_is_refused_before_its_form_is_validated(api, start, declaration,
                                                                home_check, eng, user):
    item = _item(start, declaration)
    eng.complete(item.id, user("village11"), home_check)
    checkers = [{"name": str(i)} for i in range(900)]
    response = api("POST", f"/api/v1/tasks/{item.id}/complete",
                   {"data": {**home_check, "checkers": checkers}, "case_version": 2})
    assert response.status_code == 409 and response.json["fields"] == {}
