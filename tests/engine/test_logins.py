"""Log-ins: one rate limit per address in the database, the account lock after failed
log-ins (also under concurrent attempts), the administrator's unlock, credentials that end
with a password change, reset, deactivation or log-out."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import demo
from engine.errors import Forbidden, LoginRefused
from engine.models import AuditEvent
from support import NOW, run_together, workers


def events(eng, name):
    with eng.database.connect() as conn:
        return conn.execute(select(AuditEvent.data).where(AuditEvent.event == name)).all()


def test_rate_limit_is_shared_by_workers_and_counts_every_check(eng, users):
    first, second = workers(eng, 2)
    for engine in (first, second, first):
        assert engine.authenticate("village11", "wrong", "10.0.0.9", "web", NOW,
                                   per_minute=4) is None
    assert second.authenticate("village11", demo.PASSWORD, "10.0.0.9", "api", NOW,
                               per_minute=4) is not None
    with pytest.raises(LoginRefused) as refused:
        first.authenticate("village11", demo.PASSWORD, "10.0.0.9", "web", NOW, per_minute=4)
    assert refused.value.reason == "rate"
    # Another address, or a minute later, is checked again.
    assert first.authenticate("village11", demo.PASSWORD, "10.0.0.8", "web", NOW,
                              per_minute=4) is not None
    later = NOW + timedelta(seconds=61)
    assert first.authenticate("village11", demo.PASSWORD, "10.0.0.9", "web", later,
                              per_minute=4) is not None


def test_failures_in_a_row_lock_the_account_until_an_admin_unlocks(eng, users):
    eng.settings = replace(eng.settings, lockout_failures=3, lockout_minutes=15)
    assert eng.authenticate("village11", "wrong", "10.0.0.1", now=NOW) is None
    assert eng.authenticate("village11", demo.PASSWORD, now=NOW) is not None  # resets
    for _ in range(3):
        assert eng.authenticate("village11", "wrong", "10.0.0.1", now=NOW) is None
    with pytest.raises(LoginRefused) as refused:
        eng.authenticate("village11", demo.PASSWORD, now=NOW)
    assert refused.value.reason == "locked" and refused.value.retry_after == 901
    assert eng.locked_users(NOW) == {users["village11"].id}
    assert [e.data["username"] for e in events(eng, "account_locked")] == ["village11"]
    with pytest.raises(Forbidden):
        eng.unlock_user(users["village11"].id, users["village12"], NOW)
    eng.unlock_user(users["village11"].id, users["admin"], NOW)
    assert eng.locked_users(NOW) == set()
    assert len(events(eng, "account_unlocked")) == 1
    assert eng.authenticate("village11", demo.PASSWORD, now=NOW) is not None


def test_the_lock_ends_by_itself(eng, users):
    eng.settings = replace(eng.settings, lockout_failures=2, lockout_minutes=15)
    for _ in range(2):
        eng.authenticate("village11", "wrong", now=NOW)
    with pytest.raises(LoginRefused):
        eng.authenticate("village11", demo.PASSWORD, now=NOW + timedelta(minutes=14))
    assert eng.authenticate("village11", demo.PASSWORD,
                            now=NOW + timedelta(minutes=16)) is not None


def test_concurrent_failures_are_all_counted(eng, users):
    engines = workers(eng, 8)
    for engine in engines:
        engine.settings = replace(engine.settings, lockout_failures=10)
    results = []

    def attempts(engine):
        def run():
            for _ in range(2):
                try:
                    results.append(engine.authenticate("village11", "wrong", now=NOW))
                except LoginRefused as err:
                    results.append(err.reason)
        return run
    assert run_together([attempts(e) for e in engines]) == []
    assert results.count(None) == 10 and results.count("locked") == 6
    assert len(events(eng, "login_failed")) == 10
    assert len(events(eng, "account_locked")) == 1


@pytest.mark.parametrize("how", ["change", "reset", "deactivate"])
def test_api_token_ends_with_the_password_or_the_account(eng, users, how):
    user, admin = users["village11"], users["admin"]
    token = eng.issue_token(user)
    assert eng.user_by_token(token).id == user.id
    if how == "change":
        eng.change_password(user, demo.PASSWORD, "another-password")
    elif how == "reset":
        eng.reset_password(user.id, "another-password", admin)
    else:
        eng.set_active(user.id, False, admin)
        eng.set_active(user.id, True, admin)
    assert eng.user_by_token(token) is None


def test_log_out_changes_the_session_stamp(eng, users):
    user = users["village11"]
    before = eng.user(user.id).password_stamp
    eng.end_sessions(user, "10.0.0.1")
    assert eng.user(user.id).password_stamp != before
    assert len(events(eng, "logout")) == 1
