"""The app's one Engine and each request's one transaction.

``create_app`` builds the Engine from the app's config (or takes a ready one from
``DIXIAN_ENGINE``) and keeps it in ``app.extensions["dixian"]``. Every request runs in one
transaction, opened before the view: a write transaction for methods that change things
(on SQLite ``BEGIN IMMEDIATE``, so that several workers wait for the write lock in turn
instead of failing with "database is locked"), a read transaction otherwise. The engine's
verbs join it. A view commits explicitly after a successful write; whatever is left
uncommitted is rolled back when the request ends.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request

from engine import Engine, Settings, build_engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Endpoints that never reach the database: no transaction for them.
NO_DATABASE = frozenset({"static", "vendor.asset", "vendor.scoped"})


def init_app(app: Flask) -> None:
    """Build (or take) the Engine and open and close a transaction around each request."""
    engine = app.config.get("DIXIAN_ENGINE") or build_engine(Settings.from_environment(
        database_url=app.config["DATABASE_URL"],
        upload_max_bytes=app.config["UPLOAD_MAX_BYTES"]))
    app.extensions["dixian"] = engine
    app.before_request(begin)
    app.teardown_request(end)


def engine() -> Engine:
    """The app's Engine."""
    return current_app.extensions["dixian"]


def begin() -> None:
    """Open the request's transaction: a write transaction unless the method only reads."""
    if request.endpoint in NO_DATABASE:
        return
    engine().begin(write=request.method not in SAFE_METHODS)
    g.dixian_transaction = True


def rollback() -> None:
    """Undo what the request did so far (after an engine error), keeping it open to read."""
    if g.get("dixian_transaction"):
        engine().rollback()


def end(_exc: BaseException | None = None) -> None:
    """Close the request's transaction, rolling back whatever was not committed."""
    if g.pop("dixian_transaction", False):
        engine().end()
