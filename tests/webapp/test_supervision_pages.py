"""督办 pages: the bell, the 督办 list with urging, the overdue board, the timers page."""
from __future__ import annotations

from datetime import timedelta

from engine.models import AuditEvent
from engine.supervision_models import Notification

from support import rows


def overdue_case(eng, start, declaration, clock):
    """An identification case whose home check (due in 3 days) is a day overdue, swept."""
    started = start("monitoring_identification", data=declaration)
    clock.shift(timedelta(days=4))
    eng.fire_due()
    return started


def test_bell_counts_unread_and_the_list_marks_read(client, auth, eng, start, declaration,
                                                    clock):
    overdue_case(eng, start, declaration, clock)
    auth.login("township1")
    page = client.get("/").get_data(as_text=True)
    assert 'class="bell unread"' in page and "通知: 1" in page
    listed = client.get("/notifications").get_data(as_text=True)
    assert "督办" in listed and "入户核实" in listed and "逾期 1 天" in listed
    clock.shift(timedelta(days=4))  # the township's two days end on Monday (Civil Code)
    eng.fire_due()                                   # the county's 督办 in its turn
    client.post("/notifications/read", data={})
    assert 'class="bell unread"' not in client.get("/").get_data(as_text=True)
    unread = rows(eng, Notification, Notification.read_at.is_(None))
    assert [(n.user_id, n.kind) for n in unread] == [(eng.find_user("county1").id,
                                                      "supervision")]


def test_township_sees_the_supervision_and_urges_the_village(client, auth, eng, start,
                                                              declaration, clock):
    started = overdue_case(eng, start, declaration, clock)
    item = started.items[0].id
    auth.login("township1")
    page = client.get("/supervision").get_data(as_text=True)
    assert "入户核实" in page and "东山村" in page and f"/items/{item}/urge" in page
    done = client.post(f"/items/{item}/urge", data={"note": "请尽快入户"}, follow_redirects=True)
    assert "已催办" in done.get_data(as_text=True)
    again = client.post(f"/items/{item}/urge", data={"note": "再催"}, follow_redirects=True)
    assert "未催办" in again.get_data(as_text=True)
    [urge] = rows(eng, Notification, Notification.kind == "urge")
    assert urge.data["note"] == "请尽快入户"
    case_page = client.get(f"/cases/{started.case.id}").get_data(as_text=True)
    assert "督办发起" in case_page and "请尽快入户" in case_page and "东山镇" in case_page
    auth.logout()
    auth.login("village12")                                    # another village: refused
    refused = client.post(f"/items/{item}/urge", data={"note": "x"}, follow_redirects=True)
    assert "未催办" in refused.get_data(as_text=True)
    assert client.get("/overdue").status_code == 403           # no board for villages


def test_county_board_counts_by_township_and_links_to_the_list(client, auth, eng, start,
                                                               declaration, clock):
    overdue_case(eng, start, declaration, clock)
    auth.login("county1")
    page = client.get("/overdue").get_data(as_text=True)
    assert "东山镇" in page and "/overdue?area=360799100" in page
    assert "西河乡" not in page
    township = client.get("/overdue?area=360799100").get_data(as_text=True)
    assert "东山村" in township and "入户核实" in township
    assert client.get("/overdue?area=360799200").status_code == 200
    auth.logout()
    auth.login("township2")
    assert client.get("/overdue?area=360799100").status_code == 403


def test_timers_page_lists_pending_and_retries_an_incident(client, auth, eng, start,
                                                           declaration):
    from sqlalchemy import update

    from engine.models import Timer

    start("monitoring_identification", data=declaration)
    with eng.database.begin() as conn:
        conn.execute(update(Timer).where(Timer.kind == "case_deadline").values(
            incident_at=eng.clock(), attempts=5, last_error="ScriptError: boom"))
    auth.login("county1")
    assert client.get("/admin/timers").status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.get("/admin/timers?view=incidents").get_data(as_text=True)
    assert "ScriptError: boom" in page and "重试" in page
    [timer] = rows(eng, Timer, Timer.kind == "case_deadline")
    client.post(f"/admin/timers/{timer.id}/retry")
    [timer] = rows(eng, Timer, Timer.kind == "case_deadline")
    assert (timer.incident_at, timer.attempts) == (None, 0)
    [event] = rows(eng, AuditEvent, AuditEvent.event == "timer_retried")
    assert (event.case_id, event.data["error"]) == (None, "ScriptError: boom")


def test_api_lists_supervisions_urges_and_reads_notifications(client, eng, start, declaration,
                                                               clock, bearer):
    started = overdue_case(eng, start, declaration, clock)
    item = started.items[0].id
    township, village = bearer("township1"), bearer("village11")
    [watched] = client.get("/api/v1/supervisions", headers=township).json["supervisions"]
    assert (watched["work_item_id"], watched["days_overdue"], watched["level"]) == (
        item, 1, "township")
    urged = client.post(f"/api/v1/tasks/{item}/urge", json={"note": "今天办"},
                        headers=township)
    assert urged.status_code == 201 and urged.json["urge"]["notified"] == 1
    again = client.post(f"/api/v1/tasks/{item}/urge", json={"note": "x"}, headers=township)
    assert again.status_code == 409
    assert client.post(f"/api/v1/tasks/{item}/urge", json={"note": "x"},
                       headers=village).status_code == 403
    notes = client.get("/api/v1/notifications", headers=village).json
    assert notes["unread"] == 1 and notes["items"][0]["data"]["note"] == "今天办"
    marked = client.post("/api/v1/notifications/read", json={}, headers=village)
    assert marked.json == {"marked": 1}
    board = client.get("/api/v1/overdue", headers=bearer("county1")).json
    assert board["totals"]["overdue"] == 1 and board["rows"][0]["area_code"] == "360799100"
    assert client.get("/api/v1/overdue", headers=village).status_code == 403
