"""Log in and out, change password, choose the UI language; the current engine user."""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import Blueprint, abort, current_app, g
from flask_login import UserMixin, current_user

from engine.models import User

bp = Blueprint("auth", __name__)


class CurrentUser(UserMixin):
    """flask-login's view of an engine ``User`` loaded for this request."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        # The id carries a stamp of the password hash, so that changing or resetting a
        # password ends every other session of that user.
        return f"{self.user.id}:{password_stamp(self.user)}"

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)


def password_stamp(user: User) -> str:
    """A short digest of the user's password hash."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def current_engine_user() -> User | None:
    """The engine ``User`` of this request (API token or session), or None."""
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    if current_user and current_user.is_authenticated:
        return current_user.user
    return None


def login_rate_limit() -> str:
    """The rate limit of password checks (the login form and API token requests)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def role_required(role: str):
    """Refuse (403) users without ``role``; anonymous users go to the login page."""
    from flask_login import login_required

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_engine_user().has_role(role):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


@bp.record_once
def _setup(state) -> None:
    from flask_babel import lazy_gettext

    from ..database import db
    from ..extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        raw_id, _, stamp = user_id.partition(":")
        if not raw_id.isdigit():
            return None
        user = db().get(User, int(raw_id))
        if user is None or not user.active or stamp != password_stamp(user):
            return None
        return CurrentUser(user)


from . import routes  # noqa: E402,F401
