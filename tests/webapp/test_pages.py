"""Inbox, case page, diagram data, households, declarations, admin, vendor assets."""

import pytest
from sqlalchemy import select

from engine.models import Attachment, Case, Household, User

PDF = b"%PDF-1.4\n%test\n"


def test_inbox_views_counts_and_pagination(client, auth, start, app):
    for _ in range(3):
        start()
    app.config["PAGE_SIZE"] = 2
    auth.login()
    page = client.get("/inbox?view=unclaimed").data.decode()
    assert page.count('action="/tasks/') == 2 and "page=2" in page
    assert client.get("/inbox?view=all&page=2").status_code == 200
    assert client.get("/inbox?view=nonsense").status_code == 404
    for view in ("mine", "overdue", "today", "done"):
        assert client.get(f"/inbox?view={view}").status_code == 200


def test_inbox_overdue_first(client, auth, start, declaration, clock):
    start("monitoring_identification", "village11", declaration)
    clock.shift(5 * 86400)
    auth.login()
    page = client.get("/inbox?view=overdue").data.decode()
    assert "overdue" in page and "入户核实" in page


def test_inbox_hides_other_villages(client, auth, start):
    start("four_tasks", "village12")
    auth.login("village11")
    assert 'href="/tasks/' not in client.get("/").data.decode()


def test_auditor_has_no_queue(client, auth):
    auth.login("auditor")
    assert client.get("/").status_code == 200


def test_case_page_and_diagram(client, auth, start, declaration):
    case, items = start("monitoring_identification", "village11", declaration)
    auth.login("village11")
    page = client.get(f"/cases/{case.id}").data.decode()
    assert "王建国" in page and "360799196503124515" not in page
    assert 'data-url="/cases/%d/diagram.json"' % case.id in page
    assert "<script>" not in page  # no inline script (CSP)
    data = client.get(f"/cases/{case.id}/diagram.json").get_json()
    assert data["current"] == ["home_check"] and "<bpmn:definitions" in data["xml"]
    auth.logout()
    auth.login("village21")
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get(f"/cases/{case.id}/diagram.json").status_code == 403
    assert client.get("/cases/999").status_code == 404


