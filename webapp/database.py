"""One SQLAlchemy engine per app and one session per request, closed at teardown.

Views call engine operations on ``db()`` and commit explicitly; on an engine error they roll
back. Nothing is committed behind a view's back.
"""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from engine.db import make_engine, session_factory


def init_app(app: Flask) -> None:
    """Create (or take from ``ENGINE``) the app's database engine and its session factory."""
    engine = app.config.get("ENGINE") or make_engine(app.config["DATABASE_URL"])
    app.extensions["dixian.engine"] = engine
    app.extensions["dixian.sessions"] = session_factory(engine)
    app.teardown_appcontext(close_session)


def db() -> Session:
    """The request's session, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["dixian.sessions"]()
    return g.db_session


def close_session(exc: BaseException | None = None) -> None:
    """Roll back anything uncommitted and close the request's session."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
