"""Log-ins: password checks counted in the database, so that every worker shares one rate
limit per address (the log-in form and API token requests together), a lock on an account
after failed log-ins in a row, lifted by time or by an administrator, and the end of
sessions at log-out.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from . import audit, policy
from .errors import LoginRefused
from .models import LoginAttempt, User

ATTEMPTS, USERS = LoginAttempt.__table__, User.__table__
WINDOW = timedelta(minutes=1)
KEEP = timedelta(days=1)  # attempts older than this are deleted now and then


def check_rate(conn, ip: str, per_minute: int, now: datetime) -> None:
    """Refuse when ``ip`` made ``per_minute`` password checks in the last minute."""
    count = conn.execute(select(func.count()).select_from(ATTEMPTS).where(
        ATTEMPTS.c.ip == ip, ATTEMPTS.c.at > now - WINDOW)).scalar_one()
    if count >= per_minute:
        raise LoginRefused(f"too many log-in attempts from {ip}; wait a minute", "rate", 60)


def record(conn, ip: str, username: str, ok: bool, now: datetime) -> None:
    """Count one password check (and forget those older than a day, now and then)."""
    new_id = conn.execute(insert(ATTEMPTS).values(ip=ip, username=username[:64], ok=ok, at=now)
                          .returning(ATTEMPTS.c.id)).scalar_one()
    if new_id % 100 == 0:
        conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.at < now - KEEP))


def lock_state(conn, username: str):
    """The account's id, failures in a row and lock, or None for an unknown name; the row
    is locked, so that concurrent failures are all counted."""
    return conn.execute(select(USERS.c.id, USERS.c.failed_logins, USERS.c.locked_until)
                        .where(USERS.c.username == username).with_for_update()).first()


class LoginVerbs:
    """Authentication with the shared rate limit and the account lock; unlock; log-out."""

    def authenticate(self, username: str, password: str, ip: str = "", via: str = "web",
                     now: datetime | None = None, per_minute: int | None = None):
        """The account if the password matches; the attempt is audited either way.

        LoginRefused (nothing checked, nothing written) when ``ip`` made ``per_minute``
        checks in the last minute or the account is locked. ``lockout_failures`` wrong
        passwords in a row lock the account for ``lockout_minutes``."""
        now = now or self.clock()
        settings = self.settings
        with self.transaction(write=True) as tx:
            conn = tx.conn
            if per_minute:
                check_rate(conn, ip, per_minute, now)
            state = lock_state(conn, username)
            if state is not None and state.locked_until is not None \
                    and state.locked_until > now:
                wait = int((state.locked_until - now).total_seconds()) + 1
                raise LoginRefused(f"account {username} is locked after failed log-ins; "
                                   "wait or ask an administrator to unlock it", "locked", wait)
            user = self.directory.authenticate(conn, username, password)
            record(conn, ip, username, user is not None, now)
            if user is None:
                audit.append_global(conn, "login_failed", None, now,
                                    {"username": username[:64], "ip": ip, "via": via})
                if state is not None:
                    self._count_failure(conn, state, username, ip, now)
                return None
            if state.failed_logins or state.locked_until is not None:
                conn.execute(update(USERS).where(USERS.c.id == user.id).values(
                    failed_logins=0, locked_until=None))
            audit.append_global(conn, "login", user, now, {"ip": ip, "via": via})
            return user

    def _count_failure(self, conn, state, username: str, ip: str, now: datetime) -> None:
        failures = state.failed_logins + 1
        values = {"failed_logins": failures}
        if failures >= self.settings.lockout_failures:
            values.update(failed_logins=0, locked_until=now + timedelta(
                minutes=self.settings.lockout_minutes))
            audit.append_global(conn, "account_locked", None, now,
                                {"username": username, "ip": ip, "failures": failures})
        conn.execute(update(USERS).where(USERS.c.id == state.id).values(**values))

    def unlock_user(self, user_id: int, actor, now: datetime | None = None):
        """Lift an account's log-in lock (administrators; audited)."""
        policy.require(policy.administer, actor)
        with self.transaction(write=True) as tx:
            user = self.directory.get(tx.conn, user_id)
            tx.conn.execute(update(USERS).where(USERS.c.id == user.id).values(
                failed_logins=0, locked_until=None))
            audit.append_global(tx.conn, "account_unlocked", actor, now or self.clock(),
                                {"username": user.username})
            return user

    def locked_users(self, now: datetime | None = None) -> set[int]:
        """Ids of the accounts locked now."""
        with self.transaction(write=False) as tx:
            return set(tx.conn.execute(select(USERS.c.id).where(
                USERS.c.locked_until > (now or self.clock()))).scalars())

    def end_sessions(self, actor, ip: str = "", now: datetime | None = None) -> None:
        """Log out: every session of the actor opened before now ends (audited)."""
        with self.transaction(write=True) as tx:
            tx.conn.execute(update(USERS).where(USERS.c.id == actor.id).values(
                session_epoch=USERS.c.session_epoch + 1))
            audit.append_global(tx.conn, "logout", actor, now or self.clock(), {"ip": ip})