def test_attachment_upload_and_download(client, auth, start, session):
    case, items = start()
    auth.login("village11")
    response = client.post(f"/tasks/{items[0].id}/attachments", data={
        "kind": "minutes", "file": (__import__("io").BytesIO(PDF), "会议纪要.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    bad = client.post(f"/tasks/{items[0].id}/attachments", data={
        "kind": "minutes", "file": (__import__("io").BytesIO(b"MZ\x90\x00"), "x.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 400
    session.rollback()
    attachment = session.scalars(select(Attachment)).one()
    download = client.get(f"/attachments/{attachment.id}")
    assert download.data == PDF and download.mimetype == "application/pdf"
    auth.logout()
    auth.login("village12")
    assert client.get(f"/attachments/{attachment.id}").status_code == 403
    auth.logout()
    auth.login("auditor")
    assert client.get(f"/attachments/{attachment.id}").status_code == 200


def test_household_search_and_page(client, auth):
    auth.login("village11")
    page = client.get("/households?q=王").data.decode()
    assert "王建国" in page and "360799********4515" in page
    assert "张福生" not in client.get("/households").data.decode()  # another village
    assert "王建国" in client.get("/households?q=4515").data.decode()
    assert client.get("/households/1").status_code == 200
    assert client.get("/households/3").status_code == 403
    assert client.get("/households/999").status_code == 404


def test_register_household(client, auth, session):
    auth.login("village11")
    assert client.get("/households/new").status_code == 200
    bad = client.post("/households/new", data={"head_name": "赵六", "id_number": "1" * 18,
                                               "village_code": "360799100001", "members": 2})
    assert bad.status_code == 400
    good = client.post("/households/new", data={
        "head_name": "赵六", "id_number": "360799199001011237", "village_code": "360799100001",
        "members": 2})
    assert good.status_code in (302, 400)
    session.rollback()
    if good.status_code == 302:
        assert session.scalars(select(Household).where(Household.head_name == "赵六")).one()


def test_declaration_starts_case(client, auth, session):
    auth.login("village11")
    page = client.get("/households/1/declare").data.decode()
    assert 'name="risk_types"' in page and 'name="household_id"' not in page
    bad = client.post("/households/1/declare", data={"channel": "self_declaration"})
    assert bad.status_code == 400 and 'class="error"' in bad.data.decode()
    session.rollback()
    assert session.scalars(select(Case)).first() is None
    good = client.post("/households/1/declare", data={
        "channel": "self_declaration", "discovery_date": "2025-03-08", "risk_types": ["01"],
        "commitment_signed": "on"})
    assert good.status_code == 302, good.data.decode()
    session.rollback()
    case = session.scalars(select(Case)).one()
    assert case.household_id == 1 and case.area_code == "360799100001"
    again = client.post("/households/1/declare", data={
        "channel": "self_declaration", "discovery_date": "2025-03-08", "risk_types": ["01"],
        "commitment_signed": "on"})
    assert again.status_code == 409


def test_county_declaration_chooses_village(client, auth):
    auth.login("county1")
    page = client.get("/households/1/declare").data.decode()
    assert 'name="area_code"' in page and "360799200002" in page


def test_auditor_cannot_declare(client, auth):
    auth.login("auditor")
    assert client.get("/households/1/declare").status_code == 403
    assert client.get("/households/new").status_code == 403


def test_admin_pages(client, auth, session):
    auth.login("village11")
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    auth.login("admin")
    assert "village11" in client.get("/admin/users").data.decode()
    response = client.post("/admin/users/new", data={
        "username": "village11x", "display_name": "新用户", "level": "village",
        "area_code": "360799100001", "roles": ["staff"], "password": "long-enough-1"})
    assert response.status_code == 302, response.data.decode()
    session.rollback()
    new = session.scalars(select(User).where(User.username == "village11x")).one()
    assert client.post(f"/admin/users/{new.id}/password",
                       data={"password": "another-pass-2"}).status_code == 302
    assert client.post(f"/admin/users/{new.id}/active").status_code == 302
    session.rollback()
    assert session.get(User, new.id).active is False
    assert client.post("/admin/areas", data={"code": "360799100003",
                                             "name": "新村"}).status_code == 302
    assert "新村" in client.get("/admin/areas").data.decode()
    assert client.post("/admin/areas", data={"code": "123",
                                             "name": "x"}).status_code == 400


def test_vendor_assets(client):
    response = client.get("/vendor/bpmn-js/dist/bpmn-navigated-viewer.production.min.js")
    if response.status_code == 404:
        pytest.skip("node_modules not installed (run npm install)")
    assert response.status_code == 200
    response.close()
    assert client.get("/vendor/bpmn-js/package.json").status_code == 404
    assert client.get("/vendor/left-pad/dist/x.js").status_code == 404
    assert client.get("/vendor/bpmn-js/dist/../package.json").status_code == 404


def test_admin_calendar_overrides(client, auth, session):
    from engine.models import CalendarDay

    auth.login("village11")
    assert client.get("/admin/calendar").status_code == 403
    assert client.post("/admin/calendar", data={"day": "2027-01-01",
                                                "kind": "holiday"}).status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.get("/admin/calendar?year=2031").data.decode()
    assert "尚无 2031 年的节假日数据" in page
    response = client.post("/admin/calendar", data={"day": "2031-10-01", "kind": "holiday",
                                                    "note": "国庆节"})
    assert response.status_code == 302
    response = client.post("/admin/calendar", data={"day": "2031-10-11", "kind": "workday",
                                                    "note": "调休"})
    page = client.get("/admin/calendar?year=2031").data.decode()
    assert "2031-10-01" in page and "国庆节" in page and "工作日(调休)" in page
    session.rollback()
    assert {(d.day.isoformat(), d.is_workday) for d in session.scalars(
        select(CalendarDay))} == {("2031-10-01", False), ("2031-10-11", True)}
    assert client.post("/admin/calendar", data={"day": "not-a-date",
                                                "kind": "holiday"}).status_code == 400
    assert client.post("/admin/calendar/2031-10-01/delete").status_code == 302
    assert client.post("/admin/calendar/2031-12-31/delete").status_code == 404
    session.rollback()
    assert [d.day.isoformat() for d in session.scalars(select(CalendarDay))] == ["2031-10-11"]


def test_county_staff_cancel_a_case(client, auth, session, start):
    from engine.models import Case, WorkItem

    case, _ = start("four_tasks", "village11")
    auth.login("village11")
    page = client.get(f"/cases/{case.id}").data.decode()
    assert 'id="cancel"' not in page
    assert client.post(f"/cases/{case.id}/cancel", data={"reason": "重复"}).status_code == 403
    auth.logout()
    auth.login("county1")
    assert 'id="cancel"' in client.get(f"/cases/{case.id}").data.decode()
    response = client.post(f"/cases/{case.id}/cancel", data={"reason": ""})
    assert response.status_code == 302
    session.rollback()
    assert session.get(Case, case.id).status == "running"
    response = client.post(f"/cases/{case.id}/cancel", data={"reason": "重复申报"},
                           follow_redirects=True)
    page = response.data.decode()
    assert "已撤销" in page or "Cancelled" in page
    session.rollback()
    assert session.get(Case, case.id).status == "cancelled"
    assert session.get(Case, case.id).outcome_reason == "重复申报"
    assert all(i.status != "open" for i in session.scalars(
        select(WorkItem).where(WorkItem.case_id == case.id)))
