"""Areas and users: the administrative tree, accounts, passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, InvalidData, NotFound
from .models import Area, Level, User

ROLES = {"staff", "admin", "auditor"}
_HASHER = PasswordHasher()
# A hash of a random password, verified against when the user does not exist, so that a
# login takes as long for an unknown name as for a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(8))


def level_of_code(code: str) -> Level:
    """The level a division code denotes by its length (6, 9 or 12 digits)."""
    if not (isinstance(code, str) and code.isdigit()):
        raise InvalidData(f"area code {code!r} must be digits", {"code": "digits"})
    for level in Level:
        if len(code) == level.code_length:
            return level
    raise InvalidData(f"area code {code} must have 6 (county), 9 (township) or 12 (village) "
                      f"digits", {"code": "length"})


def add_area(session: Session, code: str, name: str, parent_code: str | None = None) -> Area:
    """Add an area; a township or village must name its parent, whose code it extends."""
    level = level_of_code(code)
    if session.get(Area, code) is not None:
        raise Conflict(f"area {code} already exists")
    if not name.strip():
        raise InvalidData("an area needs a name", {"name": "required"})
    if level is not Level.COUNTY:
        if parent_code is None:
            parent_code = code[:6] if level is Level.TOWNSHIP else code[:9]
        parent = session.get(Area, parent_code)
        if parent is None:
            raise NotFound(f"parent area {parent_code} does not exist")
        if not code.startswith(parent.code) or len(parent.code) + 3 != len(code):
            raise InvalidData(f"area {code} cannot lie under {parent.code}",
                              {"parent": "mismatch"})
    elif parent_code is not None:
        raise InvalidData("a county area has no parent", {"parent": "not allowed"})
    area = Area(code=code, name=name.strip(), level=level.value, parent_code=parent_code)
    session.add(area)
    session.flush()
    return area


def areas(session: Session, under: str = "") -> list[Area]:
    """All areas (under a code prefix), in code order."""
    return list(session.scalars(select(Area).where(Area.code.startswith(under))
                                .order_by(Area.code)))


def hash_password(password: str) -> str:
    """An argon2 hash of the password."""
    return _HASHER.hash(password)


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short."""
    if not isinstance(password, str) or len(password) < 8:
        raise InvalidData("a password needs at least 8 characters", {"password": "too short"})


def add_user(session: Session, username: str, level: str, area_code: str, password: str,
             roles: str = "staff", display_name: str = "", now: datetime | None = None) -> User:
    """Create a user at ``level`` in ``area_code``; the area must be of that level."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise InvalidData("a user name of 1–64 characters is required", {"username": "invalid"})
    try:
        level_enum = Level(level)
    except ValueError:
        raise InvalidData(f"level must be village, township or county, not {level!r}",
                          {"level": "invalid"}) from None
    area = session.get(Area, area_code)
    if area is None:
        raise NotFound(f"area {area_code} does not exist")
    if area.level != level_enum.value:
        raise InvalidData(f"area {area_code} is a {area.level}, not a {level}",
                          {"area_code": "level mismatch"})
    role_set = {r.strip() for r in roles.split(",") if r.strip()}
    if not role_set or role_set - ROLES:
        raise InvalidData(f"roles must be among {', '.join(sorted(ROLES))}",
                          {"roles": "invalid"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username} already exists")
    check_password_strength(password)
    user = User(username=username, display_name=display_name or username, level=level,
                area_code=area_code, roles=",".join(sorted(role_set)),
                password_hash=hash_password(password), created_at=now or datetime.now())
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User:
    """The user of that name, or NotFound."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"user {username} does not exist")
    return user


def users(session: Session, under: str = "") -> list[User]:
    """All users (in areas under a code prefix), by name."""
    return list(session.scalars(select(User).where(User.area_code.startswith(under))
                                .order_by(User.username)))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, else None (same cost either way)."""
    user = session.scalars(select(User).where(User.username == username)).first()
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: User, old: str, new: str) -> None:
    """Change a password after checking the old one."""
    try:
        _HASHER.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise InvalidData("the current password is wrong", {"old": "wrong"}) from None
    check_password_strength(new)
    user.password_hash = hash_password(new)


def issue_token(user: User) -> str:
    """A new API token for the user; only its sha256 is stored."""
    token = secrets.token_urlsafe(32)
    user.api_token_hash = hashlib.sha256(token.encode()).hexdigest()
    return token


def user_by_token(session: Session, token: str) -> User | None:
    """The active user owning an API token, or None."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    user = session.scalars(select(User).where(User.api_token_hash == digest)).first()
    return user if user is not None and user.active else None
