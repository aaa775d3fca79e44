"""Error pages: plain HTML (JSON under /api/) with the engine's one-line message where there
is one, in the user's language. The request's transaction is rolled back first, so that the
page reads cleanly. A 405 names the allowed methods in ``Allow``."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Forbidden, NotFound

from .engine_words import message as engine_message
from .transaction import rollback


def page(code: int, title: str, message: str = "", fields: dict | None = None,
         headers: dict | None = None):
    """The error response: ``{"error", "fields"}`` under /api/, else the error page."""
    rollback()
    if request.path.startswith("/api/"):  # also for URLs no API route matches
        body = jsonify(error=message or title, fields=fields or {})
    else:
        body = render_template("errors/error.html", code=code, title=title, message=message)
    return body, code, headers or {}


def _http(err: HTTPException, title: str, message: str = ""):
    # Werkzeug's own headers: Allow on 405, Retry-After on 429.
    headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
    return page(err.code or 500, title, message, headers=headers)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(400, lambda e: _http(e, _("Bad request")))
    app.register_error_handler(CSRFError, lambda e: page(
        400, _("The form has expired"), _("Please go back, reload the page and try again.")))
    app.register_error_handler(403, lambda e: _http(e, _("Not allowed"),
                                                    _("You may not see or do this.")))
    app.register_error_handler(404, lambda e: _http(e, _("Not found")))
    app.register_error_handler(405, lambda e: _http(e, _("Method not allowed")))
    app.register_error_handler(413, lambda e: _http(e, _("Request too large")))
    app.register_error_handler(429, lambda e: _http(
        e, _("Too many attempts"), _("Please wait a minute and try again.")))
    app.register_error_handler(NotFound, lambda e: page(404, _("Not found"), _said(e)))
    app.register_error_handler(Forbidden, lambda e: page(403, _("Not allowed"), _said(e)))


def _said(err) -> str:
    """The engine's message: as it is for the API, in the user's language on a page."""
    return str(err) if request.path.startswith("/api/") else engine_message(err)
