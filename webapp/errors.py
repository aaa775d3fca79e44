"""Error pages: plain HTML (JSON under /api/) with the engine's one-line message where there
is one. The request's transaction is rolled back first, so that the page reads cleanly."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from engine.errors import Forbidden, NotFound

from .transaction import rollback


def _page(code: int, title: str, message: str = ""):
    rollback()
    if request.path.startswith("/api/"):  # also for URLs no API route matches
        return jsonify(error=message or title, fields={}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(400, lambda e: _page(400, _("Bad request")))
    app.register_error_handler(CSRFError, lambda e: _page(
        400, _("The form has expired"), _("Please go back, reload the page and try again.")))
    app.register_error_handler(403, lambda e: _page(403, _("Not allowed"),
                                                    _("You may not see or do this.")))
    app.register_error_handler(404, lambda e: _page(404, _("Not found")))
    app.register_error_handler(405, lambda e: _page(405, _("Method not allowed")))
    app.register_error_handler(413, lambda e: _page(413, _("File too large")))
    app.register_error_handler(429, lambda e: _page(
        429, _("Too many attempts"), _("Please wait a minute and try again.")))
    app.register_error_handler(NotFound, lambda e: _page(404, _("Not found"), str(e)))
    app.register_error_handler(Forbidden, lambda e: _page(403, _("Not allowed"), str(e)))
