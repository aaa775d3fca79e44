"""What a user typed is never lost: an upload posts the step's form with it and comes back
with the fields filled; a stale submission comes back with the input, in the form when the
step is still open, else as text to copy."""
import io

HOME_CHECK = {"checkers": "张三\n李四", "check_date": "2025-03-09",
              "annual_household_income": "20000", "income_per_head": "5000",
              "out_of_pocket_medical": "0", "major_illness": "on", "disability_grade": "0",
              "rigid_spending": "0", "formerly_poor": "", "case_version": "1"}

PDF = b"%PDF-1.4\n%test\n"
TYPED_DATA = {"checkers": ["张三", "李四"], "check_date": "2025-03-09",
              "annual_household_income": 20000, "income_per_head": 5000,
              "out_of_pocket_medical": 0, "major_illness": True, "disability_grade": 0,
              "rigid_spending": 0, "formerly_poor": False, "sudden_shock": False}
TYPED = {"checkers": "张三\n李四", "check_date": "2025-03-09", "income_per_head": "5123",
         "comment": "已入户两次", "case_version": "1"}


def _identification(start, declaration):
    started = start("monitoring_identification", "village11", declaration)
    return started.case, started.items[0]


def test_upload_button_belongs_to_the_step_form(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("village11")
    page = client.get(f"/tasks/{item.id}").data.decode()
    assert 'id="task-form"' in page
    assert f'formaction="/tasks/{item.id}/attachments"' in page
    assert 'formenctype="multipart/form-data"' in page
    file_input = page.split('name="file"')[0].rsplit("<input", 1)[1]
    assert 'form="task-form"' in file_input


def test_an_upload_keeps_the_typed_fields(client, auth, start, declaration, case_of):
    case, item = _identification(start, declaration)
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}/attachments", data={
        **TYPED, "kind": "minutes", "file": (io.BytesIO(PDF), "入户照片.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.data.decode()
    assert "入户照片.pdf" in page and "附件已上传" in page
    assert ">张三\n李四</textarea>" in page and 'value="5123"' in page
    assert 'value="2025-03-09"' in page and ">已入户两次</textarea>" in page
    assert 'name="case_version" value="1"' in page
    assert len(case_of(case.id).attachments) == 1
    assert case_of(case.id).case.version == 1  # nothing of the form was saved


def test_a_refused_upload_keeps_the_typed_fields_and_their_version(client, auth, start,
                                                                   declaration, eng, user):
    case, item = _identification(start, declaration)
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}/attachments", data={
        **TYPED, "case_version": "7", "kind": "minutes",
        "file": (io.BytesIO(b"MZ\x90\x00"), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.data.decode()
    assert "只接受 PDF、JPEG 和 PNG 文件" in page and 'value="5123"' in page
    # The version the input was based on stays, so a later submit is still checked.
    assert 'name="case_version" value="7"' in page
    missing = client.post(f"/tasks/{item.id}/attachments", data={**TYPED, "kind": "minutes"},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and 'value="5123"' in missing.data.decode()


def test_an_upload_without_the_step_form_goes_back_to_the_page(client, auth, start):
    item = start().items[0]
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}/attachments", data={
        "kind": "minutes", "file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("#attachments")


def test_a_stale_version_refills_the_open_form(client, auth, start, declaration, case_of):
    case, item = _identification(start, declaration)
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}", data=dict(HOME_CHECK, case_version="0",
                                                          income_per_head="4321",
                                                          comment="第二次核实"))
    assert response.status_code == 409
    page = response.data.decode()
    assert "此任务已由他人处理或案件已更新" in page
    assert 'value="4321"' in page and ">第二次核实</textarea>" in page
    assert case_of(case.id).case.version == 1


def test_a_step_completed_by_a_colleague_shows_the_input_as_text(client, auth, start,
                                                                declaration, eng, user,
                                                                case_of):
    case, item = _identification(start, declaration)
    admin = user("admin")
    colleague = eng.add_user("village11b", "village", "360799100001", "password-1",
                             actor=admin)
    auth.login("village11")
    client.get(f"/tasks/{item.id}")
    eng.complete(item.id, colleague, TYPED_DATA, expected_version=1)  # the colleague first
    response = client.post(f"/tasks/{item.id}", data=dict(
        HOME_CHECK, income_per_head="4321", comment="我填写的意见"))
    assert response.status_code == 409
    page = response.data.decode()
    assert 'id="kept"' in page and "您填写的内容（未保存）" in page
    assert "4321" in page and "我填写的意见" in page and "张三" in page
    assert 'name="case_version"' not in page
    assert case_of(case.id).trail[-1].actor_id == colleague.id


def test_a_step_claimed_by_a_colleague_meanwhile_shows_the_input(client, auth, start,
                                                                 declaration, eng, user):
    case, item = _identification(start, declaration)
    colleague = eng.add_user("village11b", "village", "360799100001", "password-1",
                             display_name="东山村 文书", actor=user("admin"))
    auth.login("village11")
    client.get(f"/tasks/{item.id}")
    eng.claim(item.id, colleague)
    response = client.post(f"/tasks/{item.id}", data=dict(HOME_CHECK, income_per_head="4321"))
    assert response.status_code == 409
    page = response.data.decode()
    assert "东山村 文书已先行签收此环节" in page and 'id="kept"' in page and "4321" in page



def test_an_upload_after_the_step_moved_on_keeps_the_input(client, auth, start, declaration,
                                                           eng, user):
    case, item = _identification(start, declaration)
    colleague = eng.add_user("village11b", "village", "360799100001", "password-1",
                             actor=user("admin"))
    auth.login("village11")
    eng.complete(item.id, colleague, TYPED_DATA, expected_version=1)
    response = client.post(f"/tasks/{item.id}/attachments", data={
        **TYPED, "kind": "minutes", "file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 409
    page = response.data.decode()
    assert 'id="kept"' in page and "5123" in page and "已入户两次" in page


def test_a_page_read_without_input_keeps_nothing(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("admin")  # reads the step, may not act on it
    page = client.get(f"/tasks/{item.id}").data.decode()
    assert 'id="kept"' not in page and "您填写的内容" not in page
