"""Inbox, case page, diagram data, households, declarations, attachments, vendor assets."""
import io


PDF = b"%PDF-1.4\n%test\n"
IDENTIFICATION = "monitoring_identification"
VALID_ID = "360799199001011231"  # a valid check digit: the engine's register decides


def test_inbox_views_counts_and_pagination(client, auth, start, app):
    for _ in range(3):
        start()
    app.config["PAGE_SIZE"] = 2
    auth.login()
    page = client.get("/inbox?view=unclaimed").data.decode()
    assert page.count('action="/tasks/') == 2 and "page=2" in page
    assert '<span class="count">3</span>' in page
    second = client.get("/inbox?view=all&page=2").data.decode()
    assert second.count('action="/tasks/') == 1
    assert client.get("/inbox?view=nonsense").status_code == 404
    for view in ("mine", "overdue", "today", "done"):
        assert client.get(f"/inbox?view={view}").status_code == 200


def test_inbox_shows_case_title_and_overdue_first(client, auth, start, declaration, clock):
    started = start(IDENTIFICATION, "village11", declaration)
    clock.shift(5 * 86400)
    auth.login()
    page = client.get("/inbox?view=overdue").data.decode()
    assert 'class="overdue"' in page and "入户核实" in page
    assert '<td data-label="办理对象">王建国</td>' in page and f'href="/cases/{started.case.id}"' in page


def test_inbox_hides_other_villages(client, auth, start):
    start("four_tasks", "village12")
    auth.login("village11")
    assert 'href="/tasks/' not in client.get("/").data.decode()


def test_auditor_has_no_queue(client, auth):
    auth.login("auditor")
    page = client.get("/").data.decode()
    assert "没有待办任务" in page and 'class="tabs"' not in page


def test_case_page_and_diagram(client, auth, start, declaration):
    case = start(IDENTIFICATION, "village11", declaration).case
    auth.login("village11")
    page = client.get(f"/cases/{case.id}").data.decode()
    assert "王建国" in page and "360799196503124515" not in page
    assert "监测对象识别纳入" in page  # the process name
    assert '<dd class="fact-risk_types">因病</dd>' in page
    assert 'data-url="/cases/%d/diagram.json"' % case.id in page
    assert "<script>" not in page  # no inline script (CSP)
    assert "记录已校验：共 1 条，未被篡改" in page
    data = client.get(f"/cases/{case.id}/diagram.json").get_json()
    assert data["current"] == ["home_check"] and "<bpmn:definitions" in data["xml"]
    auth.logout()
    auth.login("village21")
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get(f"/cases/{case.id}/diagram.json").status_code == 403
    assert client.get("/cases/999").status_code == 404


def test_case_page_outcome_in_words(client, auth, start, eng, user):
    case = start().case
    eng.cancel(case.id, user("county1"), "重复申报")
    auth.login("county1")
    page = client.get(f"/cases/{case.id}").data.decode()
    assert '<span class="outcome">已撤销</span>' in page and "重复申报" in page
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/cases/{case.id}").data.decode()
    assert '<span class="outcome">Cancelled</span>' in page


