"""The task page: form rendering, the engine's validation shown at the fields, completion,
stale submissions, claims and hand-over (转办)."""
HOME_CHECK = {"checkers": "张三\n李四", "check_date": "2025-03-09",
              "annual_household_income": "20000", "income_per_head": "5000",
              "out_of_pocket_medical": "0", "major_illness": "on", "disability_grade": "0",
              "rigid_spending": "0", "formerly_poor": "", "case_version": "1"}


def _identification(start, declaration):
    started = start("monitoring_identification", "village11", declaration)
    return started.case, started.items[0]


def test_task_page_renders_form_and_summary(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("village11")
    page = client.get(f"/tasks/{item.id}").data.decode()
    assert "王建国" in page and "360799********4515" in page
    assert "360799196503124515" not in page
    assert 'name="checkers"' in page and 'name="case_version" value="1"' in page
    assert "入户核实" in page  # BPMN documentation and form title
    # The summary is the procedure's facts: risk type codes read by the start form's labels.
    assert '<dd class="fact-risk_types">因病</dd>' in page
    assert '<dd class="fact-discovery_date">2025-03-08</dd>' in page
    assert '<dd class="fact-village">东山村</dd>' in page


def test_facts_in_english(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("village11")
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/tasks/{item.id}").data.decode()
    assert "<dt>Risk types</dt>" in page and '<dd class="fact-risk_types">Illness</dd>' in page
    assert "<h1>Home check" in page
    inbox = client.get("/inbox").data.decode()  # the step title from the process's forms
    assert f'<a href="/tasks/{item.id}">Home check</a>' in inbox


def test_engine_errors_shown_at_the_fields_and_nothing_saved(client, auth, start,
                                                             declaration, case_of):
    case, item = _identification(start, declaration)
    auth.login("village11")
    data = dict(HOME_CHECK, checkers="张三", income_per_head="abc")
    response = client.post(f"/tasks/{item.id}", data=data)
    assert response.status_code == 400
    page = response.data.decode()
    # The engine's messages, in the user's language, beside the fields; the input kept.
    assert 'id="field-income_per_head"' in page and "请填写数字" in page
    assert "入户核实至少需要 2 人" in page and "至少选择" not in page  # names are typed
    assert 'value="abc"' in page and ">张三</textarea>" in page
    view = case_of(case.id)
    assert view.case.version == 1
    assert [e.event for e in view.trail] == ["case_started"]


def test_english_user_gets_english_messages(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("village11")
    client.post("/language", data={"locale": "en"})
    response = client.post(f"/tasks/{item.id}", data=dict(HOME_CHECK, income_per_head="abc"))
    assert response.status_code == 400 and "enter a number" in response.data.decode()


def test_complete_then_decision_buttons(client, auth, start, declaration, open_items):
    case, item = _identification(start, declaration)
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}", data=HOME_CHECK)
    assert response.status_code == 302, response.data.decode()
    review = open_items(case.id)[0]
    assert review.task_name == "village_review"
    page = client.get(f"/tasks/{review.id}").data.decode()
    for value in ("approve", "reject", "return"):
        assert f'name="decision" value="{value}"' in page
    assert 'class="fact-recommendation"' in page  # the eligibility table's suggestion
    # Rejecting without a reason is refused by the engine and saves nothing.
    response = client.post(f"/tasks/{review.id}", data={
        "meeting_date": "2025-03-10", "attendees": "9", "votes_for": "3",
        "votes_against": "6", "decision": "reject", "case_version": "2"})
    assert response.status_code == 400
    assert [i.id for i in open_items(case.id)] == [review.id]


def test_stale_submission_is_refused(client, auth, start, declaration, case_of):
    case, item = _identification(start, declaration)
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}", data=dict(HOME_CHECK, case_version="0"))
    assert response.status_code == 409
    assert "此任务已由他人处理或案件已更新，请刷新后重试" in response.data.decode()
    assert case_of(case.id).case.version == 1
    assert client.post(f"/tasks/{item.id}", data=dict(HOME_CHECK, case_version="x")
                       ).status_code == 400


def test_item_without_form(client, auth, start, open_items, case_of):
    started = start()
    auth.login("village11")
    response = client.post(f"/tasks/{started.items[0].id}", data={"case_version": "1",
                                                                   "comment": "ok"})
    assert response.status_code == 302
    assert open_items(started.case.id)[0].task_name == "village_review"
    assert case_of(started.case.id).trail[-1].comment == "ok"


def test_other_village_cannot_see_or_act(client, auth, start, open_items):
    started = start()
    item = started.items[0]
    auth.login("village12")
    assert client.get(f"/tasks/{item.id}").status_code == 403
    assert client.post(f"/tasks/{item.id}", data={"case_version": "1"}).status_code == 403
    assert client.post(f"/tasks/{item.id}/claim").status_code == 403
    assert client.get(f"/cases/{started.case.id}").status_code == 403
    assert open_items(started.case.id) == [item]


def test_other_level_cannot_see_item(client, auth, start):
    started = start()
    auth.login("township1")
    item = started.items[0]
    assert client.get(f"/tasks/{item.id}").status_code == 403
    assert client.post(f"/tasks/{item.id}", data={"case_version": "1"}).status_code == 403
    assert client.get(f"/cases/{started.case.id}").status_code == 200  # reads its cases


def test_auditor_reads_but_cannot_act(client, auth, start, open_items):
    started = start()
    item = started.items[0]
    auth.login("auditor")
    page = client.get(f"/tasks/{item.id}")
    assert page.status_code == 200 and b'name="case_version"' not in page.data
    assert b'action="/tasks/%d/claim' % item.id not in page.data
    assert client.post(f"/tasks/{item.id}", data={"case_version": "1"}).status_code == 403
    assert client.post(f"/tasks/{item.id}/claim").status_code == 403
    assert client.get(f"/cases/{started.case.id}").status_code == 200
    assert open_items(started.case.id)[0].id == item.id


def test_claim_and_unclaim(client, auth, start, open_items, user):
    started = start()
    item = started.items[0]
    auth.login("village11")
    assert b'action="/tasks/%d/claim' % item.id in client.get(f"/tasks/{item.id}").data
    assert client.post(f"/tasks/{item.id}/claim").status_code == 302
    assert open_items(started.case.id)[0].assignee_id == user("village11").id
    assert "退回待领" in client.get("/inbox?view=mine").data.decode()
    assert b'action="/tasks/%d/unclaim' % item.id in client.get(f"/tasks/{item.id}").data
    assert client.post(f"/tasks/{item.id}/unclaim").status_code == 302
    assert open_items(started.case.id)[0].assignee_id is None


def test_claimed_by_other_cannot_complete(client, auth, start, eng, user, open_items):
    started = start()
    item = started.items[0]
    eng.add_user("village11b", "village", "360799100001", "password-1", actor=user("admin"))
    eng.claim(item.id, user("village11"))
    auth.login("village11b", "password-1")
    page = client.get(f"/tasks/{item.id}")
    assert page.status_code == 200 and b'name="case_version"' not in page.data
    assert client.post(f"/tasks/{item.id}", data={"case_version": "1"}).status_code == 403
    assert open_items(started.case.id)[0].assignee_id == user("village11").id


def test_reassign_to_a_colleague(client, auth, start, eng, user, open_items, case_of):
    started = start()
    item = started.items[0]
    admin = user("admin")
    colleague = eng.add_user("village11b", "village", "360799100001", "password-1",
                             display_name="东山村 文书", actor=admin)
    eng.add_user("village12b", "village", "360799100002", "password-1", actor=admin)
    auth.login("village11")
    client.post(f"/tasks/{item.id}/claim")
    page = client.get(f"/tasks/{item.id}").data.decode()
    # Colleagues of the item's village and level only.
    assert 'id="reassign"' in page and "东山村 文书" in page and "village12b" not in page
    assert "东山村 村委会</option>" not in page  # not oneself
    response = client.post(f"/tasks/{item.id}/reassign",
                           data={"to_user": str(colleague.id), "comment": "请文书办理"})
    assert response.status_code == 302
    assert open_items(started.case.id)[0].assignee_id == colleague.id
    event = case_of(started.case.id).trail[-1]
    assert event.event == "reassigned" and event.comment == "请文书办理"
    assert event.data["to"] == colleague.id
    history = client.get(f"/cases/{started.case.id}").data.decode()
    assert "转办" in history and "东山村 文书" in history
    # The former holder may no longer act, nor hand it on.
    assert client.post(f"/tasks/{item.id}/reassign",
                       data={"to_user": str(user("village11").id)}).status_code == 403


def test_reassign_outside_the_area_is_refused(client, auth, start, user, open_items):
    started = start()
    item = started.items[0]
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}/reassign",
                           data={"to_user": str(user("village12").id)})
    assert response.status_code == 403
    assert open_items(started.case.id)[0].assignee_id is None
    assert client.post(f"/tasks/{item.id}/reassign", data={}).status_code == 400
    assert client.post(f"/tasks/{item.id}/reassign",
                       data={"to_user": "999"}).status_code == 404


def test_a_completion_reads_the_item_and_its_form_only(client, auth, start, declaration,
                                                        open_items, eng, monkeypatch):
    """Completing through the page reads the item and its form (not the whole task view with
    the restored workflow, facts and attachments) before the verb, which reads and checks
    the item again; the page is read whole only when it is shown again."""
    from engine import Engine

    case, item = _identification(start, declaration)
    auth.login("village11")
    whole = []
    original = Engine.task
    monkeypatch.setattr(Engine, "task", lambda self, *a, **k: whole.append(a[0]) or original(
        self, *a, **k))
    response = client.post(f"/tasks/{item.id}", data=HOME_CHECK)
    assert response.status_code == 302, response.data.decode()
    assert whole == []
    review = open_items(case.id)[0]
    response = client.post(f"/tasks/{review.id}", data={"case_version": "2", "attendees": "x"})
    assert response.status_code == 400 and whole == [review.id]  # shown again, with errors
    auth.logout()
    auth.login("village12")  # another village: refused before any form is read
    assert client.post(f"/tasks/{review.id}", data={"case_version": "2"}).status_code == 403
