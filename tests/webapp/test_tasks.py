"""The task page: form rendering, validation, completion, stale submissions, claims."""
from sqlalchemy import select

from engine.models import AuditEvent, Case

HOME_CHECK = {"checkers": "张三\n李四", "check_date": "2025-03-09",
              "annual_household_income": "20000", "income_per_head": "5000",
              "out_of_pocket_medical": "0", "major_illness": "on", "disability_grade": "0",
              "rigid_spending": "0", "formerly_poor": "", "case_version": "1"}


def _identification(start, declaration):
    case, items = start("monitoring_identification", "village11", declaration)
    return case, items[0]


def test_task_page_renders_form_and_summary(client, auth, start, declaration):
    case, item = _identification(start, declaration)
    auth.login("village11")
    page = client.get(f"/tasks/{item.id}").data.decode()
    assert "王建国" in page and "360799********4515" in page
    assert "360799196503124515" not in page
    assert 'name="checkers"' in page and 'name="case_version" value="1"' in page
    assert "入户核实" in page  # BPMN documentation and form title


def test_validation_errors_shown_and_nothing_saved(client, auth, start, declaration,
                                                   session):
    case, item = _identification(start, declaration)
    auth.login("village11")
    data = dict(HOME_CHECK, checkers="张三", income_per_head="abc")
    response = client.post(f"/tasks/{item.id}", data=data)
    assert response.status_code == 400
    page = response.data.decode()
    assert 'class="error"' in page and "abc" in page  # input kept
    session.rollback()  # ends the read snapshot, too
    assert session.get(Case, case.id).version == 1
    assert session.scalar(select(AuditEvent.id).where(
        AuditEvent.event == "task_completed")) is None


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
    assert "recommendation" in page  # DMN suggestion shown
    # Rejecting without a reason is refused and saves nothing.
    version = client.get(f"/cases/{case.id}") and open_items(case.id)[0]
    response = client.post(f"/tasks/{review.id}", data={
        "meeting_date": "2025-03-10", "attendees": "9", "votes_for": "3",
        "votes_against": "6", "decision": "reject", "case_version": "2"})
    assert response.status_code == 400
    assert open_items(case.id)[0].id == version.id


def test_stale_submission_is_refused(client, auth, start, declaration, session):
    case, item = _identification(start, declaration)
    auth.login("village11")
    response = client.post(f"/tasks/{item.id}", data=dict(HOME_CHECK, case_version="0"))
    assert response.status_code == 409
    assert "此任务已由他人处理或案件已更新，请刷新后重试" in response.data.decode()
    session.rollback()  # ends the read snapshot, too
    assert session.get(Case, case.id).version == 1


def test_item_without_form(client, auth, start, open_items):
    case, items = start()
    auth.login("village11")
    response = client.post(f"/tasks/{items[0].id}", data={"case_version": "1",
                                                           "comment": "ok"})
    assert response.status_code == 302
    assert open_items(case.id)[0].task_name == "village_review"


def test_other_village_cannot_see_or_act(client, auth, start):
    case, items = start()
    auth.login("village12")
    assert client.get(f"/tasks/{items[0].id}").status_code == 403
    assert client.post(f"/tasks/{items[0].id}", data={"case_version": "1"}).status_code == 403
    assert client.post(f"/tasks/{items[0].id}/claim").status_code == 403
    assert client.get(f"/cases/{case.id}").status_code == 403


def test_other_level_cannot_see_item(client, auth, start):
    case, items = start()
    auth.login("township1")
    assert client.get(f"/tasks/{items[0].id}").status_code == 403
    assert client.post(f"/tasks/{items[0].id}", data={"case_version": "1"}).status_code == 403
    assert client.get(f"/cases/{case.id}").status_code == 200  # township reads its cases


def test_auditor_reads_but_cannot_act(client, auth, start, open_items):
    case, items = start()
    auth.login("auditor")
    page = client.get(f"/tasks/{items[0].id}")
    assert page.status_code == 200 and b'name="case_version"' not in page.data
    assert client.post(f"/tasks/{items[0].id}", data={"case_version": "1"}).status_code == 403
    assert client.post(f"/tasks/{items[0].id}/claim").status_code == 403
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert open_items(case.id)[0].id == items[0].id


def test_claim_and_unclaim(client, auth, start, open_items):
    case, items = start()
    auth.login("village11")
    assert client.post(f"/tasks/{items[0].id}/claim").status_code == 302
    assert open_items(case.id)[0].assignee_id is not None
    assert "退回待领" in client.get("/inbox?view=mine").data.decode()
    assert client.post(f"/tasks/{items[0].id}/unclaim").status_code == 302
    assert open_items(case.id)[0].assignee_id is None


def test_claimed_by_other_cannot_complete(client, auth, start, session, user):
    from engine import cases
    from datetime import datetime, timezone

    case, items = start()
    other = user("village11")
    from engine import directory
    directory.add_user(session, "village11b", "village", "360799100001", "password-1",
                       now=datetime.now(timezone.utc))
    cases.claim(session, items[0].id, other, datetime.now(timezone.utc))
    session.commit()
    auth.login("village11b", "password-1")
    page = client.get(f"/tasks/{items[0].id}")
    assert page.status_code == 200 and b'name="case_version"' not in page.data
    assert client.post(f"/tasks/{items[0].id}", data={"case_version": "2"}).status_code == 403