def test_attachment_upload_and_download(client, auth, start, case_of):
    started = start()
    item = started.items[0]
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}/attachments", data={
        "kind": "minutes", "file": (io.BytesIO(PDF), "会议纪要.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    bad = client.post(f"/tasks/{item.id}/attachments", data={
        "kind": "minutes", "file": (io.BytesIO(b"MZ\x90\x00"), "x.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 400 and "只接受 PDF、JPEG 和 PNG 文件" in bad.data.decode()
    [attachment] = case_of(started.case.id).attachments
    assert attachment.filename == "会议纪要.pdf" and attachment.work_item_id == item.id
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


def test_household_page_offers_the_procedures_of_households(client, auth, start,
                                                            declaration):
    case = start(IDENTIFICATION, "village11", declaration).case
    auth.login("village11")
    page = client.get("/households/1").data.decode()
    assert 'href="/households/1/declare/monitoring_identification"' in page
    assert "监测对象识别纳入" in page and f'href="/cases/{case.id}"' in page
    assert "four_tasks" not in page  # a process without a household subject
    assert client.get("/households/1/declare/four_tasks").status_code == 404


def test_register_household(client, auth, eng, user):
    auth.login("village11")
    assert client.get("/households/new").status_code == 200
    bad = client.post("/households/new", data={"head_name": "赵六", "id_number": "1" * 18,
                                               "village_code": "360799100001", "members": 2})
    assert bad.status_code == 400 and "身份证号码无效" in bad.data.decode()
    good = client.post("/households/new", data={
        "head_name": "赵六", "id_number": VALID_ID, "village_code": "360799100001",
        "members": 2})
    assert good.status_code == 302
    [found] = eng.households(user("village11"), "赵六")[0]
    assert good.headers["Location"] == f"/households/{found.id}"
    assert found.id_number == VALID_ID and found.members == 2
    again = client.post("/households/new", data={
        "head_name": "赵七", "id_number": VALID_ID, "village_code": "360799100001",
        "members": 1})
    assert again.status_code == 409 and "已登记" in again.data.decode()
    outside = client.post("/households/new", data={
        "head_name": "赵八", "id_number": "110105194912310046",
        "village_code": "360799100002", "members": 1})
    assert outside.status_code == 403


def test_declaration_starts_case(client, auth, eng, user, case_of):
    auth.login("village11")
    url = "/households/1/declare/monitoring_identification"
    page = client.get(url).data.decode()
    assert 'name="risk_types"' in page and 'name="household_id"' not in page
    assert 'name="area_code"' not in page  # a village user declares for their village
    bad = client.post(url, data={"channel": "self_declaration", "description": "大病"})
    assert bad.status_code == 400 and 'class="error"' in bad.data.decode()
    assert ">大病</textarea>" in bad.data.decode()  # what was typed stays
    assert eng.cases_of("household", 1, user("village11")) == []
    good = client.post(url, data={
        "channel": "self_declaration", "discovery_date": "2025-03-08", "risk_types": ["01"],
        "commitment_signed": "on"})
    assert good.status_code == 302, good.data.decode()
    [case] = eng.cases_of("household", 1, user("village11"))
    assert good.headers["Location"] == f"/cases/{case.id}"
    assert case.title == "王建国" and case.area_code == "360799100001"
    assert case_of(case.id).data["risk_types"] == ["01"]
    again = client.post(url, data={
        "channel": "self_declaration", "discovery_date": "2025-03-08", "risk_types": ["01"],
        "commitment_signed": "on"})
    assert again.status_code == 409


def test_county_declaration_chooses_village(client, auth):
    auth.login("county1")
    page = client.get("/households/1/declare/monitoring_identification").data.decode()
    assert 'name="area_code"' in page and "360799200002" in page


def test_auditor_cannot_declare(client, auth):
    auth.login("auditor")
    assert client.get("/households/1/declare/monitoring_identification").status_code == 403
    assert client.get("/households/new").status_code == 403
    assert "新申报" not in client.get("/households/1").data.decode()


def test_vendor_assets(client):
    """bpmn-js is served from the npm packages the set-up installs (no CDN)."""
    response = client.get("/vendor/bpmn-js/dist/bpmn-navigated-viewer.production.min.js")
    assert response.status_code == 200, "node_modules missing: make install runs npm"
    response.close()
    assert client.get("/vendor/bpmn-js/package.json").status_code == 404
    assert client.get("/vendor/left-pad/dist/x.js").status_code == 404
    assert client.get("/vendor/bpmn-js/dist/../package.json").status_code == 404


def test_county_staff_cancel_a_case(client, auth, start, case_of):
    case = start("four_tasks", "village11").case
    auth.login("village11")
    page = client.get(f"/cases/{case.id}").data.decode()
    assert 'id="cancel"' not in page
    assert client.post(f"/cases/{case.id}/cancel", data={"reason": "重复"}).status_code == 403
    auth.logout()
    auth.login("county1")
    assert 'id="cancel"' in client.get(f"/cases/{case.id}").data.decode()
    response = client.post(f"/cases/{case.id}/cancel", data={"reason": ""},
                           follow_redirects=True)
    assert "请填写撤销案件的原因" in response.data.decode()
    assert case_of(case.id).case.status == "running"
    response = client.post(f"/cases/{case.id}/cancel", data={"reason": "重复申报"},
                           follow_redirects=True)
    assert "已撤销" in response.data.decode()
    view = case_of(case.id)
    assert view.case.status == "cancelled" and view.case.outcome_reason == "重复申报"
    assert all(i.status != "open" for i in view.items)
    assert 'id="cancel"' not in client.get(f"/cases/{case.id}").data.decode()
