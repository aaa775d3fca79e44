"""Areas and accounts: the administrative tree, users, passwords and API tokens.

Accounts are read as ``Actor`` values: what every verb needs to know of who acts. Password
hashes never leave this module; an actor carries only a short stamp of its hash, so that a
session can end when the password changes.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, insert, select, update

from .errors import Conflict, InvalidData, NotFound
from .models import Area, Level, User
from .sql import Prepared

ROLES = {"staff", "admin", "auditor", "lead"}
USERS, AREAS = User.__table__, Area.__table__


@dataclass(frozen=True)
class Actor:
    """A user as the engine sees one: level, area, roles; no secrets."""

    id: int
    username: str
    display_name: str
    level: str
    area_code: str
    roles: tuple[str, ...]
    active: bool
    locale: str
    password_stamp: str

    def has_role(self, role: str) -> bool:
        """Whether the user has ``role`` (staff, admin, auditor)."""
        return role in self.roles

    @property
    def name(self) -> str:
        """The name shown to others."""
        return self.display_name or self.username


@dataclass(frozen=True)
class AreaRow:
    """An administrative area."""

    code: str
    name: str
    level: str
    parent_code: str | None


_ACTOR_COLUMNS = (USERS.c.id, USERS.c.username, USERS.c.display_name, USERS.c.level,
                  USERS.c.area_code, USERS.c.roles, USERS.c.active, USERS.c.locale,
                  USERS.c.password_hash, USERS.c.session_epoch)
_BY_ID = Prepared(select(*_ACTOR_COLUMNS).where(USERS.c.id == bindparam("id")))
_BY_NAME = Prepared(select(*_ACTOR_COLUMNS).where(USERS.c.username == bindparam("name")))
_BY_TOKEN = Prepared(select(*_ACTOR_COLUMNS).where(
    USERS.c.api_token_hash == bindparam("digest")))
_AREA = Prepared(select(AREAS.c.code, AREAS.c.name, AREAS.c.level, AREAS.c.parent_code)
                 .where(AREAS.c.code == bindparam("code")))


def stamp(password_hash: str, session_epoch: int = 0) -> str:
    """A short digest of a password hash and the session epoch: changes whenever the
    password does and at every log-out."""
    return hashlib.sha256(f"{password_hash}:{session_epoch}".encode()).hexdigest()[:16]


def actor(row) -> Actor:
    """An Actor from a users row."""
    return Actor(row.id, row.username, row.display_name, row.level, row.area_code,
                 tuple(r for r in row.roles.split(",") if r), bool(row.active), row.locale,
                 stamp(row.password_hash, row.session_epoch))


def level_of_code(code: str) -> Level:
    """The level a division code denotes by its length (6, 9 or 12 digits)."""
    if not (isinstance(code, str) and code.isdigit()):
        raise InvalidData(f"area code {code!r} must be digits", {"code": "digits"})
    for level in Level:
        if len(code) == level.code_length:
            return level
    raise InvalidData(f"area code {code} must have 6 (county), 9 (township) or 12 (village) "
                      f"digits", {"code": "length"})


def area(conn, code: str) -> AreaRow | None:
    """One area, or None."""
    row = _AREA.first(conn, {"code": code}) if isinstance(code, str) else None
    return AreaRow(*row) if row else None


def add_area(conn, code: str, name: str, parent_code: str | None = None) -> AreaRow:
    """Add an area; a township or village must lie under its parent, whose code it extends."""
    level = level_of_code(code)
    if area(conn, code) is not None:
        raise Conflict(f"area {code} already exists")
    if not isinstance(name, str) or not name.strip():
        raise InvalidData("an area needs a name", {"name": "required"})
    if level is not Level.COUNTY:
        parent_code = parent_code or (code[:6] if level is Level.TOWNSHIP else code[:9])
        parent = area(conn, parent_code)
        if parent is None:
            raise NotFound(f"parent area {parent_code} does not exist")
        if not code.startswith(parent.code) or len(parent.code) + 3 != len(code):
            raise InvalidData(f"area {code} cannot lie under {parent.code}",
                              {"parent": "mismatch"})
    elif parent_code is not None:
        raise InvalidData("a county area has no parent", {"parent": "not allowed"})
    conn.execute(insert(AREAS).values(code=code, name=name.strip(), level=level.value,
                                      parent_code=parent_code))
    return AreaRow(code, name.strip(), level.value, parent_code)


def areas(conn, under: str = "") -> list[AreaRow]:
    """All areas (under a code prefix), in code order."""
    rows = conn.execute(select(AREAS).where(AREAS.c.code.startswith(under, autoescape=True))
                        .order_by(AREAS.c.code))
    return [AreaRow(r.code, r.name, r.level, r.parent_code) for r in rows]


def area_names(conn, codes) -> dict[str, str]:
    """Names of areas by code."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(conn.execute(select(AREAS.c.code, AREAS.c.name).where(
        AREAS.c.code.in_(codes))).all())


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short."""
    if not isinstance(password, str) or len(password) < 8:
        raise InvalidData("a password needs at least 8 characters", {"password": "too short"})


class Directory:
    """Accounts: created, found, authenticated; passwords hashed with argon2."""

    def __init__(self, hasher: PasswordHasher):
        self.hasher = hasher
        # Verified against when the user does not exist, so that a login takes as long for an
        # unknown name as for a wrong password.
        self._dummy = hasher.hash(secrets.token_hex(8))

    def hash_password(self, password: str) -> str:
        """An argon2 hash of the password."""
        return self.hasher.hash(password)

    def add_user(self, conn, username: str, level: str, area_code: str, password: str,
                 roles: str = "staff", display_name: str = "", now: datetime | None = None
                 ) -> Actor:
        """Create a user at ``level`` in ``area_code``; the area must be of that level."""
        username = username.strip() if isinstance(username, str) else ""
        if not username or len(username) > 64:
            raise InvalidData("a user name of 1–64 characters is required",
                              {"username": "invalid"})
        try:
            level_enum = Level(level)
        except ValueError:
            raise InvalidData(f"level must be village, township or county, not {level!r}",
                              {"level": "invalid"}) from None
        found = area(conn, area_code)
        if found is None:
            raise NotFound(f"area {area_code} does not exist")
        if found.level != level_enum.value:
            raise InvalidData(f"area {area_code} is a {found.level}, not a {level}",
                              {"area_code": "level mismatch"})
        role_set = {r.strip() for r in roles.split(",") if r.strip()}
        if not role_set or role_set - ROLES:
            raise InvalidData(f"roles must be among {', '.join(sorted(ROLES))}",
                              {"roles": "invalid"})
        if _BY_NAME.first(conn, {"name": username}) is not None:
            raise Conflict(f"user {username} already exists")
        check_password_strength(password)
        new_id = conn.execute(insert(USERS).values(
            username=username, display_name=display_name or username, level=level,
            area_code=area_code, roles=",".join(sorted(role_set)),
            password_hash=self.hash_password(password), locale="zh_CN", active=True,
            created_at=now or datetime.now()).returning(USERS.c.id)).scalar_one()
        return self.get(conn, new_id)

    def get(self, conn, user_id: int) -> Actor:
        """The user with this id, or NotFound."""
        row = _BY_ID.first(conn, {"id": user_id}) if (
            isinstance(user_id, int) and 0 < user_id < 2 ** 31) else None
        if row is None:
            raise NotFound(f"user {user_id} does not exist")
        return actor(row)

    def find(self, conn, username: str) -> Actor:
        """The user of that name, or NotFound."""
        row = _BY_NAME.first(conn, {"name": username})
        if row is None:
            raise NotFound(f"user {username} does not exist")
        return actor(row)

    def users(self, conn, under: str = "") -> list[Actor]:
        """All users (in areas under a code prefix), by name."""
        rows = conn.execute(select(*_ACTOR_COLUMNS).where(
            USERS.c.area_code.startswith(under, autoescape=True)).order_by(USERS.c.username))
        return [actor(r) for r in rows]

    def authenticate(self, conn, username: str, password: str) -> Actor | None:
        """The active user whose password matches, else None (same cost either way)."""
        row = _BY_NAME.first(conn, {"name": username})
        try:
            self.hasher.verify(row.password_hash if row else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.active:
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            self._store_hash(conn, row.id, self.hash_password(password), rehash=True)
            row = _BY_ID.first(conn, {"id": row.id})
        return actor(row)

    def _store_hash(self, conn, user_id: int, password_hash: str, rehash: bool = False
                    ) -> None:
        # A new password ends the API token too (not a rehash of the same password).
        values = {"password_hash": password_hash} if rehash else {
            "password_hash": password_hash, "api_token_hash": None}
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(**values))

    def change_password(self, conn, user: Actor, old: str, new: str) -> Actor:
        """Change one's own password after checking the old one; returns the new actor."""
        row = _BY_ID.first(conn, {"id": user.id})
        try:
            self.hasher.verify(row.password_hash, old)
        except (VerificationError, InvalidHashError):
            raise InvalidData("the current password is wrong", {"old": "wrong"}) from None
        check_password_strength(new)
        self._store_hash(conn, user.id, self.hash_password(new))
        return self.get(conn, user.id)

    def reset_password(self, conn, user_id: int, new: str) -> Actor:
        """Set a new password for an account (an administrator's act)."""
        self.get(conn, user_id)
        check_password_strength(new)
        self._store_hash(conn, user_id, self.hash_password(new))
        return self.get(conn, user_id)

    def set_active(self, conn, user_id: int, active: bool) -> Actor:
        """Activate or deactivate an account (deactivation ends its API token)."""
        self.get(conn, user_id)
        values = {"active": True} if active else {"active": False, "api_token_hash": None}
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
        return self.get(conn, user_id)

    def set_locale(self, conn, user_id: int, locale: str) -> None:
        """Remember the user's UI language."""
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(locale=locale))

    def issue_token(self, conn, user_id: int) -> str:
        """A new API token for the user (replacing the old one); only its sha256 is stored."""
        token = secrets.token_urlsafe(32)
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(
            api_token_hash=hashlib.sha256(token.encode()).hexdigest()))
        return token

    def revoke_token(self, conn, user_id: int) -> None:
        """Forget the user's API token."""
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(api_token_hash=None))

    def by_token(self, conn, token: str) -> Actor | None:
        """The active user owning an API token, or None."""
        if not isinstance(token, str) or not token:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        row = _BY_TOKEN.first(conn, {"digest": digest})
        return actor(row) if row is not None and row.active else None
