"""Take-over (接管) on the task page and through the API: the button and its confirmation,
the reason, the history row, refusals and the stale case."""
import pytest

PASSWORD = "password-1"


@pytest.fixture
def held(eng, start, user):
    """A four-task case claimed by village11; a lead of the village and a colleague."""
    admin = user("admin")
    eng.add_user("village11lead", "village", "360799100001", PASSWORD, "staff,lead",
                 "东山村 支书", actor=admin)
    eng.add_user("village11b", "village", "360799100001", PASSWORD,
                 display_name="东山村 文书", actor=admin)
    started = start()
    item = started.items[0]
    eng.claim(item.id, user("village11"))
    return started.case, item


def test_the_lead_takes_over_from_the_task_page(client, auth, held, user, open_items,
                                                 case_of):
    case, item = held
    auth.login("village11b", PASSWORD)
    assert 'id="take-over"' not in client.get(f"/tasks/{item.id}").data.decode()
    auth.logout()
    auth.login("village11lead", PASSWORD)
    page = client.get(f"/tasks/{item.id}").data.decode()
    # Behind a disclosure with its own confirm button; the reason is required.
    assert 'id="take-over"' in page and "<details>" in page and "确认接管" in page
    assert 'name="reason"' in page and "required" in page
    holder = str(user("village11").id)
    refused = client.post(f"/tasks/{item.id}/take-over", data={"reason": " ", "holder": holder})
    assert refused.status_code == 302
    assert open_items(case.id)[0].assignee_id == user("village11").id
    assert "请填写接管原因" in client.get(refused.location).data.decode()
    done = client.post(f"/tasks/{item.id}/take-over",
                       data={"reason": "村委会主任住院", "holder": holder})
    assert done.status_code == 302
    assert open_items(case.id)[0].assignee_id == user("village11lead").id
    page = client.get(done.location).data.decode()
    assert "已接管" in page and 'name="case_version"' in page  # the lead may act now
    event = case_of(case.id).trail[-1]
    assert event.event == "taken_over" and event.comment == "村委会主任住院"
    history = client.get(f"/cases/{case.id}").data.decode()
    assert "接管" in history and "村委会主任住院" in history and "东山村 村委会" in history


def test_an_admin_hands_the_item_to_a_colleague(client, auth, held, user, open_items):
    case, item = held
    auth.login("admin")
    page = client.get(f"/tasks/{item.id}").data.decode()
    assert 'id="take-over"' in page and "东山村 文书" in page
    colleague = user("village11b").id
    done = client.post(f"/tasks/{item.id}/take-over", data={
        "reason": "长期外出", "to_user": str(colleague), "holder": str(user("village11").id)})
    assert done.status_code == 302
    assert open_items(case.id)[0].assignee_id == colleague


def test_a_stale_take_over_says_so_and_changes_nothing(client, auth, held, eng, user,
                                                        open_items):
    case, item = held
    eng.reassign(item.id, user("village11"), user("village11b").id)
    auth.login("village11lead", PASSWORD)
    stale = client.post(f"/tasks/{item.id}/take-over",
                        data={"reason": "x", "holder": str(user("village11").id)})
    assert stale.status_code == 302
    assert "此任务已由他人处理或案件已更新" in client.get(stale.location).data.decode()
    assert open_items(case.id)[0].assignee_id == user("village11b").id
    assert client.post(f"/tasks/{item.id}/take-over",
                       data={"reason": "x", "holder": "abc"}).status_code == 400


def test_others_are_refused(client, auth, held, user, open_items):
    case, item = held
    auth.login("village11b", PASSWORD)
    response = client.post(f"/tasks/{item.id}/take-over",
                           data={"reason": "x", "holder": str(user("village11").id)})
    assert response.status_code == 403
    assert open_items(case.id)[0].assignee_id == user("village11").id


def test_take_over_through_the_api(client, bearer, held, eng, user, open_items, case_of):
    case, item = held
    admin = user("admin")
    eng.add_user("village11lead2", "village", "360799100001", PASSWORD, "lead,staff",
                 actor=admin)
    headers = bearer("village11lead2")
    task = client.get(f"/api/v1/tasks/{item.id}", headers=headers).json
    assert task["can_take_over"] is True
    for body, field in (({}, "reason"), ({"reason": "x", "to_user": "1"}, "to_user"),
                        ({"reason": "x", "holder": True}, "holder")):
        bad = client.post(f"/api/v1/tasks/{item.id}/take-over", json=body, headers=headers)
        assert bad.status_code == 422 and field in bad.json["fields"], bad.json
    empty = client.post(f"/api/v1/tasks/{item.id}/take-over", json={"reason": " "},
                        headers=headers)
    assert empty.status_code == 422 and "reason" in empty.json["error"]
    stale = client.post(f"/api/v1/tasks/{item.id}/take-over",
                        json={"reason": "x", "holder": admin.id}, headers=headers)
    assert stale.status_code == 409
    done = client.post(f"/api/v1/tasks/{item.id}/take-over",
                       json={"reason": "主任住院", "holder": user("village11").id},
                       headers=headers)
    assert done.status_code == 200
    assert done.json["item"]["assignee_id"] == user("village11lead2").id
    assert case_of(case.id).trail[-1].data["reason"] == "主任住院"
    refused = client.post(f"/api/v1/tasks/{item.id}/take-over", json={"reason": "x"},
                          headers=bearer("village11"))
    assert refused.status_code == 403
    spec = client.get("/api/v1/openapi.json").json["paths"]["/tasks/{item_id}/take-over"]
    assert {"400", "403", "409", "413", "414", "422"} <= set(spec["post"]["responses"])
