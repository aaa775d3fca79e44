"""Fixtures for the web UI tests: a migrated database with the demo data and workflows,
the app, its test client and a login helper. Time stands still at ``START``.

A template SQLite database is built once per test session and copied for each test. With
``DIXIAN_TEST_DATABASE_URL`` set (PostgreSQL), schema ``public`` is dropped, recreated and
migrated for each test instead.
"""
from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.orm import Session

from engine import db as engine_db
from engine import definitions, demo, runtime
from engine.models import WorkItem

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2025, 3, 10, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Beijing
WORKFLOWS = [ROOT / "workflows" / "monitoring_identification.bpmn",
             ROOT / "bench" / "four_tasks.bpmn"]


def _fill(engine) -> None:
    engine_db.migrate(engine)
    with engine_db.session_factory(engine)() as session:
        demo.seed(session, START)
        for path in WORKFLOWS:
            bpmn, dmn, forms = definitions.collect_files([path])
            definitions.deploy(session, bpmn, dmn, forms, None, START)
        session.commit()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A migrated SQLite file with demo data and deployed workflows."""
    path = tmp_path_factory.mktemp("template") / "dixian.sqlite"
    engine = engine_db.make_engine(f"sqlite:///{path}")
    with time_machine.travel(START, tick=False):
        _fill(engine)
    engine.dispose()
    return path


@pytest.fixture
def clock():
    """Time frozen at START; tests move it with ``clock.move_to`` or ``clock.shift``."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def engine(tmp_path, template_db, clock):
    """A fresh database for the test."""
    # Definition ids repeat across test databases: drop parsed specs of other tests.
    definitions._cache.clear()
    runtime.CACHE.clear()
    url = os.environ.get("DIXIAN_TEST_DATABASE_URL")
    if url:
        eng = engine_db.make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        _fill(eng)
    else:
        path = tmp_path / "dixian.sqlite"
        shutil.copy(template_db, path)
        eng = engine_db.make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture
def config_overrides():
    """Extra settings a test module may override."""
    return {}


@pytest.fixture
def app(engine, tmp_path, config_overrides):
    from webapp import create_app

    config = {"TESTING": True, "SECRET_KEY": "test", "ENGINE": engine,
              "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "1000/minute",
              "NODE_MODULES": str(ROOT / "node_modules")}
    config.update(config_overrides)
    application = create_app(config)
    yield application


@pytest.fixture
def client(app):
    return app.test_client()


class CheckingSession(Session):
    """A session whose ``rollback`` always forgets loaded objects.

    Tests call ``rollback()`` before checking what the app wrote. A plain rollback with no
    transaction open does nothing, and objects loaded earlier would keep their old values.
    """

    def rollback(self) -> None:
        """Roll back and expire everything, so the next read sees the app's commits."""
        super().rollback()
        self.expire_all()


@pytest.fixture
def session(engine):
    """A session for arranging and checking data beside the app."""
    with CheckingSession(engine, expire_on_commit=False) as s:
        yield s


class Auth:
    """Log in and out as demo users."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str = "village11", password: str = demo.PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def user(session):
    """Look up a demo user by name."""
    from engine import directory

    return lambda name: directory.find_user(session, name)


@pytest.fixture
def start(session, user):
    """Start a case as a demo user and return (case, first work items)."""
    from engine import cases

    def _start(key="four_tasks", username="village11", data=None):
        case, items = cases.start_case(session, key, user(username), data or {},
                                       datetime.now(timezone.utc))
        session.commit()
        return case, items
    return _start


@pytest.fixture
def declaration():
    """Valid start data for an identification case of household 1 (village 360799100001)."""
    return {"household_id": 1, "channel": "self_declaration", "discovery_date": "2025-03-08",
            "risk_types": ["01"], "commitment_signed": True, "green_channel": False}


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no csrf token in page"
    return found.group(1)


@pytest.fixture
def token_of():
    return csrf_token


@pytest.fixture
def open_items(session):
    from sqlalchemy import select

    def _items(case_id):
        session.rollback()  # ends the read snapshot, too
        return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id,
                                                           WorkItem.status == "open")))
    return _items
