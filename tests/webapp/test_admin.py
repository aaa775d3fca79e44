"""Administration pages: users, password reset, areas, the calendar, the global audit chain.
The engine checks and audits each change: the pages must not audit a second time."""
from engine import demo


def _global_events(rows) -> list[str]:
    return [r.event for r in rows("SELECT event FROM audit_events WHERE case_id IS NULL "
                                  "ORDER BY seq")]


def test_only_administrators_see_the_pages(client, auth):
    auth.login("village11")
    for url in ("/admin/users", "/admin/users/new", "/admin/areas", "/admin/calendar"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/calendar", data={"day": "2027-01-01",
                                                "kind": "holiday"}).status_code == 403


def test_create_and_deactivate_a_user(client, auth, eng, user, rows):
    auth.login("admin")
    page = client.get("/admin/users").data.decode()
    assert "village11" in page and '<td title="360799100001">东山村</td>' in page
    assert "<td>村</td>" in page and "<td>工作人员</td>" in page  # level and role in words
    before = len(_global_events(rows))
    response = client.post("/admin/users/new", data={
        "username": "village11x", "display_name": "新用户", "level": "village",
        "area_code": "360799100001", "roles": ["staff"], "password": "long-enough-1"})
    assert response.status_code == 302, response.data.decode()
    new = user("village11x")
    assert new.display_name == "新用户" and new.roles == ("staff",)
    assert _global_events(rows)[before:] == ["user_created"]  # audited once
    short = client.post("/admin/users/new", data={
        "username": "village11y", "level": "village", "area_code": "360799100001",
        "roles": ["staff"], "password": "short"})
    assert short.status_code == 400 and "8 characters" in short.data.decode()
    mismatch = client.post("/admin/users/new", data={
        "username": "village11z", "level": "county", "area_code": "360799100001",
        "roles": ["staff"], "password": "long-enough-1"})
    assert mismatch.status_code == 400
    assert client.post(f"/admin/users/{new.id}/active").status_code == 302
    assert user("village11x").active is False
    assert _global_events(rows)[-1] == "user_deactivated"
    assert client.post(f"/admin/users/{new.id}/active").status_code == 302
    assert user("village11x").active is True
    me = user("admin")
    client.post(f"/admin/users/{me.id}/active")
    assert user("admin").active is True  # not oneself


def test_password_reset_changes_the_password_and_ends_sessions(app, client, auth, eng, user,
                                                               rows):
    other = app.test_client()
    other.post("/login", data={"username": "village11", "password": demo.PASSWORD})
    assert other.get("/inbox").status_code == 200
    auth.login("admin")
    target = user("village11")
    response = client.post(f"/admin/users/{target.id}/password",
                           data={"password": "reset-pass-9"}, follow_redirects=True)
    assert "village11" in response.data.decode() and "已重置" in response.data.decode()
    assert eng.authenticate("village11", "reset-pass-9") is not None
    assert eng.authenticate("village11", demo.PASSWORD) is None
    assert other.get("/inbox").status_code == 302  # the user's session ended
    assert "password_reset" in _global_events(rows)
    # Too short: the engine refuses, the password stays.
    response = client.post(f"/admin/users/{target.id}/password", data={"password": "short"},
                           follow_redirects=True)
    assert "至少需要 8 个字符" in response.data.decode()
    assert eng.authenticate("village11", "reset-pass-9") is not None
    assert client.post("/admin/users/999/password",
                       data={"password": "reset-pass-9"}).status_code == 404


def test_areas(client, auth, eng, rows):
    auth.login("admin")
    response = client.post("/admin/areas", data={"code": "360799100003", "name": "新村"})
    assert response.status_code == 302
    assert "新村" in client.get("/admin/areas").data.decode()
    assert [a.name for a in eng.areas("360799100003")] == ["新村"]
    assert _global_events(rows)[-1] == "area_created"
    assert client.post("/admin/areas", data={"code": "123", "name": "x"}).status_code == 400
    assert client.post("/admin/areas", data={"code": "360799100003",
                                             "name": "又一村"}).status_code == 400
    assert client.post("/admin/areas", data={"code": "360799300001",
                                             "name": "无乡村"}).status_code == 400
    assert [a.code for a in eng.areas("3607993")] == []


def test_admin_calendar_overrides(client, auth, eng, rows):
    auth.login("admin")
    page = client.get("/admin/calendar?year=2031").data.decode()
    assert "尚无 2031 年的节假日数据" in page
    response = client.post("/admin/calendar", data={"day": "2031-10-01", "kind": "holiday",
                                                    "note": "国庆节"})
    assert response.status_code == 302
    client.post("/admin/calendar", data={"day": "2031-10-11", "kind": "workday",
                                         "note": "调休"})
    page = client.get("/admin/calendar?year=2031").data.decode()
    assert "2031-10-01" in page and "国庆节" in page and "工作日（调休）" in page
    assert {(d.day.isoformat(), d.is_workday) for d in eng.calendar_overrides(2031)} == {
        ("2031-10-01", False), ("2031-10-11", True)}
    assert client.post("/admin/calendar", data={"day": "not-a-date",
                                                "kind": "holiday"}).status_code == 400
    assert client.post("/admin/calendar/2031-10-01/delete").status_code == 302
    assert client.post("/admin/calendar/2031-12-31/delete").status_code == 404
    assert [d.day.isoformat() for d in eng.calendar_overrides(2031)] == ["2031-10-11"]
    assert _global_events(rows)[-3:] == ["calendar_changed"] * 3


def test_audit_page_verifies_the_global_chain(client, auth, eng, rows):
    auth.login("village11")
    assert client.get("/admin/audit").status_code == 403
    auth.logout()
    auth.login("auditor")
    page = client.get("/admin/audit").data.decode()
    count = len(_global_events(rows))
    assert f"校验通过，共 {count} 条" in page
    # Someone edits a login record in the database: the page names the broken link.
    with eng.database.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_events SET actor_name = 'someone' "
                             "WHERE case_id IS NULL AND seq = 3")
    page = client.get("/admin/audit").data.decode()
    assert "校验未通过" in page and "event #3" in page and "altered" in page
    auth.logout()
    auth.login("admin")
    assert client.get("/admin/audit").status_code == 200
