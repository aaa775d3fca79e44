"""Flask's signed-cookie session, without work for requests that carry no session.

API calls with a bearer token (and first visits) send no session cookie: Flask would still
build the signing serializer (a key derivation set-up) to open an empty session and read
seven cookie settings to save it. Here an absent cookie opens an empty session directly,
an untouched empty session is saved by doing nothing (``Vary: Cookie`` if it was read), and
the serializer is built once per secret key (one kept: the current key and its fallbacks).
Signing, expiry and the cookie's flags are Flask's own.
"""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` with the shortcuts above."""

    def __init__(self) -> None:
        self._serializer: tuple[tuple, object] | None = None

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app: Flask, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Use these sessions."""
    app.session_interface = CookieSessions()
