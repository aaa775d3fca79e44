"""Log in and out, change password, choose the UI language; the current engine user."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, g
from flask_login import UserMixin, current_user

from engine import Actor
from engine.errors import NotFound

bp = Blueprint("auth", __name__)


class CurrentUser(UserMixin):
    """flask-login's view of the engine ``Actor`` loaded for this request."""

    def __init__(self, actor: Actor):
        self.actor = actor

    def get_id(self) -> str:
        # The id carries a stamp of the password hash, so that changing or resetting a
        # password ends every other session of that user.
        return f"{self.actor.id}:{self.actor.password_stamp}"

    @property
    def is_active(self) -> bool:
        return self.actor.active


def current_engine_user() -> Actor | None:
    """The ``Actor`` of this request (API token or session), or None."""
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    if current_user and current_user.is_authenticated:
        return current_user.actor
    return None


def login_rate_limit() -> str:
    """The rate limit of password checks (the login form and API token requests)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_per_minute() -> int | None:
    """Password checks allowed per address and minute (both doors together), counted in the
    database so that all workers share them; None when rate limits are off."""
    from limits import parse

    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    item = parse(login_rate_limit())
    return max(1, round(item.amount * 60 / item.get_expiry()))


def authenticate(username: str, password: str, via: str):
    """Check a password (committing the audited attempt); LoginRefused when throttled."""
    from flask import request

    from ..handlers import write
    from ..transaction import engine

    return write(engine().authenticate, username, password, request.remote_addr or "", via,
                 per_minute=login_per_minute())


def rule_required(rule: str):
    """Pages for users the engine's policy rule ``rule`` allows (``administer``,
    ``work_queue``): others get 403 and anonymous users the login page. The engine still
    checks every change they make."""
    from flask_login import login_required

    from ..transaction import engine

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not engine().allowed(rule, current_engine_user()):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def load_user(session_id: str) -> CurrentUser | None:
    """The session's user, if the account is still active and its password unchanged."""
    from ..transaction import engine, rollback

    raw_id, _, stamp = session_id.partition(":")
    if not raw_id.isdigit():
        return None
    try:
        actor = engine().user(int(raw_id))
    except NotFound:
        rollback()  # the failed read marks the transaction; nothing was done in it yet
        return None
    if not actor.active or stamp != actor.password_stamp:
        return None
    return CurrentUser(actor)


@bp.record_once
def _setup(state) -> None:
    from flask_babel import lazy_gettext

    from ..extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


from . import routes  # noqa: E402,F401
