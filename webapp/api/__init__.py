"""The JSON API under /api/v1: the same operations and authorization rules as the UI.

Authentication is an ``Authorization: Bearer <token>`` header (a token from
``POST /api/v1/tokens``) or the browser session. Only token requests are exempt from CSRF:
a session-authenticated POST must carry the session's CSRF token in ``X-CSRFToken``. Every
error is ``{"error": "<one line>", "fields": {...}}``.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, DixianError, Forbidden, InvalidData, NotFound

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints that answer without a user: the API description and the token request.
PUBLIC = {"api.openapi", "api.issue_token"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiError(Exception):
    """An error response: HTTP status, one-line message and field messages."""

    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.fields = status, fields or {}


def error(status: int, message: str, fields: dict | None = None):
    """The JSON error response (after rolling back what the request did)."""
    from ..transaction import rollback

    rollback()
    return jsonify(error=message, fields=fields or {}), status


@bp.before_request
def authenticate():
    """Find the user from a bearer token or the session; check CSRF for session writes."""
    from ..auth import current_engine_user
    from ..extensions import csrf
    from ..transaction import engine

    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        user = engine().user_by_token(token.strip()) if (
            scheme.lower() == "bearer" and token.strip()) else None
        if user is None:
            return _unauthorized("invalid API token")
        g.api_user, g.api_auth = user, "token"
        return None
    if request.endpoint in PUBLIC:
        return None
    if current_engine_user() is None:
        return _unauthorized("authentication required: send Authorization: Bearer <token>")
    g.api_auth = "session"
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # raises CSRFError without a valid X-CSRFToken header
    return None


def _unauthorized(message: str):
    response, status = error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="dixian"'
    return response, status


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    return error(err.status, str(err), err.fields)


@bp.errorhandler(InvalidData)
def _invalid(err: InvalidData):
    return error(422, str(err), err.errors)


@bp.errorhandler(Forbidden)
def _forbidden(err: Forbidden):
    return error(403, str(err))


@bp.errorhandler(NotFound)
def _not_found(err: NotFound):
    return error(404, str(err))


@bp.errorhandler(Conflict)
def _conflict(err: Conflict):
    return error(409, str(err))


@bp.errorhandler(DixianError)
def _other(err: DixianError):
    return error(422, str(err))


@bp.errorhandler(CSRFError)
def _csrf(err: CSRFError):
    return error(400, f"CSRF check failed: {err.description} Send the session's CSRF token "
                      f"in the X-CSRFToken header (GET /api/v1/me gives it).")


@bp.errorhandler(HTTPException)
def _http(err: HTTPException):
    response, status = error(err.code or 500, err.description or err.name)
    for name, value in err.get_headers():  # Allow on 405, Retry-After on 429
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, status


from . import definitions, elimination, projects, routes, supervision  # noqa: E402,F401
