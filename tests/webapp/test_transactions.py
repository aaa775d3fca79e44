"""One transaction per request, on the app's one Engine: writes begin with the write lock,
an engine error leaves nothing behind, and an HTTP completion costs the engine call plus the
user's lookup, no more."""

from support import statements


def test_the_app_holds_the_engine_it_was_given(app, eng):
    assert app.extensions["dixian"] is eng


def test_each_request_is_one_transaction_writes_take_the_lock_first(client, auth, eng,
                                                                     start):
    """SQLite: a write request begins with the database's write lock (BEGIN IMMEDIATE), a
    read request does not. PostgreSQL: a write locks the case row before it reads the item,
    a read locks nothing."""
    item = start().items[0]
    auth.login()
    with statements(eng) as read:
        assert client.get(f"/tasks/{item.id}").status_code == 200
    with statements(eng) as write:
        assert client.post(f"/tasks/{item.id}/claim").status_code == 302
    if eng.database.dialect.name == "sqlite":
        assert [s for s in read if s.startswith("BEGIN")] == ["BEGIN"]
        assert [s for s in write if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE"]
        assert write.index("BEGIN IMMEDIATE") < min(
            i for i, s in enumerate(write) if "work_items" in s)
    else:
        assert not any("FOR UPDATE" in s for s in read)
        first_item_read = next(s for s in write if "FROM work_items" in s)
        assert "FOR UPDATE OF cases" in first_item_read


def test_no_transaction_is_left_open_after_a_request(client, auth, eng, start, user):
    item = start().items[0]
    auth.login("village12")
    assert client.post(f"/tasks/{item.id}/claim").status_code == 403
    # The test's own call would join a transaction left open by the request.
    assert eng.claim(item.id, user("village11")).assignee_id == user("village11").id


def test_failed_write_leaves_nothing_behind(client, auth, start, declaration, case_of,
                                            rows):
    started = start("monitoring_identification", "village11", declaration)
    auth.login()
    before = rows("SELECT count(*) AS n FROM audit_events")[0].n
    response = client.post(f"/tasks/{started.items[0].id}", data={"case_version": "1"})
    assert response.status_code == 400
    assert rows("SELECT count(*) AS n FROM audit_events")[0].n == before
    assert case_of(started.case.id).case.version == 1


def test_http_completion_costs_the_engine_call_and_the_user(client, eng, start, bearer,
                                                            user, home_check, declaration):
    """The API route calls ``engine.complete`` once: no second read of the item or the case,
    no reload after commit. Each path is warmed up once, then measured."""
    headers, actor, county = bearer("village11"), user("village11"), user("county1")
    for _ in range(2):  # the first round fills the caches, the second is measured
        by_http, direct = (eng.start("monitoring_identification", actor,
                                     dict(declaration, household_id=household)).items[0]
                           for household in (1, 2))
        with statements(eng) as over_http:
            response = client.post(f"/api/v1/tasks/{by_http.id}/complete",
                                   json={"data": home_check, "case_version": 1},
                                   headers=headers)
        assert response.status_code == 200, response.json
        with statements(eng) as alone:
            eng.complete(direct.id, actor, home_check, expected_version=1)
        for case_id in (by_http.case_id, direct.case_id):
            eng.cancel(case_id, county, "measured")
    print(f"\nstatements: HTTP completion {len(over_http)}, engine.complete {len(alone)}")
    assert len(over_http) - len(alone) <= 2
    shapes = {shape(s) for s in alone}
    extra = [s for s in over_http if shape(s) not in shapes]
    assert extra and all("FROM users" in s for s in extra), extra


def shape(sql: str) -> str:
    """A statement without its values (SQLite's trace shows them inline)."""
    import re

    return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", sql)


def test_concurrent_writes_wait_for_each_other(app, eng, start, bearer, case_of):
    """Several requests writing at once (as several gunicorn workers do) each wait for the
    write lock and succeed: none fails with "database is locked"."""
    import threading

    cases = [start() for _ in range(6)]
    headers = bearer("village11")
    ready, results = threading.Barrier(len(cases)), {}

    def complete(started):
        client = app.test_client()
        ready.wait()
        response = client.post(f"/api/v1/tasks/{started.items[0].id}/complete",
                               json={"data": {}, "case_version": 1}, headers=headers)
        results[started.case.id] = response.status_code

    threads = [threading.Thread(target=complete, args=(c,)) for c in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {c.case.id: 200 for c in cases}
    assert all(case_of(c.case.id).case.version == 2 for c in cases)
